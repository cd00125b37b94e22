package sync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/dudao-app/dudao/app/store"
)

// Code is an error's name on the wire. The app translates it (lang.X keys
// "sync.error.<code>"), so a message never has to be parsed.
type Code string

const (
	CodeBadRequest      Code = "bad_request"
	CodeUnauthenticated Code = "unauthenticated"
	CodeRevoked         Code = "device_revoked"
	CodeForbidden       Code = "forbidden"
	CodeNotFound        Code = "not_found"
	CodeConflict        Code = "conflict"
	CodeInvalidRecord   Code = "invalid_record"
	CodeTooLarge        Code = "too_large"
	CodeEnrolment       Code = "enrolment_invalid"
	CodeRateLimited     Code = "rate_limited"
	CodeUpdateRequired  Code = "update_required"
	CodeHubTooOld       Code = "hub_too_old"
	CodeUnavailable     Code = "unavailable"
	CodeInternal        Code = "internal"
	// Admin API: the input breaks a rule (Problems may list each), and a
	// plan that changed since the manager saw it.
	CodeInvalid Code = "invalid"
	CodeStale   Code = "stale"

	// Seen only on the tablet: the hub never sends them.
	CodeUnreachable  Code = "unreachable"
	CodeNotHub       Code = "not_hub"
	CodeCertChanged  Code = "certificate_changed"
	CodeBadReceipt   Code = "bad_receipt"
	CodeNotEnrolled  Code = "not_enrolled"
	CodeSyncRunning  Code = "sync_running"
	CodeLocalProblem Code = "local_problem"
	// CodePhotoLost: a photo a record needs is on neither this device
	// (freed after the hub first held it, or deleted) nor the hub (restored
	// from an older photo backup). The record stays sent, not parked: it
	// is delivered as soon as the hub has the photo again.
	CodePhotoLost Code = "photo_lost"
)

// Sentinel errors; every *Error with the matching code is errors.Is them.
var (
	ErrBadRequest      = errors.New("malformed request")
	ErrUnauthenticated = errors.New("this device is not enrolled with the hub")
	ErrRevoked         = errors.New("this device was revoked on the hub")
	ErrForbidden       = errors.New("outside this device's region")
	ErrNotFound        = errors.New("not found on the hub")
	ErrConflict        = errors.New("the hub holds another record under the same ID")
	ErrInvalidRecord   = errors.New("the hub refused the record")
	ErrTooLarge        = errors.New("too large")
	ErrEnrolment       = errors.New("the enrolment code is unknown, used or expired")
	ErrRateLimited     = errors.New("too many requests")
	ErrUpdateRequired  = errors.New("please update Dudao: the hub needs a newer version of the app")
	ErrHubTooOld       = errors.New("the hub runs an older version than this app; ask for the hub to be updated")
	ErrUnavailable     = errors.New("the hub is busy")
	ErrInternal        = errors.New("the hub failed")
	ErrInvalid         = errors.New("the hub refused the input")
	ErrStale           = errors.New("changed on the hub since it was read")

	ErrUnreachable  = errors.New("the hub is unreachable")
	ErrNotHub       = errors.New("the answer did not come from the hub (a captive portal or a proxy?)")
	ErrCertChanged  = errors.New("the hub's certificate does not match the one pinned at enrolment")
	ErrBadReceipt   = errors.New("the hub's receipt does not verify")
	ErrNotEnrolled  = errors.New("this device is not enrolled with a hub")
	ErrSyncRunning  = errors.New("a sync is already running")
	ErrLocalProblem = errors.New("a problem on this device")
	ErrPhotoLost    = errors.New("a photo is on neither this device nor the hub")
)

var codeToError = map[Code]error{
	CodeBadRequest:      ErrBadRequest,
	CodeUnauthenticated: ErrUnauthenticated,
	CodeRevoked:         ErrRevoked,
	CodeForbidden:       ErrForbidden,
	CodeNotFound:        ErrNotFound,
	CodeConflict:        ErrConflict,
	CodeInvalidRecord:   ErrInvalidRecord,
	CodeTooLarge:        ErrTooLarge,
	CodeEnrolment:       ErrEnrolment,
	CodeRateLimited:     ErrRateLimited,
	CodeUpdateRequired:  ErrUpdateRequired,
	CodeHubTooOld:       ErrHubTooOld,
	CodeUnavailable:     ErrUnavailable,
	CodeInternal:        ErrInternal,
	CodeInvalid:         ErrInvalid,
	CodeStale:           ErrStale,
	CodeUnreachable:     ErrUnreachable,
	CodeNotHub:          ErrNotHub,
	CodeCertChanged:     ErrCertChanged,
	CodeBadReceipt:      ErrBadReceipt,
	CodeNotEnrolled:     ErrNotEnrolled,
	CodeSyncRunning:     ErrSyncRunning,
	CodeLocalProblem:    ErrLocalProblem,
	CodePhotoLost:       ErrPhotoLost,
}

// errorToCode maps an error to its wire code, checking this package's
// sentinels first and then the store's. Anything unknown is internal: its
// text stays in the hub's log, not on the wire.
func errorToCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	for c, s := range codeToError {
		if errors.Is(err, s) {
			return c
		}
	}
	switch {
	case errors.Is(err, store.ErrOutOfRegion):
		return CodeForbidden
	case errors.Is(err, store.ErrRevoked):
		return CodeRevoked
	case errors.Is(err, store.ErrEnrolment):
		return CodeEnrolment
	case errors.Is(err, store.ErrConflict):
		return CodeConflict
	case errors.Is(err, store.ErrTooLarge):
		return CodeTooLarge
	case errors.Is(err, store.ErrNotFound):
		return CodeNotFound
	case errors.Is(err, store.ErrInvalid), errors.Is(err, store.ErrNotSealed), errors.Is(err, store.ErrSealed):
		return CodeInvalidRecord
	case errors.Is(err, store.ErrLocked), errors.Is(err, store.ErrDiskFull),
		errors.Is(err, context.DeadlineExceeded):
		return CodeUnavailable
	}
	return CodeInternal
}

// Error is a failure as the protocol carries it: a code, a message for
// people, and the details some codes need.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// RetryAfter tells a rate-limited or busy client when to come back.
	RetryAfterMS int64 `json:"retry_after_ms,omitempty"`
	// Conflict: the seal the hub holds and the one received.
	HeldHash     string `json:"held_hash,omitempty"`
	ReceivedHash string `json:"received_hash,omitempty"`
	// Version mismatch: the protocol versions the hub speaks.
	MinVersion int `json:"min_version,omitempty"`
	MaxVersion int `json:"max_version,omitempty"`
	// Invalid (admin API): the file refused and each problem found in it,
	// so a desktop can list them as the hub's loader found them.
	File     string   `json:"file,omitempty"`
	Problems []string `json:"problems,omitempty"`

	// Status is the HTTP status the client saw, 0 on other carriers.
	Status int `json:"-"`
	// cause is the local error behind a tablet-side code (never on the wire).
	cause error
}

func (e *Error) Error() string {
	if e.Message == "" {
		if s, ok := codeToError[e.Code]; ok {
			return s.Error()
		}
		return string(e.Code)
	}
	return e.Message
}

// Is makes errors.Is(err, ErrConflict) true for an *Error with that code.
func (e *Error) Is(target error) bool {
	s, ok := codeToError[e.Code]
	return ok && s == target
}

func (e *Error) Unwrap() error { return e.cause }

// RetryAfter is the wait the hub asked for, zero when it named none.
func (e *Error) RetryAfter() time.Duration { return time.Duration(e.RetryAfterMS) * time.Millisecond }

// wireError turns an error into what goes on the wire. Internal errors keep
// their detail out of the message.
func wireError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.cause, c.Status = nil, 0
		return &c
	}
	code := errorToCode(err)
	msg := err.Error()
	switch code {
	case CodeInternal:
		msg = ErrInternal.Error()
	case CodeUnavailable:
		// The cause (a path on the hub's disk, say) goes to the hub's log;
		// the tablet learns what kind of trouble it is.
		msg = ErrUnavailable.Error()
		if errors.Is(err, store.ErrDiskFull) {
			msg = "the hub cannot store anything now: its disk is full"
		}
	}
	return &Error{Code: code, Message: msg}
}

// localError wraps a tablet-side failure under a code.
func localError(code Code, err error) *Error {
	return &Error{Code: code, Message: fmt.Sprintf("%v: %v", codeToError[code], err), cause: err}
}

// HTTPStatus is the HTTP status a code travels with.
func HTTPStatus(c Code) int {
	switch c {
	case CodeBadRequest:
		return http.StatusBadRequest
	case CodeUnauthenticated:
		return http.StatusUnauthorized
	case CodeRevoked, CodeForbidden, CodeEnrolment:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeConflict, CodeStale:
		return http.StatusConflict
	case CodeInvalidRecord, CodeInvalid:
		return http.StatusUnprocessableEntity
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeUpdateRequired:
		return http.StatusUpgradeRequired
	case CodeHubTooOld:
		return http.StatusBadRequest
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Retryable reports whether trying again later may succeed: the network
// failed, the hub was busy or failed (5xx), or asked us to slow down (429).
// Everything else is permanent (4xx) until a person changes something:
// retrying it in a loop would only hide it (central#970).
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if !errors.As(err, &e) {
		// Transports report network failures as CodeUnreachable; anything
		// else is this device's own problem, which waiting does not fix.
		return false
	}
	switch e.Code {
	case CodeUnreachable, CodeNotHub, CodeRateLimited, CodeUnavailable, CodeInternal:
		return true
	}
	return e.Status >= 500
}
