package sync_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dsync "github.com/dudao-app/dudao/app/sync"
)

// vectorCheck is any well-formed check, for parsing alone.
const (
	vectorPin   = "sha256/AEQyFMdCVLY1zwAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	vectorCheck = "0123456789ABCDEF"
	otherPin    = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
)

// checkFor is the check of a pin for a code as documented: the first 80 bits
// of SHA-256("dudao-check" NUL code NUL key hash), in the code's alphabet.
func checkFor(code, pin string) string {
	sum, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(pin, "sha256/"))
	if err != nil {
		panic(err)
	}
	h := sha256.Sum256(append([]byte("dudao-check\x00"+code+"\x00"), sum...))
	return base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding).EncodeToString(h[:10])
}

func TestTypedInvite(t *testing.T) {
	inv := dsync.Invite{URL: "https://10.1.2.3:8443", Pins: []string{vectorPin, otherPin}, Code: "ABCD-EFGH-JKMN"}
	typed := inv.Typed()
	check := checkFor("ABCDEFGHJKMN", vectorPin)
	if want := "10.1.2.3:8443  ABCD-EFGH-JKMN  " + check[:4] + "-" + check[4:8] + "-" + check[8:12] + "-" + check[12:]; typed != want {
		t.Fatalf("Typed() = %q, want %q", typed, want)
	}
	back, err := dsync.ParseInvite(typed)
	if err != nil || !sameInvite(back, dsync.Invite{URL: inv.URL, Code: inv.Code, Check: check}) {
		t.Fatalf("ParseInvite(%q) = %+v, %v", typed, back, err)
	}
	if back.Typed() != typed || back.String() != typed {
		t.Errorf("a typed invite writes back as %q and %q", back.Typed(), back.String())
	}
	// The same hub's check differs from one code to the next.
	if other := (dsync.Invite{URL: inv.URL, Pins: inv.Pins, Code: "ABCD-EFGH-JKMP"}).Typed(); other[len(other)-19:] == typed[len(typed)-19:] {
		t.Errorf("two codes of one hub give the same check: %q and %q", typed, other)
	}

	want := dsync.Invite{URL: inv.URL, Code: inv.Code, Check: vectorCheck}
	for _, s := range []string{
		"  https://10.1.2.3:8443   abcd-efgh-jkmn\t0123-4567-89ab-cdef \n",
		"HTTPS://10.1.2.3:8443/ ABCD-EFGH-JKMN 0123-4567-89AB-CDEF",
		// No port: serve's default.
		"10.1.2.3 ABCDEFGHJKMN 0123456789ABCDEF",
		// Groups typed with spaces, O for 0, I and L for 1.
		"10.1.2.3:8443 abcd efgh jkmn O I23 4567 89ab cdef",
		"10.1.2.3:8443 ABCD-EFGH-JKMN 0L23-4567-89AB-CDEF",
		// A Chinese input method left on.
		"10．1．2．3：8443　ＡＢＣＤ-ＥＦＧＨ-ＪＫＭＮ　0123-4567-89AB-CDEF",
		"10。1。2。3：8443 ABCD-EFGH-JKMN 0123-4567-89AB-CDEF",
	} {
		got, err := dsync.ParseInvite(s)
		if err != nil || !sameInvite(got, want) {
			t.Errorf("ParseInvite(%q) = %+v, %v", s, got, err)
		}
	}

	for s, url := range map[string]string{
		"Hub.Example.cn ABCD-EFGH-JKMN 0123-4567-89AB-CDEF":     "https://hub.example.cn:8443",
		"hub.example.cn:443 ABCD-EFGH-JKMN 0123-4567-89AB-CDEF": "https://hub.example.cn:443",
		"[fd00::1]:9000 ABCD-EFGH-JKMN 0123-4567-89AB-CDEF":     "https://[fd00::1]:9000",
		"fd00::1 ABCD-EFGH-JKMN 0123-4567-89AB-CDEF":            "https://[fd00::1]:8443",
	} {
		got, err := dsync.ParseInvite(s)
		if err != nil || got.URL != url {
			t.Errorf("ParseInvite(%q) = %+v, %v; want the hub at %s", s, got, err, url)
		}
	}

	// A URI invite's address without a port is 443, not the typed default.
	noPort := dsync.Invite{URL: "https://hub.example.cn", Pins: []string{vectorPin}, Code: "ABCD-EFGH-JKMN"}
	if got, err := dsync.ParseInvite(noPort.Typed()); err != nil || got.URL != "https://hub.example.cn:443" {
		t.Errorf("%q reads back as %+v, %v", noPort.Typed(), got, err)
	}

	for s, why := range map[string]string{
		"10.1.2.3:8443 ABCD-EFGH-JKMN":                            "the check",
		"10.1.2.3:8443 ABCD-EFGH-JKMN 0123-4567-89AB-CDE":         "the check",
		"10.1.2.3:8443 ABCD-EFGH-JKM 0123-4567-89AB-CDEF":         "the code",
		"10.1.2.3:8443 ABCD-EFGH-JKMU 0123-4567-89AB-CDEF":        "the code",
		"10.1.2.3:8443 ABCD-EFGH-JKMN 0123-4567-89AB-CDEF-0":      "the check",
		"http://10.1.2.3:8443 ABCD-EFGH-JKMN 0123-4567-89AB-CDEF": "https only",
		"10.1.2.3:99999 ABCD-EFGH-JKMN 0123-4567-89AB-CDEF":       "port",
		"hub/x:8443 ABCD-EFGH-JKMN 0123-4567-89AB-CDEF":           "host name",
		"hello": "not a Dudao enrolment code",
	} {
		if got, err := dsync.ParseInvite(s); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("ParseInvite(%q) = %+v, %v; want an error about %s", s, got, err, why)
		}
	}

	both := dsync.Invite{URL: inv.URL, Pins: inv.Pins, Code: inv.Code, Check: vectorCheck}
	if err := both.Validate(); err == nil {
		t.Error("an invite with pins and a check is valid")
	}
	if err := (dsync.Invite{URL: inv.URL, Code: inv.Code, Check: "0123"}).Validate(); err == nil {
		t.Error("a short check is valid")
	}
}

func sameInvite(a, b dsync.Invite) bool {
	return a.URL == b.URL && a.Code == b.Code && a.Check == b.Check && len(a.Pins) == 0 && len(b.Pins) == 0
}

// startTypedHub is a test hub that lists its pins in enrolment answers, as
// serve's does.
func startTypedHub(t *testing.T) *testHub {
	t.Helper()
	h := startHub(t, dsync.HubOptions{})
	h.srv.Close()
	h.opt.Pins = h.keys.Pins
	h.start()
	return h
}

// typedInvite is what a supervisor types for a new enrolment.
func (h *testHub) typedInvite(t *testing.T, name string) dsync.Invite {
	t.Helper()
	inv, err := dsync.ParseInvite(h.invite(t, name, h.region).Typed())
	must(t, err)
	if len(inv.Pins) != 0 || inv.Check == "" {
		t.Fatalf("typed invite %+v", inv)
	}
	return inv
}

func TestEnrolTyped(t *testing.T) {
	h := startTypedHub(t)
	tb := &tablet{name: "typed", db: newTabletDB(t)}
	c, err := dsync.Enrol(ctx, tb.db, h.typedInvite(t, "手输平板"), clientOpts(t))
	must(t, err)
	// The pins kept are those a URI invite would have given, the backup key
	// included, so the tablet survives the CA's replacement.
	if pins, err := tb.db.Setting(ctx, "sync.pins"); err != nil || pins != strings.Join(h.keys.Pins, " ") {
		t.Errorf("pins kept = %q, %v; want the hub's %v", pins, err, h.keys.Pins)
	}
	_, err = c.Sync(ctx)
	must(t, err)

	// Reopened from what it kept, it syncs a sealed inspection.
	tb.client, err = dsync.Open(ctx, tb.db, clientOpts(t))
	must(t, err)
	tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day)
	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if rep.Delivered != 1 || !rep.DigestOK {
		t.Errorf("report = %+v", rep)
	}
	checkDelivered(t, h, tb)
}

func TestEnrolTypedWrongCheck(t *testing.T) {
	h := startTypedHub(t)
	inv := h.typedInvite(t, "手输平板")
	wrong := inv
	// One character off, as a typo is.
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	wrong.Check = inv.Check[:15] + string(alphabet[(strings.IndexByte(alphabet, inv.Check[15])+1)%len(alphabet)])
	db := newTabletDB(t)
	_, err := dsync.Enrol(ctx, db, wrong, clientOpts(t))
	if !errors.Is(err, dsync.ErrCertChanged) {
		t.Fatalf("enrol with a wrong check: %v, want the certificate-changed error", err)
	}
	if _, err := dsync.Open(ctx, db, clientOpts(t)); !errors.Is(err, dsync.ErrNotEnrolled) {
		t.Errorf("after a refused enrolment: %v, want not enrolled", err)
	}
	devs, err := h.db.DeviceAccounts(ctx)
	must(t, err)
	for _, d := range devs {
		if d.Enrolled {
			t.Errorf("device %s enrolled", d.Name)
		}
	}
	// The code was never sent: typed right, it still works.
	_, err = dsync.Enrol(ctx, db, inv, clientOpts(t))
	must(t, err)
}

func TestEnrolTypedAnswerWithoutMatchedPin(t *testing.T) {
	for name, answerPins := range map[string]func(h *testHub) []string{
		// A hub that does not list its pins (older than typed invites).
		"none": func(*testHub) []string { return nil },
		// A list that leaves out the key the check matched.
		"backup only": func(h *testHub) []string { return h.keys.Pins[1:] },
	} {
		t.Run(name, func(t *testing.T) {
			h := startTypedHub(t)
			srv := httptest.NewUnstartedServer(rewriteEnrolPins(h.hub.Handler(h.sopt), answerPins(h)))
			srv.TLS = h.srv.TLS
			srv.StartTLS()
			t.Cleanup(srv.Close)
			inv := h.typedInvite(t, "手输平板")
			inv.URL = srv.URL
			db := newTabletDB(t)
			_, err := dsync.Enrol(ctx, db, inv, clientOpts(t))
			if !errors.Is(err, dsync.ErrNotHub) || !strings.Contains(err.Error(), "typed check") {
				t.Fatalf("enrol = %v, want the answer refused", err)
			}
			if _, err := dsync.Open(ctx, db, clientOpts(t)); !errors.Is(err, dsync.ErrNotEnrolled) {
				t.Errorf("after a refused answer: %v, want not enrolled", err)
			}
		})
	}
}

// rewriteEnrolPins replaces the pins of the hub's enrolment answers.
func rewriteEnrolPins(next http.Handler, pins []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/enrol" {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var env dsync.Envelope
		var res dsync.EnrolResult
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || json.Unmarshal(env.Result, &res) != nil {
			http.Error(w, "bad answer", http.StatusInternalServerError)
			return
		}
		res.Pins = pins
		env.Result, _ = json.Marshal(res)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		var buf bytes.Buffer
		_ = dsync.WriteEnvelope(&buf, &env)
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(buf.Bytes())
	})
}
