package sync

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Invite is what the hub shows at enrolment (as a QR code and as text) and
// the tablet needs to enrol: where the hub is, the public keys to pin, and
// the one-time code.
//
// An invite typed by hand (Typed) carries a Check instead of the pins: two
// pins are too long to type, so the tablet learns them from the hub over a
// connection whose certificate matches the check (Enrol).
type Invite struct {
	URL   string   // https://host:port
	Pins  []string // "sha256/..." public-key pins, the CA's first
	Code  string   // one-time code, XXXX-XXXX-XXXX
	Check string   // typed invites only: the first pin's check, 16 characters
}

const inviteScheme = "dudao"

// DefaultPort is the port a typed address without one means: serve's
// default --addr.
const DefaultPort = "8443"

// String is the invite as a dudao://enrol URI, the QR code's content. A
// typed invite has no pins to put in one, so it is its typed form.
func (i Invite) String() string {
	if len(i.Pins) == 0 && i.Check != "" {
		return i.Typed()
	}
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

// Typed is the invite as a person types it: the hub's address, the code
// and the check, "10.1.2.3:8443  ABCD-EFGH-JKMN  7K3Q-M9PX-2D4F-H8JW". The
// port is always written, so a URL without one (443) is not read back as
// DefaultPort.
func (i Invite) Typed() string {
	addr := i.URL
	if u, err := url.Parse(i.URL); err == nil && u.Host != "" {
		addr = u.Host
		if u.Port() == "" {
			addr = net.JoinHostPort(u.Hostname(), "443")
		}
	}
	check := i.Check
	if check == "" && len(i.Pins) > 0 {
		check, _ = pinCheck(i.Code, i.Pins[0])
	}
	return addr + "  " + groupFours(NormaliseCode(i.Code)) + "  " + groupFours(NormaliseCode(check))
}

// Lengths of the typed parts, in characters of codeAlphabet.
const (
	codeChars  = 12
	checkChars = 16
)

// checkEncoding writes a check in the code's alphabet, so that NormaliseCode
// forgives the same typing mistakes in both.
var checkEncoding = base32.NewEncoding(codeAlphabet).WithPadding(base32.NoPadding)

// pinCheck is what a typed invite carries instead of a pin: 80 bits, 16
// characters, of a SHA-256 over the enrolment code and the pin's key hash
// (keyCheck). Bound to the code, a check is good for one enrolment: forging
// a key that matches it is a second-preimage search of 2^80 hashes that
// would have to finish within that code's life, and a check seen once says
// nothing about the next one.
func pinCheck(code, pin string) (string, error) {
	sum, err := pinSum(pin)
	if err != nil {
		return "", err
	}
	return keyCheck(code, sum), nil
}

// keyCheck is the check of the key whose SubjectPublicKeyInfo hashes to
// keySum, for the enrolment code code.
func keyCheck(code string, keySum []byte) string {
	h := sha256.New()
	h.Write([]byte("dudao-check\x00" + NormaliseCode(code) + "\x00"))
	h.Write(keySum)
	return sumCheck(h.Sum(nil))
}

func sumCheck(sum []byte) string { return checkEncoding.EncodeToString(sum[:checkChars*5/8]) }

// pinSum decodes a pin to its SHA-256.
func pinSum(pin string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(pin, "sha256/"))
	if !strings.HasPrefix(pin, "sha256/") || err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("enrolment: pin %q: want sha256/ and a base64 SHA-256", pin)
	}
	return b, nil
}

func groupFours(s string) string {
	var sb strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// ParseInvite reads an invite from a scanned or pasted dudao://enrol URI,
// or from its typed form (see Typed), forgiving what people mistype: extra
// spaces, lower case, O for 0 and I or L for 1, "https://" or not, and no
// port for DefaultPort.
func ParseInvite(s string) (Invite, error) {
	s = strings.TrimSpace(s)
	if len(s) < len(inviteScheme)+1 || !strings.EqualFold(s[:len(inviteScheme)+1], inviteScheme+":") {
		return parseTyped(s)
	}
	u, err := url.Parse(s)
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

// typedExample is shown when a typed invite does not read.
const typedExample = "10.1.2.3:8443  ABCD-EFGH-JKMN  7K3Q-M9PX-2D4F-H8JW"

func parseTyped(s string) (Invite, error) {
	fields := strings.Fields(foldWidth(s))
	if len(fields) < 2 {
		return Invite{}, fmt.Errorf("not a Dudao enrolment code: want %s://enrol?hub=…&pin=…&code=…, or the hub's address, the code and the check, as in %q",
			inviteScheme, typedExample)
	}
	addr, err := typedAddress(fields[0])
	if err != nil {
		return Invite{}, err
	}
	// Spaces inside the code or the check (typed in groups of four) do not
	// matter: the two have fixed lengths, so their characters in order are
	// enough.
	rest := NormaliseCode(strings.Join(fields[1:], ""))
	if len(rest) != codeChars+checkChars {
		if len(fields) == 3 {
			if err := typedPart("code", fields[1], codeChars); err != nil {
				return Invite{}, err
			}
			if err := typedPart("check", fields[2], checkChars); err != nil {
				return Invite{}, err
			}
		}
		return Invite{}, fmt.Errorf("enrolment: after the hub's address, want the code (%d characters) and the check (%d), as in %q",
			codeChars, checkChars, typedExample)
	}
	inv := Invite{URL: "https://" + addr, Code: groupFours(rest[:codeChars]), Check: rest[codeChars:]}
	if err := inv.Validate(); err != nil {
		return Invite{}, err
	}
	return inv, nil
}

// typedPart says what is wrong with a typed code or check.
func typedPart(name, s string, want int) error {
	n := len(NormaliseCode(s))
	switch {
	case n == 0:
		return fmt.Errorf("enrolment: the %s %q has a character other than digits and letters (U is never used)", name, s)
	case n != want:
		return fmt.Errorf("enrolment: the %s %q has %d characters, not %d", name, s, n, want)
	}
	return nil
}

// foldWidth turns full-width forms into ASCII: a Chinese input method left
// on types "：" and "．" where the address has ":" and ".", and "　" between
// the parts.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '！' && r <= '～':
			return r - '！' + '!'
		case r == '。':
			return '.'
		case r == '　':
			return ' '
		}
		return r
	}, s)
}

// typedAddress reads a typed hub address: host or host:port, "https://"
// optional, a host name or IP address.
func typedAddress(s string) (string, error) {
	bad := func(why string) error {
		return fmt.Errorf("enrolment: hub address %q: %s; want host:port, as in %q", s, why, typedExample)
	}
	a := strings.TrimSuffix(s, "/")
	if scheme, rest, ok := strings.Cut(a, "://"); ok {
		if !strings.EqualFold(scheme, "https") {
			return "", bad("the hub speaks https only")
		}
		a = rest
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		// No port, or an IPv6 address without brackets.
		host, port = strings.TrimSuffix(strings.TrimPrefix(a, "["), "]"), DefaultPort
	}
	host = strings.ToLower(host)
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", bad("the port is a number from 1 to 65535")
	}
	if net.ParseIP(host) == nil {
		if host == "" || strings.Trim(host, "abcdefghijklmnopqrstuvwxyz0123456789.-") != "" {
			return "", bad("not a host name or IP address")
		}
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), nil
}

// Validate checks that an invite is complete: a URI invite has pins, a
// typed one a check and no pins (the hub gives them at enrolment).
func (i Invite) Validate() error {
	u, err := url.Parse(i.URL)
	switch {
	case err != nil || u.Scheme != "https" || u.Host == "":
		return fmt.Errorf("enrolment: hub address %q: want https://host:port", i.URL)
	case i.Check != "" && len(i.Pins) > 0:
		return fmt.Errorf("enrolment: an invite has pins or a check, not both")
	case i.Check != "" && len(NormaliseCode(i.Check)) != checkChars:
		return fmt.Errorf("enrolment: check %q: want %d letters or digits of %s", i.Check, checkChars, codeAlphabet)
	case i.Check == "" && len(i.Pins) == 0:
		return fmt.Errorf("enrolment: no certificate pin")
	case NormaliseCode(i.Code) == "":
		return fmt.Errorf("enrolment: no code")
	}
	for _, p := range i.Pins {
		if _, err := pinSum(p); err != nil {
			return err
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
