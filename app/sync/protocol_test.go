package sync

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/store"
)

func TestErrorCodes(t *testing.T) {
	for code, sentinel := range codeToError {
		e := &Error{Code: code, Message: "m"}
		if !errors.Is(e, sentinel) {
			t.Errorf("%s is not %v", code, sentinel)
		}
		if got := errorToCode(fmt.Errorf("wrapped: %w", sentinel)); got != code {
			t.Errorf("errorToCode(%v) = %s, want %s", sentinel, got, code)
		}
		// Through the wire and back.
		b, err := json.Marshal(wireError(e))
		if err != nil {
			t.Fatal(err)
		}
		var back Error
		if err := json.Unmarshal(b, &back); err != nil || !errors.Is(&back, sentinel) {
			t.Errorf("%s after a round trip: %+v, %v", code, back, err)
		}
	}
	for _, tc := range []struct {
		err  error
		code Code
	}{
		{fmt.Errorf("x: %w", store.ErrOutOfRegion), CodeForbidden},
		{fmt.Errorf("x: %w", store.ErrRevoked), CodeRevoked},
		{fmt.Errorf("x: %w", store.ErrEnrolment), CodeEnrolment},
		{fmt.Errorf("x: %w", store.ErrConflict), CodeConflict},
		{fmt.Errorf("x: %w", store.ErrNotFound), CodeNotFound},
		{fmt.Errorf("x: %w", store.ErrInvalid), CodeInvalidRecord},
		{fmt.Errorf("x: %w", store.ErrTooLarge), CodeTooLarge},
		{fmt.Errorf("x: %w", store.ErrLocked), CodeUnavailable},
		{fmt.Errorf("x: %w", store.ErrDiskFull), CodeUnavailable},
		{errors.New("the disk controller caught fire at /dev/sda"), CodeInternal},
	} {
		if got := errorToCode(tc.err); got != tc.code {
			t.Errorf("errorToCode(%v) = %s, want %s", tc.err, got, tc.code)
		}
	}
	// An internal error's detail stays in the hub's log, and so does a
	// busy one's; a full disk is named as such.
	if w := wireError(errors.New("secret path /var/lib/x")); strings.Contains(w.Message, "secret") {
		t.Errorf("internal detail leaked: %q", w.Message)
	}
	full := wireError(fmt.Errorf("write /var/lib/dudao/photos/.partial-ab: %w", store.ErrDiskFull))
	if full.Code != CodeUnavailable || strings.Contains(full.Message, "/var/lib") || !strings.Contains(full.Message, "disk is full") {
		t.Errorf("full disk on the wire = %+v", full)
	}
	for code, status := range map[Code]int{
		CodeBadRequest: 400, CodeUnauthenticated: 401, CodeRevoked: 403, CodeForbidden: 403, CodeNotFound: 404,
		CodeConflict: 409, CodeTooLarge: 413, CodeInvalidRecord: 422, CodeUpdateRequired: 426, CodeRateLimited: 429,
		CodeInternal: 500, CodeUnavailable: 503,
	} {
		if got := HTTPStatus(code); got != status {
			t.Errorf("HTTPStatus(%s) = %d, want %d", code, got, status)
		}
	}
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{&Error{Code: CodeUnreachable}, true},
		{&Error{Code: CodeNotHub, Status: 200}, true},
		{&Error{Code: CodeRateLimited, Status: 429}, true},
		{&Error{Code: CodeUnavailable, Status: 503}, true},
		{&Error{Code: CodeInternal, Status: 500}, true},
		{&Error{Code: "some_future_code", Status: 502}, true},
		{&Error{Code: CodeBadRequest, Status: 400}, false},
		{&Error{Code: CodeUnauthenticated, Status: 401}, false},
		{&Error{Code: CodeRevoked, Status: 403}, false},
		{&Error{Code: CodeConflict, Status: 409}, false},
		{&Error{Code: CodeUpdateRequired, Status: 426}, false},
		{&Error{Code: CodeCertChanged}, false},
		{fmt.Errorf("push: %w", &Error{Code: CodeUnreachable}), true},
		{errors.New("disk full on the tablet"), false},
		{nil, false},
	} {
		if got := Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestCursor(t *testing.T) {
	c := cursor{Epoch: "abc", Seq: 42}
	back, ok := parseCursor(c.String())
	if !ok || back != c {
		t.Errorf("round trip = %+v, %v", back, ok)
	}
	for _, s := range []string{"", "!!", "e30", c.String() + "x", "eyJlIjoiIiwicyI6MX0"} {
		if _, ok := parseCursor(s); ok {
			t.Errorf("parseCursor(%q) accepted", s)
		}
	}
}

func TestDigestIgnoresOrder(t *testing.T) {
	a := []DigestEntry{{"inspection", "1", "h1"}, {"amendment", "2", "h2"}, {"inspection", "0", "h0"}}
	b := []DigestEntry{a[2], a[0], a[1]}
	if Digest(a) != Digest(b) {
		t.Error("digest depends on order")
	}
	c := slices.Clone(a)
	c[0].Hash = "other"
	if Digest(a) == Digest(c) {
		t.Error("digest ignores a hash")
	}
	if Digest(nil) != Digest([]DigestEntry{}) {
		t.Error("empty digests differ")
	}
}

func TestReceiptSignature(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	r, err := signReceipt(priv, &ReceiptBody{HubID: "h", Epoch: "e", DeviceID: "d", Count: 1, Digest: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if body, err := VerifyReceipt(pub, r); err != nil || body.HubID != "h" {
		t.Fatalf("verify = %+v, %v", body, err)
	}
	forged := *r
	forged.Body = bytes.Replace(r.Body, []byte(`"count":1`), []byte(`"count":2`), 1)
	if _, err := VerifyReceipt(pub, &forged); !errors.Is(err, ErrBadReceipt) {
		t.Errorf("forged receipt: %v", err)
	}
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	if _, err := VerifyReceipt(other, r); !errors.Is(err, ErrBadReceipt) {
		t.Errorf("another hub's key: %v", err)
	}
}

func TestInvite(t *testing.T) {
	code, err := newCode()
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 14 || NormaliseCode(code) == "" || len(NormaliseCode(code)) != 12 {
		t.Errorf("code %q", code)
	}
	if NormaliseCode("abcd-efgh-jkmn") != "ABCDEFGHJKMN" || NormaliseCode("o0il") != "0011" || NormaliseCode("AB!C") != "" {
		t.Error("NormaliseCode does not forgive what people mistype")
	}
	pin := "sha256/" + strings.Repeat("A", 43) + "="
	inv := Invite{URL: "https://10.0.0.5:8443", Pins: []string{pin, pin}, Code: code}
	back, err := ParseInvite(inv.String())
	if err != nil || back.URL != inv.URL || !slices.Equal(back.Pins, inv.Pins) || back.Code != code {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	if _, err := inv.QR(); err != nil {
		t.Error(err)
	}
	for _, s := range []string{
		"https://10.0.0.5:8443",
		"dudao://enrol?hub=http://10.0.0.5&pin=" + pin + "&code=X",
		"dudao://enrol?hub=https://10.0.0.5&code=ABCD",
		"dudao://enrol?hub=https://10.0.0.5&pin=md5/xyz&code=ABCD",
		"dudao://enrol?hub=https://10.0.0.5&pin=" + pin,
	} {
		if _, err := ParseInvite(s); err == nil {
			t.Errorf("ParseInvite(%q) accepted", s)
		}
	}
}

func TestLoadKeys(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	k, err := LoadKeys(dir, KeyOptions{Hosts: []string{"hub.example", "10.1.2.3"}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Pins) != 2 || k.Pins[0] == k.Pins[1] || len(k.Created) != 6 {
		t.Fatalf("first load: pins %v, created %v", k.Pins, k.Created)
	}
	leaf := k.TLS.Leaf
	if !slices.Contains(leaf.DNSNames, "hub.example") || len(k.TLS.Certificate) != 2 {
		t.Errorf("leaf names %v, chain of %d", leaf.DNSNames, len(k.TLS.Certificate))
	}
	for _, f := range []string{caKeyFile, backupKeyFile, leafKeyFile, receiptKeyFile} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v", f, fi.Mode(), err)
		}
	}
	// Again: the same keys, nothing created.
	k2, err := LoadKeys(dir, KeyOptions{Hosts: []string{"hub.example"}, Now: func() time.Time { return now }})
	if err != nil || !slices.Equal(k2.Pins, k.Pins) || len(k2.Created) != 0 || !k2.ReceiptKey.Equal(k.ReceiptKey) {
		t.Fatalf("second load: %v, created %v", err, k2.Created)
	}
	// Near expiry the leaf is renewed under the same CA: the pins stay.
	later := now.Add(leafLifetime - leafRenewal/2)
	k3, err := LoadKeys(dir, KeyOptions{Now: func() time.Time { return later }})
	if err != nil || !slices.Equal(k3.Pins, k.Pins) || !slices.Equal(k3.Created, []string{leafCertFile}) {
		t.Fatalf("renewal: %v, created %v", err, k3.Created)
	}
	if k3.TLS.Leaf.SerialNumber.Cmp(leaf.SerialNumber) == 0 {
		t.Error("leaf not renewed")
	}

	if err := verifyPinned(certChain(t, k3), k.Pins); err != nil {
		t.Errorf("renewed leaf refused: %v", err)
	}
	if err := verifyPinned(certChain(t, k3), []string{k.Pins[1]}); !errors.Is(err, ErrCertChanged) {
		t.Errorf("chain without the pinned key accepted: %v", err)
	}
	other, err := LoadKeys(t.TempDir(), KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Another hub's leaf presented with this hub's CA: does not chain.
	mixed := []*x509.Certificate{certChain(t, other)[0], certChain(t, k)[1]}
	if err := verifyPinned(mixed, k.Pins); !errors.Is(err, ErrCertChanged) {
		t.Errorf("foreign leaf accepted: %v", err)
	}
	if err := verifyPinned(nil, k.Pins); !errors.Is(err, ErrCertChanged) {
		t.Errorf("no certificate accepted: %v", err)
	}

	// The CA is replaced by the backup key as README-restore.md says: the
	// tablets' pins still accept the new chain.
	bk, err := os.ReadFile(filepath.Join(dir, backupKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{caCertFile, leafCertFile, backupKeyFile} {
		os.Remove(filepath.Join(dir, f))
	}
	if err := os.WriteFile(filepath.Join(dir, caKeyFile), bk, 0o600); err != nil {
		t.Fatal(err)
	}
	k4, err := LoadKeys(dir, KeyOptions{})
	if err != nil || k4.Pins[0] != k.Pins[1] {
		t.Fatalf("after replacing the CA: pins %v, %v", k4.Pins, err)
	}
	if err := verifyPinned(certChain(t, k4), k.Pins); err != nil {
		t.Errorf("tablets refuse the replaced CA: %v", err)
	}

	// A certificate of one's own: its last certificate is pinned.
	certPEM := pemBytes("CERTIFICATE", k.TLS.Certificate[0])
	certPEM = append(certPEM, pemBytes("CERTIFICATE", k.TLS.Certificate[1])...)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(k.TLS.PrivateKey)
	cf, kf := filepath.Join(t.TempDir(), "c.pem"), filepath.Join(t.TempDir(), "k.pem")
	os.WriteFile(cf, certPEM, 0o600)
	os.WriteFile(kf, pemBytes("PRIVATE KEY", keyDER), 0o600)
	own, err := LoadKeys(t.TempDir(), KeyOptions{CertFile: cf, KeyFile: kf})
	if err != nil || !slices.Equal(own.Pins, k.Pins[:1]) {
		t.Errorf("own certificate: pins %v, %v", own.Pins, err)
	}
}

func TestStreamFraming(t *testing.T) {
	var buf bytes.Buffer
	c := &Call{Op: OpPhotoChunk, Version: 1, Token: "t", SHA256: "s", Offset: 7, ChunkSHA256: "c", Body: []byte("chunk")}
	if err := WriteCall(&buf, c); err != nil {
		t.Fatal(err)
	}
	whole := buf.Bytes()
	got, err := ReadCall(bufio.NewReader(bytes.NewReader(whole)), 100)
	if err != nil || got.Offset != 7 || string(got.Body) != "chunk" || got.Token != "t" {
		t.Fatalf("read = %+v, %v", got, err)
	}
	if _, err := ReadCall(bufio.NewReader(bytes.NewReader(whole)), 3); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	for i := 1; i < len(whole); i++ {
		if _, err := ReadCall(bufio.NewReader(bytes.NewReader(whole[:i])), 100); err == nil {
			t.Fatalf("truncated after %d bytes: no error", i)
		}
	}
	if _, err := ReadCall(bufio.NewReader(strings.NewReader("")), 100); !errors.Is(err, io.EOF) {
		t.Errorf("empty stream: %v", err)
	}
	for _, s := range []string{"", "null", `{"protocol":"other"}`, `{"protocol":"dudao-sync"}`, "<html>", `{"protocol":"dudao-sync","result":{},"error":{"code":"x"}}`} {
		if _, err := parseEnvelope([]byte(s)); !errors.Is(err, ErrNotHub) {
			t.Errorf("parseEnvelope(%q) = %v", s, err)
		}
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(2, 3, func() time.Time { return now })
	for i := range 3 {
		if ok, _ := l.allow("d"); !ok {
			t.Fatalf("request %d refused within the burst", i)
		}
	}
	ok, wait := l.allow("d")
	if ok || wait <= 0 || wait > time.Second {
		t.Errorf("over the burst: %v, wait %v", ok, wait)
	}
	if ok, _ := l.allow("other"); !ok {
		t.Error("another key is limited too")
	}
	now = now.Add(time.Second)
	if ok, _ := l.allow("d"); !ok {
		t.Error("tokens do not refill")
	}
}

// certChain is the certificates a hub with keys k presents.
func certChain(t *testing.T, k *HubKeys) []*x509.Certificate {
	t.Helper()
	var cs []*x509.Certificate
	for _, der := range k.TLS.Certificate {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	return cs
}
