package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
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
	// PollFailures is how many polls of a job that changes nothing
	// (PlanRoster, ExportSummary) may fail in a row to reach the hub before
	// the wait gives up with ErrUnavailable (3): a moment's outage does not
	// lose a long job's answer.
	PollFailures int
	// OutcomePatience is how long a call that changes the hub (ApplyRoster)
	// goes on trying to learn its outcome through a failing connection (2
	// minutes): it sends its start again under the same job ID when the
	// answer to it was lost, and polls the job, less and less often, before
	// giving up with ErrOutcomeUnknown.
	OutcomePatience time.Duration
}

// maxPollBackoff is the longest wait between polls of a job while the hub
// cannot be reached.
const maxPollBackoff = 2 * time.Second

// Remote is the Service on a hub: each call goes to the hub's admin API
// (Server), which runs it for the manager the desktop is enrolled for. A
// hub that cannot be reached, says it cannot serve now (503) or times out
// gives errors wrapping ErrUnavailable (with the cause in the message); a
// busy hub ErrBusy; an import whose outcome could not be learned
// ErrOutcomeUnknown; the hub's refusals come back as the same sentinels
// Local returns, so errors.Is works as on the hub. A changed certificate,
// a version either side is too old for, and the hub's own failure are none
// of these (see the error block in admin.go).
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
	if opt.OutcomePatience <= 0 {
		opt.OutcomePatience = 2 * time.Minute
	}
	return &Remote{c: c, user: user, opt: opt}
}

// RemoteError is the hub's refusal of a call, or the failure to reach the
// hub, as Remote returns it: errors.Is finds the admin sentinel it stands
// for (ErrNotFound, ErrForbidden, ErrUnavailable, ErrBusy,
// ErrOutcomeUnknown, ...) and the protocol's (sync.ErrRevoked,
// sync.ErrCertChanged, sync.ErrUpdateRequired, ...); Code names it for
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
		// The hub's message says which (revoked and why, disabled, another
		// manager signed in), and the sync sentinel stays findable.
		re.kind = ErrForbidden
	case dsync.CodeStale:
		re.kind = ErrStale
	case dsync.CodeConflict:
		re.kind = store.ErrConflict
	case dsync.CodeRateLimited:
		re.kind = ErrBusy
	case dsync.CodeCertChanged, dsync.CodeUpdateRequired, dsync.CodeHubTooOld, dsync.CodeInternal, dsync.CodeBadReceipt,
		dsync.CodeLocalProblem:
		// Not a moment's outage, and not retried as one: a certificate
		// that is not the pinned one (maybe an interception), a version
		// either side is too old for, the hub's own failure, this
		// computer's. Told apart by the sync sentinel the cause matches.
	default:
		// Unreachable, not the hub (a portal, a proxy), or the hub saying
		// it cannot serve now: a moment's outage, and nothing was done.
		re.kind = ErrUnavailable
		re.Message = fmt.Sprintf("%v: %s", ErrUnavailable, strings.TrimPrefix(e.Error(), dsync.ErrUnreachable.Error()+": "))
	}
	return re
}

// outcomeUnknown is the error of a call that changes the hub whose outcome
// could not be learned: cause is the last failure, kept for errors.As and
// its code, but not mapped to ErrUnavailable, which would say that nothing
// changed.
func outcomeUnknown(method string, cause error) error {
	code := dsync.CodeUnreachable
	var e *dsync.Error
	if errors.As(cause, &e) {
		code = e.Code
	}
	return &RemoteError{Method: method, Code: code, kind: ErrOutcomeUnknown, cause: cause,
		Message: fmt.Sprintf("%v (%s: %v)", ErrOutcomeUnknown, method, cause)}
}

// answerLost reports whether a call may have reached the hub although no
// answer came back: the connection failed after it was made, or something
// that is not the hub answered. A connection that could not even be made
// (the hub is down, the name does not resolve) did not carry the call, and
// an answer of the hub's, even a refusal, is an answer.
func answerLost(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	var e *dsync.Error
	if !errors.As(err, &e) {
		return true
	}
	return e.Code == dsync.CodeUnreachable || e.Code == dsync.CodeNotHub
}

// passing reports whether a poll's failure may pass: the hub could not be
// reached or said it cannot serve now. Anything else is an answer.
func passing(err error) bool {
	var e *dsync.Error
	if !errors.As(err, &e) {
		return true
	}
	switch e.Code {
	case dsync.CodeUnreachable, dsync.CodeNotHub, dsync.CodeUnavailable, dsync.CodeRateLimited:
		return true
	}
	return false
}

// do calls a method once and maps its failure.
func (r *Remote) do(ctx context.Context, method string, req, resp any) error {
	if err := r.c.Admin(ctx, r.user, method, req, resp); err != nil {
		return fromWire(ctx, method, err)
	}
	return nil
}

// callEndpoint calls an endpoint: at once, or as a job whose progress it
// reports until the answer comes. A file over MaxUploadBytes is refused
// before anything is sent.
func callEndpoint[Req, Resp any](ctx context.Context, r *Remote, e endpoint[Req, Resp], req Req, p Progress) (Resp, error) {
	var resp Resp
	if err := checkRequest(req); err != nil {
		return resp, err
	}
	if !e.job {
		err := r.do(ctx, e.name, req, &resp)
		return resp, err
	}
	id, err := r.startJob(ctx, e.name, e.changes, req)
	if err != nil {
		return resp, err
	}
	err = r.wait(ctx, e.name, e.changes, id, p, &resp)
	return resp, err
}

// startJob starts a job under an ID of its own choosing. The start of a job
// that changes the hub whose answer is lost is sent again, under the same
// ID, which the hub recognises, for up to OutcomePatience.
func (r *Remote) startJob(ctx context.Context, method string, changes bool, req any) (string, error) {
	id, err := newJobID()
	if err != nil {
		return "", fromWire(ctx, method, localProblem(err))
	}
	body, err := withJobID(req, id)
	if err != nil {
		return "", fromWire(ctx, method, localProblem(err))
	}
	deadline := time.Now().Add(r.opt.OutcomePatience)
	delay := r.opt.PollEvery
	for {
		var started JobStarted
		err := r.c.Admin(ctx, r.user, method, body, &started)
		switch {
		case err == nil && started.Job == "":
			return "", fromWire(ctx, method, &dsync.Error{Code: dsync.CodeNotHub, Message: "the hub started no job"})
		case err == nil:
			return started.Job, nil
		case ctx.Err() != nil:
			if changes {
				r.cancelJob(ctx, id) // in case the start arrived
			}
			return "", fromWire(ctx, method, err)
		case !changes || !answerLost(err):
			return "", fromWire(ctx, method, err)
		case time.Now().After(deadline):
			return "", outcomeUnknown(method, err)
		}
		if serr := sleep(ctx, delay); serr != nil {
			r.cancelJob(ctx, id)
			return "", serr
		}
		delay = min(delay*2, maxPollBackoff)
	}
}

// withJobID is a job's request with the job ID beside its fields.
func withJobID(req any, id string) (json.RawMessage, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '{' {
		return nil, fmt.Errorf("a job's request is not a JSON object: %.20s", b)
	}
	field, err := json.Marshal(jobIDField{JobID: id})
	if err != nil {
		return nil, err
	}
	if string(b) == "{}" {
		return field, nil
	}
	out := append(field[:len(field)-1:len(field)-1], ',')
	return append(out, b[1:]...), nil
}

func localProblem(err error) error {
	return &dsync.Error{Code: dsync.CodeLocalProblem, Message: err.Error()}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// wait polls a job until it finishes, feeding p, decodes its answer and
// lets the hub forget it. Cancelling ctx cancels the job on the hub. A job
// that changes nothing gives up after PollFailures failed polls in a row
// (ErrUnavailable); one that changes the hub goes on through failures for
// OutcomePatience, and then, or when the hub no longer knows the job, it is
// ErrOutcomeUnknown: the change may have been made.
func (r *Remote) wait(ctx context.Context, method string, changes bool, id string, p Progress, out any) error {
	delay := r.opt.PollEvery
	lastDone, lastTotal, failures := -1, -1, 0
	var failingSince time.Time
	for {
		if err := sleep(ctx, delay); err != nil {
			r.cancelJob(ctx, id)
			return err
		}
		var st JobStatus
		if err := r.c.Admin(ctx, r.user, MethodJobStatus, jobRequest{Job: id}, &st); err != nil {
			if ctx.Err() != nil {
				r.cancelJob(ctx, id)
				return ctx.Err()
			}
			if !passing(err) {
				if changes {
					return outcomeUnknown(method, err)
				}
				return fromWire(ctx, method, err)
			}
			failures++
			if failingSince.IsZero() {
				failingSince = time.Now()
			}
			switch {
			case changes && time.Since(failingSince) >= r.opt.OutcomePatience:
				return outcomeUnknown(method, err)
			case !changes && failures >= r.opt.PollFailures:
				return fromWire(ctx, method, err)
			}
			delay = min(delay*2, maxPollBackoff)
			continue
		}
		failures, failingSince, delay = 0, time.Time{}, r.opt.PollEvery
		if p != nil && (st.Done != lastDone || st.Total != lastTotal) {
			lastDone, lastTotal = st.Done, st.Total
			p(st.Done, st.Total)
		}
		if !st.Finished {
			continue
		}
		// Collected: the hub need not keep the answer any longer.
		r.cancelJob(ctx, id)
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

// cancelJob asks the hub to stop a job whose caller gave up, or to forget
// one whose answer was collected; the hub forgets an abandoned job after a
// few minutes anyway.
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
