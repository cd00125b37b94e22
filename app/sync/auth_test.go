package sync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

func token(t *testing.T, tb *tablet) string {
	t.Helper()
	tok, err := tb.db.Setting(ctx, "sync.token")
	must(t, err)
	return tok
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return b
}

// TestAuthMatrix sends every kind of forbidden or malformed request to a
// real hub and checks each is refused with a structured 4xx, and that the
// hub keeps serving the good ones.
func TestAuthMatrix(t *testing.T) {
	h := startHubWith(t, dsync.HubOptions{MaxChunk: 1 << 10}, dsync.ServerOptions{MaxBody: 64 << 10})
	a := h.newTablet(t, "昆明平板", h.region, clientOpts(t))
	b := h.newTablet(t, "大理平板", h.region2, clientOpts(t))
	c := h.newTablet(t, "被吊销", h.region, clientOpts(t))
	photo := photoBytes(5, 500)
	ins := a.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day, photo)
	if _, err := a.client.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := h.db.RevokeDevice(ctx, c.client.DeviceID(), "stolen")
	must(t, err)
	tokA, tokB, tokC := token(t, a), token(t, b), token(t, c)

	// B's tablet knows only its region.
	if halls, _ := b.db.Halls(ctx); len(halls) != 1 || halls[0].ID != h.farHall.ID {
		t.Errorf("region 2 tablet halls = %+v", halls)
	}

	// The inspection as tablet A pushed it, now from B.
	wrec := dsync.WireRecord{Inspection: dsync.InspectionToWire(ins)}
	pushA := mustJSON(t, dsync.PushRequest{Records: []dsync.WireRecord{wrec}})
	pullBody := mustJSON(t, dsync.PullRequest{})
	psha := ins.Photos()[0].SHA256
	chunkHdr := map[string]string{dsync.HeaderChunkSHA256: sha256hex(photo[:100])}
	v := dsync.Version

	for _, sc := range []struct {
		name         string
		method, path string
		token        string
		version      int
		body         []byte
		hdr          map[string]string
		status       int
		code         dsync.Code
		check        func(t *testing.T, env *dsync.Envelope, hdr http.Header)
	}{
		{name: "no token", method: "POST", path: "/v1/pull", version: v, body: pullBody, status: 401, code: dsync.CodeUnauthenticated},
		{name: "wrong token", method: "POST", path: "/v1/pull", token: "forged", version: v, body: pullBody, status: 401, code: dsync.CodeUnauthenticated},
		{name: "revoked pull", method: "POST", path: "/v1/pull", token: tokC, version: v, body: pullBody, status: 403, code: dsync.CodeRevoked,
			check: func(t *testing.T, env *dsync.Envelope, _ http.Header) {
				if !contains(env.Error.Message, "stolen") {
					t.Errorf("revocation message %q lacks the reason", env.Error.Message)
				}
			}},
		{name: "revoked push", method: "POST", path: "/v1/push", token: tokC, version: v, body: pushA, status: 403, code: dsync.CodeRevoked},
		{name: "revoked photo", method: "PUT", path: "/v1/photos/" + psha + "?offset=0", token: tokC, version: v, body: photo[:100], hdr: chunkHdr, status: 403, code: dsync.CodeRevoked},
		{name: "old app", method: "POST", path: "/v1/pull", token: tokA, version: 0, body: pullBody, status: 426, code: dsync.CodeUpdateRequired,
			check: func(t *testing.T, env *dsync.Envelope, _ http.Header) {
				if env.Error.MinVersion != dsync.MinVersion || env.Error.MaxVersion != dsync.Version || !contains(env.Error.Message, "update") {
					t.Errorf("update answer = %+v", env.Error)
				}
			}},
		{name: "newer app", method: "POST", path: "/v1/pull", token: tokA, version: v + 1, body: pullBody, status: 400, code: dsync.CodeHubTooOld},
		// A version-1 app (before amendments carried seq) is still served.
		{name: "version 1 app", method: "POST", path: "/v1/pull", token: tokA, version: 1, body: pullBody, status: 200},
		{name: "other region's hall", method: "POST", path: "/v1/push", token: tokB, version: v, body: pushA, status: 200,
			check: func(t *testing.T, env *dsync.Envelope, _ http.Header) {
				var res dsync.PushResult
				must(t, json.Unmarshal(env.Result, &res))
				if len(res.Results) != 1 || res.Results[0].Status != dsync.StatusRejected || res.Results[0].Error.Code != dsync.CodeForbidden {
					t.Errorf("push of another region's inspection = %+v", res)
				}
			}},
		{name: "other device's photo status", method: "POST", path: "/v1/photos/status", token: tokB, version: v,
			body: mustJSON(t, dsync.PhotoStatusRequest{SHA256: []string{psha}}), status: 200,
			check: func(t *testing.T, env *dsync.Envelope, _ http.Header) {
				var res dsync.PhotoStatusResult
				must(t, json.Unmarshal(env.Result, &res))
				if len(res.Photos) != 1 || res.Photos[0].Error == nil || res.Photos[0].Error.Code != dsync.CodeNotFound || res.Photos[0].Complete {
					t.Errorf("photo status for another device = %+v", res)
				}
			}},
		{name: "other device's photo upload", method: "PUT", path: "/v1/photos/" + psha + "?offset=0", token: tokB, version: v,
			body: photo[:100], hdr: chunkHdr, status: 404, code: dsync.CodeNotFound},
		{name: "receipt of another device's record", method: "POST", path: "/v1/receipt", token: tokB, version: v,
			body: mustJSON(t, dsync.ReceiptRequest{Records: []dsync.WireRecordID{{Kind: "inspection", ID: ins.ID}}}), status: 200,
			check: func(t *testing.T, env *dsync.Envelope, _ http.Header) {
				var res dsync.ReceiptResult
				must(t, json.Unmarshal(env.Result, &res))
				var body dsync.ReceiptBody
				must(t, json.Unmarshal(res.Body, &body))
				if len(body.Records) != 1 || body.Records[0].Held || body.Count != 0 {
					t.Errorf("receipt for another device = %+v", body)
				}
			}},
		{name: "wrong method", method: "GET", path: "/v1/pull", token: tokA, version: v, status: 404, code: dsync.CodeNotFound},
		{name: "unknown path", method: "POST", path: "/v2/everything", token: tokA, version: v, status: 404, code: dsync.CodeNotFound},
		{name: "truncated JSON", method: "POST", path: "/v1/push", token: tokA, version: v, body: pushA[:len(pushA)/2], status: 400, code: dsync.CodeBadRequest},
		{name: "not JSON", method: "POST", path: "/v1/push", token: tokA, version: v, body: []byte("<html>hello</html>"), status: 400, code: dsync.CodeBadRequest},
		{name: "data after JSON", method: "POST", path: "/v1/pull", token: tokA, version: v, body: append(pullBody, "{}"...), status: 400, code: dsync.CodeBadRequest},
		{name: "wrong types", method: "POST", path: "/v1/push", token: tokA, version: v, body: []byte(`{"records":"all of them"}`), status: 400, code: dsync.CodeBadRequest},
		{name: "body too large", method: "POST", path: "/v1/push", token: tokA, version: v, body: bytes.Repeat([]byte(" "), 65<<10), status: 413, code: dsync.CodeTooLarge},
		{name: "chunk too large", method: "PUT", path: "/v1/photos/" + psha + "?offset=0", token: tokA, version: v, body: bytes.Repeat([]byte("x"), 2<<10),
			hdr: chunkHdr, status: 413, code: dsync.CodeTooLarge},
		{name: "chunk hash mismatch", method: "PUT", path: "/v1/photos/" + psha + "?offset=0", token: tokA, version: v, body: photo[:99],
			hdr: chunkHdr, status: 400, code: dsync.CodeBadRequest},
		{name: "bad offset", method: "PUT", path: "/v1/photos/" + psha + "?offset=minus", token: tokA, version: v, body: photo[:100],
			hdr: chunkHdr, status: 400, code: dsync.CodeBadRequest},
		{name: "bad photo hash", method: "PUT", path: "/v1/photos/NOTAHASH?offset=0", token: tokA, version: v, body: photo[:100],
			hdr: chunkHdr, status: 422, code: dsync.CodeInvalidRecord},
		{name: "unknown enrolment code", method: "POST", path: "/v1/enrol", version: v,
			body: mustJSON(t, dsync.EnrolRequest{Code: "AAAA-BBBB-CCCC", Token: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}), status: 403, code: dsync.CodeEnrolment},
		{name: "enrolment without token", method: "POST", path: "/v1/enrol", version: v,
			body: mustJSON(t, dsync.EnrolRequest{Code: "AAAA-BBBB-CCCC"}), status: 400, code: dsync.CodeBadRequest},
		{name: "good pull still works", method: "POST", path: "/v1/pull", token: tokA, version: v, body: pullBody, status: 200},
	} {
		t.Run(sc.name, func(t *testing.T) {
			status, env, hdr := h.rawCall(t, sc.method, sc.path, sc.token, sc.version, sc.body, sc.hdr)
			if status != sc.status {
				t.Errorf("status = %d, want %d (%+v)", status, sc.status, env.Error)
			}
			switch {
			case sc.code == "" && env.Error != nil:
				t.Errorf("error = %+v, want success", env.Error)
			case sc.code != "" && (env.Error == nil || env.Error.Code != sc.code):
				t.Errorf("error = %+v, want code %s", env.Error, sc.code)
			case sc.code != "" && env.Error.Message == "":
				t.Error("error without a message")
			}
			if sc.check != nil {
				sc.check(t, env, hdr)
			}
		})
	}
	// Nothing forbidden was stored: the hub holds nothing for B or C.
	for _, tb := range []*tablet{b, c} {
		if held, _ := h.db.HeldRecords(ctx, tb.client.DeviceID()); len(held) != 0 {
			t.Errorf("%s holds %+v", tb.name, held)
		}
	}
}

func TestRateLimited(t *testing.T) {
	h := startHub(t, dsync.HubOptions{Rate: 1, Burst: 3})
	tb := h.newTablet(t, "急躁", h.region, clientOpts(t))
	tok := token(t, tb)
	var last int
	var hdr http.Header
	var env *dsync.Envelope
	for range 5 {
		last, env, hdr = h.rawCall(t, "POST", "/v1/pull", tok, dsync.Version, []byte(`{}`), nil)
	}
	if last != 429 || env.Error.Code != dsync.CodeRateLimited || env.Error.RetryAfterMS <= 0 || hdr.Get("Retry-After") == "" {
		t.Errorf("fifth call = %d %+v, Retry-After %q", last, env.Error, hdr.Get("Retry-After"))
	}
	// The client waits as asked and gets through.
	start := time.Now()
	if _, err := tb.client.Sync(ctx); err != nil {
		t.Errorf("sync under a rate limit: %v", err)
	}
	if time.Since(start) < 500*time.Millisecond {
		t.Errorf("sync did not wait for the rate limit")
	}
}

// A caller without a valid token is answered from the request's headers:
// the hub does not wait for, or make room for, the large body it announces.
// Without this, anyone on the hall's network could hold 32 MB of the hub's
// memory per request until the read timeout.
func TestRefusedBeforeBodyIsRead(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	for _, tc := range []struct {
		name, token string
		version     int
		want        dsync.Code
	}{
		{"no token", "", dsync.Version, dsync.CodeUnauthenticated},
		{"unknown token", "not-a-token", dsync.Version, dsync.CodeUnauthenticated},
		{"app too old", "not-a-token", dsync.MinVersion - 1, dsync.CodeUpdateRequired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			body := io.MultiReader(strings.NewReader(`{"records":[`), stallingReader{rctx})
			req, err := http.NewRequestWithContext(rctx, "POST", h.url+"/v1/push", body)
			must(t, err)
			req.ContentLength = 32 << 20
			req.Header.Set(dsync.HeaderVersion, fmt.Sprint(tc.version))
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			start := time.Now()
			resp, err := h.srv.Client().Do(req)
			if err != nil {
				t.Fatalf("no answer while the body stalls (%v): the hub waits for the body", err)
			}
			defer resp.Body.Close()
			var env dsync.Envelope
			if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
				t.Fatal(err)
			}
			if env.Error == nil || env.Error.Code != tc.want || resp.StatusCode != dsync.HTTPStatus(tc.want) {
				t.Errorf("answer = %d %+v, want %s", resp.StatusCode, env.Error, tc.want)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("answered after %v", took)
			}
		})
	}
}

// stallingReader is a body that sends nothing more until its context ends
// (the HTTP client waits for a body's Read to return even when cancelled).
type stallingReader struct{ ctx context.Context }

func (r stallingReader) Read([]byte) (int, error) {
	<-r.ctx.Done()
	return 0, r.ctx.Err()
}

// A captive portal (or anything else) answering 200 is not success.
func TestCaptivePortalIsNotSuccess(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	tb := h.newTablet(t, "门户", h.region, clientOpts(t))
	tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day)
	h.stop()
	h.db, _ = store.Open(h.dbPath, store.WithLogger(quietLog))
	h.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>Welcome to the hall's Wi-Fi. Please sign in.</body></html>"))
	})
	h.start()
	_, err := tb.client.Sync(ctx)
	if !errors.Is(err, dsync.ErrNotHub) || !dsync.Retryable(err) {
		t.Errorf("sync against a portal: %v", err)
	}
	if st := tb.outboxStates(t); st[store.OutboxDelivered] != 0 {
		t.Errorf("outbox = %v", st)
	}
}
