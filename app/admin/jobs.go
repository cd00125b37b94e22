package admin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	dsync "github.com/dudao-app/dudao/app/sync"
)

// Jobs are the admin calls that take longer than a request should
// (PlanRoster, ApplyRoster, ExportSummary on large data): the call starts
// one and answers its ID, the desktop asks for its state (job-status) until
// it is finished, and then takes the answer from the state.
//
// A job belongs to the device that started it: another device asking for it
// is told it does not exist. The hub keeps a bounded number of them; a job
// nobody asked about for the TTL (the desktop closed, the network went) is
// cancelled if still running and forgotten, and so is a finished one whose
// answer was not collected.

// jobTable holds the running and finished jobs.
type jobTable struct {
	max, perDevice int
	ttl            time.Duration
	now            func() time.Time
	log            *slog.Logger

	mu     sync.Mutex
	byID   map[string]*job
	closed bool
}

type job struct {
	id, owner, method string
	cancel            context.CancelFunc
	done, total       atomic.Int64

	// Guarded by jobTable.mu.
	finished bool
	result   json.RawMessage
	err      *dsync.Error
	expires  time.Time
	timer    *time.Timer
}

func newJobTable(max, perDevice int, ttl time.Duration, now func() time.Time, log *slog.Logger) *jobTable {
	return &jobTable{max: max, perDevice: perDevice, ttl: ttl, now: now, log: log, byID: map[string]*job{}}
}

// errNoJob is the answer for a job that does not exist, expired, or is
// another device's.
func errNoJob(id string) *dsync.Error {
	return &dsync.Error{Code: dsync.CodeNotFound, Message: fmt.Sprintf(
		"no job %q on the hub (it finished more than a few minutes ago, or the hub restarted): start it again", id)}
}

// start runs fn as a job owned by owner and returns its ID. toWire turns
// its error into what the status carries.
func (t *jobTable) start(owner, method string, fn func(ctx context.Context, p Progress) (any, error), toWire func(error) *dsync.Error) (string, error) {
	id, err := newJobID()
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return "", &dsync.Error{Code: dsync.CodeUnavailable, Message: "the hub is shutting down"}
	}
	mine := 0
	for _, j := range t.byID {
		if j.owner == owner && !j.finished {
			mine++
		}
	}
	if mine >= t.perDevice {
		return "", &dsync.Error{Code: dsync.CodeUnavailable, RetryAfterMS: 2000, Message: fmt.Sprintf(
			"this desktop already has %d jobs running on the hub; wait for one to finish", mine)}
	}
	if len(t.byID) >= t.max {
		return "", &dsync.Error{Code: dsync.CodeUnavailable, RetryAfterMS: 5000, Message: fmt.Sprintf(
			"the hub is busy with %d jobs; try again in a minute", len(t.byID))}
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &job{id: id, owner: owner, method: method, cancel: cancel, expires: t.now().Add(t.ttl)}
	j.timer = time.AfterFunc(t.ttl, func() { t.expire(j) })
	t.byID[id] = j
	go t.run(ctx, j, fn, toWire)
	return id, nil
}

func (t *jobTable) run(ctx context.Context, j *job, fn func(ctx context.Context, p Progress) (any, error), toWire func(error) *dsync.Error) {
	var res json.RawMessage
	var werr *dsync.Error
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.log.Error("admin job panicked", "job", j.id, "method", j.method, "panic", p, "stack", string(debug.Stack()))
				werr = &dsync.Error{Code: dsync.CodeInternal, Message: dsync.ErrInternal.Error()}
			}
		}()
		v, err := fn(ctx, func(done, total int) {
			j.done.Store(int64(done))
			j.total.Store(int64(total))
		})
		if err != nil {
			werr = toWire(err)
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.log.Error("encode admin job answer", "job", j.id, "method", j.method, "err", err)
			werr = &dsync.Error{Code: dsync.CodeInternal, Message: dsync.ErrInternal.Error()}
			return
		}
		res = b
	}()
	t.mu.Lock()
	j.finished, j.result, j.err = true, res, werr
	t.mu.Unlock()
	j.cancel()
	lvl := slog.LevelInfo
	if werr != nil && (werr.Code == dsync.CodeInternal || werr.Code == dsync.CodeUnavailable) {
		lvl = slog.LevelWarn
	}
	code := dsync.Code("")
	if werr != nil {
		code = werr.Code
	}
	t.log.Log(context.Background(), lvl, "admin job finished", "job", j.id, "method", j.method, "device", j.owner,
		"code", code, "bytes", len(res))
}

// status is a job's state, for its owner only. Asking keeps it alive.
func (t *jobTable) status(owner, id string) (JobStatus, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	j, ok := t.byID[id]
	if !ok || j.owner != owner {
		return JobStatus{}, errNoJob(id)
	}
	j.expires = t.now().Add(t.ttl)
	return JobStatus{Job: j.id, Method: j.method, Done: int(j.done.Load()), Total: int(j.total.Load()),
		Finished: j.finished, Result: j.result, Error: j.err}, nil
}

// cancel stops a job of owner's and forgets it.
func (t *jobTable) cancelJob(owner, id string) error {
	t.mu.Lock()
	j, ok := t.byID[id]
	if !ok || j.owner != owner {
		t.mu.Unlock()
		return errNoJob(id)
	}
	t.drop(j)
	t.mu.Unlock()
	return nil
}

// expire forgets a job nobody asked about for the TTL, cancelling it if it
// still runs; a job asked about since is looked at again when its new
// expiry comes.
func (t *jobTable) expire(j *job) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byID[j.id] != j {
		return
	}
	if left := j.expires.Sub(t.now()); left > 0 {
		j.timer = time.AfterFunc(left, func() { t.expire(j) })
		return
	}
	if !j.finished {
		t.log.Warn("admin job abandoned: cancelled", "job", j.id, "method", j.method, "device", j.owner)
	}
	t.drop(j)
}

// drop cancels and forgets a job; t.mu is held.
func (t *jobTable) drop(j *job) {
	j.cancel()
	j.timer.Stop()
	delete(t.byID, j.id)
}

// close cancels every job; no new one starts.
func (t *jobTable) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for _, j := range t.byID {
		t.drop(j)
	}
}

// count reports the jobs held (tests).
func (t *jobTable) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byID)
}

func newJobID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("start job: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
