package admin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
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
// is told it does not exist. The desktop may choose the job's ID (a random
// one), so that a start it sends again because the answer to the first was
// lost is recognised as the same job rather than run twice.
//
// The hub bounds the jobs running at once (in all, and per device); a start
// over a bound is answered rate_limited with when to come back, not as if
// the hub were down. A finished job keeps its answer until its owner has
// collected it (Remote lets go of it with job-cancel once it has read it)
// or nobody asked for the TTL; finished jobs do not count against the
// bounds, and the table forgets the oldest of them beyond
// finishedPerSlot per job it may run. A running job nobody asked about for
// the TTL (the desktop closed, the network went) is cancelled and
// forgotten.

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

// finishedPerSlot is how many finished, uncollected jobs the table holds per
// job it may run: enough for every desktop's answers while they collect
// them, bounded so that answers nobody collects (large PDFs among them) do
// not pile up for the TTL.
const finishedPerSlot = 4

// busyRetryAfter is when a start refused for a full table is told to come
// back: longer than sync.Client waits out by itself, so the manager hears at
// once that the hub is busy.
const busyRetryAfter = 10 * time.Second

type job struct {
	id, owner, method string
	cancel            context.CancelFunc
	done, total       atomic.Int64

	// Guarded by jobTable.mu.
	finished   bool
	finishedAt time.Time
	result     json.RawMessage
	err        *dsync.Error
	expires    time.Time
	timer      *time.Timer
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
	return t.startAs(owner, method, "", fn, toWire)
}

// startAs is start under the ID the owner chose ("" for a new random one).
// A start under the ID of a job of the same owner and method is that job,
// started already: its ID is answered again and nothing more runs.
func (t *jobTable) startAs(owner, method, id string, fn func(ctx context.Context, p Progress) (any, error), toWire func(error) *dsync.Error) (string, error) {
	if id == "" {
		var err error
		if id, err = newJobID(); err != nil {
			return "", err
		}
	} else if !validJobID(id) {
		return "", &dsync.Error{Code: dsync.CodeBadRequest, Message: fmt.Sprintf(
			"job ID %q: want 16 to 64 lower-case hex digits or dashes", id)}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return "", &dsync.Error{Code: dsync.CodeUnavailable, Message: "the hub is shutting down"}
	}
	if j, ok := t.byID[id]; ok {
		if j.owner != owner || j.method != method {
			return "", &dsync.Error{Code: dsync.CodeBadRequest, Message: fmt.Sprintf(
				"job ID %q is taken: choose another", id)}
		}
		j.expires = t.now().Add(t.ttl)
		return id, nil
	}
	running, mine := 0, 0
	for _, j := range t.byID {
		if j.finished {
			continue
		}
		running++
		if j.owner == owner {
			mine++
		}
	}
	if mine >= t.perDevice {
		return "", &dsync.Error{Code: dsync.CodeRateLimited, RetryAfterMS: busyRetryAfter.Milliseconds(), Message: fmt.Sprintf(
			"this desktop already has %d jobs running on the hub; wait for one to finish", mine)}
	}
	if running >= t.max {
		return "", &dsync.Error{Code: dsync.CodeRateLimited, RetryAfterMS: busyRetryAfter.Milliseconds(), Message: fmt.Sprintf(
			"the hub is busy with %d jobs; try again in a minute", running)}
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &job{id: id, owner: owner, method: method, cancel: cancel, expires: t.now().Add(t.ttl)}
	j.timer = time.AfterFunc(t.ttl, func() { t.expire(j) })
	t.byID[id] = j
	go t.run(ctx, j, fn, toWire)
	return id, nil
}

// validJobID: a job ID a desktop chose has the shape of the hub's own
// (hex), or of a UUID.
func validJobID(id string) bool {
	if len(id) < 16 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r == '-') {
			return false
		}
	}
	return true
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
	j.finished, j.finishedAt, j.result, j.err = true, t.now(), res, werr
	t.trimFinished()
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

// trimFinished forgets the oldest finished jobs beyond the table's bound
// of them; t.mu is held.
func (t *jobTable) trimFinished() {
	var done []*job
	for _, j := range t.byID {
		if j.finished {
			done = append(done, j)
		}
	}
	over := len(done) - t.max*finishedPerSlot
	if over <= 0 {
		return
	}
	slices.SortFunc(done, func(a, b *job) int { return a.finishedAt.Compare(b.finishedAt) })
	for _, j := range done[:over] {
		t.log.Warn("admin job answer not collected: forgotten to make room", "job", j.id, "method", j.method, "device", j.owner)
		t.drop(j)
	}
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
