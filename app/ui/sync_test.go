package ui_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/flow/hubtest"
	dsync "github.com/dudao-app/dudao/app/sync"
	"github.com/dudao-app/dudao/app/ui"
)

// recordingSync is the app's sync with the progress it reported kept.
type recordingSync struct {
	*flow.Sync
	mu   sync.Mutex
	prog []flow.SyncProgress
}

func (r *recordingSync) SyncNow(ctx context.Context, progress func(flow.SyncProgress)) (flow.SyncReport, error) {
	return r.Sync.SyncNow(ctx, func(p flow.SyncProgress) {
		r.mu.Lock()
		r.prog = append(r.prog, p)
		r.mu.Unlock()
		progress(p)
	})
}

func (r *recordingSync) progress() []flow.SyncProgress {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.prog)
}

// newSyncApp opens the app with sync over the fixture's workflow, and a hub
// made from a copy of the fixture's database (the demo's halls and staff).
func newSyncApp(t *testing.T, f *fixture, size fyne.Size) (*hubtest.Hub, *recordingSync, fyne.Window) {
	t.Helper()
	hub := hubtest.FromCopy(t, f.db)
	sy := &recordingSync{Sync: flow.NewSync(f.wf, dsync.ClientOptions{BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond})}
	a := test.NewTempApp(t)
	w := ui.Create(a, f.wf, ui.WithSync(sy))
	t.Cleanup(func() { closeWindow(w) })
	w.Resize(size)
	return hub, sy, w
}

// demoRegion is the region of the demo's halls.
func demoRegion(t *testing.T, f *fixture) string {
	t.Helper()
	halls, err := f.db.Halls(context.Background())
	if err != nil || len(halls) == 0 {
		t.Fatalf("halls: %v", err)
	}
	return halls[0].RegionID
}

func (u *user) enrol(invite string) {
	u.t.Helper()
	entries := find[*widget.Entry](u.root())
	i := slices.IndexFunc(entries, func(e *widget.Entry) bool { return e.MultiLine })
	if i < 0 {
		u.t.Fatal("no invite entry in the settings")
	}
	u.typeInto(entries[i], invite)
	u.tapButton("连接到中心")
}

func progressBar(t *testing.T, u *user) *widget.ProgressBar {
	t.Helper()
	bars := find[*widget.ProgressBar](u.root())
	if len(bars) != 1 {
		t.Fatalf("%d progress bars on screen; it shows %q", len(bars), allTexts(u))
	}
	return bars[0]
}

// TestSyncWithHub enrols through the settings with an invite from a hub in
// process, seals an inspection while the hub is down (nothing is lost, the
// message says why), then syncs by tapping: the progress completes and the
// history shows the inspection delivered.
func TestSyncWithHub(t *testing.T) {
	f := newFixture(t)
	hub, sy, w := newSyncApp(t, f, landscape)
	u := &user{t: t, w: w}
	u.signIn()
	u.mustSee("与中心同步", "本平板尚未连接到中心")
	if b := findButton(u.root(), "立即同步"); b == nil || !b.Disabled() {
		t.Fatal("the sync button is enabled before enrolment")
	}

	u.tapButton("设置")
	u.mustSee("本平板尚未连接到中心", "相机应用")
	u.enrol("not a code")
	u.mustSee("这不是中心的连接码")
	entries := find[*widget.Entry](u.root())
	for _, e := range entries {
		if e.MultiLine {
			e.SetText("")
		}
	}
	u.enrol(hub.Invite("测试平板", demoRegion(t, f)))
	u.mustSee("已连接到中心", "测试平板", "上次完整同步")
	if w.Canvas().Overlays().Top() != nil {
		t.Fatalf("a dialog after enrolment: %q", allTexts(u))
	}
	u.tapButton("返回")
	u.mustSee("未送达中心的记录：0")

	// The hub goes away; an inspection is sealed. The automatic sync fails
	// quietly: no dialog, a line on the home screen.
	hub.Stop()
	u.tapButton("新建督导")
	u.tap("优付通滇池路营业厅")
	u.tap("段志强")
	u.tap("开始督导")
	u.tap("按规定佩戴编号服务证（牌）")
	u.tapButton("检查并封存")
	u.sign()
	u.tapButton("封存督导记录")
	u.tapButton("封存")
	u.mustSee("已封存")
	ui.WaitBackground()
	if w.Canvas().Overlays().Top() != nil {
		t.Fatalf("the automatic sync showed a dialog: %q", allTexts(u))
	}
	u.tapButton("返回")
	u.mustSee("无法连接到中心", "没有丢失", "未送达中心的记录：1")

	// Tapping Sync with the hub down says so in a dialog.
	u.tapButton("立即同步")
	u.mustSee("无法连接到中心")
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog for a sync the supervisor asked for")
	}
	u.tapButton("确定")
	u.tapButton("未送达中心的记录：1")
	u.mustSee("优付通滇池路营业厅", "等待下次同步")
	u.tapButton("返回")

	// Back online: tap Sync, the progress runs to the end.
	hub.Start()
	before := len(sy.progress())
	u.tapButton("立即同步")
	u.mustSee("已同步：本平板上所有已封存的记录都已送达中心。", "未送达中心的记录：0")
	if v := progressBar(t, u).Value; v != 1 {
		t.Errorf("progress bar at %v after the sync", v)
	}
	prog := sy.progress()[before:]
	if len(prog) == 0 || prog[len(prog)-1].Stage != dsync.StageDone {
		t.Errorf("progress = %+v", prog)
	}
	if !slices.ContainsFunc(prog, func(p flow.SyncProgress) bool { return p.RecordsTotal == 1 && p.RecordsDone == 1 }) ||
		!slices.ContainsFunc(prog, func(p flow.SyncProgress) bool { return p.BytesTotal > 0 && p.BytesDone == p.BytesTotal }) {
		t.Errorf("the progress does not count the record and its photo bytes: %+v", prog)
	}

	// The history shows it delivered, and filters by it.
	u.tapButton("历史记录")
	sel := find[*widget.Select](u.root())
	i := slices.IndexFunc(sel, func(s *widget.Select) bool { return s.Selected == "全部状态" })
	if i < 0 {
		t.Fatalf("no state filter: %q", allTexts(u))
	}
	sel[i].SetSelected("中心已收到")
	u.mustSee("优付通滇池路营业厅", "中心已收到")
	rows, err := f.wf.History(context.Background(), flow.HistoryFilter{State: flow.StateSealed})
	if err != nil || len(rows) != 0 {
		t.Errorf("sealed but not sent after the sync: %d, %v", len(rows), err)
	}
	ins, err := f.wf.History(context.Background(), flow.HistoryFilter{Limit: 1, State: flow.StateDelivered})
	if err != nil || len(ins) != 1 {
		t.Fatalf("delivered: %v, %v", ins, err)
	}
	if _, err := hub.DB.Inspection(context.Background(), ins[0].ID); err != nil {
		t.Errorf("the hub lacks the newest inspection: %v", err)
	}

	// An amendment goes to the hub by itself too, as a sealed inspection does.
	u.tap(ins[0].SealHash[:8])
	u.tapButton("修正")
	u.typeInto(find[*widget.Entry](u.root())[0], "服务证当天送修")
	selects := find[*widget.Select](u.root())
	selects[0].SetSelectedIndex(0)
	selects[1].SetSelectedIndex(0)
	radio := find[*widget.RadioGroup](u.root())[0]
	if radio.Selected == "符合" {
		radio.SetSelected("不符合")
	} else {
		radio.SetSelected("符合")
	}
	u.tapButton("保存修正")
	u.mustSee("修正：服务证当天送修")
	ui.WaitBackground()
	u.root()
	if ams, err := hub.DB.Amendments(context.Background(), ins[0].ID); err != nil || len(ams) != 1 {
		t.Errorf("the hub's amendments after amending: %+v, %v", ams, err)
	}
}
