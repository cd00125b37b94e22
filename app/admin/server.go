package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// ServerOptions tune a Server. Zero values take the defaults.
type ServerOptions struct {
	// HubURL and Pins are the hub's address and certificate pins, for the
	// invites of devices enrolled through the API.
	HubURL string
	Pins   []string
	// EnrolTTL is how long an enrolment code stays valid (15 minutes).
	EnrolTTL time.Duration
	Now      func() time.Time
	Logger   *slog.Logger
	// MaxJobs bounds the jobs the hub runs at once (16); JobsPerDevice
	// those one desktop may have running (4). A start over either is
	// answered rate_limited (admin.ErrBusy on the desktop). Finished jobs
	// whose answers were not collected yet do not count; the hub keeps up
	// to 4 of them per job it may run.
	MaxJobs, JobsPerDevice int
	// JobTTL is how long a job is kept after its owner last asked about it
	// (5 minutes); a running job nobody asks about for this long is
	// cancelled.
	JobTTL time.Duration
}

func (o ServerOptions) withDefaults() ServerOptions {
	if o.EnrolTTL <= 0 {
		o.EnrolTTL = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxJobs <= 0 {
		o.MaxJobs = 16
	}
	if o.JobsPerDevice <= 0 {
		o.JobsPerDevice = 4
	}
	if o.JobTTL <= 0 {
		o.JobTTL = 5 * time.Minute
	}
	return o
}

// Server is the hub's end of the admin API: a sync.AdminHandler that runs
// each call on a Local scoped to the manager the calling desktop is bound
// to. Install it with sync.HubOptions.Admin; Close it when the hub stops.
type Server struct {
	db   *store.DB
	opt  ServerOptions
	log  *slog.Logger
	jobs *jobTable

	mu     sync.Mutex
	locals map[store.User]*Local
}

var _ dsync.AdminHandler = (*Server)(nil)

// NewServer returns the admin API's server over the hub's database.
func NewServer(db *store.DB, opt ServerOptions) *Server {
	opt = opt.withDefaults()
	return &Server{db: db, opt: opt, log: opt.Logger, locals: map[store.User]*Local{},
		jobs: newJobTable(opt.MaxJobs, opt.JobsPerDevice, opt.JobTTL, time.Now, opt.Logger)}
}

// Close cancels the jobs still running; calls that start one are refused
// from now on.
func (s *Server) Close() { s.jobs.close() }

// ServeAdmin answers one admin call of an authenticated desktop (see
// sync.AdminHandler): it finds the manager the desktop is bound to, checks
// that they may work, and runs the method on their scope.
func (s *Server) ServeAdmin(ctx context.Context, dev store.DeviceAccount, user, method string, body []byte) (any, error) {
	mgr, err := s.manager(ctx, dev, user)
	if err != nil {
		return nil, s.toWire(err)
	}
	switch method {
	case MethodJobStatus, MethodJobCancel:
		var req jobRequest
		if err := decodeRequest(method, body, &req); err != nil {
			return nil, err
		}
		if method == MethodJobCancel {
			if err := s.jobs.cancelJob(dev.ID, req.Job); err != nil {
				return nil, err
			}
			return noAnswer{}, nil
		}
		return s.jobs.status(dev.ID, req.Job)
	}
	m, ok := serverMethods[method]
	if !ok {
		return nil, &dsync.Error{Code: dsync.CodeNotFound, Message: fmt.Sprintf("no such admin method %q", method)}
	}
	run, err := m.prepare(body)
	if err != nil {
		return nil, err
	}
	local := s.local(mgr)
	if !m.isJob() {
		res, err := run(ctx, local, nil)
		if err != nil {
			return nil, s.toWire(err)
		}
		return res, nil
	}
	var chosen jobIDField
	_ = json.Unmarshal(body, &chosen) // the body decoded already; a job ID is optional
	id, err := s.jobs.startAs(dev.ID, method, chosen.JobID, func(ctx context.Context, p Progress) (any, error) {
		return run(ctx, local, p)
	}, s.toWire)
	if err != nil {
		return nil, err
	}
	return JobStarted{Job: id}, nil
}

// manager is the manager a desktop is bound to, if they may use the admin
// API: they exist, are a manager and are not disabled, and the username the
// desktop says is signed in (when it says) is theirs.
func (s *Server) manager(ctx context.Context, dev store.DeviceAccount, user string) (store.User, error) {
	if dev.UserID == "" {
		return store.User{}, fmt.Errorf("device %q is not a manager's desktop: %w", dev.Name, ErrForbidden)
	}
	u, err := s.db.UserByID(ctx, dev.UserID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.User{}, fmt.Errorf("desktop %q: its manager's account no longer exists: %w", dev.Name, ErrForbidden)
	case err != nil:
		return store.User{}, err
	case u.Role != store.RoleManager:
		return store.User{}, fmt.Errorf("desktop %q: %s is not a manager: %w", dev.Name, u.Username, ErrForbidden)
	case u.Disabled:
		return store.User{}, fmt.Errorf("desktop %q: the account of %s is disabled: %w", dev.Name, u.Username, ErrForbidden)
	case user != "" && user != u.Username:
		return store.User{}, fmt.Errorf("desktop %q is enrolled for manager %s, not %s: %w", dev.Name, u.Username, user, ErrForbidden)
	}
	return u, nil
}

// local is the Local of a manager, kept while their account is unchanged
// (a change of region or name makes a new one).
func (s *Server) local(mgr store.User) *Local {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.locals[mgr]; ok {
		return l
	}
	for u := range s.locals {
		if u.ID == mgr.ID {
			delete(s.locals, u)
		}
	}
	l := NewLocal(s.db, mgr, LocalOptions{
		Hub: &HubInvite{URL: s.opt.HubURL, Pins: s.opt.Pins, EnrolTTL: s.opt.EnrolTTL},
		Now: s.opt.Now, Logger: s.log,
	})
	s.locals[mgr] = l
	return l
}

// toWire maps an admin error to the protocol's codes (WireError), so that
// Remote can turn it back into the same sentinel, and logs the errors of no
// known kind, whose text stays on the hub.
func (s *Server) toWire(err error) *dsync.Error {
	e := WireError(err)
	if e.Code == dsync.CodeInternal {
		s.log.Error("admin call failed", "err", err)
	}
	return e
}

// WireError is how an admin error travels: its code, its message and, for
// a refused standard file, each problem. Errors of no known kind are
// internal, and their text stays on the hub.
func WireError(err error) *dsync.Error {
	var se *StandardError
	var we *dsync.Error
	msg := err.Error()
	switch {
	case errors.As(err, &se):
		return &dsync.Error{Code: dsync.CodeInvalid, Message: msg, File: se.File, Problems: se.Problems}
	case errors.As(err, &we):
		c := *we
		return &c
	case errors.Is(err, ErrForbidden):
		return &dsync.Error{Code: dsync.CodeForbidden, Message: msg}
	case errors.Is(err, ErrStale):
		return &dsync.Error{Code: dsync.CodeStale, Message: msg}
	case errors.Is(err, ErrNotFound), errors.Is(err, store.ErrOutOfRegion):
		return &dsync.Error{Code: dsync.CodeNotFound, Message: msg}
	case errors.Is(err, ErrInvalid):
		return &dsync.Error{Code: dsync.CodeInvalid, Message: msg}
	case errors.Is(err, store.ErrConflict):
		return &dsync.Error{Code: dsync.CodeConflict, Message: msg}
	case errors.Is(err, ErrUnavailable), errors.Is(err, store.ErrLocked), errors.Is(err, store.ErrDiskFull),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &dsync.Error{Code: dsync.CodeUnavailable, Message: msg}
	}
	return &dsync.Error{Code: dsync.CodeInternal, Message: dsync.ErrInternal.Error()}
}
