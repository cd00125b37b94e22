package flow_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/flow/hubtest"
	"github.com/dudao-app/dudao/app/inspect"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// syncOpts makes the client's backoff short, so an unreachable hub fails
// in milliseconds rather than seconds.
var syncOpts = dsync.ClientOptions{Logger: quiet, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond}

func (e *env) region() string {
	e.t.Helper()
	return e.halls[hallA].RegionID
}

func states(t *testing.T, f *flow.Flow, st flow.SyncState) []string {
	t.Helper()
	rows, err := f.History(ctx, flow.HistoryFilter{State: st})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		if r.State != st {
			t.Errorf("history filtered on %s lists %s as %s", st, r.ID, r.State)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

// TestSyncDelivers enrols with a real hub in process, seals, syncs, and
// follows an inspection through the history's states: sealed, then
// delivered once the hub's receipt covers it. Records made before enrolling
// stay in the history and on the hub, and new ones carry the hub's device ID.
func TestSyncDelivers(t *testing.T) {
	e := newEnv(t)
	before := e.start(e.sup, hallA, "李娜")
	beforeHash := e.signAndSeal(before)
	oldDevice, err := e.flow.DeviceID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hub := hubtest.FromCopy(t, e.db)

	sy := flow.NewSync(e.flow, syncOpts)
	if sy.Enrolled(ctx) {
		t.Fatal("enrolled before enrolment")
	}
	pend, err := sy.Pending(ctx)
	if err != nil || len(pend) != 1 || pend[0].ID != before.Inspection.ID || pend[0].State != flow.StateSealed ||
		pend[0].HallName != "优付通北京路营业厅" {
		t.Fatalf("pending before enrolment = %+v, %v", pend, err)
	}
	if n, err := sy.PendingCount(ctx); err != nil || n != len(pend) {
		t.Errorf("pending count before enrolment = %d, %v; the list has %d", n, err, len(pend))
	}

	wantErr(t, sy.Enrol(ctx, "hello"), flow.ErrBadInvite)
	if k := flow.MessageKey(sy.Enrol(ctx, "hello")); k != "sync.error.bad_invite" {
		t.Errorf("bad invite key %q", k)
	}
	if err := sy.Enrol(ctx, hub.Invite("test tablet", e.region())); err != nil {
		t.Fatal(err)
	}
	if !sy.Enrolled(ctx) {
		t.Fatal("not enrolled after enrolment")
	}
	st, err := sy.SyncStatus(ctx)
	if err != nil || !st.Enrolled || st.HubID == "" || st.DeviceID == oldDevice || st.DeviceName != "test tablet" {
		t.Fatalf("status = %+v, %v", st, err)
	}
	dev, err := e.flow.DeviceID(ctx)
	if err != nil || dev != st.DeviceID {
		t.Fatalf("flow's device ID after enrolment = %q, %v; want the hub's %q", dev, err, st.DeviceID)
	}

	// The record from before enrolment is still this device's.
	if got := states(t, e.flow, flow.StateSealed); !slices.Equal(got, []string{before.Inspection.ID}) {
		t.Errorf("sealed before sync = %v", got)
	}

	d := e.start(e.sup, hallB, "段志强")
	if d.Inspection.DeviceID != st.DeviceID {
		t.Errorf("new inspection's device %q, want %q", d.Inspection.DeviceID, st.DeviceID)
	}
	p := person(t, d, "段志强")
	if _, err := e.flow.AttachPhoto(ctx, d, p, "A1.2", "photo.png", signaturePNG(t)); err != nil {
		t.Fatal(err)
	}
	e.signAndSeal(d)

	var got []flow.SyncProgress
	rep, err := sy.SyncNow(ctx, func(p flow.SyncProgress) { got = append(got, p) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Delivered != 2 || rep.Pending != 0 || !rep.DigestOK {
		t.Errorf("report = %+v", rep)
	}
	if len(got) == 0 || got[len(got)-1].Stage != dsync.StageDone {
		t.Errorf("progress ended %v", got)
	}
	if !slices.ContainsFunc(got, func(p flow.SyncProgress) bool { return p.BytesTotal > 0 && p.BytesDone == p.BytesTotal }) {
		t.Errorf("no progress reports the photo bytes: %v", got)
	}
	delivered := states(t, e.flow, flow.StateDelivered)
	if len(delivered) != 2 || !slices.Contains(delivered, d.Inspection.ID) || !slices.Contains(delivered, before.Inspection.ID) {
		t.Errorf("delivered = %v", delivered)
	}
	if got := states(t, e.flow, flow.StateSealed); len(got) != 0 {
		t.Errorf("still sealed: %v", got)
	}
	for _, id := range []string{before.Inspection.ID, d.Inspection.ID} {
		ins, err := hub.DB.Inspection(ctx, id)
		if err != nil {
			t.Errorf("hub lacks %s: %v", id, err)
		} else if id == before.Inspection.ID && ins.SealHash != beforeHash {
			t.Errorf("hub holds %s under %s", id, ins.SealHash)
		}
	}
	if pend, err := sy.Pending(ctx); err != nil || len(pend) != 0 {
		t.Errorf("pending after sync = %+v, %v", pend, err)
	}
	if n, err := sy.PendingCount(ctx); err != nil || n != 0 {
		t.Errorf("pending count after sync = %d, %v", n, err)
	}
	st, _ = sy.SyncStatus(ctx)
	if st.LastSync.IsZero() {
		t.Error("no last sync time")
	}

	// A second flow on the same store (the app restarted) opens the client.
	sy2 := flow.NewSync(e.newFlow(), syncOpts)
	if !sy2.Enrolled(ctx) {
		t.Error("not enrolled after a restart")
	}
}

// TestSyncErrors: an unreachable hub and a revoked device give their
// messages and lose nothing; a record the hub holds under another seal is
// quarantined with both hashes and not retried.
func TestSyncErrors(t *testing.T) {
	e := newEnv(t)
	hub := hubtest.FromCopy(t, e.db)
	sy := flow.NewSync(e.flow, syncOpts)

	// Unreachable at enrolment.
	err := sy.Enrol(ctx, hub.Unreachable("ABCD-EFGH-JKMN"))
	if !errors.Is(err, dsync.ErrUnreachable) || flow.MessageKey(err) != "sync.error.unreachable" {
		t.Fatalf("enrol with nobody listening: %v (%s)", err, flow.MessageKey(err))
	}
	if sy.Enrolled(ctx) {
		t.Fatal("enrolled with an unreachable hub")
	}
	if err := sy.Enrol(ctx, hub.Invite("test tablet", e.region())); err != nil {
		t.Fatal(err)
	}
	if _, err := sy.SyncNow(ctx, nil); err != nil {
		t.Fatal(err)
	}

	// Unreachable at sync: the sealed record stays, waiting.
	d := e.start(e.sup, hallA, "李娜")
	e.signAndSeal(d)
	hub.Stop()
	_, err = sy.SyncNow(ctx, nil)
	if !errors.Is(err, dsync.ErrUnreachable) || flow.MessageKey(err) != "sync.error.unreachable" {
		t.Fatalf("sync with the hub down: %v (%s)", err, flow.MessageKey(err))
	}
	pend, err := sy.Pending(ctx)
	if err != nil || len(pend) != 1 || pend[0].ID != d.Inspection.ID || pend[0].State != flow.StateSealed {
		t.Fatalf("pending with the hub down = %+v, %v", pend, err)
	}
	if got := states(t, e.flow, flow.StateSealed); !slices.Equal(got, []string{d.Inspection.ID}) {
		t.Errorf("sealed with the hub down = %v", got)
	}
	hub.Start()
	if rep, err := sy.SyncNow(ctx, nil); err != nil || rep.Delivered != 1 {
		t.Fatalf("sync once the hub is back: %+v, %v", rep, err)
	}

	// The hub holds another record under the ID of the next one.
	d2 := e.start(e.sup, hallA, "赵磊")
	e.signAndSeal(d2)
	other := *e.stored(d2.Inspection.ID)
	other.SealHash = ""
	other.Status = inspect.StatusDraft
	other.StartedAt = other.StartedAt.Add(-time.Hour)
	for _, ref := range other.Photos() {
		r, err := e.db.OpenPhoto(ref.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		_, err = hub.DB.PutPhoto(ctx, r, ref.Type)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := hub.DB.CreateInspection(ctx, &other); err != nil {
		t.Fatal(err)
	}
	if _, err := hub.DB.Seal(ctx, other.ID, other.StartedAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	rep, err := sy.SyncNow(ctx, nil)
	if err != nil || rep.Quarantined != 1 {
		t.Fatalf("sync with a conflict: %+v, %v", rep, err)
	}
	pend, err = sy.Pending(ctx)
	if err != nil || len(pend) != 1 || pend[0].State != flow.StateQuarantined || pend[0].HeldHash == "" ||
		pend[0].SealHash == "" || pend[0].HeldHash == pend[0].SealHash {
		t.Fatalf("pending after the conflict = %+v, %v", pend, err)
	}
	if got := states(t, e.flow, flow.StateQuarantined); !slices.Equal(got, []string{d2.Inspection.ID}) {
		t.Errorf("quarantined = %v", got)
	}
	if rep, err := sy.SyncNow(ctx, nil); err != nil || rep.Sent != 0 {
		t.Errorf("a quarantined record was sent again: %+v, %v", rep, err)
	}

	// Revoked: refused with its message, the records stay on the tablet.
	d3 := e.start(e.sup, hallA, "周婷")
	e.signAndSeal(d3)
	if _, err := hub.DB.RevokeDevice(ctx, mustDevice(t, e.flow), "tablet lost"); err != nil {
		t.Fatal(err)
	}
	_, err = sy.SyncNow(ctx, nil)
	if !errors.Is(err, dsync.ErrRevoked) || flow.MessageKey(err) != "sync.error.device_revoked" {
		t.Fatalf("sync when revoked: %v (%s)", err, flow.MessageKey(err))
	}
	if st, _ := sy.SyncStatus(ctx); st.Revoked == "" {
		t.Error("the status does not say the device was revoked")
	}
	if got := states(t, e.flow, flow.StateSealed); !slices.Equal(got, []string{d3.Inspection.ID}) {
		t.Errorf("sealed after revocation = %v", got)
	}
}

func mustDevice(t *testing.T, f *flow.Flow) string {
	t.Helper()
	id, err := f.DeviceID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestSyncFreesDeliveredPhotos: a tablet keeps a delivered photo through
// the retention (a restored hub may need it again), counted by the hub's
// clock, frees it at the first sync after, and the hub still holds it.
func TestSyncFreesDeliveredPhotos(t *testing.T) {
	e := newEnv(t)
	hub := hubtest.FromCopy(t, e.db)
	sy := flow.NewSync(e.flow, syncOpts)
	if err := sy.Enrol(ctx, hub.Invite("test tablet", e.region())); err != nil {
		t.Fatal(err)
	}
	d := e.start(e.sup, hallB, "段志强")
	st, err := e.flow.AttachPhoto(ctx, d, person(t, d, "段志强"), "A1.2", "photo.png", signaturePNG(t))
	if err != nil {
		t.Fatal(err)
	}
	sha := st.Finding.Photos[0].SHA256
	e.signAndSeal(d)

	if _, err := sy.SyncNow(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.Photo(ctx, sha); err != nil {
		t.Fatalf("the photo went at once, within the retention: %v", err)
	}

	// The tablet's clock jumps a year ahead: the retention counts by the
	// hub's clock, so the photo stays.
	e.clock.set(time.Now().Add(365 * 24 * time.Hour))
	if _, err := sy.SyncNow(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.Photo(ctx, sha); err != nil {
		t.Fatalf("the photo went when the tablet's clock jumped ahead: %v", err)
	}

	// The hub's clock passes the retention.
	hub.Stop()
	hub.Now = func() time.Time { return time.Now().Add(flow.PhotoRetention + time.Hour) }
	hub.Start()
	if _, err := sy.SyncNow(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.Photo(ctx, sha); !errors.Is(err, flow.ErrNotFound) {
		t.Errorf("the delivered photo is still on the tablet after the retention: %v", err)
	}
	rc, err := hub.DB.OpenPhoto(sha)
	if err != nil {
		t.Fatalf("the hub lost the photo: %v", err)
	}
	rc.Close()
	// The record is still there to open and list as delivered.
	if got := states(t, e.flow, flow.StateDelivered); !slices.Contains(got, d.Inspection.ID) {
		t.Errorf("delivered after freeing photos = %v", got)
	}
}
