package sync

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	stdsync "sync"
	"time"
)

// The HTTP carrier. Every operation is a POST of JSON (a PUT of bytes for a
// photo chunk) to /v1/...; every answer is an Envelope with Cache-Control
// no-store, and its HTTP status follows its error code.

var opPaths = map[Op]string{
	OpEnrol:       "/v1/enrol",
	OpPull:        "/v1/pull",
	OpPush:        "/v1/push",
	OpPhotoStatus: "/v1/photos/status",
	OpReceipt:     "/v1/receipt",
}

// ServerOptions are the HTTP carrier's limits.
type ServerOptions struct {
	// MaxBody bounds a JSON request body (32 MB): a push of a few hundred
	// records with long notes.
	MaxBody int64
	// ReadTimeout and WriteTimeout bound a whole request and answer (2
	// minutes: a 1 MB chunk over a hall's slow uplink).
	ReadTimeout, WriteTimeout time.Duration
	// IdleTimeout closes idle keep-alive connections (2 minutes).
	IdleTimeout time.Duration
	// MaxAdminBody bounds an admin call's body (64 MB): a roster or
	// standard file, base64 in JSON.
	MaxAdminBody int64
}

func (o ServerOptions) withDefaults() ServerOptions {
	if o.MaxBody <= 0 {
		o.MaxBody = 32 << 20
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 2 * time.Minute
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 2 * time.Minute
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 2 * time.Minute
	}
	if o.MaxAdminBody <= 0 {
		o.MaxAdminBody = 64 << 20
	}
	return o
}

// Handler returns the hub's HTTP handler.
func (h *Hub) Handler(opt ServerOptions) http.Handler {
	opt = opt.withDefaults()
	mux := http.NewServeMux()
	for op, path := range opPaths {
		mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			h.serveHTTP(w, r, op, opt.MaxBody)
		})
	}
	mux.HandleFunc("PUT /v1/photos/{sha}", func(w http.ResponseWriter, r *http.Request) {
		h.serveHTTP(w, r, OpPhotoChunk, h.opt.MaxChunk)
	})
	mux.HandleFunc("POST "+adminPathPrefix+"{method}", func(w http.ResponseWriter, r *http.Request) {
		h.serveHTTP(w, r, OpAdmin, opt.MaxAdminBody)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.writeEnvelope(w, r.Context(), &Error{Code: CodeNotFound,
			Message: fmt.Sprintf("no such operation: %s %s", r.Method, r.URL.Path)})
	})
	return mux
}

func (h *Hub) serveHTTP(w http.ResponseWriter, r *http.Request, op Op, limit int64) {
	c := &Call{Op: op, Remote: r.RemoteAddr}
	c.Version, _ = strconv.Atoi(r.Header.Get(HeaderVersion))
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		c.Token = strings.TrimSpace(tok)
	}
	if op == OpPhotoChunk {
		c.SHA256, c.ChunkSHA256 = r.PathValue("sha"), r.Header.Get(HeaderChunkSHA256)
		off, err := strconv.ParseInt(r.URL.Query().Get("offset"), 10, 64)
		if err != nil || off < 0 {
			h.writeEnvelope(w, r.Context(), fmt.Errorf("%w: offset %q is not a byte offset", ErrBadRequest, r.URL.Query().Get("offset")))
			return
		}
		c.Offset = off
	}
	if op == OpAdmin {
		c.Method = r.PathValue("method")
		c.User = decodeUserHeader(r.Header.Get(HeaderUser))
	}
	if op == OpEnrol {
		limit = min(limit, maxEnrolBody)
	}
	// The body is read only for a call the hub would take: a caller without
	// a valid token gets its answer without the hub reading (and buffering)
	// whatever it claims to send.
	if err := h.Admit(r.Context(), c); err != nil {
		writeHTTP(w, h.Serve(r.Context(), c))
		return
	}
	body, err := readBody(http.MaxBytesReader(w, r.Body, limit), r.ContentLength, limit)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = &Error{Code: CodeTooLarge, Message: fmt.Sprintf("the request body is over %d bytes", limit)}
		} else {
			err = fmt.Errorf("%w: the request body is truncated", ErrBadRequest)
		}
		// Answered through Serve, which logs the refusal with its device.
		c.admitted.err = err
	}
	c.Body = body
	env := h.Serve(r.Context(), c)
	writeHTTP(w, env)
}

const (
	// maxEnrolBody bounds an enrolment's body: a code and a token, read
	// from a caller the hub does not know yet.
	maxEnrolBody = 64 << 10
	// maxPreallocBody is the largest body read into a buffer of its
	// announced size at once (a photo chunk, a push of records).
	maxPreallocBody = 8 << 20
)

// readBody reads a request body of the length its header announces (-1:
// unknown) into one buffer of that size, instead of growing one: a photo
// chunk is 256 KB, and io.ReadAll would allocate and copy about twice that
// for each. A body shorter than announced is an io.ErrUnexpectedEOF.
func readBody(r io.Reader, length, limit int64) ([]byte, error) {
	// Past a few megabytes the buffer grows as bytes arrive: a length
	// announced is not a length sent.
	if length < 0 || length > limit || length > maxPreallocBody {
		return io.ReadAll(r)
	}
	body := make([]byte, length)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return body, nil
}

// writeEnvelope answers with an error the carrier found before the hub saw
// the call; it still names the hub, so the client knows whose answer it is.
func (h *Hub) writeEnvelope(w http.ResponseWriter, ctx context.Context, err error) {
	env := &Envelope{Protocol: Marker, Version: Version, ServerTime: h.opt.Now().UTC(), Error: wireError(err)}
	if id, ierr := h.Identity(ctx); ierr == nil {
		env.HubID, env.Epoch = id.HubID, id.Epoch
	}
	writeHTTP(w, env)
}

func writeHTTP(w http.ResponseWriter, env *Envelope) {
	status := http.StatusOK
	if env.Error != nil {
		status = HTTPStatus(env.Error.Code)
		if env.Error.RetryAfterMS > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt((env.Error.RetryAfterMS+999)/1000, 10))
		}
	}
	var buf bytes.Buffer
	_ = WriteEnvelope(&buf, env)
	hd := w.Header()
	hd.Set("Content-Type", ContentType)
	hd.Set("Cache-Control", "no-store")
	hd.Set(HeaderVersion, strconv.Itoa(Version))
	hd.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// NewServer returns an HTTPS server for the hub on addr with the given
// certificate and the carrier's limits and timeouts.
func NewServer(addr string, h *Hub, cert tls.Certificate, opt ServerOptions) *http.Server {
	opt = opt.withDefaults()
	return &http.Server{
		Addr:              addr,
		Handler:           h.Handler(opt),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 15 * time.Second,
		ReadTimeout:       opt.ReadTimeout,
		WriteTimeout:      opt.WriteTimeout,
		IdleTimeout:       opt.IdleTimeout,
		MaxHeaderBytes:    32 << 10,
		// Handshake failures of scanners and of tablets on bad networks
		// are routine; they stay out of the hub's log unless debugging.
		ErrorLog: slog.NewLogLogger(h.log.Handler(), slog.LevelDebug),
	}
}

// ---- client side ----

// Transport carries calls to a hub.
type Transport interface {
	Do(ctx context.Context, c *Call) (*Envelope, error)
}

// TransportOptions tune an HTTPTransport.
type TransportOptions struct {
	// DialContext replaces the dialer (tests route through a fault proxy).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds one call, answer included (2 minutes).
	Timeout time.Duration
	// Wrap wraps the HTTP round tripper (tests duplicate requests).
	Wrap func(http.RoundTripper) http.RoundTripper
}

// HTTPTransport calls a hub over HTTPS, trusting only certificates that
// chain to a pinned public key.
type HTTPTransport struct {
	base   string
	client *http.Client
}

// maxAnswer bounds an answer's size: a full receipt of a busy tablet or a
// pull page with standard files is a few MB.
const maxAnswer = 256 << 20

// NewHTTPTransport returns a transport to the hub at baseURL (https://…).
func NewHTTPTransport(baseURL string, pins []string, opt TransportOptions) *HTTPTransport {
	if opt.Timeout <= 0 {
		opt.Timeout = 2 * time.Minute
	}
	dialer := &net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}
	dial := opt.DialContext
	if dial == nil {
		dial = dialer.DialContext
	}
	tr := &http.Transport{
		DialContext: dial,
		TLSClientConfig: &tls.Config{
			MinVersion: tls.VersionTLS12,
			// The chain is checked against the pins in VerifyConnection
			// instead of the system roots: the hub's CA is its own.
			InsecureSkipVerify: true,
			VerifyConnection: func(cs tls.ConnectionState) error {
				return verifyPinned(cs.PeerCertificates, pins)
			},
		},
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: opt.Timeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}
	var rt http.RoundTripper = tr
	if opt.Wrap != nil {
		rt = opt.Wrap(rt)
	}
	return &HTTPTransport{base: strings.TrimRight(baseURL, "/"), client: &http.Client{Transport: rt, Timeout: opt.Timeout,
		// A redirect is not the hub's answer (portals redirect).
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Do sends a call and returns the hub's envelope. A network failure is an
// *Error with CodeUnreachable, an answer that is not the hub's CodeNotHub,
// a certificate that does not match the pins CodeCertChanged.
func (t *HTTPTransport) Do(ctx context.Context, c *Call) (*Envelope, error) {
	method, path := http.MethodPost, opPaths[c.Op]
	if c.Op == OpPhotoChunk {
		method, path = http.MethodPut, "/v1/photos/"+c.SHA256+"?offset="+strconv.FormatInt(c.Offset, 10)
	}
	if c.Op == OpAdmin {
		path = adminPath(c.Method)
	}
	if path == "" {
		return nil, fmt.Errorf("call hub: unknown operation %q", c.Op)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.base+path, bytes.NewReader(c.Body))
	if err != nil {
		return nil, localError(CodeLocalProblem, fmt.Errorf("hub address %q: %w", t.base, err))
	}
	req.Header.Set(HeaderVersion, strconv.Itoa(c.Version))
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Op == OpAdmin && c.User != "" {
		req.Header.Set(HeaderUser, encodeUserHeader(c.User))
	}
	if c.Op == OpPhotoChunk {
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set(HeaderChunkSHA256, c.ChunkSHA256)
	} else {
		req.Header.Set("Content-Type", ContentType)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, transportError(ctx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, transportError(ctx, err)
	}
	env, err := parseEnvelope(body)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Status = resp.StatusCode
		}
		return nil, err
	}
	if env.Error != nil {
		env.Error.Status = resp.StatusCode
	}
	return env, nil
}

func transportError(ctx context.Context, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e // a certificate that does not match the pins
	}
	var ue x509.UnknownAuthorityError
	if errors.As(err, &ue) {
		return &Error{Code: CodeCertChanged, Message: ErrCertChanged.Error(), cause: err}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &Error{Code: CodeUnreachable, Message: fmt.Sprintf("%v: %v", ErrUnreachable, err), cause: err}
}

// StreamTransport calls a hub over one byte stream (ServeStream at the
// other end), one call at a time.
type StreamTransport struct {
	mu stdsync.Mutex
	w  io.Writer
	r  *bufio.Reader
}

// NewStreamTransport returns a transport writing calls to w and reading
// answers from r.
func NewStreamTransport(r io.Reader, w io.Writer) *StreamTransport {
	return &StreamTransport{w: w, r: bufio.NewReader(r)}
}

// Do sends a call and reads its answer.
func (t *StreamTransport) Do(ctx context.Context, c *Call) (*Envelope, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := WriteCall(t.w, c); err != nil {
		return nil, &Error{Code: CodeUnreachable, Message: err.Error(), cause: err}
	}
	env, err := ReadEnvelope(t.r)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		return nil, &Error{Code: CodeUnreachable, Message: err.Error(), cause: err}
	}
	return env, nil
}

// ServeStream answers calls read from r on w until r ends or a call is
// malformed beyond recovery (the stream is then out of step: the error is
// answered and the stream closed).
func ServeStream(ctx context.Context, h *Hub, r io.Reader, w io.Writer, maxBody int64) error {
	br := bufio.NewReader(r)
	for {
		c, err := ReadCall(br, maxBody)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			h.writeStreamError(ctx, w, err)
			return fmt.Errorf("serve stream: %w", err)
		}
		c.Remote = "stream"
		if err := WriteEnvelope(w, h.Serve(ctx, c)); err != nil {
			return fmt.Errorf("serve stream: %w", err)
		}
	}
}

func (h *Hub) writeStreamError(ctx context.Context, w io.Writer, err error) {
	env := &Envelope{Protocol: Marker, Version: Version, ServerTime: h.opt.Now().UTC(), Error: wireError(err)}
	if id, ierr := h.Identity(ctx); ierr == nil {
		env.HubID, env.Epoch = id.HubID, id.Epoch
	}
	_ = WriteEnvelope(w, env)
}
