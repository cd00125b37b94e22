package admin

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
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
	// A full table is the hub being busy, with when to come back: not the
	// hub being unreachable.
	busy := func(what string, err error) {
		t.Helper()
		var we *dsync.Error
		if !errors.As(err, &we) || we.Code != dsync.CodeRateLimited || we.RetryAfter() <= 0 || errors.Is(err, dsync.ErrUnavailable) {
			t.Errorf("%s: %#v, want rate_limited with a retry-after", what, err)
		}
	}
	_, err := jt.start("a", "m", block, jobWire)
	busy("a third job of one device", err)
	id, err := jt.start("b", "m", block, jobWire)
	if err != nil {
		t.Fatal(err)
	}
	_, err = jt.start("c", "m", block, jobWire)
	busy("a job over the hub's bound", err)
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

// waitFinished polls a job until it finishes.
func waitFinished(t *testing.T, jt *jobTable, owner, id string) JobStatus {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		st, err := jt.status(owner, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Finished {
			return st
		}
	}
	t.Fatalf("job %s did not finish", id)
	return JobStatus{}
}

// Finished jobs whose answers were not collected do not count against the
// bounds: only running jobs do, so a desktop that closed without collecting
// an answer does not lock the hub for the TTL. What finished jobs hold is
// bounded apart, the oldest forgotten first.
func TestJobFinishedDoNotCount(t *testing.T) {
	jt := testJobTable(2, 2, time.Minute)
	defer jt.close()
	quick := func(n int) func(context.Context, Progress) (any, error) {
		return func(context.Context, Progress) (any, error) { return n, nil }
	}
	var first string
	for i := range 2 {
		id, err := jt.start("a", "m", quick(i), jobWire)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = id
		}
		waitFinished(t, jt, "a", id)
	}
	// Two finished and uncollected: the device and the hub may start more.
	id, err := jt.start("a", "m", quick(2), jobWire)
	if err != nil {
		t.Fatalf("a job after two finished ones: %v", err)
	}
	waitFinished(t, jt, "a", id)
	for i := 3; i < 3+finishedPerSlot*2; i++ {
		id, err := jt.start("b", "m", quick(i), jobWire)
		if err != nil {
			t.Fatalf("job %d: %v", i, err)
		}
		waitFinished(t, jt, "b", id)
	}
	if n := jt.count(); n > finishedPerSlot*2 {
		t.Errorf("%d finished jobs held, want at most %d", n, finishedPerSlot*2)
	}
	if _, err := jt.status("a", first); !errors.Is(err, dsync.ErrNotFound) {
		t.Errorf("the oldest finished job is still held: %v", err)
	}
}

// A start re-sent with the job ID its desktop chose (the answer to the
// first was lost) is the same job, not a second one.
func TestJobClientChosenID(t *testing.T) {
	jt := testJobTable(4, 4, time.Minute)
	defer jt.close()
	var runs atomic.Int32
	fn := func(context.Context, Progress) (any, error) { runs.Add(1); return "done", nil }
	const mine = "0123456789abcdef0123456789abcdef"
	id, err := jt.startAs("a", "apply-roster", mine, fn, jobWire)
	if err != nil || id != mine {
		t.Fatalf("start as %s = %s, %v", mine, id, err)
	}
	waitFinished(t, jt, "a", id)
	again, err := jt.startAs("a", "apply-roster", mine, fn, jobWire)
	if err != nil || again != mine {
		t.Fatalf("re-sent start = %s, %v", again, err)
	}
	if st := waitFinished(t, jt, "a", id); string(st.Result) != `"done"` || runs.Load() != 1 {
		t.Errorf("after the re-sent start: %+v, %d runs; want the first job's answer and one run", st, runs.Load())
	}
	// Another device, or another method, under that ID: refused, and the
	// job is not disclosed.
	if _, err := jt.startAs("b", "apply-roster", mine, fn, jobWire); !errors.Is(err, dsync.ErrBadRequest) {
		t.Errorf("another device reusing the ID: %v", err)
	}
	if _, err := jt.startAs("a", "plan-roster", mine, fn, jobWire); !errors.Is(err, dsync.ErrBadRequest) {
		t.Errorf("another method under the ID: %v", err)
	}
	if _, err := jt.startAs("a", "plan-roster", "../x", fn, jobWire); !errors.Is(err, dsync.ErrBadRequest) {
		t.Errorf("a malformed ID: %v", err)
	}
	if runs.Load() != 1 {
		t.Errorf("%d runs, want 1", runs.Load())
	}
}
