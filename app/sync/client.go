package sync

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	stdsync "sync"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
)

// Settings the client keeps in the tablet's store.
const (
	keyHubURL     = "sync.hub_url"
	keyPins       = "sync.pins"
	keyToken      = "sync.token"
	keyDeviceID   = "sync.device_id"
	keyDeviceName = "sync.device_name"
	keyRegionID   = "sync.region_id"
	keyHubID      = "sync.hub_id"
	keyReceiptKey = "sync.receipt_key"
	keyEpoch      = "sync.epoch"
	keyCursor     = "sync.cursor"
	keyOffset     = "sync.clock_offset_ms"
	keyLastSync   = "sync.last_sync"
	keyRevoked    = "sync.revoked"
	keyEnrolNonce = "sync.enrol_nonce"
	// settingDevice is flow.SettingDevice: enrolment makes the hub's device
	// ID this device's identity (sync must not import flow).
	settingDevice = "device.id"
)

// ClientOptions tune a Client. Zero values take the defaults.
type ClientOptions struct {
	// Transport replaces the HTTPS transport (tests, other carriers).
	Transport Transport
	// TransportOptions tune the HTTPS transport.
	TransportOptions TransportOptions
	// Progress receives progress events during Sync, one at a time and in
	// order, from Sync's goroutines (photos upload beside the pushes): it
	// must return quickly and not call the Client (the UI bridge hands the
	// event to fyne.Do).
	Progress func(Progress)
	Logger   *slog.Logger
	Now      func() time.Time
	// Sleep waits between retries; tests make it instant.
	Sleep func(ctx context.Context, d time.Duration) error
	// Attempts is how often one call is tried on retryable errors (5).
	Attempts int
	// BackoffBase and BackoffMax shape the exponential backoff with full
	// jitter between attempts (500 ms doubling up to 30 s).
	BackoffBase, BackoffMax time.Duration
	// BatchRecords and BatchBytes bound one push (100 records, 512 KB:
	// a hundred typical records take a third of that, and on a hall's
	// slowest uplink, about 35 kbit/s, 512 KB still fits the 2-minute
	// call timeout; a record larger than BatchBytes goes alone).
	BatchRecords int
	BatchBytes   int
	// InFlight is how many push batches may be on their way at once (2):
	// the hub decodes one while it writes the other, and the tablet records
	// one answer while the next is on the wire.
	InFlight int
	// ChunkSize is the photo chunk size (256 KB): a cut upload resends at
	// most this much.
	ChunkSize int
	// PhotoUploads is how many photos are uploaded at once (2): while the
	// hub makes one durable (its own fsyncs), the next is on the wire.
	PhotoUploads int
	// PullLimit asks for smaller pull pages than the hub's (tests).
	PullLimit int
}

func (o ClientOptions) withDefaults() ClientOptions {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = 500 * time.Millisecond
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 30 * time.Second
	}
	if o.BatchRecords <= 0 {
		o.BatchRecords = 100
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = 512 << 10
	}
	if o.InFlight <= 0 {
		o.InFlight = 2
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = 256 << 10
	}
	if o.PhotoUploads <= 0 {
		o.PhotoUploads = 2
	}
	return o
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Stage is a phase of a sync.
type Stage string

const (
	StagePull    Stage = "pull"
	StagePush    Stage = "push"
	StagePhotos  Stage = "photos"
	StageReceipt Stage = "receipt"
	StageDone    Stage = "done"
)

// Progress is a sync's progress in records and photo bytes.
type Progress struct {
	Stage        Stage
	RecordsDone  int
	RecordsTotal int
	BytesDone    int64
	BytesTotal   int64
}

// Report says what a sync did.
type Report struct {
	HubID        string
	Epoch        string
	EpochChanged bool // the hub was restored from a backup, or replaced
	FullResync   bool // master data was replaced as a whole
	Pulled       int  // master records and tombstones applied
	Queued       int  // sealed records newly queued
	Sent         int  // records the hub took (new or already held)
	PhotosSent   int
	BytesSent    int64
	Delivered    int // newly marked delivered by the receipt
	Resent       int // delivered before, but the hub no longer held them
	Quarantined  int
	Parked       int
	Pending      int  // not delivered after this sync
	DigestOK     bool // the hub's digest matches this device's delivered marks
	ClockOffset  time.Duration
	// HubTime is the hub's clock when it issued the receipt (zero: no
	// receipt), the time delivered marks are dated by.
	HubTime time.Time
}

// Client is the tablet's side of sync.
type Client struct {
	st  store.TabletStore
	opt ClientOptions
	tr  Transport
	log *slog.Logger

	hubURL     string
	pins       []string
	token      string
	deviceID   string
	hubID      string
	receiptKey ed25519.PublicKey
	epoch      string

	running stdsync.Mutex
	rngMu   stdsync.Mutex
	rng     *rand.Rand
}

func newClient(st store.TabletStore, opt ClientOptions) *Client {
	opt = opt.withDefaults()
	return &Client{st: st, opt: opt, log: opt.Logger, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
}

func (c *Client) transport() Transport {
	if c.opt.Transport != nil {
		return c.opt.Transport
	}
	return NewHTTPTransport(c.hubURL, c.pins, c.opt.TransportOptions)
}

// Enrol enrols this device with the hub of an invite: it redeems the
// one-time code over a connection that trusts only the invite's pins, and
// keeps the device token, the pins and the hub's receipt key. A typed
// invite has a check instead of pins: the connection trusts the key of the
// hub's chain that matches it, and the pins kept are that key's and those
// the hub's answer lists over that connection.
func Enrol(ctx context.Context, st store.TabletStore, inv Invite, opt ClientOptions) (*Client, error) {
	if err := inv.Validate(); err != nil {
		return nil, err
	}
	c := newClient(st, opt)
	c.hubURL, c.pins = inv.URL, inv.Pins
	var checked *checkedTransport
	if inv.Check != "" {
		if opt.Transport != nil {
			return nil, localError(CodeLocalProblem, errors.New("a typed invite is checked against the hub's HTTPS certificate, and this carrier has none"))
		}
		checked = &checkedTransport{url: inv.URL, code: NormaliseCode(inv.Code), check: NormaliseCode(inv.Check), opt: c.opt.TransportOptions}
		c.tr = checked
	} else {
		c.tr = c.transport()
	}
	code := NormaliseCode(inv.Code)
	// The tablet chooses its token, and keeps it with the code before
	// asking: a tablet whose answer was lost (even across a restart of the
	// app) redeems the same code again with the same token, and only it can.
	token := ""
	if saved, err := st.Setting(ctx, keyEnrolNonce); err == nil {
		if k, tok, ok := strings.Cut(saved, " "); ok && k == code {
			token = tok
		}
	}
	if token == "" {
		var err error
		if token, err = randomToken(32); err != nil {
			return nil, err
		}
		if err := st.SetSetting(ctx, keyEnrolNonce, code+" "+token); err != nil {
			return nil, localError(CodeLocalProblem, err)
		}
	}
	var res EnrolResult
	env, err := c.call(ctx, &Call{Op: OpEnrol}, EnrolRequest{Code: code, Token: token}, &res)
	if err != nil {
		return nil, fmt.Errorf("enrol with %s: %w", inv.URL, err)
	}
	if res.HubID != env.HubID || res.DeviceID == "" || len(res.ReceiptKey) != ed25519.PublicKeySize {
		return nil, &Error{Code: CodeNotHub, Message: "enrol: the hub's answer is incomplete"}
	}
	if checked != nil {
		if c.pins, err = checked.keep(res.Pins); err != nil {
			return nil, err
		}
		// Sync goes on over an ordinary transport, trusting every pin kept.
		c.tr = c.transport()
	}
	previous, _ := st.Setting(ctx, keyHubID)
	settings := map[string]string{
		keyHubURL: inv.URL, keyPins: strings.Join(c.pins, " "), keyToken: token,
		keyDeviceID: res.DeviceID, keyDeviceName: res.DeviceName, keyRegionID: res.RegionID,
		keyHubID: res.HubID, keyReceiptKey: base64.StdEncoding.EncodeToString(res.ReceiptKey),
		keyEpoch: res.Epoch, keyCursor: "", keyRevoked: "", keyEnrolNonce: "", settingDevice: res.DeviceID,
	}
	if err := st.SetSettings(ctx, settings); err != nil {
		return nil, localError(CodeLocalProblem, fmt.Errorf("save enrolment: %w", err))
	}
	// Marks of delivery to another hub mean nothing to this one.
	if previous != "" && previous != res.HubID {
		if err := c.resetOutbox(ctx); err != nil {
			return nil, err
		}
	}
	c.token, c.deviceID, c.hubID, c.receiptKey, c.epoch = token, res.DeviceID, res.HubID, res.ReceiptKey, res.Epoch
	c.log.Info("enrolled with hub", "hub", res.HubID, "url", inv.URL, "device", res.DeviceID)
	return c, nil
}

// checkedTransport carries the enrolment of a typed invite. Its first call
// connects once to learn which key of the hub's chain the check names (the
// chain verified against it); from then on it is an HTTPS transport pinned
// to that key, as one made from a URI invite's pins is.
type checkedTransport struct {
	url, code, check string
	opt              TransportOptions
	pin              string // the matched pin, once known
	tr               Transport
}

func (t *checkedTransport) Do(ctx context.Context, c *Call) (*Envelope, error) {
	if t.tr == nil {
		pin, err := t.matchPin(ctx)
		if err != nil {
			return nil, err
		}
		t.pin, t.tr = pin, NewHTTPTransport(t.url, []string{pin}, t.opt)
	}
	return t.tr.Do(ctx, c)
}

// matchPin makes a TLS handshake with the hub and returns the pin of the
// key in its chain whose check is the typed one.
func (t *checkedTransport) matchPin(ctx context.Context) (string, error) {
	u, err := url.Parse(t.url)
	if err != nil {
		return "", localError(CodeLocalProblem, fmt.Errorf("hub address %q: %w", t.url, err))
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "443")
	}
	dial := t.opt.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 15 * time.Second}).DialContext
	}
	hctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	raw, err := dial(hctx, "tcp", addr)
	if err != nil {
		return "", transportError(ctx, err)
	}
	defer raw.Close()
	var pin string
	conn := tls.Client(raw, &tls.Config{
		MinVersion: tls.VersionTLS12,
		ServerName: u.Hostname(),
		// As in NewHTTPTransport: the check, not the system roots, is what
		// makes the hub trusted.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) (err error) {
			pin, err = verifyChecked(cs.PeerCertificates, t.code, t.check)
			return err
		},
	})
	if err := conn.HandshakeContext(hctx); err != nil {
		return "", transportError(ctx, err)
	}
	_ = conn.Close()
	return pin, nil
}

// keep returns the pins to keep after enrolment: the matched one, first,
// and those the hub's answer lists (it came over the connection pinned to
// the matched key). An answer that does not list the matched key is not
// this hub's account of its keys, or comes from a hub too old to give one.
func (t *checkedTransport) keep(answer []string) ([]string, error) {
	if !slices.Contains(answer, t.pin) {
		return nil, &Error{Code: CodeNotHub, Message: "enrol: the hub's answer does not list the key the typed check matched " +
			"(is the hub older than this app? then enrol with the QR code's text)"}
	}
	pins := []string{t.pin}
	for _, p := range answer {
		if _, err := pinSum(p); err != nil {
			return nil, &Error{Code: CodeNotHub, Message: "enrol: the hub's answer: " + err.Error()}
		}
		if !slices.Contains(pins, p) {
			pins = append(pins, p)
		}
	}
	return pins, nil
}

func (c *Client) resetOutbox(ctx context.Context) error {
	items, err := c.st.Outbox(ctx)
	if err != nil {
		return localError(CodeLocalProblem, err)
	}
	var us []store.OutboxUpdate
	for _, it := range items {
		us = append(us, store.OutboxUpdate{ID: it.Key.ID, State: store.OutboxSealed})
	}
	if err := c.st.UpdateOutbox(ctx, us); err != nil {
		return localError(CodeLocalProblem, err)
	}
	return nil
}

// Open returns the client of an enrolled device, ErrNotEnrolled otherwise.
func Open(ctx context.Context, st store.TabletStore, opt ClientOptions) (*Client, error) {
	c := newClient(st, opt)
	get := func(k string) string { v, _ := st.Setting(ctx, k); return v }
	c.hubURL, c.token, c.deviceID, c.hubID, c.epoch = get(keyHubURL), get(keyToken), get(keyDeviceID), get(keyHubID), get(keyEpoch)
	c.pins = strings.Fields(get(keyPins))
	if c.token == "" || c.hubURL == "" || c.hubID == "" || len(c.pins) == 0 {
		return nil, &Error{Code: CodeNotEnrolled, Message: ErrNotEnrolled.Error()}
	}
	key, err := base64.StdEncoding.DecodeString(get(keyReceiptKey))
	if err != nil || len(key) != ed25519.PublicKeySize {
		return nil, &Error{Code: CodeNotEnrolled, Message: "the hub's receipt key is missing: enrol again"}
	}
	c.receiptKey = key
	c.tr = c.transport()
	return c, nil
}

// Status is what the settings screen shows about sync.
type Status struct {
	HubURL      string
	HubID       string
	DeviceID    string
	DeviceName  string
	LastSync    time.Time     // zero before the first complete sync
	ClockOffset time.Duration // this device's clock minus the hub's, at the last sync
	// Revoked is the hub's message when it refused this device as revoked,
	// empty otherwise; the data not yet sent stays on the device.
	Revoked string
}

// Status reads the client's state.
func (c *Client) Status(ctx context.Context) Status {
	get := func(k string) string { v, _ := c.st.Setting(ctx, k); return v }
	st := Status{HubURL: c.hubURL, HubID: c.hubID, DeviceID: c.deviceID, DeviceName: get(keyDeviceName), Revoked: get(keyRevoked)}
	st.LastSync, _ = time.Parse(time.RFC3339, get(keyLastSync))
	if d := c.savedOffset(ctx); d != nil {
		st.ClockOffset = *d
	}
	return st
}

// DeviceID is the ID the hub gave this device.
func (c *Client) DeviceID() string { return c.deviceID }

// HubID is the enrolled hub's ID.
func (c *Client) HubID() string { return c.hubID }

// call sends one call with retries: retryable failures back off
// exponentially with full jitter (and at least as long as the hub asked),
// permanent ones return at once. The answer's result is decoded into out.
func (c *Client) call(ctx context.Context, call *Call, req any, out any) (*Envelope, error) {
	call.Version, call.Token = Version, c.token
	if req != nil {
		b, err := json.Marshal(req)
		if err != nil {
			return nil, fmt.Errorf("encode %s request: %w", call.Op, err)
		}
		call.Body = b
	}
	var err error
	// A 429 does not use up an attempt: the hub says when the device may ask
	// again, and waiting that long is progress, not failure (photos going up
	// two at a time can outrun a device's request rate after its burst).
	for attempt := 0; ; {
		var env *Envelope
		env, err = c.tr.Do(ctx, call)
		if err == nil {
			err = c.check(env)
		}
		if err == nil {
			if out != nil {
				if uerr := json.Unmarshal(env.Result, out); uerr != nil {
					return env, &Error{Code: CodeNotHub, Message: fmt.Sprintf("the hub's %s answer does not decode: %v", call.Op, uerr)}
				}
			}
			return env, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var e *Error
		limited := errors.As(err, &e) && e.Code == CodeRateLimited
		if !Retryable(err) || (!limited && attempt+1 >= c.opt.Attempts) {
			return nil, err
		}
		wait := c.backoff(attempt)
		if !limited {
			attempt++
		}
		if e != nil && e.RetryAfter() > wait {
			wait = e.RetryAfter()
		}
		c.log.Debug("sync call failed; retrying", "op", call.Op, "attempt", attempt+1, "wait", wait, "err", err)
		if serr := c.opt.Sleep(ctx, wait); serr != nil {
			return nil, serr
		}
	}
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.opt.BackoffMax
	if attempt < 30 {
		d = min(c.opt.BackoffMax, c.opt.BackoffBase<<attempt)
	}
	c.rngMu.Lock()
	defer c.rngMu.Unlock()
	return time.Duration(c.rng.Int64N(int64(d) + 1))
}

// check turns an envelope's error into an error and refuses the answers of
// another hub.
func (c *Client) check(env *Envelope) error {
	if c.hubID != "" && env.HubID != c.hubID {
		return &Error{Code: CodeNotHub, Message: fmt.Sprintf("the hub at %s is hub %s, not the %s this device enrolled with", c.hubURL, env.HubID, c.hubID)}
	}
	if env.Error != nil {
		return env.Error
	}
	return nil
}

// Pending lists the sealed records not yet delivered, with the reason for
// each: waiting to be sent, sent but not complete on the hub, refused by the
// hub (parked) or quarantined. Newly sealed records are queued first.
func (c *Client) Pending(ctx context.Context) ([]store.OutboxItem, error) {
	if _, err := c.st.EnqueueSealed(ctx, c.savedOffset(ctx)); err != nil {
		return nil, localError(CodeLocalProblem, err)
	}
	items, err := c.st.Outbox(ctx, store.OutboxSealed, store.OutboxSent, store.OutboxParked, store.OutboxQuarantined)
	if err != nil {
		return nil, localError(CodeLocalProblem, err)
	}
	return items, nil
}

// Requeue puts a parked or quarantined record back in line, once a person
// has dealt with its reason (a quarantined record is never retried alone).
func (c *Client) Requeue(ctx context.Context, id string) error {
	if err := c.st.Requeue(ctx, id); err != nil {
		return localError(CodeLocalProblem, err)
	}
	return nil
}

func (c *Client) savedOffset(ctx context.Context) *time.Duration {
	s, err := c.st.Setting(ctx, keyOffset)
	if err != nil || s == "" {
		return nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	d := time.Duration(ms) * time.Millisecond
	return &d
}

// Sync runs one sync: pull master data, push sealed records, upload their
// photos, and take a receipt, which alone marks records delivered. It
// returns ErrSyncRunning when a sync is already running.
func (c *Client) Sync(ctx context.Context) (Report, error) {
	if !c.running.TryLock() {
		return Report{}, &Error{Code: CodeSyncRunning, Message: ErrSyncRunning.Error()}
	}
	defer c.running.Unlock()
	s := &syncRun{c: c, ctx: ctx, offset: c.savedOffset(ctx), bestRTT: -1}
	s.report.HubID = c.hubID
	err := s.run()
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == CodeRevoked {
			_ = c.st.SetSetting(context.WithoutCancel(ctx), keyRevoked, e.Message)
		}
		c.log.Warn("sync failed", "err", err)
	}
	return s.report, err
}

// syncRun is the state of one Sync. Records are pushed while photos of the
// batches already taken upload beside them, so mu guards what both touch.
type syncRun struct {
	c      *Client
	ctx    context.Context
	offset *time.Duration // the offset measured at the previous sync

	mu       stdsync.Mutex
	report   Report
	progress Progress
	bestRTT  time.Duration
	measured *time.Duration
	newEpoch string
	// retried holds the records pushed in this sync: one refused in this
	// sync is not sent again in the receipt's extra rounds.
	retried map[string]bool
}

// step changes the report or the progress and emits the progress. The
// callback runs under the lock, so events arrive one at a time and in order.
func (s *syncRun) step(fn func(r *Report, p *Progress)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(&s.report, &s.progress)
	if s.c.opt.Progress != nil {
		s.c.opt.Progress(s.progress)
	}
}

// call is Client.call plus clock measurement: the device's offset from the
// hub is taken from the answer with the shortest round trip.
func (s *syncRun) call(ctx context.Context, call *Call, req, out any) (*Envelope, error) {
	t0 := s.c.opt.Now()
	env, err := s.c.call(ctx, call, req, out)
	t1 := s.c.opt.Now()
	if env != nil && !env.ServerTime.IsZero() {
		s.mu.Lock()
		rtt := t1.Sub(t0)
		if s.bestRTT < 0 || rtt < s.bestRTT {
			s.bestRTT = rtt
			off := t0.Add(rtt / 2).Sub(env.ServerTime)
			s.measured = &off
		}
		if env.Epoch != "" && env.Epoch != s.c.epoch {
			s.newEpoch = env.Epoch
		}
		s.mu.Unlock()
	}
	return env, err
}

func (s *syncRun) run() error {
	c := s.c
	if err := s.pull(); err != nil {
		return err
	}
	// Records sealed since the last sync take the offset measured then; on
	// the first sync, the one its pull has just measured.
	offset := s.offset
	if offset == nil {
		s.mu.Lock()
		offset = s.measured
		s.mu.Unlock()
	}
	n, err := c.st.EnqueueSealed(s.ctx, offset)
	if err != nil {
		return localError(CodeLocalProblem, err)
	}
	s.report.Queued = n
	full := s.newEpoch != ""
	for round := 0; ; round++ {
		if err := s.pushAndUpload(); err != nil {
			return err
		}
		if err := s.photos(); err != nil {
			return err
		}
		resend, mismatch, err := s.receipt(full)
		if err != nil {
			return err
		}
		if round >= 3 {
			break
		}
		if mismatch && !full {
			full = true // find out what differs
			continue
		}
		if resend {
			full = false
			continue
		}
		break
	}
	settings := map[string]string{keyLastSync: c.opt.Now().UTC().Format(time.RFC3339), keyRevoked: ""}
	if s.measured != nil {
		settings[keyOffset] = strconv.FormatInt(s.measured.Milliseconds(), 10)
		s.report.ClockOffset = *s.measured
	}
	if s.report.Epoch != "" {
		settings[keyEpoch] = s.report.Epoch
		c.epoch = s.report.Epoch
	}
	if err := c.st.SetSettings(s.ctx, settings); err != nil {
		return localError(CodeLocalProblem, err)
	}
	pending, err := c.st.Outbox(s.ctx, store.OutboxSealed, store.OutboxSent, store.OutboxParked, store.OutboxQuarantined)
	if err != nil {
		return localError(CodeLocalProblem, err)
	}
	s.step(func(r *Report, p *Progress) {
		r.Pending = len(pending)
		*p = Progress{Stage: StageDone}
	})
	return nil
}

// ---- pull ----

func (s *syncRun) pull() error {
	c := s.c
	s.step(func(_ *Report, p *Progress) { *p = Progress{Stage: StagePull} })
	cur, _ := c.st.Setting(s.ctx, keyCursor)
	var acc PullResult
	full := false
	for {
		var res PullResult
		if _, err := s.call(s.ctx, &Call{Op: OpPull}, PullRequest{Cursor: cur, Limit: c.opt.PullLimit}, &res); err != nil {
			return fmt.Errorf("pull master data: %w", err)
		}
		if res.Reset {
			// From scratch (first pull, or the hub's epoch changed): the
			// pages are collected and replace the master data in one go.
			full, acc = true, PullResult{}
		}
		if full {
			acc.Regions = append(acc.Regions, res.Regions...)
			acc.Halls = append(acc.Halls, res.Halls...)
			acc.Staff = append(acc.Staff, res.Staff...)
			acc.Users = append(acc.Users, res.Users...)
			acc.Standards = append(acc.Standards, res.Standards...)
			acc.Deleted = append(acc.Deleted, res.Deleted...)
		} else if err := s.apply(res, false, res.Cursor); err != nil {
			return err
		}
		cur = res.Cursor
		if !res.More {
			break
		}
	}
	if full {
		s.report.FullResync = true
		return s.apply(dedupe(acc), true, cur)
	}
	return nil
}

func (s *syncRun) apply(res PullResult, full bool, cur string) error {
	b, err := batchFromPull(res)
	if err != nil {
		return localError(CodeLocalProblem, fmt.Errorf("pull master data: %w", err))
	}
	if err := s.c.st.ApplyMaster(s.ctx, b, full, map[string]string{keyCursor: cur}); err != nil {
		return localError(CodeLocalProblem, fmt.Errorf("apply master data: %w", err))
	}
	s.report.Pulled += b.Len()
	return nil
}

// dedupe keeps the last state of each record across the pages of a full
// pull (pages repeat the halls and regions their records need), and drops
// tombstones of records a later page brought back.
func dedupe(r PullResult) PullResult {
	last := func(n int, id func(int) string) []int {
		pos := map[string]int{}
		var order []string
		for i := range n {
			k := id(i)
			if _, ok := pos[k]; !ok {
				order = append(order, k)
			}
			pos[k] = i
		}
		out := make([]int, len(order))
		for i, k := range order {
			out[i] = pos[k]
		}
		return out
	}
	var o PullResult
	live := map[string]bool{}
	for _, i := range last(len(r.Regions), func(i int) string { return r.Regions[i].ID }) {
		o.Regions = append(o.Regions, r.Regions[i])
		live["region "+r.Regions[i].ID] = true
	}
	for _, i := range last(len(r.Halls), func(i int) string { return r.Halls[i].ID }) {
		o.Halls = append(o.Halls, r.Halls[i])
		live["hall "+r.Halls[i].ID] = true
	}
	for _, i := range last(len(r.Staff), func(i int) string { return r.Staff[i].ID }) {
		o.Staff = append(o.Staff, r.Staff[i])
		live["staff "+r.Staff[i].ID] = true
	}
	for _, i := range last(len(r.Users), func(i int) string { return r.Users[i].ID }) {
		o.Users = append(o.Users, r.Users[i])
		live["user "+r.Users[i].ID] = true
	}
	for _, i := range last(len(r.Standards), func(i int) string { return strconv.Itoa(r.Standards[i].Version) }) {
		o.Standards = append(o.Standards, r.Standards[i])
	}
	for _, d := range r.Deleted {
		if !live[d.Kind+" "+d.ID] {
			o.Deleted = append(o.Deleted, d)
		}
	}
	return o
}

// ---- push ----

// fatal reports whether an error stops the whole sync rather than one
// batch: the hub is unreachable (after retries), the device may not talk to
// it, or the app and the hub do not understand each other.
func fatal(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return true
	}
	switch e.Code {
	case CodeRevoked, CodeUnauthenticated, CodeUpdateRequired, CodeHubTooOld, CodeCertChanged, CodeNotHub,
		CodeBadReceipt, CodeLocalProblem:
		return true
	}
	return Retryable(err)
}

// batch is a push request's worth of records, loaded ahead of sending.
type batch struct {
	items []store.OutboxItem
	recs  []WireRecord
}

// photoJob is a photo the hub still needs, and the record that needs it.
type photoJob struct {
	ref   inspect.PhotoRef
	owner store.OutboxItem
}

// retryParked says whether a parked record goes out again without a person
// asking for it (the pending list's Try again): only when what refused it
// may have gone away by itself. A record this device could not read
// (local_problem: its storage may be back) is tried at every sync, and so
// is an amendment the hub refused for not holding its inspection
// (not_found) while that inspection is on its way (not parked or
// quarantined itself: then the amendment waits with it). Any other refusal
// waits for a sync that pulled changes of the hub's master data (a roster
// or region change may be its fix). Sent again otherwise, it would only be
// refused again, at every sync, with the hub logging each refusal.
// inspectionWaits reports whether the inspection of an amendment is parked
// or quarantined.
func retryParked(it store.OutboxItem, masterChanged bool, inspectionWaits func(amendmentID string) bool) bool {
	switch {
	case Code(it.ReasonCode) == CodeLocalProblem:
		return true
	case Code(it.ReasonCode) == CodeNotFound && it.Key.Kind == store.KindAmendment && !inspectionWaits(it.Key.ID):
		return true
	}
	return masterChanged
}

// pushAndUpload pushes the sealed records, and the parked ones retryParked
// lets go again, in batches. The next
// batch is loaded while one is in flight, and the photos each batch's
// records lack upload beside the following pushes: the hub takes records in
// its single write transaction and photos as plain files, so the two do not
// wait for each other.
func (s *syncRun) pushAndUpload() error {
	c := s.c
	all, err := c.st.Outbox(s.ctx, store.OutboxSealed, store.OutboxParked)
	if err != nil {
		return localError(CodeLocalProblem, err)
	}
	s.mu.Lock()
	masterChanged := s.report.Pulled > 0 || s.report.EpochChanged
	s.mu.Unlock()
	if s.retried == nil {
		s.retried = map[string]bool{}
	}
	waiting := map[string]bool{} // parked or quarantined: an amendment of one waits with it
	for _, it := range all {
		if it.State == store.OutboxParked {
			waiting[it.Key.ID] = true
		}
	}
	quarantined, err := c.st.Outbox(s.ctx, store.OutboxQuarantined)
	if err != nil {
		return localError(CodeLocalProblem, err)
	}
	for _, it := range quarantined {
		waiting[it.Key.ID] = true
	}
	inspectionWaits := func(amendmentID string) bool {
		a, err := c.st.Amendment(s.ctx, amendmentID)
		return err == nil && waiting[a.InspectionID]
	}
	items := all[:0:0]
	for _, it := range all {
		if it.State == store.OutboxParked && (s.retried[it.Key.ID] || !retryParked(it, masterChanged, inspectionWaits)) {
			continue
		}
		s.retried[it.Key.ID] = true
		items = append(items, it)
	}
	s.step(func(_ *Report, p *Progress) { *p = Progress{Stage: StagePush, RecordsTotal: len(items)} })
	if len(items) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()

	batches := make(chan batch, 1)
	var unloadable []store.OutboxUpdate // written by the loader until batches closes
	go func() {
		defer close(batches)
		var b batch
		size := 0
		send := func() bool {
			select {
			case batches <- b:
				b, size = batch{}, 0
				return true
			case <-ctx.Done():
				return false
			}
		}
		var recs []WireRecord
		var errs []error
		for i, it := range items {
			// Records are read a batch at a time: one read of the store for
			// a hundred inspections costs about what five single ones do.
			k := i % c.opt.BatchRecords
			if k == 0 {
				recs, errs = s.loadAll(ctx, items[i:min(i+c.opt.BatchRecords, len(items))])
			}
			rec, err := recs[k], errs[k]
			if err != nil {
				unloadable = append(unloadable, store.OutboxUpdate{ID: it.Key.ID, State: store.OutboxParked,
					ReasonCode: string(CodeLocalProblem), Reason: err.Error()})
				continue
			}
			enc, _ := json.Marshal(rec)
			// A batch holds one kind, so that amendments can wait for the
			// inspections they amend (see below).
			if len(b.items) > 0 && (len(b.items) >= c.opt.BatchRecords || size+len(enc) > c.opt.BatchBytes ||
				b.items[0].Key.Kind != it.Key.Kind) {
				if !send() {
					return
				}
			}
			b.items, b.recs, size = append(b.items, it), append(b.recs, rec), size+len(enc)
		}
		if len(b.items) > 0 {
			send()
		}
	}()

	up := s.startUploader(ctx)
	var (
		wg       stdsync.WaitGroup
		errMu    stdsync.Mutex
		firstErr error
		slots    = make(chan struct{}, c.opt.InFlight)
		barrier  bool
	)
	failed := func() bool { errMu.Lock(); defer errMu.Unlock(); return firstErr != nil }
	for b := range batches {
		if failed() {
			continue // drain, so the loader ends
		}
		// An amendment needs its inspection on the hub: the first batch of
		// amendments waits until every batch of inspections has been answered.
		if b.items[0].Key.Kind == store.KindAmendment && !barrier {
			wg.Wait()
			barrier = true
			if failed() {
				continue
			}
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			jobs, err := s.pushBatch(ctx, b.items, b.recs)
			s.step(func(_ *Report, p *Progress) { p.RecordsDone += len(b.items) })
			if err != nil {
				errMu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				errMu.Unlock()
				cancel()
				return
			}
			up.queue(jobs)
		}()
	}
	wg.Wait()
	s.step(func(_ *Report, p *Progress) { p.Stage = StagePhotos })
	if err := up.finish(); firstErr == nil {
		firstErr = err
	}
	if err := c.st.UpdateOutbox(s.ctx, unloadable); err != nil {
		if firstErr == nil {
			firstErr = localError(CodeLocalProblem, err)
		}
	} else if len(unloadable) > 0 {
		s.step(func(r *Report, _ *Progress) { r.Parked += len(unloadable) })
	}
	if firstErr != nil && s.ctx.Err() != nil {
		return s.ctx.Err()
	}
	return firstErr
}

// loadAll loads the records of items, each with its own error. The
// inspections among them are read together; when that fails, one at a time,
// so that the error stays with the record that has it.
func (s *syncRun) loadAll(ctx context.Context, items []store.OutboxItem) ([]WireRecord, []error) {
	recs, errs := make([]WireRecord, len(items)), make([]error, len(items))
	var ids []string
	var at []int
	for i, it := range items {
		if it.Key.Kind == store.KindInspection {
			ids, at = append(ids, it.Key.ID), append(at, i)
		}
	}
	var inspections []*inspect.Inspection
	var err error
	if len(ids) > 0 {
		inspections, err = s.c.st.Inspections(ctx, ids)
		if err != nil {
			s.c.log.Warn("reading records to send one at a time: a batch of them could not be read", "err", err)
		}
	}
	for i, it := range items {
		if it.Key.Kind == store.KindInspection && err == nil {
			continue
		}
		recs[i], errs[i] = s.load(ctx, it)
	}
	if err != nil {
		return recs, errs
	}
	for j, ins := range inspections {
		recs[at[j]], errs[at[j]] = inspectionRecord(items[at[j]], ins)
	}
	return recs, errs
}

func inspectionRecord(it store.OutboxItem, ins *inspect.Inspection) (WireRecord, error) {
	if ins.SealHash != it.SealHash {
		return WireRecord{}, fmt.Errorf("inspection %s: stored seal %s differs from the queued %s", it.Key.ID, ins.SealHash, it.SealHash)
	}
	return WireRecord{Inspection: InspectionToWire(ins), ClockOffsetMS: offsetMS(it.ClockOffset)}, nil
}

func offsetMS(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	ms := d.Milliseconds()
	return &ms
}

func (s *syncRun) load(ctx context.Context, it store.OutboxItem) (WireRecord, error) {
	switch it.Key.Kind {
	case store.KindInspection:
		ins, err := s.c.st.Inspection(ctx, it.Key.ID)
		if err != nil {
			return WireRecord{}, err
		}
		return inspectionRecord(it, ins)
	case store.KindAmendment:
		a, err := s.c.st.Amendment(ctx, it.Key.ID)
		if err != nil {
			return WireRecord{}, err
		}
		return WireRecord{Amendment: AmendmentToWire(a), ClockOffsetMS: offsetMS(it.ClockOffset)}, nil
	}
	return WireRecord{}, fmt.Errorf("unknown kind of record %q", it.Key.Kind)
}

// pushBatch pushes one batch and records the hub's answer for each record.
// It returns the photos the hub still needs for the records it took.
func (s *syncRun) pushBatch(ctx context.Context, batch []store.OutboxItem, recs []WireRecord) ([]photoJob, error) {
	c := s.c
	req := PushRequest{Records: recs}
	if s.offset != nil {
		ms := s.offset.Milliseconds()
		req.ClockOffsetMS = &ms
	}
	var res PushResult
	_, err := s.call(ctx, &Call{Op: OpPush}, req, &res)
	if err == nil && len(res.Results) != len(batch) {
		err = &Error{Code: CodeNotHub, Message: fmt.Sprintf("the hub answered %d of %d records", len(res.Results), len(batch))}
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == CodeTooLarge && len(batch) > 1 {
			h := len(batch) / 2
			a, err := s.pushBatch(ctx, batch[:h], recs[:h])
			if err != nil {
				return a, err
			}
			b, err := s.pushBatch(ctx, batch[h:], recs[h:])
			return append(a, b...), err
		}
		us := make([]store.OutboxUpdate, len(batch))
		for i, it := range batch {
			// The state stays; the reason says why it has not moved.
			us[i] = store.OutboxUpdate{ID: it.Key.ID, State: it.State, ReasonCode: string(errorToCode(err)),
				Reason: "not sent: " + err.Error(), Attempted: true}
			if !fatal(err) {
				us[i].State = store.OutboxParked
			}
		}
		if !fatal(err) {
			s.step(func(r *Report, _ *Progress) { r.Parked += len(batch) })
		}
		if uerr := c.st.UpdateOutbox(s.ctx, us); uerr != nil {
			return nil, localError(CodeLocalProblem, uerr)
		}
		if fatal(err) {
			return nil, fmt.Errorf("push: %w", err)
		}
		return nil, nil
	}
	var jobs []photoJob
	var sent, quarantined, parked int
	us := make([]store.OutboxUpdate, 0, len(batch))
	for i, r := range res.Results {
		it := batch[i]
		u := store.OutboxUpdate{ID: it.Key.ID, Attempted: true, PhotosExpected: r.PhotosExpected, PhotosPresent: r.PhotosPresent}
		switch {
		case r.ID != it.Key.ID:
			u.State, u.ReasonCode, u.Reason = store.OutboxSealed, string(CodeNotHub), "the hub answered for another record"
		case r.Status == StatusStored || r.Status == StatusHeld:
			u.State = store.OutboxSent
			if r.PhotosPresent < r.PhotosExpected {
				u.Reason = fmt.Sprintf("the hub has %d of %d photos", r.PhotosPresent, r.PhotosExpected)
			}
			it.State, it.PhotosExpected, it.PhotosPresent = store.OutboxSent, r.PhotosExpected, r.PhotosPresent
			for _, p := range r.Missing {
				jobs = append(jobs, photoJob{ref: inspect.PhotoRef{SHA256: p.SHA256, Size: p.Size, Type: p.Type}, owner: it})
			}
			sent++
		case r.Status == StatusConflict:
			// Never retried in a loop: a person must look (kobocat#859).
			// Only a record whose ID the hub holds with another seal is
			// quarantined; other refusals with the code conflict (an
			// amendment of a seal the hub does not hold, a person listed
			// twice) are parked with the hub's reason below.
			u.State, u.ReasonCode = store.OutboxQuarantined, string(CodeConflict)
			u.HeldHash = r.HeldHash
			if r.Error != nil {
				u.Reason = r.Error.Message
				if r.Error.HeldHash != "" {
					u.HeldHash = r.Error.HeldHash
				}
			}
			quarantined++
			c.log.Error("record quarantined: the hub holds another record under its ID",
				"kind", it.Key.Kind, "id", it.Key.ID, "held", u.HeldHash, "sent", it.SealHash)
		default:
			u.State, u.ReasonCode, u.Reason = store.OutboxParked, string(CodeInvalidRecord), "refused by the hub"
			if r.Error != nil {
				u.ReasonCode, u.Reason = string(r.Error.Code), r.Error.Message
			}
			parked++
		}
		us = append(us, u)
	}
	s.step(func(r *Report, _ *Progress) { r.Sent += sent; r.Quarantined += quarantined; r.Parked += parked })
	if err := c.st.UpdateOutbox(s.ctx, us); err != nil {
		return nil, localError(CodeLocalProblem, err)
	}
	return jobs, nil
}

// uploader uploads the photos of pushed batches beside the pushes.
type uploader struct {
	s      *syncRun
	ctx    context.Context
	jobs   chan []photoJob
	done   chan struct{}
	seen   map[string]bool
	err    error // set by the uploader goroutine before done closes
	parked []store.OutboxUpdate
}

func (s *syncRun) startUploader(ctx context.Context) *uploader {
	u := &uploader{s: s, ctx: ctx, jobs: make(chan []photoJob, 16), done: make(chan struct{}), seen: map[string]bool{}}
	go func() {
		defer close(u.done)
		for js := range u.jobs {
			if u.err == nil {
				u.err = s.uploadAll(ctx, js, u.seen, &u.parked)
			}
		}
	}()
	return u
}

func (u *uploader) queue(js []photoJob) {
	if len(js) > 0 {
		u.jobs <- js
	}
}

// finish waits for the uploads queued so far and parks the records whose
// photos cannot be read on this device.
func (u *uploader) finish() error {
	close(u.jobs)
	<-u.done
	if err := u.s.c.st.UpdateOutbox(u.s.ctx, u.parked); err != nil && u.err == nil {
		u.err = localError(CodeLocalProblem, err)
	}
	return u.err
}

// photos uploads what records sent before still lack: their photos were cut
// off in an earlier sync, or the hub lost them.
func (s *syncRun) photos() error {
	c := s.c
	items, err := c.st.Outbox(s.ctx, store.OutboxSent)
	if err != nil {
		return localError(CodeLocalProblem, err)
	}
	var jobs []photoJob
	for _, it := range items {
		if it.PhotosPresent >= it.PhotosExpected {
			continue
		}
		rec, err := s.load(s.ctx, it)
		if err != nil {
			continue // parked at the next push
		}
		var ps []inspect.PhotoRef
		if rec.Inspection != nil {
			ins, _ := InspectionFromWire(rec.Inspection)
			ps = ins.Photos()
		} else if rec.Amendment != nil {
			a, _ := AmendmentFromWire(rec.Amendment)
			ps = amendmentRefs(a)
		}
		for _, p := range ps {
			jobs = append(jobs, photoJob{ref: p, owner: it})
		}
	}
	s.step(func(_ *Report, p *Progress) { p.Stage = StagePhotos })
	var parked []store.OutboxUpdate
	err = s.uploadAll(s.ctx, jobs, map[string]bool{}, &parked)
	if uerr := c.st.UpdateOutbox(s.ctx, parked); uerr != nil && err == nil {
		err = localError(CodeLocalProblem, uerr)
	}
	return err
}

// uploadAll asks the hub what it holds of the jobs' photos (each once: seen
// spans the calls of one sync) and uploads the rest from the hub's offset.
// refusePhoto parks the records that need a photo the hub refused, with
// the hub's reason, so that the pending list says why they are not
// delivered instead of counting photos for ever.
func (s *syncRun) refusePhoto(parked *[]store.OutboxUpdate, owners []store.OutboxItem, sha string, e *Error) {
	for _, it := range owners {
		*parked = append(*parked, store.OutboxUpdate{ID: it.Key.ID, State: store.OutboxParked,
			ReasonCode: string(e.Code), Reason: fmt.Sprintf("photo %.12s…: %s", sha, e.Message),
			PhotosExpected: it.PhotosExpected, PhotosPresent: it.PhotosPresent})
	}
	s.step(func(r *Report, _ *Progress) { r.Parked += len(owners) })
}

// A photo this device cannot read parks its records; a fatal error stops.
func (s *syncRun) uploadAll(ctx context.Context, jobs []photoJob, seen map[string]bool, parked *[]store.OutboxUpdate) error {
	c := s.c
	refs := map[string]inspect.PhotoRef{}
	owners := map[string][]store.OutboxItem{}
	var order []string
	for _, j := range jobs {
		sha := j.ref.SHA256
		owners[sha] = append(owners[sha], j.owner)
		if !seen[sha] {
			seen[sha] = true
			refs[sha] = j.ref
			order = append(order, sha)
		}
	}
	var todo []PhotoState
	for i := 0; i < len(order); i += 500 {
		var res PhotoStatusResult
		req := PhotoStatusRequest{SHA256: order[i:min(i+500, len(order))]}
		if _, err := s.call(ctx, &Call{Op: OpPhotoStatus}, req, &res); err != nil {
			return fmt.Errorf("photo status: %w", err)
		}
		for _, p := range res.Photos {
			switch {
			case p.Error != nil:
				s.refusePhoto(parked, owners[p.SHA256], p.SHA256, p.Error)
			case !p.Complete:
				todo = append(todo, p)
			}
		}
	}
	s.step(func(_ *Report, p *Progress) {
		for _, ph := range todo {
			p.BytesTotal += ph.Size - ph.Offset
		}
	})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       stdsync.Mutex
		firstErr error
		next     = make(chan PhotoState)
		wg       stdsync.WaitGroup
	)
	for range min(c.opt.PhotoUploads, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				if ctx.Err() != nil {
					continue // a failed upload or the sync's end stopped the rest
				}
				err := s.upload(ctx, refs[p.SHA256], p.Offset)
				var e *Error
				switch {
				case err == nil:
					s.step(func(r *Report, _ *Progress) { r.PhotosSent++ })
				case errors.As(err, &e) && e.Code == CodePhotoLost:
					// Nothing to send and nothing to retry: the record
					// stays sent, with the reason, until the hub has the
					// photo again (its receipt then marks it delivered).
					c.log.Warn("photo lost on this device and on the hub", "photo", p.SHA256)
					mu.Lock()
					for _, it := range owners[p.SHA256] {
						*parked = append(*parked, store.OutboxUpdate{ID: it.Key.ID, State: store.OutboxSent,
							ReasonCode: string(CodePhotoLost), Reason: e.Message,
							PhotosExpected: it.PhotosExpected, PhotosPresent: it.PhotosPresent})
					}
					mu.Unlock()
				case errors.As(err, &e) && e.Code == CodeLocalProblem:
					mu.Lock()
					for _, it := range owners[p.SHA256] {
						*parked = append(*parked, store.OutboxUpdate{ID: it.Key.ID, State: store.OutboxParked,
							ReasonCode: string(CodeLocalProblem), Reason: err.Error(),
							PhotosExpected: it.PhotosExpected, PhotosPresent: it.PhotosPresent})
					}
					mu.Unlock()
					s.step(func(r *Report, _ *Progress) { r.Parked += len(owners[p.SHA256]) })
				case fatal(err):
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("upload photo %s: %w", p.SHA256, err)
					}
					mu.Unlock()
					cancel()
				default:
					c.log.Warn("photo upload refused", "photo", p.SHA256, "err", err)
					if errors.As(err, &e) {
						mu.Lock()
						s.refusePhoto(parked, owners[p.SHA256], p.SHA256, e)
						mu.Unlock()
					}
				}
			}
		}()
	}
feed:
	for _, p := range todo {
		select {
		case next <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		// The sync itself was cancelled (not by a failed upload).
		return ctx.Err()
	}
	return firstErr
}

func amendmentRefs(a *inspect.Amendment) []inspect.PhotoRef {
	var out []inspect.PhotoRef
	for _, ch := range a.Changes {
		if ch.Finding != nil {
			out = append(out, ch.Finding.Photos...)
		}
	}
	return out
}

// upload sends a photo from offset in chunks. The local file is checked
// against its hash first: a damaged photo would otherwise be sent, refused
// as a whole and sent again at every sync.
// maxPhotoRead bounds the photo a tablet reads to upload.
const maxPhotoRead = 64 << 20

func (s *syncRun) upload(ctx context.Context, ref inspect.PhotoRef, offset int64) error {
	c := s.c
	r, err := c.st.OpenPhoto(ref.SHA256)
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: CodePhotoLost, Message: fmt.Sprintf("photo %s is no longer on this tablet and the hub does not have it: "+
			"the hub's administrator can restore it from the hub's photo backup", ref.SHA256), cause: err}
	}
	if err != nil {
		return localError(CodeLocalProblem, fmt.Errorf("photo %s cannot be read on this device: %w", ref.SHA256, err))
	}
	// The size is known: one buffer of it, not one grown by io.ReadAll. A
	// size no photo can have (the store keeps at most 20 MB) is a damaged
	// record, not a reason to allocate it.
	if ref.Size <= 0 || ref.Size > maxPhotoRead {
		r.Close()
		return localError(CodeLocalProblem, fmt.Errorf("photo %s: recorded size %d bytes is not a photo's", ref.SHA256, ref.Size))
	}
	data := make([]byte, ref.Size)
	_, err = io.ReadFull(r, data)
	r.Close()
	if err != nil {
		return localError(CodeLocalProblem, fmt.Errorf("read photo %s: %w", ref.SHA256, err))
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != ref.SHA256 {
		return localError(CodeLocalProblem, fmt.Errorf("photo %s on this device is damaged", ref.SHA256))
	}
	restarted := false
	for offset < int64(len(data)) {
		end := min(offset+int64(c.opt.ChunkSize), int64(len(data)))
		chunk := data[offset:end]
		chunkSum := ref.SHA256 // the whole photo in one chunk: hashed above
		if offset > 0 || end < int64(len(data)) {
			sum := sha256.Sum256(chunk)
			chunkSum = hex.EncodeToString(sum[:])
		}
		var st PhotoState
		_, err := s.call(ctx, &Call{Op: OpPhotoChunk, SHA256: ref.SHA256, Offset: offset, Body: chunk,
			ChunkSHA256: chunkSum}, nil, &st)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.Code == CodeInvalidRecord && !restarted {
				// The hub threw the whole file away (it did not verify);
				// start over once.
				restarted, offset = true, 0
				continue
			}
			return err
		}
		if st.Offset == end {
			s.step(func(r *Report, p *Progress) { p.BytesDone += end - offset; r.BytesSent += end - offset })
		}
		if st.Complete {
			return nil
		}
		if st.Offset < 0 || st.Offset > int64(len(data)) {
			return &Error{Code: CodeNotHub, Message: fmt.Sprintf("the hub holds %d bytes of a %d-byte photo", st.Offset, len(data))}
		}
		offset = st.Offset
	}
	// The hub holds every byte yet has not called the photo complete: a
	// retryable state (the next status call has it finish), never success.
	return &Error{Code: CodeUnavailable, Message: fmt.Sprintf("the hub has not confirmed photo %s yet", ref.SHA256)}
}

// ---- receipt ----

// receipt asks for a receipt of the records sent (of every record when
// full), marks what it attests, and compares its digest with this device's
// delivered marks. resend says records went back in line (the hub no longer
// holds them); mismatch that the digests differ.
func (s *syncRun) receipt(full bool) (resend, mismatch bool, err error) {
	c := s.c
	all, err := c.st.Outbox(s.ctx)
	if err != nil {
		return false, false, localError(CodeLocalProblem, err)
	}
	byID := map[string]store.OutboxItem{}
	var req ReceiptRequest
	req.Full = full
	pending := 0 // not delivered, and not what the receipt is about (see ReceiptRequest.Pending)
	for _, it := range all {
		byID[it.Key.ID] = it
		if !full && it.State == store.OutboxSent {
			req.Records = append(req.Records, WireRecordID{Kind: string(it.Key.Kind), ID: it.Key.ID})
		}
		if it.State != store.OutboxDelivered && it.State != store.OutboxSent {
			pending++
		}
	}
	req.Pending = &pending
	s.step(func(_ *Report, p *Progress) { *p = Progress{Stage: StageReceipt, RecordsTotal: len(req.Records)} })
	var res ReceiptResult
	if _, err := s.call(s.ctx, &Call{Op: OpReceipt}, req, &res); err != nil {
		return false, false, fmt.Errorf("receipt: %w", err)
	}
	body, err := VerifyReceipt(c.receiptKey, &res)
	if err != nil {
		return false, false, err
	}
	if body.HubID != c.hubID || body.DeviceID != c.deviceID {
		return false, false, &Error{Code: CodeBadReceipt, Message: fmt.Sprintf(
			"the receipt is for hub %s and device %s, not %s and %s", body.HubID, body.DeviceID, c.hubID, c.deviceID)}
	}
	s.report.Epoch, s.report.HubTime = body.Epoch, body.IssuedAt
	if body.Epoch != c.epoch {
		s.report.EpochChanged = true
	}
	var us []store.OutboxUpdate
	listed := map[string]bool{}
	for _, r := range body.Records {
		listed[r.ID] = true
		it, ok := byID[r.ID]
		if !ok || it.State == store.OutboxQuarantined || it.State == store.OutboxParked {
			continue
		}
		u := store.OutboxUpdate{ID: it.Key.ID, PhotosExpected: r.PhotosExpected, PhotosPresent: r.PhotosPresent}
		switch {
		case !r.Held:
			if it.State == store.OutboxSealed {
				continue
			}
			u.State, u.Reason = store.OutboxSealed, "the hub does not hold it; it will be sent again"
			s.report.Resent++
			resend = true
		case r.Hash != it.SealHash:
			u.State, u.ReasonCode, u.HeldHash = store.OutboxQuarantined, string(CodeConflict), r.Hash
			u.Reason = fmt.Sprintf("the hub holds seal %s, this device %s", r.Hash, it.SealHash)
			s.report.Quarantined++
		case r.Complete:
			if it.State == store.OutboxDelivered && it.ReceiptEpoch == body.Epoch {
				continue
			}
			u.State, u.ReceiptEpoch, u.DeliveredAt = store.OutboxDelivered, body.Epoch, body.IssuedAt
			if it.State != store.OutboxDelivered {
				s.report.Delivered++
			}
		default:
			u.State = store.OutboxSent
			u.Reason = fmt.Sprintf("the hub has %d of %d photos", r.PhotosPresent, r.PhotosExpected)
			if it.ReasonCode == string(CodePhotoLost) {
				u.ReasonCode, u.Reason = it.ReasonCode, it.Reason // still lost: keep saying so
			}
			if it.State == store.OutboxDelivered {
				resend = true // its photos must go again
			}
		}
		us = append(us, u)
	}
	if full {
		// Delivered here but not on the hub any more: a hub restored from an
		// older backup forgot it (replicache#335). Send it again.
		for _, it := range all {
			if it.State == store.OutboxDelivered && !listed[it.Key.ID] {
				us = append(us, store.OutboxUpdate{ID: it.Key.ID, State: store.OutboxSealed,
					Reason: "the hub no longer holds it (restored from a backup?); it will be sent again"})
				s.report.Resent++
				resend = true
			}
		}
	}
	if err := c.st.UpdateOutbox(s.ctx, us); err != nil {
		return false, false, localError(CodeLocalProblem, err)
	}
	delivered, err := c.st.Outbox(s.ctx, store.OutboxDelivered)
	if err != nil {
		return false, false, localError(CodeLocalProblem, err)
	}
	entries := make([]DigestEntry, len(delivered))
	for i, it := range delivered {
		entries[i] = DigestEntry{Kind: string(it.Key.Kind), ID: it.Key.ID, Hash: it.SealHash}
	}
	s.report.DigestOK = len(entries) == body.Count && Digest(entries) == body.Digest
	if !s.report.DigestOK {
		c.log.Warn("receipt digest differs from this device's delivered records",
			"hub_count", body.Count, "device_count", len(entries), "full", full)
	}
	return resend, !s.report.DigestOK, nil
}
