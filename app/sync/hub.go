package sync

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	stdsync "sync"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

// HubOptions tune a Hub. Zero values take the defaults.
type HubOptions struct {
	Now    func() time.Time
	Logger *slog.Logger
	// EnrolTTL is how long an enrolment code stays valid (15 minutes).
	EnrolTTL time.Duration
	// MaxRecords is the most records one push may carry (500).
	MaxRecords int
	// MaxChunk is the largest photo chunk (1 MB).
	MaxChunk int64
	// PageSize is the change-log rows read for one pull page (1000).
	PageSize int
	// Rate and Burst limit each device's requests (20 a second, bursts of 200).
	Rate  float64
	Burst int
	// EnrolPerMinute limits enrolment attempts per remote host (10), so that
	// codes cannot be guessed at speed.
	EnrolPerMinute int
	// TouchEvery is how often a device's last-seen time is written (1 minute).
	TouchEvery time.Duration
	// Admin answers the admin API (OpAdmin) for managers' desktops; nil
	// leaves the API out (its calls are not found).
	Admin AdminHandler
	// Pins are the hub's public-key pins (HubKeys.Pins), which the enrolment
	// answer lists: a tablet that typed its invite had only a check of them.
	Pins []string
}

func (o HubOptions) withDefaults() HubOptions {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.EnrolTTL <= 0 {
		o.EnrolTTL = 15 * time.Minute
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = 500
	}
	if o.MaxChunk <= 0 {
		o.MaxChunk = 1 << 20
	}
	if o.PageSize <= 0 {
		o.PageSize = store.DefaultMasterPage
	}
	if o.Rate <= 0 {
		o.Rate = 20
	}
	if o.Burst <= 0 {
		o.Burst = 200
	}
	if o.EnrolPerMinute <= 0 {
		o.EnrolPerMinute = 10
	}
	if o.TouchEvery <= 0 {
		o.TouchEvery = time.Minute
	}
	return o
}

// Hub answers the protocol's calls over a hub store. It knows nothing of
// HTTP: Handler and ServeStream carry calls to it.
type Hub struct {
	st         store.HubStore
	receiptKey ed25519.PrivateKey
	opt        HubOptions
	log        *slog.Logger
	devices    *limiter
	enrols     *limiter

	mu        stdsync.Mutex
	ident     store.HubIdentity
	touched   map[string]time.Time
	standards map[int]*standard.Version
}

// NewHub returns a hub over st that signs receipts with receiptKey.
func NewHub(st store.HubStore, receiptKey ed25519.PrivateKey, opt HubOptions) *Hub {
	opt = opt.withDefaults()
	return &Hub{
		st: st, receiptKey: receiptKey, opt: opt, log: opt.Logger,
		devices: newLimiter(opt.Rate, opt.Burst, opt.Now),
		enrols:  newLimiter(float64(opt.EnrolPerMinute)/60, opt.EnrolPerMinute, opt.Now),
		touched: map[string]time.Time{},
	}
}

// Identity returns the hub's ID and epoch.
func (h *Hub) Identity(ctx context.Context) (store.HubIdentity, error) {
	h.mu.Lock()
	id := h.ident
	h.mu.Unlock()
	if id.HubID != "" {
		return id, nil
	}
	id, err := h.st.HubIdentity(ctx)
	if err != nil {
		return store.HubIdentity{}, err
	}
	h.mu.Lock()
	h.ident = id
	h.mu.Unlock()
	return id, nil
}

// Enrolment is a new device's one-time code.
type Enrolment struct {
	Device  store.Device
	Code    string
	Expires time.Time
}

// NewEnrolment records a device to enrol in a region and returns its
// one-time code, which expires after HubOptions.EnrolTTL.
func (h *Hub) NewEnrolment(ctx context.Context, name, regionID string) (Enrolment, error) {
	return NewEnrolment(ctx, h.st, name, regionID, h.opt.Now().Add(h.opt.EnrolTTL))
}

// NewEnrolment records a device to enrol in a region with a one-time code
// valid until expires. The hub keeps only the code's hash. Admin commands
// call it on the hub's database while the server runs.
func NewEnrolment(ctx context.Context, st store.HubStore, name, regionID string, expires time.Time) (Enrolment, error) {
	return NewDeviceEnrolment(ctx, st, store.Device{Name: name, RegionID: regionID}, expires)
}

// Serve answers one call. It never panics on any input: a panic in a
// handler is logged with its stack and answered as an internal error.
func (h *Hub) Serve(ctx context.Context, c *Call) (env *Envelope) {
	if c == nil {
		c = &Call{}
	}
	start := h.opt.Now()
	env = &Envelope{Protocol: Marker, Version: Version, ServerTime: start.UTC()}
	var dev store.DeviceAccount
	defer func() {
		if p := recover(); p != nil {
			h.log.Error("sync call panicked", "op", c.Op, "panic", p, "stack", string(debug.Stack()))
			env.Result, env.Error = nil, &Error{Code: CodeInternal, Message: ErrInternal.Error()}
		}
		lvl, code := slog.LevelInfo, Code("")
		if c.Op == OpPhotoChunk || c.Op == OpPhotoStatus {
			lvl = slog.LevelDebug // many per sync; their failures still show
		}
		if env.Error != nil {
			lvl = max(lvl, slog.LevelInfo)
			code = env.Error.Code
			if code == CodeInternal || code == CodeUnavailable {
				lvl = slog.LevelWarn
			}
		}
		attrs := []any{"op", c.Op, "device", dev.ID, "remote", c.Remote, "code", code,
			"bytes", len(c.Body), "took", h.opt.Now().Sub(start).Round(time.Microsecond)}
		if c.Op == OpAdmin {
			attrs = append(attrs, "method", c.Method, "user", c.User)
		}
		h.log.Log(ctx, lvl, "sync call", attrs...)
	}()
	id, err := h.Identity(ctx)
	if err != nil {
		h.log.Error("read hub identity", "err", err)
		env.Error = &Error{Code: CodeUnavailable, Message: ErrUnavailable.Error()}
		return env
	}
	env.HubID, env.Epoch = id.HubID, id.Epoch
	res, err := h.dispatch(ctx, c, id, &dev)
	if err != nil {
		env.Error = wireError(err)
		switch env.Error.Code {
		case CodeInternal:
			h.log.Error("sync call failed", "op", c.Op, "device", dev.ID, "err", err)
		case CodeUnavailable:
			// A full disk or a locked database: the tablet retries, and
			// the hub's administrator needs the cause to act on it.
			h.log.Warn("sync call not served now", "op", c.Op, "device", dev.ID, "err", err)
		}
		return env
	}
	b, err := json.Marshal(res)
	if err != nil {
		h.log.Error("encode sync answer", "op", c.Op, "err", err)
		env.Error = &Error{Code: CodeInternal, Message: ErrInternal.Error()}
		return env
	}
	env.Result = b
	return env
}

func (h *Hub) dispatch(ctx context.Context, c *Call, id store.HubIdentity, dev *store.DeviceAccount) (any, error) {
	a := c.admitted
	if a == nil {
		a = &admission{}
		a.dev, a.err = h.admit(ctx, c)
	}
	*dev = a.dev
	if a.err != nil {
		return nil, a.err
	}
	if c.Op == OpEnrol {
		return h.enrol(ctx, c, id)
	}
	return h.call(ctx, c, id, a.dev)
}

// admission is what Admit found of a call.
type admission struct {
	dev store.DeviceAccount
	err error
}

// Admit checks what a call's headers carry: its protocol version and, for
// every operation but enrolment, its device (token, revocation, rate). A
// carrier calls it before it reads the request's body, so that a caller
// without a valid token cannot make the hub take in a large body, and
// records the result in the call for Serve. A refused call is still
// answered through Serve, which logs it.
func (h *Hub) Admit(ctx context.Context, c *Call) error {
	d, err := h.admit(ctx, c)
	c.admitted = &admission{dev: d, err: err}
	return err
}

func (h *Hub) admit(ctx context.Context, c *Call) (store.DeviceAccount, error) {
	switch {
	case c.Version < MinVersion:
		return store.DeviceAccount{}, &Error{Code: CodeUpdateRequired, MinVersion: MinVersion, MaxVersion: Version,
			Message: fmt.Sprintf("please update Dudao: this hub speaks sync protocol %d to %d, the app speaks %d",
				MinVersion, Version, c.Version)}
	case c.Version > Version:
		return store.DeviceAccount{}, &Error{Code: CodeHubTooOld, MinVersion: MinVersion, MaxVersion: Version,
			Message: fmt.Sprintf("the hub speaks sync protocol %d to %d, older than this app's %d: ask for the hub to be updated",
				MinVersion, Version, c.Version)}
	}
	if c.Op == OpEnrol {
		return store.DeviceAccount{}, nil
	}
	// The device is returned with a refusal too (revoked, rate limited):
	// a refused call is logged with the device its token belongs to, which
	// is what an administrator tracing a stolen tablet looks for.
	return h.authenticate(ctx, c)
}

// call runs an admitted device's call.
func (h *Hub) call(ctx context.Context, c *Call, id store.HubIdentity, d store.DeviceAccount) (any, error) {
	switch c.Op {
	case OpPull:
		return h.pull(ctx, c, d, id)
	case OpPush:
		return h.push(ctx, c, d)
	case OpPhotoStatus:
		return h.photoStatus(ctx, c, d)
	case OpPhotoChunk:
		return h.photoChunk(ctx, c, d)
	case OpReceipt:
		return h.receipt(ctx, c, d, id)
	case OpAdmin:
		return h.admin(ctx, c, d)
	}
	return nil, &Error{Code: CodeNotFound, Message: fmt.Sprintf("unknown operation %q", c.Op)}
}

// remoteHost is the rate-limit key of a caller: its host without the port.
func remoteHost(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

func (h *Hub) enrol(ctx context.Context, c *Call, id store.HubIdentity) (any, error) {
	if ok, wait := h.enrols.allow(remoteHost(c.Remote)); !ok {
		return nil, &Error{Code: CodeRateLimited, RetryAfterMS: max(wait.Milliseconds(), 1),
			Message: "too many enrolment attempts from this address; wait a minute"}
	}
	var req EnrolRequest
	if err := decodeJSON(c.Body, &req); err != nil {
		return nil, err
	}
	code := NormaliseCode(req.Code)
	if code == "" {
		return nil, fmt.Errorf("%w: enrolment needs a code", ErrBadRequest)
	}
	if tok, err := base64.RawURLEncoding.DecodeString(req.Token); err != nil || len(tok) < 32 {
		return nil, fmt.Errorf("%w: enrolment needs a token of 32 random bytes, base64url", ErrBadRequest)
	}
	th := hashSecret("token", req.Token)
	d, err := h.st.RedeemEnrolment(ctx, hashSecret("code", code), th, th)
	if err != nil {
		return nil, err
	}
	h.log.Info("device enrolled", "device", d.ID, "name", d.Name, "region", d.RegionID, "remote", c.Remote)
	return EnrolResult{DeviceID: d.ID, DeviceName: d.Name, RegionID: d.RegionID,
		HubID: id.HubID, Epoch: id.Epoch, ReceiptKey: h.receiptKey.Public().(ed25519.PublicKey), Pins: h.opt.Pins}, nil
}

func (h *Hub) authenticate(ctx context.Context, c *Call) (store.DeviceAccount, error) {
	if c.Token == "" {
		return store.DeviceAccount{}, &Error{Code: CodeUnauthenticated, Message: "no device token: enrol this device with the hub"}
	}
	d, err := h.st.DeviceByToken(ctx, hashSecret("token", c.Token))
	if errors.Is(err, store.ErrNotFound) {
		return store.DeviceAccount{}, &Error{Code: CodeUnauthenticated,
			Message: "the hub does not know this device's token: enrol the device again"}
	}
	if err != nil {
		return store.DeviceAccount{}, err
	}
	if d.Revoked() {
		return d, &Error{Code: CodeRevoked, Message: fmt.Sprintf("this device was revoked on the hub on %s: %s",
			d.RevokedAt.In(inspect.HallZone).Format("2006-01-02 15:04"), d.RevokeReason)}
	}
	if ok, wait := h.devices.allow(d.ID); !ok {
		return d, &Error{Code: CodeRateLimited, RetryAfterMS: max(wait.Milliseconds(), 1),
			Message: "too many requests from this device; slow down"}
	}
	h.touch(ctx, d.ID)
	return d, nil
}

// touch records a device's last contact, at most once per TouchEvery: a
// write per request would cost a disk flush per request.
func (h *Hub) touch(ctx context.Context, deviceID string) {
	now := h.opt.Now()
	h.mu.Lock()
	last := h.touched[deviceID]
	due := now.Sub(last) >= h.opt.TouchEvery
	if due {
		h.touched[deviceID] = now
	}
	h.mu.Unlock()
	if due {
		if err := h.st.TouchDevice(ctx, deviceID, now); err != nil {
			h.log.Warn("record device contact", "device", deviceID, "err", err)
		}
	}
}

func (h *Hub) pull(ctx context.Context, c *Call, d store.DeviceAccount, id store.HubIdentity) (any, error) {
	var req PullRequest
	if err := decodeJSON(c.Body, &req); err != nil {
		return nil, err
	}
	cur, ok := parseCursor(req.Cursor)
	reset := !ok || cur.Epoch != id.Epoch
	if !reset && cur.Seq > 0 {
		tag, held, err := h.st.ChangeTag(ctx, cur.Seq)
		if err != nil {
			return nil, err
		}
		if !held || tag != cur.Tag {
			// The tablet has seen a change this database no longer has:
			// it was rolled back under the same epoch. Start it over.
			h.log.Warn("a tablet's cursor names a change the hub does not hold: the hub database was rolled back; the tablet pulls everything again",
				"device", d.ID, "cursor", cur.Seq)
			reset = true
		}
	}
	if reset {
		cur = cursor{Epoch: id.Epoch}
	}
	limit := h.opt.PageSize
	if req.Limit > 0 && req.Limit < limit {
		limit = req.Limit
	}
	page, err := h.st.MasterChanges(ctx, d.RegionID, cur.Seq, limit)
	if err != nil {
		return nil, err
	}
	res := pullResultFromBatch(page.Batch)
	res.Cursor = cursor{Epoch: id.Epoch, Seq: page.Last, Tag: page.LastTag}.String()
	res.More, res.Reset = page.More, reset
	return res, nil
}

func (h *Hub) push(ctx context.Context, c *Call, d store.DeviceAccount) (any, error) {
	var req PushRequest
	if err := decodeJSON(c.Body, &req); err != nil {
		return nil, err
	}
	if len(req.Records) > h.opt.MaxRecords {
		return nil, &Error{Code: CodeTooLarge, Message: fmt.Sprintf("%d records in one push; send at most %d", len(req.Records), h.opt.MaxRecords)}
	}
	var offset *time.Duration
	if req.ClockOffsetMS != nil {
		o := time.Duration(*req.ClockOffsetMS) * time.Millisecond
		offset = &o
	}
	results := make([]RecordResult, len(req.Records))
	var in []store.Incoming
	var idx []int
	for i, r := range req.Records {
		inc := store.Incoming{ClockOffset: offset}
		if r.ClockOffsetMS != nil {
			o := time.Duration(*r.ClockOffsetMS) * time.Millisecond
			inc.ClockOffset = &o
		}
		var err error
		switch {
		case r.Inspection != nil && r.Amendment == nil:
			results[i].Kind, results[i].ID = string(store.KindInspection), r.Inspection.ID
			inc.Inspection, err = InspectionFromWire(r.Inspection)
			if err == nil {
				err = h.checkFindings(ctx, inc.Inspection)
			}
		case r.Amendment != nil && r.Inspection == nil:
			results[i].Kind, results[i].ID = string(store.KindAmendment), r.Amendment.ID
			inc.Amendment, err = AmendmentFromWire(r.Amendment)
		default:
			err = fmt.Errorf("%w: record %d: exactly one of inspection and amendment", ErrBadRequest, i+1)
		}
		if err != nil {
			results[i].Status, results[i].Error = StatusRejected, wireError(err)
			continue
		}
		in = append(in, inc)
		idx = append(idx, i)
	}
	if len(in) > 0 {
		outs, err := h.st.Receive(ctx, d, in)
		if err != nil {
			return nil, err
		}
		for k, o := range outs {
			r := &results[idx[k]]
			r.Kind, r.ID, r.Status, r.HeldHash = string(o.Key.Kind), o.Key.ID, string(o.Status), o.HeldHash
			r.PhotosExpected, r.PhotosPresent, r.Missing = o.PhotosExpected, o.PhotosPresent, wirePhotos(o.Missing)
			switch o.Status {
			case store.Conflicting:
				r.Error = &Error{Code: CodeConflict, HeldHash: o.HeldHash, ReceivedHash: o.ReceivedHash, Message: o.Err.Error()}
				h.log.Warn("record conflict", "device", d.ID, "kind", o.Key.Kind, "id", o.Key.ID,
					"held", o.HeldHash, "received", o.ReceivedHash)
			case store.Rejected:
				r.Error = wireError(o.Err)
				h.log.Info("record refused", "device", d.ID, "kind", o.Key.Kind, "id", o.Key.ID, "err", o.Err)
			}
		}
	}
	return PushResult{Results: results}, nil
}

// checkFindings refuses a record whose findings the standard it was made with
// does not allow (an item that does not apply to the person's role or
// gender, impossible counts): the hub would otherwise keep a record that no
// report can score fairly. The tablet checks the same before saving, so only
// a broken or forged client sends such a record.
func (h *Hub) checkFindings(ctx context.Context, ins *inspect.Inspection) error {
	v, err := h.standard(ctx, ins.StandardVersion)
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range ins.HallFindings {
		errs = append(errs, inspect.ValidateFinding(v, nil, &f))
	}
	for i := range ins.People {
		p := &ins.People[i]
		for _, f := range p.Findings {
			if err := inspect.ValidateFinding(v, p, &f); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", p.Name, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: inspection %s: %w", ErrInvalidRecord, ins.ID, err)
	}
	return nil
}

// standard returns a stored standard version, parsed once: versions never
// change after import.
func (h *Hub) standard(ctx context.Context, version int) (*standard.Version, error) {
	h.mu.Lock()
	v, ok := h.standards[version]
	h.mu.Unlock()
	if ok {
		return v, nil
	}
	body, err := h.st.StandardBody(ctx, version)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: standard version %d is not on this hub", ErrInvalidRecord, version)
	}
	if err != nil {
		return nil, err
	}
	if v, err = standard.Parse(fmt.Sprintf("standard version %d", version), body); err != nil {
		return nil, err
	}
	h.mu.Lock()
	if h.standards == nil {
		h.standards = map[int]*standard.Version{}
	}
	h.standards[version] = v
	h.mu.Unlock()
	return v, nil
}

func (h *Hub) photoStatus(ctx context.Context, c *Call, d store.DeviceAccount) (any, error) {
	var req PhotoStatusRequest
	if err := decodeJSON(c.Body, &req); err != nil {
		return nil, err
	}
	if len(req.SHA256) > 1000 {
		return nil, &Error{Code: CodeTooLarge, Message: "ask about at most 1000 photos at once"}
	}
	res := PhotoStatusResult{Photos: make([]PhotoState, len(req.SHA256))}
	for i, sha := range req.SHA256 {
		u, err := h.st.PhotoUpload(ctx, d.ID, sha)
		res.Photos[i] = PhotoState{SHA256: sha, Size: u.Ref.Size, Offset: u.Offset, Complete: u.Complete}
		if err != nil {
			if !isRecordError(err) {
				return nil, err
			}
			res.Photos[i].Error = wireError(err)
		}
	}
	return res, nil
}

// isRecordError tells an answer about one item (a bad hash, an unknown
// photo) from a failure of the hub (disk full), which fails the call.
func isRecordError(err error) bool {
	switch errorToCode(err) {
	case CodeInternal, CodeUnavailable:
		return false
	}
	return true
}

func (h *Hub) photoChunk(ctx context.Context, c *Call, d store.DeviceAccount) (any, error) {
	if int64(len(c.Body)) > h.opt.MaxChunk {
		return nil, &Error{Code: CodeTooLarge, Message: fmt.Sprintf("chunk of %d bytes; send at most %d", len(c.Body), h.opt.MaxChunk)}
	}
	sum := sha256.Sum256(c.Body)
	if hex.EncodeToString(sum[:]) != c.ChunkSHA256 {
		// Checked before anything is written: a chunk cut or garbled in
		// transit is refused whole, and the upload resumes before it.
		return nil, fmt.Errorf("%w: the chunk does not match its SHA-256 (cut or damaged in transit)", ErrBadRequest)
	}
	u, err := h.st.PutPhotoChunk(ctx, d.ID, c.SHA256, c.Offset, c.Body)
	if err != nil {
		return nil, err
	}
	return PhotoState{SHA256: c.SHA256, Size: u.Ref.Size, Offset: u.Offset, Complete: u.Complete}, nil
}

func (h *Hub) receipt(ctx context.Context, c *Call, d store.DeviceAccount, id store.HubIdentity) (any, error) {
	var req ReceiptRequest
	if err := decodeJSON(c.Body, &req); err != nil {
		return nil, err
	}
	if len(req.Records) > 100_000 {
		return nil, &Error{Code: CodeTooLarge, Message: "a receipt covers at most 100000 records; ask for a full one"}
	}
	held, err := h.st.HeldRecords(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	body := &ReceiptBody{HubID: id.HubID, Epoch: id.Epoch, DeviceID: d.ID, IssuedAt: h.opt.Now().UTC(), Full: req.Full}
	byID := make(map[string]store.HeldRecord, len(held))
	var digest []DigestEntry
	for _, r := range held {
		byID[r.Key.ID] = r
		if r.Complete() {
			digest = append(digest, DigestEntry{Kind: string(r.Key.Kind), ID: r.Key.ID, Hash: r.Hash})
		}
	}
	entry := func(kind string, r store.HeldRecord, ok bool, id string) ReceiptRecord {
		if !ok {
			return ReceiptRecord{Kind: kind, ID: id}
		}
		return ReceiptRecord{Kind: string(r.Key.Kind), ID: r.Key.ID, Held: true, Hash: r.Hash,
			PhotosExpected: r.PhotosExpected, PhotosPresent: r.PhotosPresent, Complete: r.Complete(), ReceivedAt: r.ReceivedAt}
	}
	if req.Full {
		for _, r := range held {
			body.Records = append(body.Records, entry("", r, true, ""))
		}
	} else {
		for _, k := range req.Records {
			r, ok := byID[k.ID]
			if ok && string(r.Key.Kind) != k.Kind {
				ok = false
			}
			body.Records = append(body.Records, entry(k.Kind, r, ok, k.ID))
		}
	}
	body.Count, body.Digest = len(digest), Digest(digest)
	h.noteSync(ctx, d, req, body)
	return signReceipt(h.receiptKey, body)
}
