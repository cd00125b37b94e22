package sync

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// decodeJSON decodes one JSON value that must be all of b. Unknown fields
// are allowed, so that a newer app's extra fields do not break an older hub
// of the same protocol version.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %s", ErrBadRequest, JSONProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: data after the JSON value", ErrBadRequest)
	}
	return nil
}

// JSONProblem words a decoding error without quoting the input back; the
// admin API's decoder words its errors with it too.
func JSONProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is truncated"
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q: want %s, got %s", te.Field, te.Type, te.Value)
	}
	return "invalid JSON: " + err.Error()
}

// ---- stream carrier ----
//
// On a byte stream, a call is a JSON header line followed by the body's
// bytes (their length is in the header), and an answer is one JSON line.
// It is HTTP's job in production; here it lets both ends be tested through
// io.Pipe with nothing else in the way.

type streamHeader struct {
	Op          Op     `json:"op"`
	Version     int    `json:"version"`
	Token       string `json:"token,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	Offset      int64  `json:"offset,omitempty"`
	ChunkSHA256 string `json:"chunk_sha256,omitempty"`
	Method      string `json:"method,omitempty"`
	User        string `json:"user,omitempty"`
	Length      int64  `json:"length"`
}

// maxHeaderLine bounds one header or answer line on a stream.
const maxHeaderLine = 64 << 10

// WriteCall writes a call to a stream.
func WriteCall(w io.Writer, c *Call) error {
	h, err := json.Marshal(streamHeader{Op: c.Op, Version: c.Version, Token: c.Token, SHA256: c.SHA256,
		Offset: c.Offset, ChunkSHA256: c.ChunkSHA256, Method: c.Method, User: c.User, Length: int64(len(c.Body))})
	if err != nil {
		return fmt.Errorf("write call: %w", err)
	}
	if _, err := w.Write(append(h, '\n')); err != nil {
		return fmt.Errorf("write call: %w", err)
	}
	if _, err := w.Write(c.Body); err != nil {
		return fmt.Errorf("write call: %w", err)
	}
	return nil
}

// ReadCall reads one call from a stream; maxBody bounds its body. An error
// wrapping ErrBadRequest means the stream is out of step and must close.
func ReadCall(r *bufio.Reader, maxBody int64) (*Call, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	var h streamHeader
	if err := decodeJSON(line, &h); err != nil {
		return nil, fmt.Errorf("read call header: %w", err)
	}
	if h.Length < 0 || h.Length > maxBody {
		return nil, fmt.Errorf("read call: %w: body of %d bytes, at most %d", ErrTooLarge, h.Length, maxBody)
	}
	body := make([]byte, h.Length)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, fmt.Errorf("read call body: %w: the body is truncated", ErrBadRequest)
	}
	return &Call{Op: h.Op, Version: h.Version, Token: h.Token, Body: body, SHA256: h.SHA256,
		Offset: h.Offset, ChunkSHA256: h.ChunkSHA256, Method: h.Method, User: h.User}, nil
}

func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		part, isPrefix, err := r.ReadLine()
		if err != nil {
			if errors.Is(err, io.EOF) && len(line) == 0 {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("read line: %w", err)
		}
		line = append(line, part...)
		if len(line) > maxHeaderLine {
			return nil, fmt.Errorf("%w: line longer than %d bytes", ErrTooLarge, maxHeaderLine)
		}
		if !isPrefix {
			return line, nil
		}
	}
}

// WriteEnvelope writes an answer as one JSON line.
func WriteEnvelope(w io.Writer, env *Envelope) error {
	b, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("write answer: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write answer: %w", err)
	}
	return nil
}

// ReadEnvelope reads one answer line.
func ReadEnvelope(r *bufio.Reader) (*Envelope, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	return parseEnvelope(line)
}

// parseEnvelope decodes an answer and refuses anything that is not the
// hub's: a captive portal's page, a proxy's error, an empty 200.
func parseEnvelope(b []byte) (*Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(b, &env); err != nil || env.Protocol != Marker {
		return nil, &Error{Code: CodeNotHub, Message: ErrNotHub.Error()}
	}
	if (env.Error == nil) == (env.Result == nil) {
		return nil, &Error{Code: CodeNotHub, Message: "the hub's answer has neither a result nor an error"}
	}
	return &env, nil
}

// ---- cursor ----

// cursor is what an opaque pull cursor carries: the hub's epoch, so that a
// cursor from before a restore is recognised as meaningless, and the change
// number to continue after.
type cursor struct {
	Epoch string `json:"e"`
	Seq   int64  `json:"s"`
	// Tag is change Seq's tag (store.MasterPage.LastTag): a hub whose
	// change Seq has another tag, or none, was rolled back since.
	Tag int64 `json:"t,omitempty"`
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func parseCursor(s string) (cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, false
	}
	var c cursor
	if json.Unmarshal(b, &c) != nil || c.Seq < 0 || c.Epoch == "" {
		return cursor{}, false
	}
	return c, true
}

// ---- receipt ----

// DigestEntry is one complete record in a receipt's digest.
type DigestEntry struct {
	Kind, ID, Hash string
}

// Digest is the SHA-256 over "kind id hash\n" of each entry, sorted by kind
// and ID. The hub computes it over every complete record it holds for a
// device, the tablet over every record it has marked delivered; when they
// differ, one side has lost something.
func Digest(entries []DigestEntry) string {
	es := slices.Clone(entries)
	slices.SortFunc(es, func(a, b DigestEntry) int {
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	h := sha256.New()
	for _, e := range es {
		fmt.Fprintf(h, "%s %s %s\n", e.Kind, e.ID, e.Hash)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// signReceipt encodes and signs a receipt body.
func signReceipt(key ed25519.PrivateKey, body *ReceiptBody) (*ReceiptResult, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("sign receipt: %w", err)
	}
	return &ReceiptResult{Body: b, Signature: ed25519.Sign(key, b)}, nil
}

// VerifyReceipt checks a receipt's signature with the hub's public key and
// decodes its body.
func VerifyReceipt(pub ed25519.PublicKey, r *ReceiptResult) (*ReceiptBody, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, &Error{Code: CodeBadReceipt, Message: "no receipt key from enrolment"}
	}
	if r == nil || !ed25519.Verify(pub, r.Body, r.Signature) {
		return nil, &Error{Code: CodeBadReceipt, Message: ErrBadReceipt.Error() + ": bad signature"}
	}
	var body ReceiptBody
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return nil, &Error{Code: CodeBadReceipt, Message: ErrBadReceipt.Error() + ": " + err.Error()}
	}
	return &body, nil
}
