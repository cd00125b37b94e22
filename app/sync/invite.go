package sync

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Invite is what the hub shows at enrolment (as a QR code and as text) and
// the tablet needs to enrol: where the hub is, the public keys to pin, and
// the one-time code.
type Invite struct {
	URL  string   // https://host:port
	Pins []string // "sha256/..." public-key pins, the CA's first
	Code string   // one-time code, XXXX-XXXX-XXXX
}

const inviteScheme = "dudao"

// String is the invite as a dudao://enrol URI, the QR code's content.
func (i Invite) String() string {
	q := url.Values{}
	q.Set("hub", i.URL)
	for _, p := range i.Pins {
		q.Add("pin", p)
	}
	q.Set("code", i.Code)
	return inviteScheme + "://enrol?" + q.Encode()
}

// QR renders the invite as a QR code of Unicode half blocks for a terminal.
func (i Invite) QR() (string, error) {
	q, err := qrcode.New(i.String(), qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("render enrolment QR code: %w", err)
	}
	return q.ToSmallString(false), nil
}

// ParseInvite reads an invite from a scanned or pasted dudao://enrol URI.
func ParseInvite(s string) (Invite, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme != inviteScheme || u.Host != "enrol" {
		return Invite{}, fmt.Errorf("not a Dudao enrolment code: want %s://enrol?hub=…&pin=…&code=…", inviteScheme)
	}
	q := u.Query()
	inv := Invite{URL: q.Get("hub"), Pins: q["pin"], Code: q.Get("code")}
	if err := inv.Validate(); err != nil {
		return Invite{}, err
	}
	return inv, nil
}

// Validate checks that an invite is complete.
func (i Invite) Validate() error {
	u, err := url.Parse(i.URL)
	switch {
	case err != nil || u.Scheme != "https" || u.Host == "":
		return fmt.Errorf("enrolment: hub address %q: want https://host:port", i.URL)
	case len(i.Pins) == 0:
		return fmt.Errorf("enrolment: no certificate pin")
	case NormaliseCode(i.Code) == "":
		return fmt.Errorf("enrolment: no code")
	}
	for _, p := range i.Pins {
		b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(p, "sha256/"))
		if !strings.HasPrefix(p, "sha256/") || err != nil || len(b) != sha256.Size {
			return fmt.Errorf("enrolment: pin %q: want sha256/ and a base64 SHA-256", p)
		}
	}
	return nil
}

// codeAlphabet is Crockford's base32: no I, L, O or U to misread or mistype.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newCode returns a one-time enrolment code of 12 characters (60 bits),
// grouped in fours for reading aloud.
func newCode() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate enrolment code: %w", err)
	}
	var sb strings.Builder
	for i, x := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[int(x)%len(codeAlphabet)])
	}
	return sb.String(), nil
}

// NormaliseCode brings a typed code to its canonical form: upper case,
// without separators, with the letters people confuse mapped as Crockford
// does (O to 0, I and L to 1).
func NormaliseCode(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case r == '-' || r == ' ':
			continue
		}
		if !strings.ContainsRune(codeAlphabet, r) {
			return ""
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// hashSecret is how codes, tokens and nonces are kept on the hub: they carry
// 60 to 256 random bits, so a plain SHA-256 is enough (a slow hash protects
// guessable secrets such as PINs, not these).
func hashSecret(kind, s string) string {
	sum := sha256.Sum256([]byte("dudao-" + kind + "\x00" + s))
	return hex.EncodeToString(sum[:])
}

// randomToken returns n random bytes, base64url.
func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
