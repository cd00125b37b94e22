package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// AdminCaller calls a method of a hub's admin API: *sync.Client is one (a
// desktop enrolled as a manager's). req is sent as JSON and the answer
// decoded into resp; a refusal is the hub's *sync.Error.
type AdminCaller interface {
	Admin(ctx context.Context, user, method string, req, resp any) error
}

// AdminCallerFunc is a function as an AdminCaller.
type AdminCallerFunc func(ctx context.Context, user, method string, req, resp any) error

func (f AdminCallerFunc) Admin(ctx context.Context, user, method string, req, resp any) error {
	return f(ctx, user, method, req, resp)
}

// RemoteOptions tune a Remote. Zero values take the defaults.
type RemoteOptions struct {
	// HubURL is the hub's address, for Scope (default: the caller's
	// HubURL(), as *sync.Client has).
	HubURL string
	// PollEvery is how often a job's state is asked for (150 ms).
	PollEvery time.Duration
	// PollFailures is how many polls of a job in a row may fail to reach
	// the hub before the wait gives up (3): a moment's outage does not lose
	// a long job's answer.
	PollFailures int
}

// Remote is the Service on a hub: each call goes to the hub's admin API
// (Server), which runs it for the manager the desktop is enrolled for. A
// hub that cannot be reached, answers with a server error or times out
// gives errors wrapping ErrUnavailable (with the cause in the message); the
// hub's refusals come back as the same sentinels Local returns, so
// errors.Is works as on the hub.
type Remote struct {
	c    AdminCaller
	user string
	opt  RemoteOptions
}

var _ Service = (*Remote)(nil)

// NewRemote returns the Service of the hub c calls, for user, the manager
// signed in on this desktop.
func NewRemote(c AdminCaller, user string, opt RemoteOptions) *Remote {
	if opt.HubURL == "" {
		if h, ok := c.(interface{ HubURL() string }); ok {
			opt.HubURL = h.HubURL()
		}
	}
	if opt.PollEvery <= 0 {
		opt.PollEvery = 150 * time.Millisecond
	}
	if opt.PollFailures <= 0 {
		opt.PollFailures = 3
	}
	return &Remote{c: c, user: user, opt: opt}
}

// RemoteError is the hub's refusal of a call, or the failure to reach the
// hub, as Remote returns it: errors.Is finds the admin sentinel it stands
// for (ErrNotFound, ErrForbidden, ErrUnavailable, ...) and the protocol's
// (sync.ErrRevoked, sync.ErrCertChanged, ...); Code names it for
// translation ("sync.error.<code>").
type RemoteError struct {
	Method  string
	Code    dsync.Code
	Message string
	kind    error // the admin sentinel, nil when none fits
	cause   error
}

func (e *RemoteError) Error() string { return e.Message }

func (e *RemoteError) Unwrap() []error {
	var out []error
	if e.kind != nil {
		out = append(out, e.kind)
	}
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

// fromWire turns what a call of method failed with into the error Remote
// returns. A call the caller cancelled stays context.Canceled.
func fromWire(ctx context.Context, method string, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return err
	}
	var e *dsync.Error
	if !errors.As(err, &e) {
		// A timeout, or a failure before anything reached the hub.
		return &RemoteError{Method: method, Code: dsync.CodeUnreachable, kind: ErrUnavailable, cause: err,
			Message: fmt.Sprintf("%v: %v", ErrUnavailable, err)}
	}
	re := &RemoteError{Method: method, Code: e.Code, Message: e.Error(), cause: err}
	switch e.Code {
	case dsync.CodeInvalid:
		if len(e.Problems) > 0 {
			return &StandardError{File: e.File, Problems: e.Problems}
		}
		re.kind = ErrInvalid
	case dsync.CodeBadRequest, dsync.CodeInvalidRecord, dsync.CodeTooLarge:
		re.kind = ErrInvalid
	case dsync.CodeNotFound:
		re.kind = ErrNotFound
	case dsync.CodeForbidden, dsync.CodeUnauthenticated, dsync.CodeRevoked, dsync.CodeNotEnrolled:
		re.kind = ErrForbidden
	case dsync.CodeStale:
		re.kind = ErrStale
	case dsync.CodeConflict:
		re.kind = store.ErrConflict
	case dsync.CodeLocalProblem:
		// This computer's own failure: the hub was not asked.
	default:
		// Unreachable, not the hub, a changed certificate, busy, failed
		// (5xx), rate limited, or a version the two do not share: the hub
		// cannot be used now, and nothing was done.
		re.kind = ErrUnavailable
		re.Message = fmt.Sprintf("%v: %s", ErrUnavailable, strings.TrimPrefix(e.Error(), dsync.ErrUnreachable.Error()+": "))
	}
	return re
}

// do calls a method once and maps its failure.
func (r *Remote) do(ctx context.Context, method string, req, resp any) error {
	if err := r.c.Admin(ctx, r.user, method, req, resp); err != nil {
		return fromWire(ctx, method, err)
	}
	return nil
}

// callEndpoint calls an endpoint: at once, or as a job whose progress it
// reports until the answer comes.
func callEndpoint[Req, Resp any](ctx context.Context, r *Remote, e endpoint[Req, Resp], req Req, p Progress) (Resp, error) {
	var resp Resp
	if !e.job {
		err := r.do(ctx, e.name, req, &resp)
		return resp, err
	}
	var started JobStarted
	if err := r.do(ctx, e.name, req, &started); err != nil {
		return resp, err
	}
	if started.Job == "" {
		return resp, fromWire(ctx, e.name, &dsync.Error{Code: dsync.CodeNotHub, Message: "the hub started no job"})
	}
	err := r.wait(ctx, e.name, started.Job, p, &resp)
	return resp, err
}

// wait polls a job until it finishes, feeding p, and decodes its answer.
// Cancelling ctx cancels the job on the hub.
func (r *Remote) wait(ctx context.Context, method, id string, p Progress, out any) error {
	tick := time.NewTicker(r.opt.PollEvery)
	defer tick.Stop()
	lastDone, lastTotal, failures := -1, -1, 0
	for {
		select {
		case <-ctx.Done():
			r.cancelJob(ctx, id)
			return ctx.Err()
		case <-tick.C:
		}
		var st JobStatus
		if err := r.do(ctx, MethodJobStatus, jobRequest{Job: id}, &st); err != nil {
			if ctx.Err() != nil {
				r.cancelJob(ctx, id)
				return ctx.Err()
			}
			if errors.Is(err, ErrUnavailable) && failures+1 < r.opt.PollFailures {
				failures++
				continue
			}
			return err
		}
		failures = 0
		if p != nil && (st.Done != lastDone || st.Total != lastTotal) {
			lastDone, lastTotal = st.Done, st.Total
			p(st.Done, st.Total)
		}
		if !st.Finished {
			continue
		}
		if st.Error != nil {
			return fromWire(ctx, method, st.Error)
		}
		if err := json.Unmarshal(st.Result, out); err != nil {
			return fromWire(ctx, method, &dsync.Error{Code: dsync.CodeNotHub,
				Message: fmt.Sprintf("the hub's %s answer does not decode: %v", method, err)})
		}
		return nil
	}
}

// cancelJob asks the hub to stop a job whose caller gave up; the hub
// forgets an abandoned job after a few minutes anyway.
func (r *Remote) cancelJob(ctx context.Context, id string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = r.c.Admin(cctx, r.user, MethodJobCancel, jobRequest{Job: id}, nil)
}

// ---- Service ----

func (r *Remote) Scope(ctx context.Context) (Scope, error) {
	sc, err := callEndpoint(ctx, r, epScope, noRequest{}, nil)
	if err != nil {
		return Scope{}, err
	}
	sc.Remote, sc.HubURL = true, r.opt.HubURL
	return sc, nil
}

func (r *Remote) Halls(ctx context.Context, query string) ([]HallRow, error) {
	return callEndpoint(ctx, r, epHalls, queryRequest{Query: query}, nil)
}

func (r *Remote) Staff(ctx context.Context, q StaffQuery) ([]StaffRow, error) {
	return callEndpoint(ctx, r, epStaff, q, nil)
}

func (r *Remote) Person(ctx context.Context, staffID string) (*PersonDetail, error) {
	return callEndpoint(ctx, r, epPerson, idRequest{ID: staffID}, nil)
}

func (r *Remote) PlanRoster(ctx context.Context, f RosterFile, progress Progress) (*RosterPlan, error) {
	return callEndpoint(ctx, r, epPlanRoster, rosterRequest{File: f}, progress)
}

func (r *Remote) ApplyRoster(ctx context.Context, f RosterFile, planDigest string, progress Progress) (*RosterOutcome, error) {
	return callEndpoint(ctx, r, epApplyRoster, rosterRequest{File: f, Digest: planDigest}, progress)
}

func (r *Remote) Standards(ctx context.Context) ([]store.StandardInfo, error) {
	return callEndpoint(ctx, r, epStandards, noRequest{}, nil)
}

func (r *Remote) Standard(ctx context.Context, version int) (*standard.Version, error) {
	return callEndpoint(ctx, r, epStandard, versionRequest{Version: version}, nil)
}

func (r *Remote) ImportStandard(ctx context.Context, name string, data []byte) (store.StandardInfo, error) {
	return callEndpoint(ctx, r, epImportStandard, standardFileRequest{Name: name, Data: data}, nil)
}

func (r *Remote) Inspections(ctx context.Context, q InspectionQuery) (InspectionPage, error) {
	return callEndpoint(ctx, r, epInspections, q, nil)
}

func (r *Remote) FilterChoices(ctx context.Context) (FilterChoices, error) {
	return callEndpoint(ctx, r, epFilterChoices, noRequest{}, nil)
}

func (r *Remote) Inspection(ctx context.Context, id string) (*InspectionDetail, error) {
	return callEndpoint(ctx, r, epInspection, idRequest{ID: id}, nil)
}

func (r *Remote) Photo(ctx context.Context, sha256 string) ([]byte, error) {
	a, err := callEndpoint(ctx, r, epPhoto, photoRequest{SHA256: sha256}, nil)
	return a.Data, err
}

func (r *Remote) Verify(ctx context.Context, id string) (store.VerifyResult, error) {
	return callEndpoint(ctx, r, epVerify, idRequest{ID: id}, nil)
}

func (r *Remote) ExportInspection(ctx context.Context, id string, opt report.Options) ([]byte, string, error) {
	a, err := callEndpoint(ctx, r, epExportInspection, exportInspectionRequest{ID: id, Options: wireOptions(opt)}, nil)
	return a.PDF, a.Name, err
}

func (r *Remote) Summary(ctx context.Context, q SummaryQuery) (*report.SummaryFigures, error) {
	return callEndpoint(ctx, r, epSummary, q, nil)
}

// ExportSummary renders on the hub; progress gets the hub's steps (and
// opt.Progress, which cannot travel, gets the same).
func (r *Remote) ExportSummary(ctx context.Context, q SummaryQuery, opt report.Options, progress Progress) ([]byte, string, error) {
	p := progress
	if opt.Progress != nil {
		p = func(done, total int) {
			if progress != nil {
				progress(done, total)
			}
			opt.Progress(done, total)
		}
	}
	a, err := callEndpoint(ctx, r, epExportSummary, exportSummaryRequest{Query: q, Options: wireOptions(opt)}, p)
	return a.PDF, a.Name, err
}

func (r *Remote) Devices(ctx context.Context) ([]DeviceRow, error) {
	return callEndpoint(ctx, r, epDevices, noRequest{}, nil)
}

func (r *Remote) EnrolDevice(ctx context.Context, name string) (Enrolment, error) {
	return callEndpoint(ctx, r, epEnrolDevice, enrolRequest{Name: name}, nil)
}

func (r *Remote) RevokeDevice(ctx context.Context, deviceID, reason string) (DeviceRow, error) {
	return callEndpoint(ctx, r, epRevokeDevice, revokeRequest{DeviceID: deviceID, Reason: reason}, nil)
}

func (r *Remote) Conflicts(ctx context.Context) ([]store.Conflict, error) {
	return callEndpoint(ctx, r, epConflicts, noRequest{}, nil)
}

func (r *Remote) OffRoster(ctx context.Context) ([]store.OffRosterPerson, error) {
	return callEndpoint(ctx, r, epOffRoster, noRequest{}, nil)
}

func (r *Remote) LinkOffRoster(ctx context.Context, inspectionID, personID, staffID string) error {
	_, err := callEndpoint(ctx, r, epLinkOffRoster, linkRequest{InspectionID: inspectionID, PersonID: personID, StaffID: staffID}, nil)
	return err
}
