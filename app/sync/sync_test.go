package sync_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

var day = time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC)

func TestSyncEndToEnd(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	var events []dsync.Progress
	opt := clientOpts(t)
	opt.ChunkSize = 64 << 10
	opt.Progress = func(p dsync.Progress) { events = append(events, p) }
	tb := h.newTablet(t, "平板一", h.region, opt)

	// The first sync brought the region's master data, and only it.
	halls, err := tb.db.Halls(ctx)
	must(t, err)
	if len(halls) != 2 {
		t.Fatalf("tablet halls = %+v", halls)
	}
	if _, err := tb.db.Authenticate(ctx, "zhang", "2580"); err != nil {
		t.Errorf("supervisor cannot sign in on the tablet: %v", err)
	}
	if id, _ := tb.db.Setting(ctx, "device.id"); id != tb.client.DeviceID() {
		t.Errorf("device.id = %q, want the hub's %q", id, tb.client.DeviceID())
	}

	a := tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day, photoBytes(1, 200<<10), photoBytes(2, 150<<10))
	b := tb.seal(t, h.halls[1].ID, h.staff[1].ID, h.sup.ID, day.Add(24*time.Hour))
	amend := &inspect.Amendment{InspectionID: a.ID, OriginalHash: a.SealHash, Reason: "照片拍错了人",
		AuthorID: h.sup.ID, DeviceID: tb.client.DeviceID(), At: day.Add(48 * time.Hour),
		Changes: []inspect.Change{{PersonID: a.People[0].ID, ItemID: "A1.1"}}}
	must(t, tb.db.AddAmendment(ctx, amend))
	// A draft never leaves the tablet.
	draft := &inspect.Inspection{HallID: h.halls[0].ID, SupervisorID: h.sup.ID, StandardVersion: 1, StartedAt: day,
		People: []inspect.Person{{StaffID: h.staff[2].ID}}}
	must(t, tb.db.CreateInspection(ctx, draft))

	events = nil
	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if rep.Sent != 3 || rep.Delivered != 3 || rep.PhotosSent != 2 || rep.BytesSent != 350<<10 || !rep.DigestOK || rep.Pending != 0 {
		t.Errorf("report = %+v", rep)
	}
	checkDelivered(t, h, tb)
	if got, err := h.db.Inspection(ctx, draft.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("draft reached the hub: %+v, %v", got, err)
	}
	if ams, err := h.db.Amendments(ctx, a.ID); err != nil || len(ams) != 1 || ams[0].SealHash != amend.SealHash {
		t.Errorf("hub amendments = %+v, %v", ams, err)
	}
	_ = b

	// Progress: every stage, the records and the photo bytes counted up.
	var stages []dsync.Stage
	var maxBytes int64
	for _, e := range events {
		if len(stages) == 0 || stages[len(stages)-1] != e.Stage {
			stages = append(stages, e.Stage)
		}
		if e.Stage == dsync.StagePush && e.RecordsTotal != 3 {
			t.Errorf("push progress total = %d", e.RecordsTotal)
		}
		maxBytes = max(maxBytes, e.BytesDone)
	}
	if !slices.Equal(stages, []dsync.Stage{dsync.StagePull, dsync.StagePush, dsync.StagePhotos, dsync.StageReceipt, dsync.StageDone}) {
		t.Errorf("stages = %v", stages)
	}
	if maxBytes != 350<<10 {
		t.Errorf("bytes progress reached %d", maxBytes)
	}

	if st := tb.client.Status(ctx); st.LastSync.IsZero() || st.Revoked != "" || st.HubURL != h.url {
		t.Errorf("status = %+v", st)
	}

	// Nothing new: nothing sent, everything still delivered.
	rep, err = tb.client.Sync(ctx)
	must(t, err)
	if rep.Sent != 0 || rep.Delivered != 0 || !rep.DigestOK {
		t.Errorf("second sync = %+v", rep)
	}

	// Master data changed on the hub reaches the tablet at the next sync.
	moved := h.staff[3]
	moved.HallID = h.farHall.ID
	_, err = h.db.UpsertStaff(ctx, moved)
	must(t, err)
	_, err = h.db.AddHall(ctx, store.Hall{RegionID: h.region.ID, Code: "KM-3", Name: "新营业厅"})
	must(t, err)
	rep, err = tb.client.Sync(ctx)
	must(t, err)
	if rep.Pulled == 0 || rep.FullResync {
		t.Errorf("pull after changes = %+v", rep)
	}
	if _, err := tb.db.StaffByID(ctx, moved.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("staff moved to another region is still on the tablet: %v", err)
	}
	if halls, _ := tb.db.Halls(ctx); len(halls) != 3 {
		t.Errorf("tablet halls after a new one = %d", len(halls))
	}
}

// Practice 9: the protocol runs over any byte stream; here both ends talk
// through io.Pipe with no HTTP and no TLS in the way.
func TestSyncOverPipe(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	cr, sw := ioPipe()
	sr, cw := ioPipe()
	done := make(chan error, 1)
	go func() { done <- dsync.ServeStream(ctx, h.hub, sr, sw, 32<<20) }()
	opt := clientOpts(t)
	opt.Transport = dsync.NewStreamTransport(cr, cw)
	e, err := h.hub.NewEnrolment(ctx, "管道平板", h.region.ID)
	must(t, err)
	tb := &tablet{name: "pipe", db: newTabletDB(t)}
	tb.client, err = dsync.Enrol(ctx, tb.db, dsync.Invite{URL: "https://pipe.invalid", Pins: h.keys.Pins, Code: e.Code}, opt)
	must(t, err)
	_, err = tb.client.Sync(ctx)
	must(t, err)
	tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day, photoBytes(3, 300<<10))
	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if rep.Delivered != 1 || !rep.DigestOK {
		t.Errorf("report = %+v", rep)
	}
	checkDelivered(t, h, tb)
	cw.Close()
	if err := <-done; err != nil {
		t.Errorf("serve stream: %v", err)
	}
}

// deliveredByAnother starts a hub with two tablets: 甲 has delivered
// inspection a; 乙 (returned) is to make another record under a's ID.
func deliveredByAnother(t *testing.T) (h *testHub, tbb *tablet, a *inspect.Inspection) {
	t.Helper()
	h = startHub(t, dsync.HubOptions{})
	ta := h.newTablet(t, "甲", h.region, clientOpts(t))
	tbb = h.newTablet(t, "乙", h.region, clientOpts(t))
	a = ta.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day)
	_, err := ta.client.Sync(ctx)
	must(t, err)
	return h, tbb, a
}

func TestConflictQuarantined(t *testing.T) {
	h, tbb, a := deliveredByAnother(t)

	// Tablet B holds another record under the same UUID.
	other := &inspect.Inspection{ID: a.ID, HallID: h.halls[0].ID, SupervisorID: h.sup.ID, StandardVersion: 1, StartedAt: day,
		People: []inspect.Person{{StaffID: h.staff[1].ID}}}
	must(t, tbb.db.CreateInspection(ctx, other))
	hash, err := tbb.db.Seal(ctx, a.ID, day.Add(time.Hour))
	must(t, err)
	rep, err := tbb.client.Sync(ctx)
	must(t, err)
	if rep.Quarantined != 1 || rep.Delivered != 0 {
		t.Errorf("report = %+v", rep)
	}
	q, err := tbb.db.Outbox(ctx, store.OutboxQuarantined)
	must(t, err)
	if len(q) != 1 || q[0].HeldHash != a.SealHash || q[0].SealHash != hash || q[0].Attempts != 1 {
		t.Fatalf("quarantine = %+v", q)
	}
	cs, err := h.db.Conflicts(ctx)
	must(t, err)
	if len(cs) != 1 || cs[0].HeldHash != a.SealHash || cs[0].ReceivedHash != hash || cs[0].DeviceName != "乙" {
		t.Errorf("hub conflicts = %+v", cs)
	}
	// Never retried in a loop: later syncs leave it alone.
	for range 3 {
		_, err := tbb.client.Sync(ctx)
		must(t, err)
	}
	q, _ = tbb.db.Outbox(ctx, store.OutboxQuarantined)
	if len(q) != 1 || q[0].Attempts != 1 {
		t.Errorf("quarantined record was retried: %+v", q)
	}
	pending, err := tbb.client.Pending(ctx)
	must(t, err)
	if len(pending) != 1 || pending[0].State != store.OutboxQuarantined || pending[0].Reason == "" {
		t.Errorf("pending = %+v", pending)
	}
	// The hub's copy is untouched.
	if got, _ := h.db.Inspection(ctx, a.ID); got.SealHash != a.SealHash {
		t.Errorf("hub copy changed to %s", got.SealHash)
	}
	// A person may requeue it; the hub refuses it again, once.
	must(t, tbb.client.Requeue(ctx, a.ID))
	_, err = tbb.client.Sync(ctx)
	must(t, err)
	q, _ = tbb.db.Outbox(ctx, store.OutboxQuarantined)
	if len(q) != 1 || q[0].Attempts != 2 {
		t.Errorf("after requeue: %+v", q)
	}
}

// Only a record whose ID the hub holds with another seal is quarantined:
// an amendment of that record's other version is refused too (it amends a
// seal the hub does not hold), but parked with the hub's reason, and the
// hub's conflict list names the inspection alone.
func TestAmendmentOfAnotherSealParked(t *testing.T) {
	h, tbb, a := deliveredByAnother(t)

	other := &inspect.Inspection{ID: a.ID, HallID: h.halls[0].ID, SupervisorID: h.sup.ID, StandardVersion: 1, StartedAt: day,
		People: []inspect.Person{{StaffID: h.staff[1].ID, Findings: []inspect.Finding{{ItemID: "A1.1",
			Outcome: inspect.Nonconform, At: day.Add(time.Minute)}}}}}
	must(t, tbb.db.CreateInspection(ctx, other))
	hash, err := tbb.db.Seal(ctx, a.ID, day.Add(time.Hour))
	must(t, err)
	amend := &inspect.Amendment{InspectionID: a.ID, OriginalHash: hash, Reason: "记错了人",
		AuthorID: h.sup.ID, DeviceID: tbb.client.DeviceID(), At: day.Add(2 * time.Hour),
		Changes: []inspect.Change{{PersonID: other.People[0].ID, ItemID: "A1.1"}}}
	must(t, tbb.db.AddAmendment(ctx, amend))

	rep, err := tbb.client.Sync(ctx)
	must(t, err)
	if rep.Quarantined != 1 || rep.Parked != 1 || rep.Delivered != 0 {
		t.Errorf("report = %+v, want the inspection quarantined and the amendment parked", rep)
	}
	q, err := tbb.db.Outbox(ctx, store.OutboxQuarantined)
	must(t, err)
	if len(q) != 1 || q[0].Key.ID != a.ID || q[0].HeldHash != a.SealHash {
		t.Errorf("quarantine = %+v", q)
	}
	p, err := tbb.db.Outbox(ctx, store.OutboxParked)
	must(t, err)
	if len(p) != 1 || p[0].Key.ID != amend.ID || p[0].ReasonCode != string(dsync.CodeConflict) || !strings.Contains(p[0].Reason, a.SealHash) {
		t.Errorf("parked = %+v", p)
	}
	if cs, err := h.db.Conflicts(ctx); err != nil || len(cs) != 1 || cs[0].RecordID != a.ID {
		t.Errorf("hub conflicts = %+v, %v", cs, err)
	}
}

func TestTenTabletsSameInspection(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	origin := h.newTablet(t, "origin", h.region, clientOpts(t))
	photo := photoBytes(9, 100<<10)
	ins := origin.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day, photo)

	var tablets []*tablet
	for i := range 10 {
		tb := h.newTablet(t, "t"+string(rune('0'+i)), h.region, clientOpts(t))
		_, err := tb.db.PutPhoto(ctx, bytesReader(photo), "image/jpeg")
		must(t, err)
		imported, err := tb.db.ImportSealed(ctx, ins)
		if err != nil || !imported {
			t.Fatalf("copy to tablet %d: %v", i, err)
		}
		tablets = append(tablets, tb)
	}
	errs := make(chan error, len(tablets))
	start := make(chan struct{})
	for _, tb := range tablets {
		go func() {
			<-start
			_, err := tb.client.Sync(ctx)
			errs <- err
		}()
	}
	close(start)
	for range tablets {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := h.copies(t, ins.ID); n != 1 {
		t.Errorf("hub holds %d copies", n)
	}
	for _, tb := range tablets {
		checkDelivered(t, h, tb)
	}
}

func TestRevokedDevice(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	tb := h.newTablet(t, "丢失的平板", h.region, clientOpts(t))
	tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day)
	_, err := h.db.RevokeDevice(ctx, tb.client.DeviceID(), "reported lost")
	must(t, err)
	_, err = tb.client.Sync(ctx)
	if !errors.Is(err, dsync.ErrRevoked) {
		t.Fatalf("sync after revocation: %v", err)
	}
	var e *dsync.Error
	if !errors.As(err, &e) || e.Status != 403 || !contains(e.Message, "reported lost") {
		t.Errorf("revocation error = %#v", err)
	}
	// Unsent data stays on the tablet.
	pending, err := tb.client.Pending(ctx)
	must(t, err)
	if len(pending) != 1 || pending[0].State != store.OutboxSealed {
		t.Errorf("pending after revocation = %+v", pending)
	}
	if st := tb.client.Status(ctx); !contains(st.Revoked, "reported lost") || st.DeviceName != "丢失的平板" {
		t.Errorf("status after revocation = %+v", st)
	}
}

func TestEnrolCodeSingleUse(t *testing.T) {
	h := startHub(t, dsync.HubOptions{EnrolTTL: time.Minute})
	inv := h.invite(t, "一号", h.region)
	_, err := dsync.Enrol(ctx, newTabletDB(t), inv, clientOpts(t))
	must(t, err)
	_, err = dsync.Enrol(ctx, newTabletDB(t), inv, clientOpts(t))
	if !errors.Is(err, dsync.ErrEnrolment) {
		t.Errorf("second tablet with the same code: %v", err)
	}
	// The wrong pin: the tablet refuses the hub before sending the code.
	inv2 := h.invite(t, "二号", h.region)
	inv2.Pins = []string{"sha256/" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}
	_, err = dsync.Enrol(ctx, newTabletDB(t), inv2, clientOpts(t))
	if !errors.Is(err, dsync.ErrCertChanged) {
		t.Errorf("enrol with a wrong pin: %v", err)
	}
	// The code was not spent by the failed attempt.
	inv2.Pins = h.keys.Pins
	if _, err := dsync.Enrol(ctx, newTabletDB(t), inv2, clientOpts(t)); err != nil {
		t.Errorf("enrol after the wrong pin: %v", err)
	}
	// Pins survive: the invite round-trips through its QR text.
	back, err := dsync.ParseInvite(inv.String())
	if err != nil || back.URL != inv.URL || !slices.Equal(back.Pins, inv.Pins) || back.Code != inv.Code {
		t.Errorf("invite round trip = %+v, %v", back, err)
	}
}

func TestDeviceClockYearsOff(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	opt := clientOpts(t)
	skew := 5 * 365 * 24 * time.Hour
	opt.Now = func() time.Time { return time.Now().Add(skew) }
	tb := h.newTablet(t, "时钟错了", h.region, opt)
	// Recorded in the device's (wrong) time; the seal keeps it.
	ins := tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, time.Now().Add(skew).UTC().Truncate(time.Millisecond))
	// Two corrections, the clock reset to years ago between them (a flat
	// battery): the hub applies them in the order they were made.
	first := &inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "先撤销", AuthorID: h.sup.ID,
		DeviceID: tb.client.DeviceID(), At: time.Now().Add(skew), Changes: []inspect.Change{{PersonID: ins.People[0].ID, ItemID: "A1.1"}}}
	second := &inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash, Reason: "核实后恢复", AuthorID: h.sup.ID,
		DeviceID: tb.client.DeviceID(), At: time.Now().Add(-10 * 365 * 24 * time.Hour),
		Changes: []inspect.Change{{PersonID: ins.People[0].ID, ItemID: "A1.1",
			Finding: &inspect.Finding{Outcome: inspect.Nonconform, Note: "第二次更正"}}}}
	must(t, tb.db.AddAmendment(ctx, first))
	must(t, tb.db.AddAmendment(ctx, second))
	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if rep.Delivered != 3 {
		t.Fatalf("report = %+v", rep)
	}
	if d := rep.ClockOffset - skew; d < -time.Minute || d > time.Minute {
		t.Errorf("measured offset %v, want about %v", rep.ClockOffset, skew)
	}
	got, err := h.db.Inspection(ctx, ins.ID)
	must(t, err)
	if !got.StartedAt.Equal(ins.StartedAt) {
		t.Errorf("hub changed the device's time: %v vs %v", got.StartedAt, ins.StartedAt)
	}
	held, err := h.db.HeldRecords(ctx, tb.client.DeviceID())
	must(t, err)
	if len(held) != 3 || time.Since(held[0].ReceivedAt) > time.Minute {
		t.Errorf("hub's received time = %+v, want the hub's own clock", held)
	}
	// Each record carries its own copy of the device's offset; sealed before
	// any sync, they take the one this first sync's pull measured.
	for _, r := range held {
		if r.ClockOffset == nil || *r.ClockOffset-skew < -time.Minute || *r.ClockOffset-skew > time.Minute {
			t.Errorf("%s %s: hub holds the device's offset %v, want about %v", r.Key.Kind, r.Key.ID, r.ClockOffset, skew)
		}
	}
	ams, err := h.db.Amendments(ctx, ins.ID)
	must(t, err)
	if len(ams) != 2 || ams[0].ID != first.ID || ams[1].ID != second.ID {
		t.Fatalf("hub's amendments in order %+v, want the first made first", ams)
	}
	eff := inspect.Effective(got, ams)
	i := slices.IndexFunc(eff.People[0].Findings, func(f inspect.Finding) bool { return f.ItemID == "A1.1" })
	if i < 0 || eff.People[0].Findings[i].Note != "第二次更正" {
		t.Errorf("on the hub A1.1 is %+v, want the later correction", eff.People[0].Findings)
	}
}

// refusingHub refuses every record while refuse is set, as a hub would
// refuse a record it finds invalid.
type refusingHub struct {
	store.HubStore
	refuse *atomic.Bool
}

func (r refusingHub) Receive(ctx context.Context, dev store.DeviceAccount, recs []store.Incoming) ([]store.ReceiveOutcome, error) {
	if !r.refuse.Load() {
		return r.HubStore.Receive(ctx, dev, recs)
	}
	out := make([]store.ReceiveOutcome, len(recs))
	for i, in := range recs {
		out[i] = store.ReceiveOutcome{Key: in.Key(), Status: store.Rejected, Err: fmt.Errorf("%w: refused for the test", store.ErrInvalid)}
	}
	return out, nil
}

// A record keeps the clock offset its device knew when it was queued, even
// when it reaches the hub after later syncs measured another: the offset
// dates the record's own times.
func TestRecordKeepsItsClockOffset(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	var refuse atomic.Bool
	h.wrap = func(st store.HubStore) store.HubStore { return refusingHub{st, &refuse} }
	h.restartOn(h.dbPath)
	opt := clientOpts(t)
	var skew atomic.Int64
	skew.Store(int64(3 * time.Hour))
	opt.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	tb := h.newTablet(t, "时钟错了", h.region, opt)
	ins := tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, time.Now().Add(3*time.Hour).UTC().Truncate(time.Millisecond))

	refuse.Store(true)
	rep, err := tb.client.Sync(ctx) // queued with +3 h, refused: parked
	must(t, err)
	if rep.Parked != 1 {
		t.Fatalf("report = %+v, want the record parked", rep)
	}
	refuse.Store(false)
	skew.Store(0) // the clock is put right; the next sync measures about 0
	_, err = tb.client.Sync(ctx)
	must(t, err)
	must(t, tb.client.Requeue(ctx, ins.ID))
	rep, err = tb.client.Sync(ctx)
	must(t, err)
	if rep.Delivered != 1 {
		t.Fatalf("report = %+v, want the record delivered", rep)
	}
	held, err := h.db.HeldRecords(ctx, tb.client.DeviceID())
	must(t, err)
	if len(held) != 1 {
		t.Fatalf("hub holds %+v", held)
	}
	if off := held[0].ClockOffset; off == nil || *off < 3*time.Hour-time.Minute {
		t.Errorf("hub holds the offset %v, want the +3 h the record was queued with", off)
	}
}

// A record the tablet cannot read to send is parked as a local problem, and
// alone: the records read with it in one batch still go. With two records to
// a batch, the unreadable ones share batches with readable ones, and the
// amendment follows its inspection.
func TestUnreadableRecordParkedAlone(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	opt := clientOpts(t)
	opt.BatchRecords = 2
	tb := h.newTablet(t, "平板一", h.region, opt)
	var sealed []*inspect.Inspection
	for i := range 4 {
		sealed = append(sealed, tb.seal(t, h.halls[0].ID, h.staff[i%2].ID, h.sup.ID, day.Add(time.Duration(i)*time.Hour)))
	}
	amend := &inspect.Amendment{InspectionID: sealed[0].ID, OriginalHash: sealed[0].SealHash, Reason: "记错了人",
		AuthorID: h.sup.ID, DeviceID: tb.client.DeviceID(), At: day.Add(48 * time.Hour),
		Changes: []inspect.Change{{PersonID: sealed[0].People[0].ID, ItemID: "A1.1"}}}
	must(t, tb.db.AddAmendment(ctx, amend))

	// One queued inspection whose rows are gone (queued first, so that it
	// shares a batch with a readable one), one whose stored seal is not the
	// one queued: both behind the store's back.
	raw, err := sql.Open("sqlite3", tb.db.Path())
	must(t, err)
	defer raw.Close()
	const lost = "0190ffff-0000-7000-8000-000000000001"
	_, err = raw.Exec(`INSERT INTO sync_outbox (id, kind, seal_hash, state, queued_at, updated_at)
		VALUES (?, 'inspection', ?, 'sealed', 0, 0)`, lost, strings.Repeat("a", 64))
	must(t, err)
	_, err = tb.db.EnqueueSealed(ctx, nil)
	must(t, err)
	_, err = raw.Exec(`UPDATE sync_outbox SET seal_hash = ? WHERE id = ?`, strings.Repeat("b", 64), sealed[2].ID)
	must(t, err)

	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if rep.Delivered != 4 || rep.Parked != 2 {
		t.Errorf("report = %+v, want 4 delivered (3 inspections, the amendment) and 2 parked", rep)
	}
	parked, err := tb.db.Outbox(ctx, store.OutboxParked)
	must(t, err)
	var ids []string
	for _, it := range parked {
		ids = append(ids, it.Key.ID)
		if it.ReasonCode != string(dsync.CodeLocalProblem) || it.Reason == "" {
			t.Errorf("parked %s: %s %q", it.Key.ID, it.ReasonCode, it.Reason)
		}
	}
	want := []string{sealed[2].ID, lost}
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("parked %v, want %v", ids, want)
	}
	for _, i := range []int{0, 1, 3} {
		if n := h.copies(t, sealed[i].ID); n != 1 {
			t.Errorf("inspection %d: %d copies on the hub", i, n)
		}
	}
	if ams, err := h.db.Amendments(ctx, sealed[0].ID); err != nil || len(ams) != 1 {
		t.Errorf("hub amendments = %+v, %v", ams, err)
	}
}

// A record whose findings the standard does not allow (here a hall-level item
// recorded on a person) is refused by the hub and parked on the tablet with
// the reason; it is not stored, and the rest of the queue still goes.
func TestHubRefusesInvalidFindings(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	tb := h.newTablet(t, "甲", h.region, clientOpts(t))
	good := tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day)
	bad := &inspect.Inspection{HallID: h.halls[0].ID, SupervisorID: h.sup.ID, DeviceID: tb.client.DeviceID(),
		StandardVersion: 1, StartedAt: day.Add(2 * time.Hour),
		People: []inspect.Person{{StaffID: h.staff[1].ID, Findings: []inspect.Finding{{ItemID: "C1.1",
			Outcome: inspect.Nonconform, At: day.Add(2*time.Hour + time.Minute)}}}}}
	must(t, tb.db.CreateInspection(ctx, bad))
	_, err := tb.db.Seal(ctx, bad.ID, day.Add(3*time.Hour))
	must(t, err)

	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if rep.Delivered != 1 || rep.Parked != 1 {
		t.Fatalf("report = %+v, want the good record delivered and the bad one parked", rep)
	}
	pending, err := tb.client.Pending(ctx)
	must(t, err)
	if len(pending) != 1 || pending[0].Key.ID != bad.ID || !strings.Contains(pending[0].Reason, "C1.1") {
		t.Errorf("pending = %+v, want the bad record with a reason naming C1.1", pending)
	}
	if n := h.copies(t, bad.ID); n != 0 {
		t.Errorf("hub stored the refused record (%d copies)", n)
	}
	if n := h.copies(t, good.ID); n != 1 {
		t.Errorf("hub holds %d copies of the good record", n)
	}

	// Refused for good: the next syncs do not send it again (the hub would
	// only refuse it again) until a person asks, or the hub's master data
	// changes, which may be its fix.
	attempts := func() int {
		t.Helper()
		items, err := tb.client.Pending(ctx)
		must(t, err)
		for _, it := range items {
			if it.Key.ID == bad.ID {
				return it.Attempts
			}
		}
		t.Fatalf("the refused record left the pending list: %+v", items)
		return 0
	}
	before := attempts()
	for range 2 {
		rep, err = tb.client.Sync(ctx)
		must(t, err)
	}
	if n := attempts(); n != before || rep.Parked != 0 {
		t.Errorf("after two more syncs: %d attempts (was %d), report %+v: the refused record was sent again", n, before, rep)
	}
	staff := h.staff[0]
	staff.Name += "（调岗）"
	_, err = h.db.UpsertStaff(ctx, staff)
	must(t, err)
	rep, err = tb.client.Sync(ctx)
	must(t, err)
	if n := attempts(); rep.Pulled == 0 || n != before+1 {
		t.Errorf("after the roster changed: %d attempts (was %d), report %+v: want it tried once more", n, before, rep)
	}
	must(t, tb.client.Requeue(ctx, bad.ID))
	_, err = tb.client.Sync(ctx)
	must(t, err)
	if n := attempts(); n != before+2 {
		t.Errorf("after Try again: %d attempts, want %d", n, before+2)
	}
}

// An amendment refused because the hub does not hold its inspection
// (not_found) waits with its inspection while that is parked: neither goes
// out again by itself. Once a person puts the inspection back in line, the
// amendment follows it without being asked.
func TestParkedAmendmentWaitsForItsInspection(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	tb := h.newTablet(t, "甲", h.region, clientOpts(t))
	ins := &inspect.Inspection{HallID: h.halls[0].ID, SupervisorID: h.sup.ID, DeviceID: tb.client.DeviceID(),
		StandardVersion: 1, StartedAt: day,
		People: []inspect.Person{{StaffID: h.staff[1].ID, Findings: []inspect.Finding{{ItemID: "C1.1",
			Outcome: inspect.Nonconform, At: day.Add(time.Minute)}}}}}
	must(t, tb.db.CreateInspection(ctx, ins))
	hash, err := tb.db.Seal(ctx, ins.ID, day.Add(time.Hour))
	must(t, err)
	amend := &inspect.Amendment{InspectionID: ins.ID, OriginalHash: hash, Reason: "撤销", AuthorID: h.sup.ID,
		DeviceID: tb.client.DeviceID(), Changes: []inspect.Change{{PersonID: ins.People[0].ID, ItemID: "C1.1"}}}
	must(t, tb.db.AddAmendment(ctx, amend))
	attempts := func() (int, int) {
		t.Helper()
		items, err := tb.client.Pending(ctx)
		must(t, err)
		n := map[string]int{}
		for _, it := range items {
			n[it.Key.ID] = it.Attempts
		}
		return n[ins.ID], n[amend.ID]
	}
	for sync := 1; sync <= 3; sync++ {
		rep, err := tb.client.Sync(ctx)
		must(t, err)
		if sync == 1 && rep.Parked != 2 {
			t.Fatalf("report = %+v, want the inspection and its amendment parked", rep)
		}
	}
	if i, a := attempts(); i != 1 || a != 1 {
		t.Errorf("attempts after three syncs: inspection %d, amendment %d; want 1 and 1", i, a)
	}
	must(t, tb.client.Requeue(ctx, ins.ID))
	_, err = tb.client.Sync(ctx)
	must(t, err)
	if i, a := attempts(); i != 2 || a != 2 {
		t.Errorf("after Try again on the inspection: attempts %d and %d, want 2 and 2", i, a)
	}
}

// A photo the hub refuses (here: larger than it takes) parks its record
// with the hub's reason, instead of the record showing "the hub has 0 of 1
// photos" for ever; its other records are delivered.
func TestRefusedPhotoParksItsRecord(t *testing.T) {
	h := startHubWith(t, dsync.HubOptions{}, dsync.ServerOptions{}, store.WithMaxPhotoSize(100<<10))
	tb := h.newTablet(t, "甲", h.region, clientOpts(t))
	big := tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day, photoBytes(9, 150<<10))
	small := tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day.Add(time.Hour), photoBytes(10, 50<<10))
	rep, err := tb.client.Sync(ctx)
	must(t, err)
	if rep.Delivered != 1 || rep.Parked != 1 {
		t.Errorf("report = %+v, want one delivered and one parked", rep)
	}
	pending, err := tb.client.Pending(ctx)
	must(t, err)
	if len(pending) != 1 || pending[0].Key.ID != big.ID || pending[0].State != store.OutboxParked ||
		pending[0].ReasonCode != string(dsync.CodeTooLarge) || !strings.Contains(pending[0].Reason, "photo") {
		t.Errorf("pending = %+v, want %s parked as too large", pending, big.ID)
	}
	if n := h.copies(t, small.ID); n != 1 {
		t.Errorf("hub holds %d copies of the record with a photo it takes", n)
	}
}

// TestSyncThroughRateLimit: photos going up two at a time outrun a device's
// request rate once its burst is spent; the hub answers 429 with when to ask
// again, and the sync waits and finishes instead of failing after a few
// attempts (a 429 does not use one up).
func TestSyncThroughRateLimit(t *testing.T) {
	h := startHub(t, dsync.HubOptions{Rate: 200, Burst: 4})
	opt := clientOpts(t)
	opt.Attempts = 2 // without the exemption the first 429s would end the sync
	tb := h.newTablet(t, "平板一", h.region, opt)
	const n = 12
	for i := range n {
		tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day.Add(time.Duration(i)*time.Hour),
			photoBytes(uint64(100+i), 8<<10))
	}
	rep, err := tb.client.Sync(ctx)
	if err != nil {
		t.Fatalf("sync through the rate limit: %v", err)
	}
	if rep.Delivered != n || rep.PhotosSent != n || !rep.DigestOK {
		t.Errorf("report = %+v", rep)
	}
	checkDelivered(t, h, tb)
}

// The desktop of a manager over every region (no region of its own) pulls
// every region's master data, so its first sync brings the users who sign
// in on it; it used to fail with "no region".
func TestAllRegionsDesktopPulls(t *testing.T) {
	h := startHub(t, dsync.HubOptions{})
	mgr, err := h.db.AddUser(ctx, store.User{Name: "王总", Username: "wang", Role: store.RoleManager}, "1357")
	must(t, err)
	enr, err := dsync.NewDeviceEnrolment(ctx, h.db, store.Device{Name: "王总的电脑", UserID: mgr.ID}, time.Now().Add(time.Hour))
	must(t, err)
	db := newTabletDB(t)
	c, err := dsync.Enrol(ctx, db, dsync.Invite{URL: h.url, Pins: h.keys.Pins, Code: enr.Code}, clientOpts(t))
	must(t, err)
	if _, err := c.Sync(ctx); err != nil {
		t.Fatalf("first sync of the desktop: %v", err)
	}
	halls, err := db.Halls(ctx)
	must(t, err)
	if len(halls) != len(h.halls)+1 {
		t.Errorf("the desktop holds %d halls, want every region's %d", len(halls), len(h.halls)+1)
	}
	if _, err := db.Authenticate(ctx, "wang", "1357"); err != nil {
		t.Errorf("the manager cannot sign in on the desktop: %v", err)
	}
}
