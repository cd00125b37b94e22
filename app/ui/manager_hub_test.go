package ui_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/flow/hubtest"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
	"github.com/dudao-app/dudao/app/ui"
)

// newHubDesk is a manager's desktop enrolled with a hub that serves the
// admin API (a copy of the fixture's database), as cmd/dudao wires it: the
// desk's every call goes to the hub.
func newHubDesk(t *testing.T, f *fixture, size fyne.Size) (*hubtest.Hub, fyne.Window) {
	t.Helper()
	hub := hubtest.FromCopy(t, f.db, hubtest.WithAdmin())
	sy := flow.NewSync(f.wf, dsync.ClientOptions{BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond})
	if err := sy.Enrol(context.Background(), hub.ManagerInvite("李经理的电脑", demo.ManagerUsername)); err != nil {
		t.Fatal(err)
	}
	adminFor := func(ctx context.Context, u flow.User) (admin.Service, error) {
		c, err := sy.Client(ctx)
		if err != nil {
			return nil, err
		}
		return admin.NewRemote(c, u.Username, admin.RemoteOptions{PollEvery: 5 * time.Millisecond}), nil
	}
	// Without ui.WithSync: the desktop's own automatic sync would first
	// push the demo's thousands of inspections, which this test is not
	// about.
	return hub, newDeskApp(t, f, size, adminFor)
}

// tapRow taps the row of a table that shows text, where a finger would.
func (u *user) tapTableRow(text string) {
	u.t.Helper()
	for _, tb := range find[*widget.Table](u.root()) {
		for _, l := range find[*widget.Label](tb) {
			if l.Text != text {
				continue
			}
			d := fyne.CurrentApp().Driver()
			at := d.AbsolutePositionForObject(l).Subtract(d.AbsolutePositionForObject(tb))
			test.TapAt(tb, at.Add(fyne.NewPos(l.Size().Width/2, l.Size().Height/2)))
			u.taps++
			ui.WaitBackground()
			return
		}
	}
	u.t.Fatalf("no table row shows %q; the screen shows %q", text, allTexts(u))
}

// bannerShown reports whether the hub banner is on screen.
func (u *user) bannerShown() bool {
	return u.sees("无法连接到中心。屏幕上的内容保持不变")
}

// TestDeskOverHubRosterAndStandard imports a roster with bad rows and a
// standard with an error through the hub's admin API: the dry run with its
// rejects and deactivation, the apply, the outcome; the standard's
// problems. The hub's database changes, and only after Apply.
func TestDeskOverHubRosterAndStandard(t *testing.T) {
	f := newFixture(t)
	hub, w := newHubDesk(t, f, desktop)
	u := &user{t: t, w: w}
	data, leftOff := rosterCSV(t, f, "优付通滇池路营业厅")
	pickFile(t, "花名册.csv", data)
	u.signInManager()
	u.openDesk("导入花名册")
	u.mustSee("使用中心 "+hub.URL, "昆明")

	u.tapButton("选择花名册文件（CSV 或 Excel）")
	u.mustSee("花名册.csv 的试运行结果", "被拒绝的行：2", "将停用：1", "将新增：1", "将更新：1", leftOff.Name, "新同事")
	if bars := find[*widget.ProgressBar](u.root()); len(bars) != 0 {
		t.Error("the progress bar is still shown after the dry run")
	}
	ctx := context.Background()
	if s, err := hub.DB.StaffByID(ctx, leftOff.ID); err != nil || s.ActiveTo != nil {
		t.Fatalf("the dry run changed the hub: %+v, %v", s, err)
	}
	u.tapButton("执行导入")
	u.tapButton("执行导入")
	u.mustSee("已导入：新增 1 人，更新 1 人，停用 1 人；2 行被拒绝")
	if s, err := hub.DB.StaffByID(ctx, leftOff.ID); err != nil || s.ActiveTo == nil {
		t.Fatalf("%s is still active on the hub: %+v, %v", leftOff.Name, s, err)
	}

	u.tap("督导标准")
	u.mustSee("第 1 版")
	pickFile(t, "standard-v2.yaml", []byte("version: 2\ntitle: {zh: 坏的}\nsections: [}\n"))
	u.tapButton("导入标准文件")
	u.mustSee("standard-v2.yaml 未导入", "line")
	if vs, err := hub.DB.Standards(ctx); err != nil || len(vs) != 1 {
		t.Fatalf("hub standards after a refused import: %v, %v", vs, err)
	}
}

// TestDeskOverHubDevices enrols a tablet (its QR code and code on screen,
// the device pending on the hub) and revokes it with a reason, after a
// confirmation; then the hub stops: every section keeps what it shows, the
// banner says why, and typed text stays. Back online, Try again clears the
// banner.
func TestDeskOverHubDevices(t *testing.T) {
	f := newFixture(t)
	hub, w := newHubDesk(t, f, desktop)
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("")
	u.mustSee("优付通滇池路营业厅", "优付通北京路营业厅")
	u.tap("设备")
	u.mustSee("本区域的设备", "李经理的电脑", "经理电脑")

	u.setEntry("新设备的名称", "滇池路平板2")
	u.tapButton("登记")
	u.mustSee("请在 滇池路平板2 上扫描此二维码", "仅可使用一次")
	qr := slices.IndexFunc(find[*canvas.Image](u.root()), func(i *canvas.Image) bool { return i.Image != nil && i.MinSize().Width >= 240 })
	if qr < 0 {
		t.Fatal("no QR code on screen after enrolling")
	}
	ctx := context.Background()
	devs, err := hub.DB.DeviceAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(devs, func(d store.DeviceAccount) bool { return d.Name == "滇池路平板2" })
	if i < 0 || devs[i].Enrolled {
		t.Fatalf("the hub's devices after enrolling: %+v", devs)
	}
	inviteShown := slices.ContainsFunc(find[*widget.Label](u.root()), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "dudao://enrol") })
	if !inviteShown {
		t.Error("the invite text is not shown beside the QR code")
	}
	// The short line to type: address, the code, the 16-character check.
	typedShown := slices.ContainsFunc(find[*widget.Label](u.root()), func(l *widget.Label) bool {
		inv, err := dsync.ParseInvite(l.Text)
		return err == nil && len(inv.Pins) == 0 && strings.Count(l.Text, "-") >= 5
	})
	if !typedShown {
		t.Errorf("the short line to type is not shown; the screen shows %q", allTexts(u))
	}

	u.tapTableRow("滇池路平板2")
	u.mustSee("吊销原因")
	u.setEntry("吊销原因（丢失、被盗、更换）", "试用结束")
	u.tapButton("吊销")
	u.mustSee("吊销 滇池路平板2？", "原因：试用结束")
	u.tapButton("吊销") // the dialog's confirm
	u.mustSee("已吊销：试用结束")
	devs, _ = hub.DB.DeviceAccounts(ctx)
	if i := slices.IndexFunc(devs, func(d store.DeviceAccount) bool { return d.Name == "滇池路平板2" }); i < 0 || !devs[i].Revoked() || devs[i].RevokeReason != "试用结束" {
		t.Fatalf("not revoked on the hub: %+v", devs)
	}

	// The hub goes away. The devices stay listed, the banner says why, and
	// a name typed for the next enrolment stays.
	hub.Stop()
	u.tap("设备") // a second tap reloads
	u.mustSee("滇池路平板2", "李经理的电脑")
	if !u.bannerShown() {
		t.Fatalf("no banner with the hub down: %q", allTexts(u))
	}
	name := u.setEntry("新设备的名称", "北京路平板3")
	u.tapButton("登记")
	if name = entryWith(t, u, "新设备的名称"); name.Text != "北京路平板3" {
		t.Errorf("the typed name became %q after a failed enrolment", name.Text)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Errorf("a dialog over the banner: %q", allTexts(u))
	}

	// Halls, read while the hub was up: what was listed stays, and so
	// does the search typed, which the hub cannot answer.
	u.tap("营业厅和员工")
	u.mustSee("优付通滇池路营业厅", "优付通北京路营业厅")
	search := u.setEntry("按名称或编号搜索营业厅", "北京")
	if search.Text != "北京" || !u.bannerShown() {
		t.Fatalf("search %q, banner %v", search.Text, u.bannerShown())
	}
	u.mustSee("优付通滇池路营业厅")

	hub.Start()
	u.tapButton("重试")
	if u.bannerShown() {
		t.Fatalf("the banner stays after the hub came back: %q", allTexts(u))
	}
	// The search typed while the hub was away now has its answer.
	u.mustSee("YFT-KM-001")
	if u.sees("YFT-KM-002") {
		t.Errorf("the search for 北京 lists 滇池路 once the hub is back: %q", allTexts(u))
	}
}

// entryWith returns the entry showing placeholder.
func entryWith(t *testing.T, u *user, placeholder string) *widget.Entry {
	t.Helper()
	for _, e := range find[*widget.Entry](u.root()) {
		if e.PlaceHolder == placeholder {
			return e
		}
	}
	t.Fatalf("no entry %q on screen", placeholder)
	return nil
}

// seedHubAttention gives the hub what a manager's attention screen is for:
// a tablet that synced, and a record it sent under an ID the hub holds
// with another seal.
func seedHubAttention(t *testing.T, hub *hubtest.Hub, regionID string) {
	t.Helper()
	ctx := context.Background()
	d, err := hub.DB.NewEnrolment(ctx, store.Device{Name: "北京路平板", RegionID: regionID}, "code-北京路", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := hub.DB.RedeemEnrolment(ctx, "code-北京路", "nonce", "token")
	if err != nil {
		t.Fatal(err)
	}
	if err := hub.DB.NoteDeviceSync(ctx, d.ID, now.Add(-2*time.Hour), 2); err != nil {
		t.Fatal(err)
	}
	rows, err := hub.DB.ListInspections(ctx, store.InspectionFilter{Limit: 1, Status: inspect.StatusSealed})
	if err != nil || len(rows) == 0 {
		t.Fatalf("an inspection on the hub: %v", err)
	}
	ins, err := hub.DB.Inspection(ctx, rows[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	other := *ins
	other.People = slices.Clone(ins.People)
	other.People[0].Name += "（改）"
	if other.SealHash, err = inspect.ComputeSeal(&other); err != nil {
		t.Fatal(err)
	}
	out, err := hub.DB.Receive(ctx, dev, []store.Incoming{{Inspection: &other}})
	if err != nil || out[0].Status != store.Conflicting {
		t.Fatalf("conflict: %+v, %v", out, err)
	}
}
