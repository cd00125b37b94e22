package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// The admin API on the wire: each Service method is a method of the hub's
// admin API (POST /v1/admin/NAME over the sync protocol's HTTPS), with a
// JSON request and answer. Each is declared once below, as an endpoint that
// names it, fixes its request and answer types and says how the hub calls
// the Service with it; Server serves the endpoints and Remote calls them,
// so the two cannot drift apart.
//
// PlanRoster, ApplyRoster and ExportSummary run as jobs: the call answers a
// JobStarted at once, and job-status reports progress and, once finished,
// the answer or the error (see jobs.go). A job's request may carry the job
// ID the desktop chose ("job_id", beside the method's own fields), so that
// a start sent again after its answer was lost is the same job.

// Method names of the admin API.
const (
	MethodScope            = "scope"
	MethodHalls            = "halls"
	MethodStaff            = "staff"
	MethodPerson           = "person"
	MethodPlanRoster       = "plan-roster"  // job
	MethodApplyRoster      = "apply-roster" // job
	MethodStandards        = "standards"
	MethodStandard         = "standard"
	MethodImportStandard   = "import-standard"
	MethodInspections      = "inspections"
	MethodFilterChoices    = "filter-choices"
	MethodInspection       = "inspection"
	MethodPhoto            = "photo"
	MethodVerify           = "verify"
	MethodExportInspection = "export-inspection"
	MethodSummary          = "summary"
	MethodExportSummary    = "export-summary" // job
	MethodDevices          = "devices"
	MethodEnrolDevice      = "enrol-device"
	MethodRevokeDevice     = "revoke-device"
	MethodConflicts        = "conflicts"
	MethodOffRoster        = "off-roster"
	MethodLinkOffRoster    = "link-off-roster"
	// Jobs: their state, and stopping one.
	MethodJobStatus = "job-status"
	MethodJobCancel = "job-cancel"
)

// ---- requests and answers ----

type noRequest struct{}

type queryRequest struct {
	Query string `json:"query"`
}

type idRequest struct {
	ID string `json:"id"`
}

type versionRequest struct {
	Version int `json:"version"`
}

type rosterRequest struct {
	File RosterFile `json:"file"`
	// Digest is the plan the manager saw (apply only).
	Digest string `json:"digest,omitempty"`
}

type standardFileRequest struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// jobIDField is the job ID a job's request may carry besides its fields.
type jobIDField struct {
	JobID string `json:"job_id,omitempty"`
}

// upload is a request carrying a file, which MaxUploadBytes bounds.
type upload interface {
	uploadFile() (name string, size int)
}

func (r rosterRequest) uploadFile() (string, int)       { return r.File.Name, len(r.File.Data) }
func (r standardFileRequest) uploadFile() (string, int) { return r.Name, len(r.Data) }

// CheckUpload refuses, with ErrInvalid, a file too large to send to the
// hub (over MaxUploadBytes), saying its size and the limit. The Server
// checks every file it is sent, and Remote before sending one; a screen
// that picks a file may check it at once with the same words.
func CheckUpload(name string, size int) error {
	if size <= MaxUploadBytes {
		return nil
	}
	return fmt.Errorf("%s: %w: the file of %.1f MB is over the %d MB limit of what the hub takes",
		name, ErrInvalid, float64(size)/(1<<20), MaxUploadBytes>>20)
}

type photoRequest struct {
	SHA256 string `json:"sha256"`
}

type photoAnswer struct {
	Data []byte `json:"data"`
}

// wireReportOptions is report.Options without its Progress callback, which
// does not travel.
type wireReportOptions struct {
	Redact bool   `json:"redact,omitempty"`
	Lang   string `json:"lang,omitempty"`
}

func wireOptions(o report.Options) wireReportOptions {
	return wireReportOptions{Redact: o.Redact, Lang: o.Lang}
}

func (o wireReportOptions) options() report.Options {
	return report.Options{Redact: o.Redact, Lang: o.Lang}
}

type exportInspectionRequest struct {
	ID      string            `json:"id"`
	Options wireReportOptions `json:"options"`
}

type exportSummaryRequest struct {
	Query   SummaryQuery      `json:"query"`
	Options wireReportOptions `json:"options"`
}

type pdfAnswer struct {
	PDF  []byte `json:"pdf"`
	Name string `json:"name"`
}

type enrolRequest struct {
	Name string `json:"name"`
}

type revokeRequest struct {
	DeviceID string `json:"device_id"`
	Reason   string `json:"reason"`
}

type linkRequest struct {
	InspectionID string `json:"inspection_id"`
	PersonID     string `json:"person_id"`
	StaffID      string `json:"staff_id"`
}

type noAnswer struct{}

// JobStarted answers a call that runs as a job.
type JobStarted struct {
	Job string `json:"job"`
}

type jobRequest struct {
	Job string `json:"job"`
}

// JobStatus is a job's state. Once Finished, exactly one of Result (the
// method's answer) and Error is set.
type JobStatus struct {
	Job      string          `json:"job"`
	Method   string          `json:"method"`
	Done     int             `json:"done"`
	Total    int             `json:"total"`
	Finished bool            `json:"finished"`
	Result   json.RawMessage `json:"result,omitempty"`
	Error    *dsync.Error    `json:"error,omitempty"`
}

// ---- endpoints ----

// endpoint is one method of the admin API: its name, its request and answer
// types, whether it runs as a job, and the Service call it stands for.
type endpoint[Req, Resp any] struct {
	name string
	job  bool
	// changes: a job that changes the hub, whose outcome Remote goes on
	// trying to learn through a failing connection (ErrOutcomeUnknown
	// when it cannot).
	changes bool
	call    func(ctx context.Context, s Service, req Req, progress Progress) (Resp, error)
}

var (
	epScope = endpoint[noRequest, Scope]{name: MethodScope,
		call: func(ctx context.Context, s Service, _ noRequest, _ Progress) (Scope, error) { return s.Scope(ctx) }}
	epHalls = endpoint[queryRequest, []HallRow]{name: MethodHalls,
		call: func(ctx context.Context, s Service, r queryRequest, _ Progress) ([]HallRow, error) {
			return s.Halls(ctx, r.Query)
		}}
	epStaff = endpoint[StaffQuery, []StaffRow]{name: MethodStaff,
		call: func(ctx context.Context, s Service, q StaffQuery, _ Progress) ([]StaffRow, error) {
			return s.Staff(ctx, q)
		}}
	epPerson = endpoint[idRequest, *PersonDetail]{name: MethodPerson,
		call: func(ctx context.Context, s Service, r idRequest, _ Progress) (*PersonDetail, error) {
			return s.Person(ctx, r.ID)
		}}
	epPlanRoster = endpoint[rosterRequest, *RosterPlan]{name: MethodPlanRoster, job: true,
		call: func(ctx context.Context, s Service, r rosterRequest, p Progress) (*RosterPlan, error) {
			return s.PlanRoster(ctx, r.File, p)
		}}
	epApplyRoster = endpoint[rosterRequest, *RosterOutcome]{name: MethodApplyRoster, job: true, changes: true,
		call: func(ctx context.Context, s Service, r rosterRequest, p Progress) (*RosterOutcome, error) {
			return s.ApplyRoster(ctx, r.File, r.Digest, p)
		}}
	epStandards = endpoint[noRequest, []store.StandardInfo]{name: MethodStandards,
		call: func(ctx context.Context, s Service, _ noRequest, _ Progress) ([]store.StandardInfo, error) {
			return s.Standards(ctx)
		}}
	epStandard = endpoint[versionRequest, *standard.Version]{name: MethodStandard,
		call: func(ctx context.Context, s Service, r versionRequest, _ Progress) (*standard.Version, error) {
			return s.Standard(ctx, r.Version)
		}}
	epImportStandard = endpoint[standardFileRequest, store.StandardInfo]{name: MethodImportStandard,
		call: func(ctx context.Context, s Service, r standardFileRequest, _ Progress) (store.StandardInfo, error) {
			return s.ImportStandard(ctx, r.Name, r.Data)
		}}
	epInspections = endpoint[InspectionQuery, InspectionPage]{name: MethodInspections,
		call: func(ctx context.Context, s Service, q InspectionQuery, _ Progress) (InspectionPage, error) {
			return s.Inspections(ctx, q)
		}}
	epFilterChoices = endpoint[noRequest, FilterChoices]{name: MethodFilterChoices,
		call: func(ctx context.Context, s Service, _ noRequest, _ Progress) (FilterChoices, error) {
			return s.FilterChoices(ctx)
		}}
	epInspection = endpoint[idRequest, *InspectionDetail]{name: MethodInspection,
		call: func(ctx context.Context, s Service, r idRequest, _ Progress) (*InspectionDetail, error) {
			return s.Inspection(ctx, r.ID)
		}}
	epPhoto = endpoint[photoRequest, photoAnswer]{name: MethodPhoto,
		call: func(ctx context.Context, s Service, r photoRequest, _ Progress) (photoAnswer, error) {
			b, err := s.Photo(ctx, r.SHA256)
			return photoAnswer{Data: b}, err
		}}
	epVerify = endpoint[idRequest, store.VerifyResult]{name: MethodVerify,
		call: func(ctx context.Context, s Service, r idRequest, _ Progress) (store.VerifyResult, error) {
			return s.Verify(ctx, r.ID)
		}}
	epExportInspection = endpoint[exportInspectionRequest, pdfAnswer]{name: MethodExportInspection,
		call: func(ctx context.Context, s Service, r exportInspectionRequest, _ Progress) (pdfAnswer, error) {
			pdf, name, err := s.ExportInspection(ctx, r.ID, r.Options.options())
			return pdfAnswer{PDF: pdf, Name: name}, err
		}}
	epSummary = endpoint[SummaryQuery, *report.SummaryFigures]{name: MethodSummary,
		call: func(ctx context.Context, s Service, q SummaryQuery, _ Progress) (*report.SummaryFigures, error) {
			return s.Summary(ctx, q)
		}}
	epExportSummary = endpoint[exportSummaryRequest, pdfAnswer]{name: MethodExportSummary, job: true,
		call: func(ctx context.Context, s Service, r exportSummaryRequest, p Progress) (pdfAnswer, error) {
			pdf, name, err := s.ExportSummary(ctx, r.Query, r.Options.options(), p)
			return pdfAnswer{PDF: pdf, Name: name}, err
		}}
	epDevices = endpoint[noRequest, []DeviceRow]{name: MethodDevices,
		call: func(ctx context.Context, s Service, _ noRequest, _ Progress) ([]DeviceRow, error) {
			return s.Devices(ctx)
		}}
	epEnrolDevice = endpoint[enrolRequest, Enrolment]{name: MethodEnrolDevice,
		call: func(ctx context.Context, s Service, r enrolRequest, _ Progress) (Enrolment, error) {
			return s.EnrolDevice(ctx, r.Name)
		}}
	epRevokeDevice = endpoint[revokeRequest, DeviceRow]{name: MethodRevokeDevice,
		call: func(ctx context.Context, s Service, r revokeRequest, _ Progress) (DeviceRow, error) {
			return s.RevokeDevice(ctx, r.DeviceID, r.Reason)
		}}
	epConflicts = endpoint[noRequest, []store.Conflict]{name: MethodConflicts,
		call: func(ctx context.Context, s Service, _ noRequest, _ Progress) ([]store.Conflict, error) {
			return s.Conflicts(ctx)
		}}
	epOffRoster = endpoint[noRequest, []store.OffRosterPerson]{name: MethodOffRoster,
		call: func(ctx context.Context, s Service, _ noRequest, _ Progress) ([]store.OffRosterPerson, error) {
			return s.OffRoster(ctx)
		}}
	epLinkOffRoster = endpoint[linkRequest, noAnswer]{name: MethodLinkOffRoster,
		call: func(ctx context.Context, s Service, r linkRequest, _ Progress) (noAnswer, error) {
			return noAnswer{}, s.LinkOffRoster(ctx, r.InspectionID, r.PersonID, r.StaffID)
		}}
)

// serverMethod is an endpoint as the Server sees it: a request to decode,
// then a call to run (now, or as a job).
type serverMethod interface {
	methodName() string
	isJob() bool
	// prepare decodes a request; the call it returns runs it on a Service.
	prepare(body []byte) (func(ctx context.Context, s Service, p Progress) (any, error), error)
}

func (e endpoint[Req, Resp]) methodName() string { return e.name }
func (e endpoint[Req, Resp]) isJob() bool        { return e.job }

func (e endpoint[Req, Resp]) prepare(body []byte) (func(ctx context.Context, s Service, p Progress) (any, error), error) {
	var req Req
	if err := decodeRequest(e.name, body, &req); err != nil {
		return nil, err
	}
	if err := checkRequest(req); err != nil {
		return nil, &dsync.Error{Code: dsync.CodeInvalid, Message: err.Error()}
	}
	return func(ctx context.Context, s Service, p Progress) (any, error) {
		resp, err := e.call(ctx, s, req, p)
		if err != nil {
			return nil, err
		}
		return resp, nil
	}, nil
}

// checkRequest refuses a request that must not be sent: a file over
// MaxUploadBytes.
func checkRequest(req any) error {
	if u, ok := req.(upload); ok {
		return CheckUpload(u.uploadFile())
	}
	return nil
}

// serverMethods are the endpoints by name.
var serverMethods = func() map[string]serverMethod {
	m := map[string]serverMethod{}
	for _, e := range []serverMethod{epScope, epHalls, epStaff, epPerson, epPlanRoster, epApplyRoster,
		epStandards, epStandard, epImportStandard, epInspections, epFilterChoices, epInspection, epPhoto,
		epVerify, epExportInspection, epSummary, epExportSummary, epDevices, epEnrolDevice, epRevokeDevice,
		epConflicts, epOffRoster, epLinkOffRoster} {
		if _, dup := m[e.methodName()]; dup || !dsync.ValidAdminMethod(e.methodName()) {
			panic("admin: bad or duplicate method " + e.methodName())
		}
		m[e.methodName()] = e
	}
	return m
}()

// Methods lists the admin API's methods that stand for Service calls.
func Methods() []string {
	out := make([]string, 0, len(serverMethods))
	for name := range serverMethods {
		out = append(out, name)
	}
	return out
}

// decodeRequest decodes one JSON value that must be all of body. Unknown
// fields are allowed, so that a newer desktop's extra fields do not break
// an older hub; anything else malformed is a bad request.
func decodeRequest(method string, body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return &dsync.Error{Code: dsync.CodeBadRequest, Message: fmt.Sprintf("admin %s: the request does not decode: %s", method, dsync.JSONProblem(err))}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &dsync.Error{Code: dsync.CodeBadRequest, Message: fmt.Sprintf("admin %s: data after the request's JSON value", method)}
	}
	return nil
}
