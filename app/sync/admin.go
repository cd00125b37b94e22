package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/dudao-app/dudao/app/store"
)

// The admin API: a manager's desktop, enrolled like a tablet but bound to a
// manager (store.Device.UserID), calls the hub's admin methods over the same
// carrier, pinning and envelopes as sync. This package carries the calls and
// checks who may make them; what the methods do is the AdminHandler's
// business (app/admin), which this package does not know.

// AdminHandler answers the admin API's methods. dev is the authenticated,
// unrevoked desktop, bound to a manager (dev.UserID); user is the username
// the desktop says is signed in ("" when it did not say). The answer is
// encoded as JSON; an error is carried as Serve carries any (an *Error keeps
// its code and details, anything unknown is internal).
type AdminHandler interface {
	ServeAdmin(ctx context.Context, dev store.DeviceAccount, user, method string, body []byte) (any, error)
}

// adminPathPrefix is where admin methods are served: POST /v1/admin/METHOD.
const adminPathPrefix = "/v1/admin/"

// maxMethodLen bounds a method name.
const maxMethodLen = 64

// ValidAdminMethod reports whether a method name has the admin API's shape:
// lower-case letters, digits and dashes, at most 64 of them.
func ValidAdminMethod(m string) bool {
	if m == "" || len(m) > maxMethodLen {
		return false
	}
	for _, r := range m {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func adminPath(method string) string {
	if !ValidAdminMethod(method) {
		return ""
	}
	return adminPathPrefix + method
}

// A username may be any text; a header carries it percent-encoded.
func encodeUserHeader(user string) string { return url.PathEscape(user) }

func decodeUserHeader(v string) string {
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

// errNotManagerDesktop is the answer to a tablet (or any device not bound to
// a manager) calling the admin API.
func errNotManagerDesktop(d store.DeviceAccount) *Error {
	return &Error{Code: CodeForbidden, Message: fmt.Sprintf(
		"device %q is not a manager's desktop: the admin API needs a desktop enrolled with dudao-hub device enrol --manager USER", d.Name)}
}

// admin answers an admin call of an authenticated device.
func (h *Hub) admin(ctx context.Context, c *Call, d store.DeviceAccount) (any, error) {
	if h.opt.Admin == nil {
		return nil, &Error{Code: CodeNotFound, Message: "this hub does not serve the admin API"}
	}
	if d.UserID == "" {
		return nil, errNotManagerDesktop(d)
	}
	if !ValidAdminMethod(c.Method) {
		return nil, &Error{Code: CodeNotFound, Message: fmt.Sprintf("no such admin method %q", c.Method)}
	}
	return h.opt.Admin.ServeAdmin(ctx, d, c.User, c.Method, c.Body)
}

// noteSync records, at the end of a device's sync (its receipt), when it
// synced and what it still has to send, for the manager's device list. A
// failure is logged, never the receipt's: the receipt is what the device
// needs.
func (h *Hub) noteSync(ctx context.Context, d store.DeviceAccount, req ReceiptRequest, body *ReceiptBody) {
	pending := -1
	if req.Pending != nil && *req.Pending >= 0 {
		pending = min(*req.Pending, 1<<30)
		for _, r := range body.Records {
			if !r.Complete {
				pending++
			}
		}
	}
	if err := h.st.NoteDeviceSync(ctx, d.ID, h.opt.Now(), pending); err != nil {
		h.log.Warn("record device sync", "device", d.ID, "err", err)
	}
}

// NewDeviceEnrolment records a device to enrol (a tablet, or a manager's
// desktop when d.UserID is set) with a one-time code valid until expires.
func NewDeviceEnrolment(ctx context.Context, st store.HubStore, d store.Device, expires time.Time) (Enrolment, error) {
	code, err := newCode()
	if err != nil {
		return Enrolment{}, err
	}
	d, err = st.NewEnrolment(ctx, d, hashSecret("code", NormaliseCode(code)), expires)
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Device: d, Code: code, Expires: expires}, nil
}

// ---- client side ----

// HubURL is the address of the hub this device enrolled with.
func (c *Client) HubURL() string { return c.hubURL }

// Admin calls a method of the hub's admin API as user, the manager signed
// in on this desktop: req is encoded as the request's JSON, and the result
// decoded into resp (unless nil). It goes over the same transport, pins,
// version check and envelope check as a sync, and fails with the hub's
// *Error (errors.As) or the transport's (CodeUnreachable, CodeNotHub, ...).
// It is tried once: a manager waiting at a screen is told at once that the
// hub cannot be reached, and a call that changes something is not sent
// twice. Only a rate limit with a short wait is waited out.
func (c *Client) Admin(ctx context.Context, user, method string, req, resp any) error {
	if !ValidAdminMethod(method) {
		return localError(CodeLocalProblem, fmt.Errorf("admin method %q is not a method name", method))
	}
	call := &Call{Op: OpAdmin, Version: Version, Token: c.token, Method: method, User: user, Body: []byte("{}")}
	if req != nil {
		b, err := json.Marshal(req)
		if err != nil {
			return localError(CodeLocalProblem, fmt.Errorf("encode admin %s request: %w", method, err))
		}
		call.Body = b
	}
	for attempt := 0; ; attempt++ {
		env, err := c.tr.Do(ctx, call)
		if err == nil {
			err = c.check(env)
		}
		if err == nil {
			if resp != nil {
				if uerr := json.Unmarshal(env.Result, resp); uerr != nil {
					return &Error{Code: CodeNotHub, Message: fmt.Sprintf("the hub's admin %s answer does not decode: %v", method, uerr)}
				}
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var e *Error
		if attempt < 2 && errors.As(err, &e) && e.Code == CodeRateLimited && e.RetryAfter() <= 5*time.Second {
			if serr := c.opt.Sleep(ctx, max(e.RetryAfter(), 50*time.Millisecond)); serr != nil {
				return serr
			}
			continue
		}
		return fmt.Errorf("hub admin %s: %w", method, err)
	}
}
