package admin

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	dsync "github.com/dudao-app/dudao/app/sync"
)

func testJobTable(max, perDevice int, ttl time.Duration) *jobTable {
	return newJobTable(max, perDevice, ttl, time.Now, slog.New(slog.DiscardHandler))
}

func jobWire(err error) *dsync.Error { return WireError(err) }

// A running job nobody asks about is cancelled and forgotten after the
// TTL; one that is asked about lives on.
func TestJobAbandonedIsCancelled(t *testing.T) {
	jt := testJobTable(4, 4, 150*time.Millisecond)
	cancelled := make(chan struct{})
	abandoned, err := jt.start("dev", "plan-roster", func(ctx context.Context, p Progress) (any, error) {
		<-ctx.Done()
		close(cancelled)
		return nil, ctx.Err()
	}, jobWire)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	watched, err := jt.start("dev", "plan-roster", func(ctx context.Context, p Progress) (any, error) {
		p(1, 2)
		select {
		case <-release:
			p(2, 2)
			return map[string]int{"rows": 7}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}, jobWire)
	if err != nil {
		t.Fatal(err)
	}
	for range 8 { // 400 ms of polls, past the TTL
		if _, err := jt.status("dev", watched); err != nil {
			t.Fatalf("watched job: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	select {
	case <-cancelled:
	case <-time.After(2 * time.Second):
		t.Fatal("the abandoned job was not cancelled")
	}
	if _, err := jt.status("dev", abandoned); !errors.Is(err, dsync.ErrNotFound) {
		t.Errorf("abandoned job status: %v", err)
	}
	close(release)
	var st JobStatus
	for deadline := time.Now().Add(2 * time.Second); !st.Finished && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		st, err = jt.status("dev", watched)
		if err != nil {
			t.Fatal(err)
		}
	}
	if !st.Finished || st.Error != nil || string(st.Result) != `{"rows":7}` || st.Done != 2 || st.Total != 2 {
		t.Errorf("watched job = %+v", st)
	}
	// Finished and not asked about again: forgotten too.
	time.Sleep(400 * time.Millisecond)
	if jt.count() != 0 {
		t.Errorf("%d jobs held after their TTL", jt.count())
	}
}

func TestJobBounds(t *testing.T) {
	jt := testJobTable(3, 2, time.Minute)
	defer jt.close()
	block := func(ctx context.Context, p Progress) (any, error) { <-ctx.Done(); return nil, ctx.Err() }
	for range 2 {
		if _, err := jt.start("a", "m", block, jobWire); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := jt.start("a", "m", block, jobWire); !errors.Is(err, dsync.ErrUnavailable) {
		t.Errorf("a third job of one device: %v", err)
	}
	id, err := jt.start("b", "m", block, jobWire)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jt.start("c", "m", block, jobWire); !errors.Is(err, dsync.ErrUnavailable) {
		t.Errorf("a job over the hub's bound: %v", err)
	}
	// Cancelling one makes room; only its owner may.
	if err := jt.cancelJob("a", id); !errors.Is(err, dsync.ErrNotFound) {
		t.Errorf("cancel of another device's job: %v", err)
	}
	if err := jt.cancelJob("b", id); err != nil {
		t.Fatal(err)
	}
	if _, err := jt.start("c", "m", block, jobWire); err != nil {
		t.Errorf("after a cancel: %v", err)
	}
	jt.close()
	if _, err := jt.start("c", "m", block, jobWire); !errors.Is(err, dsync.ErrUnavailable) {
		t.Errorf("after close: %v", err)
	}
}

// A job's failure is carried with its code; a panic is internal, and the
// hub goes on.
func TestJobErrors(t *testing.T) {
	jt := testJobTable(4, 4, time.Minute)
	defer jt.close()
	wait := func(id string) JobStatus {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			st, err := jt.status("d", id)
			if err != nil {
				t.Fatal(err)
			}
			if st.Finished {
				return st
			}
		}
		t.Fatal("job did not finish")
		return JobStatus{}
	}
	stale, _ := jt.start("d", "apply-roster", func(context.Context, Progress) (any, error) {
		return nil, errors.Join(errors.New("apply roster r.csv"), ErrStale)
	}, jobWire)
	if st := wait(stale); st.Error == nil || st.Error.Code != dsync.CodeStale || st.Result != nil {
		t.Errorf("stale job = %+v", st)
	}
	boom, _ := jt.start("d", "plan-roster", func(context.Context, Progress) (any, error) { panic("bug") }, jobWire)
	if st := wait(boom); st.Error == nil || st.Error.Code != dsync.CodeInternal {
		t.Errorf("panicking job = %+v", st)
	}
}
