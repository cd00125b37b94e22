package ui_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
	"github.com/dudao-app/dudao/app/ui"
)

// localAdmin is the manager's service on the fixture's own database, as a
// desktop with no hub runs it (cmd/dudao does the same).
func localAdmin(f *fixture) ui.AdminFor {
	return func(ctx context.Context, u flow.User) (admin.Service, error) {
		mgr, err := admin.ManagerByUsername(ctx, f.db, u.Username)
		if err != nil {
			return nil, err
		}
		return admin.NewLocal(f.db, mgr, admin.LocalOptions{Now: func() time.Time { return now }}), nil
	}
}

// newDeskApp opens the app on the fixture with the manager's desk wired to
// adminFor.
func newDeskApp(t *testing.T, f *fixture, size fyne.Size, adminFor ui.AdminFor, opts ...ui.Option) fyne.Window {
	t.Helper()
	a := test.NewTempApp(t)
	w := ui.Create(a, f.wf, append([]ui.Option{ui.WithAdmin(adminFor)}, opts...)...)
	t.Cleanup(func() { closeWindow(w) })
	w.Resize(size)
	return w
}

// signInManager signs in as the demo's manager, who lands on the home
// screen with the way to the desk.
func (u *user) signInManager() {
	u.t.Helper()
	u.tap("李经理")
	u.typeInto(passwordEntry(u.t, u.root()), demo.ManagerPIN)
	u.tapButton("登录")
	u.mustSee("经理工作台")
}

// openDesk opens the manager's desk on section (its label in the side
// list; "" stays on the first).
func (u *user) openDesk(section string) {
	u.t.Helper()
	u.tapButton("经理工作台")
	u.mustSee("营业厅和员工", "导入花名册", "设备", "待处理")
	if section != "" {
		u.tap(section)
	}
}

// setEntry puts text in the entry showing placeholder, as a paste would:
// one change, one search.
func (u *user) setEntry(placeholder, text string) *widget.Entry {
	u.t.Helper()
	for _, e := range find[*widget.Entry](u.root()) {
		if e.PlaceHolder == placeholder {
			e.SetText(text)
			u.taps++
			ui.WaitBackground()
			return e
		}
	}
	u.t.Fatalf("no entry %q on screen; it shows %q", placeholder, allTexts(u))
	return nil
}

// pickFile makes the desk's file dialog hand over name and data.
func pickFile(t *testing.T, name string, data []byte) {
	t.Cleanup(ui.SetDeskFilePicker(func([]string) (string, []byte, error) { return name, data, nil }))
}

// TestSupervisorNeverReachesDesk: a supervisor signed in sees no way to
// the desk, and the service is never asked for; a manager sees it.
func TestSupervisorNeverReachesDesk(t *testing.T) {
	f := newFixture(t)
	var asked atomic.Int32
	adminFor := func(ctx context.Context, u flow.User) (admin.Service, error) {
		asked.Add(1)
		return localAdmin(f)(ctx, u)
	}
	w := newDeskApp(t, f, desktop, adminFor)
	u := &user{t: t, w: w}
	u.signIn()
	if u.sees("经理工作台") || u.sees("管理本区域") {
		t.Fatalf("a supervisor sees the manager's desk: %q", allTexts(u))
	}
	if n := asked.Load(); n != 0 {
		t.Fatalf("the manager's service was asked for %d times for a supervisor", n)
	}
	// The same sign-in on the manager's account offers it.
	u.tapButton("设置")
	u.tapButton("退出登录")
	u.signInManager()
	u.openDesk("")
	if n := asked.Load(); n != 1 {
		t.Fatalf("the service was asked for %d times, want 1", n)
	}
}

// TestDeskRefusesWhatTheServiceRefuses: when the service refuses the
// account (a disabled manager, a supervisor's token on the hub), the desk
// does not open and the dialog says why.
func TestDeskRefusesWhatTheServiceRefuses(t *testing.T) {
	f := newFixture(t)
	w := newDeskApp(t, f, desktop, func(ctx context.Context, u flow.User) (admin.Service, error) {
		return nil, fmt.Errorf("manager %s: %w", u.Username, admin.ErrForbidden)
	})
	u := &user{t: t, w: w}
	u.signInManager()
	u.tapButton("经理工作台")
	u.mustSee("您的账号或这台电脑不能执行此操作", "manager manager: not allowed for this account")
	u.tapButton("确定")
	if u.sees("导入花名册") {
		t.Fatal("the desk opened although the service refused")
	}
	if b := findButton(u.root(), "经理工作台"); b == nil || b.Disabled() {
		t.Fatal("the desk's button is not usable again after a refusal")
	}
}

// TestDeskHallsAndPerson searches the halls, lists a hall's staff, finds a
// person and opens their history with the score trend.
func TestDeskHallsAndPerson(t *testing.T) {
	f := newFixture(t)
	w := newDeskApp(t, f, desktop, localAdmin(f))
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("")
	u.mustSee("全部营业厅", "优付通北京路营业厅", "优付通滇池路营业厅")

	u.setEntry("按名称或编号搜索营业厅", "滇池")
	u.mustSee("优付通滇池路营业厅", "YFT-KM-002")
	if u.sees("YFT-KM-001") {
		t.Fatalf("the search for 滇池 still lists 北京路: %q", allTexts(u))
	}
	u.tap("YFT-KM-002") // the hall's row, by its code
	ctx := context.Background()
	halls, err := f.db.Halls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(halls, func(h store.Hall) bool { return h.Name == "优付通滇池路营业厅" })
	staff, err := f.db.Staff(ctx, store.StaffFilter{HallID: halls[i].ID})
	if err != nil || len(staff) == 0 {
		t.Fatalf("staff of the hall: %v", err)
	}
	person := staff[0]
	u.mustSee(person.Name)

	// Search by employee number, then open the person.
	search := u.setEntry("按姓名、工号或服务证号搜索", person.EmployeeNo)
	u.tap(person.Name)
	u.mustSee("得分趋势", "督导记录：", person.EmployeeNo)
	if search.Text != person.EmployeeNo {
		t.Errorf("the staff search now reads %q", search.Text)
	}
	detail, err := localAdmin(f)(ctx, flow.User{Username: demo.ManagerUsername})
	if err != nil {
		t.Fatal(err)
	}
	p, err := detail.Person(ctx, person.ID)
	if err != nil {
		t.Fatal(err)
	}
	u.mustSee(fmt.Sprintf("督导记录：%d", len(p.Inspections)))
	if len(p.Inspections) > 0 {
		u.mustSee(p.Inspections[0].Supervisor)
	}
}

// rosterCSV writes a roster of hall's staff as HR would export it, with
// changes: the first person's badge changes, the last is left off (to be
// deactivated), one person is new, and two rows are bad.
func rosterCSV(t *testing.T, f *fixture, hallName string) (csv []byte, leftOff store.Staff) {
	t.Helper()
	ctx := context.Background()
	halls, err := f.db.Halls(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(halls, func(h store.Hall) bool { return h.Name == hallName })
	if i < 0 {
		t.Fatalf("no hall %s", hallName)
	}
	staff, err := f.db.Staff(ctx, store.StaffFilter{HallID: halls[i].ID})
	if err != nil || len(staff) < 3 {
		t.Fatalf("staff of %s: %d, %v", hallName, len(staff), err)
	}
	role := map[standard.Role]string{standard.RoleShiftLeader: "值班长", standard.RoleCashier: "收银员",
		standard.RolePromoter: "宣传员", standard.RoleSupervisor: "督导员", standard.RoleHotline: "96396热线"}
	gender := map[standard.Gender]string{standard.GenderMale: "男", standard.GenderFemale: "女"}
	var b strings.Builder
	b.WriteString("工号,姓名,性别,岗位,营业厅,服务证号\n")
	for j, s := range staff[:len(staff)-1] {
		badge := s.Badge
		if j == 0 {
			badge = "FW-NEW-001"
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s\n", s.EmployeeNo, s.Name, gender[s.Gender], role[s.Role], hallName, badge)
	}
	fmt.Fprintf(&b, "KM9901,新同事,女,收银员,%s,FW-9901\n", hallName)
	fmt.Fprintf(&b, "KM9902,厨师甲,男,厨师,%s,FW-9902\n", hallName)
	fmt.Fprintf(&b, "KM9903,,女,收银员,%s,FW-9903\n", hallName)
	return []byte(b.String()), staff[len(staff)-1]
}

// TestDeskRosterImport picks a roster with bad rows: the dry run lists the
// rows to add and update, each rejected row with its line and reason, and
// who would be deactivated; nothing changes until Apply, which then shows
// its outcome and deactivates the person left off.
func TestDeskRosterImport(t *testing.T) {
	f := newFixture(t)
	w := newDeskApp(t, f, desktop, localAdmin(f))
	u := &user{t: t, w: w}
	data, leftOff := rosterCSV(t, f, "优付通北京路营业厅")
	pickFile(t, "roster.csv", data)
	u.signInManager()
	u.openDesk("导入花名册")
	u.tapButton("选择花名册文件（CSV 或 Excel）")

	u.mustSee("roster.csv 的试运行结果", "被拒绝的行：2", "将停用：1", "将新增：1", "将更新：1",
		"新同事", leftOff.Name, "FW-NEW-001", "厨师")
	// The rejected rows' lines, the last two of the file, each in a cell
	// of its own beside its reason.
	lines := strings.Count(string(data), "\n")
	for _, line := range []int{lines - 1, lines} {
		if !slices.ContainsFunc(find[*widget.Label](u.root()), func(l *widget.Label) bool { return l.Text == strconv.Itoa(line) }) {
			t.Errorf("no cell shows line %d of the rejected rows: %q", line, allTexts(u))
		}
	}
	u.mustSee("unknown role", "name: required")
	// Nothing changed yet.
	ctx := context.Background()
	if s, err := f.db.StaffByID(ctx, leftOff.ID); err != nil || s.ActiveTo != nil {
		t.Fatalf("%s deactivated by the dry run: %+v, %v", leftOff.Name, s, err)
	}

	u.tapButton("执行导入")
	u.mustSee("执行花名册导入", "新增 1 人")
	u.tapButton("执行导入") // the dialog's confirm
	u.mustSee("已导入：新增 1 人，更新 1 人，停用 1 人；2 行被拒绝")
	if b := findButton(u.root(), "执行导入"); b == nil || !b.Disabled() {
		t.Error("Apply is still offered after the import")
	}
	s, err := f.db.StaffByID(ctx, leftOff.ID)
	if err != nil || s.ActiveTo == nil {
		t.Fatalf("%s still active after the import: %+v, %v", leftOff.Name, s, err)
	}
	if _, err := f.db.StaffByEmployeeNo(ctx, "KM9901"); err != nil {
		t.Errorf("the new person was not added: %v", err)
	}
	if _, err := f.db.StaffByEmployeeNo(ctx, "KM9902"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a rejected row was imported: %v", err)
	}
}

// TestDeskRosterStale: the roster changes between the dry run and Apply;
// Apply refuses, says so, and offers a new dry run, which shows the plan
// as it now is.
func TestDeskRosterStale(t *testing.T) {
	f := newFixture(t)
	w := newDeskApp(t, f, desktop, localAdmin(f))
	u := &user{t: t, w: w}
	data, _ := rosterCSV(t, f, "优付通北京路营业厅")
	pickFile(t, "roster.csv", data)
	u.signInManager()
	u.openDesk("导入花名册")
	u.tapButton("选择花名册文件（CSV 或 Excel）")
	u.mustSee("将新增：1")

	// Someone else imports the same file meanwhile.
	ctx := context.Background()
	svc, err := localAdmin(f)(ctx, flow.User{Username: demo.ManagerUsername})
	if err != nil {
		t.Fatal(err)
	}
	file := admin.RosterFile{Name: "roster.csv", Data: data}
	plan, err := svc.PlanRoster(ctx, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyRoster(ctx, file, plan.Digest, nil); err != nil {
		t.Fatal(err)
	}

	u.tapButton("执行导入")
	u.tapButton("执行导入")
	u.mustSee("花名册已有变化", "自试运行以来花名册已有变化")
	u.tapButton("重新试运行") // the dialog's offer
	u.mustSee("将新增：0", "将停用：0", "被拒绝的行：2")
}

// TestDeskStandardImport imports a standard file with an error (every
// problem listed by line, nothing stored), then a good one, which becomes
// the newest version on the list.
func TestDeskStandardImport(t *testing.T) {
	f := newFixture(t)
	w := newDeskApp(t, f, desktop, localAdmin(f))
	u := &user{t: t, w: w}
	good, err := os.ReadFile(filepath.Join("..", "..", "data", "standard-v1.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	u.signInManager()
	u.openDesk("督导标准")
	u.mustSee("第 1 版", "形象规范", "A1", "工作服干净平整")

	bad := strings.Replace(string(good), "version: 1", "version: 2", 1)
	bad = strings.Replace(bad, "clause: A1\n", "clause: Z9.9\n", 1)
	pickFile(t, "standard-v2.yaml", []byte(bad))
	u.tapButton("导入标准文件")
	u.mustSee("standard-v2.yaml 未导入", "Z9.9", "没有保存任何内容")
	ctx := context.Background()
	if vs, err := f.db.Standards(ctx); err != nil || len(vs) != 1 {
		t.Fatalf("standards after a refused import: %v, %v", vs, err)
	}

	ok := strings.Replace(string(good), "version: 1", "version: 2", 1)
	pickFile(t, "standard-v2.yaml", []byte(ok))
	u.tapButton("导入标准文件")
	u.mustSee("第 2 版 · 刚刚导入")
	if u.sees("未导入") {
		t.Errorf("the problems of the refused file are still shown: %q", allTexts(u))
	}
}

// TestDeskDevicesLocal: on a local database there is no hub to enrol
// with, and the desk says so rather than offering a code that cannot work.
func TestDeskDevicesLocal(t *testing.T) {
	f := newFixture(t)
	w := newDeskApp(t, f, desktop, localAdmin(f))
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("设备")
	u.mustSee("本区域的设备", "平板需要在中心登记")
	if findButton(u.root(), "登记") != nil {
		t.Error("an Enrol button on a desk without a hub")
	}
}

// sealWithOffRoster seals an inspection by the demo supervisor in hall
// with someone the roster does not know.
func sealWithOffRoster(t *testing.T, f *fixture, hall, name string) {
	t.Helper()
	ctx := context.Background()
	sup, err := f.wf.SignIn(ctx, demo.SupervisorUsername, demo.SupervisorPIN)
	if err != nil {
		t.Fatal(err)
	}
	halls, err := f.wf.Halls(ctx, sup, hall)
	if err != nil || len(halls) == 0 {
		t.Fatalf("hall %s: %v", hall, err)
	}
	d, err := f.wf.Start(ctx, sup, halls[0].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.wf.AddOffRoster(ctx, d, name, standard.RoleCashier, standard.GenderFemale); err != nil {
		t.Fatal(err)
	}
	if err := f.wf.SignSupervisor(ctx, sup, d, testPNG(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.wf.Seal(ctx, sup, d); err != nil {
		t.Fatal(err)
	}
}

// TestDeskLinkOffRoster links a person observed off the roster to the
// roster entry they are; they leave the list, and the person's details
// count the link.
func TestDeskLinkOffRoster(t *testing.T) {
	f := newFixture(t)
	sealWithOffRoster(t, f, "优付通滇池路营业厅", "临时工小李")
	w := newDeskApp(t, f, desktop, localAdmin(f))
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("待处理")
	u.mustSee("花名册外的人员：1", "临时工小李", "同步冲突：0")
	u.tap("临时工小李")
	sel := find[*widget.Select](u.root())
	if len(sel) != 1 || len(sel[0].Options) == 0 {
		t.Fatalf("no roster to pick from: %q", allTexts(u))
	}
	sel[0].SetSelectedIndex(0)
	picked := sel[0].Selected
	u.tapButton("关联到此人")
	u.mustSee("花名册外的人员：0", "已关联到", "观察到的人员都在花名册上")
	ctx := context.Background()
	svc, err := localAdmin(f)(ctx, flow.User{Username: demo.ManagerUsername})
	if err != nil {
		t.Fatal(err)
	}
	if off, err := svc.OffRoster(ctx); err != nil || len(off) != 0 {
		t.Fatalf("off roster after linking: %v, %v", off, err)
	}
	name, _, _ := strings.Cut(picked, " · ")
	staff, err := svc.Staff(ctx, admin.StaffQuery{Text: name, IncludeInactive: true})
	if err != nil || len(staff) == 0 {
		t.Fatalf("staff %s: %v", name, err)
	}
	p, err := svc.Person(ctx, staff[0].ID)
	if err != nil || p.Linked != 1 {
		t.Fatalf("%s has %d linked observations, want 1 (%v)", name, p.Linked, err)
	}
}

// TestDeskDropsAnswersAfterSignOut: an export still rendering when the
// manager leaves the desk and signs out is dropped when it ends: no save
// dialog for the manager who left, no dialog over the sign-in screen.
func TestDeskDropsAnswersAfterSignOut(t *testing.T) {
	defer ui.SetManagerClock(func() time.Time { return now })()
	f := newFixture(t)
	gate := &progressGate{Service: managerService(t, f), reached: make(chan struct{}), release: make(chan struct{})}
	released := false
	release := func() {
		if !released {
			released = true
			close(gate.release)
		}
	}
	t.Cleanup(release)
	saved := false
	defer ui.SetSaveFile(func(string, []byte) error { saved = true; return nil })()
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return gate, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("汇总")
	u.mustSee("2025-05-01 – 2025-05-20")
	tapCentre(findButton(u.root(), "导出汇总报告（PDF）"))
	select {
	case <-gate.reached:
	case <-time.After(30 * time.Second):
		t.Fatal("the export reported no progress")
	}
	// Back to the home screen and out while the PDF renders: no waiting
	// for it, as u.tapButton would.
	for _, text := range []string{"返回", "设置", "退出登录"} {
		b := findButton(u.root(), text)
		if b == nil {
			t.Fatalf("no button %q: %q", text, allTexts(u))
		}
		tapCentre(b)
	}
	u.mustSee("李经理", "登录")
	release()
	ui.WaitBackground()
	if saved {
		t.Error("the export of the manager who signed out was saved")
	}
	if o := w.Canvas().Overlays().Top(); o != nil {
		t.Errorf("a dialog shows over the sign-in screen: %q", texts(o))
	}
}

// TestDeskOpeningAfterSignOut: the hub answers the opening of the desk
// after the manager signed out: nothing shows over the sign-in screen.
// Signed in again, an unreachable hub says the desk cannot open.
func TestDeskOpeningAfterSignOut(t *testing.T) {
	f := newFixture(t)
	asked, answer := make(chan struct{}, 2), make(chan struct{})
	var once sync.Once
	answerNow := func() { once.Do(func() { close(answer) }) }
	t.Cleanup(answerNow)
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) {
		asked <- struct{}{}
		<-answer
		return nil, fmt.Errorf("open the manager's desk: dial tcp 10.0.0.1:8443: i/o timeout: %w", admin.ErrUnavailable)
	})
	u := &user{t: t, w: w}
	u.signInManager()
	tapCentre(findButton(u.root(), "经理工作台"))
	<-asked
	for _, text := range []string{"设置", "退出登录"} {
		b := findButton(u.root(), text)
		if b == nil {
			t.Fatalf("no button %q: %q", text, allTexts(u))
		}
		tapCentre(b)
	}
	u.mustSee("李经理", "登录")
	answerNow()
	ui.WaitBackground()
	if o := w.Canvas().Overlays().Top(); o != nil {
		t.Fatalf("a dialog shows over the sign-in screen: %q", texts(o))
	}

	u.signInManager()
	u.tapButton("经理工作台")
	u.mustSee("无法连接到中心，因此经理工作台无法打开")
	if u.sees("i/o timeout") {
		t.Error("the technical detail shows unasked under a message that says it all")
	}
	u.tap("详情")
	u.mustSee("i/o timeout")
}

// refusingHub fails the inspections' calls with err once it is set, as
// Remote does when the hub refuses or cannot be trusted.
type refusingHub struct {
	admin.Service
	mu  sync.Mutex
	err error
}

func (h *refusingHub) refuse(err error) {
	h.mu.Lock()
	h.err = err
	h.mu.Unlock()
}

func (h *refusingHub) failure() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

func (h *refusingHub) Inspections(ctx context.Context, q admin.InspectionQuery) (admin.InspectionPage, error) {
	if err := h.failure(); err != nil {
		return admin.InspectionPage{}, err
	}
	return h.Service.Inspections(ctx, q)
}

func (h *refusingHub) FilterChoices(ctx context.Context) (admin.FilterChoices, error) {
	if err := h.failure(); err != nil {
		return admin.FilterChoices{}, err
	}
	return h.Service.FilterChoices(ctx)
}

// TestDeskSaysWhatStopsIt: a hub that cannot be trusted, a version too
// old on either side, a refusal of the account or of this computer: each
// is one dialog saying so (not one per call, not the banner, which is for
// a hub that cannot be reached), with the hub's own words under it.
func TestDeskSaysWhatStopsIt(t *testing.T) {
	f := newFixture(t)
	hub := &refusingHub{Service: managerService(t, f)}
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return hub, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("督导记录")
	for _, c := range []struct {
		err  error
		want []string
	}{
		{fmt.Errorf("list inspections: %w", dsync.ErrCertChanged), []string{"中心的证书与这台电脑信任的不一致"}},
		{fmt.Errorf("list inspections: %w", dsync.ErrUpdateRequired), []string{"请升级这台电脑上的应用"}},
		{fmt.Errorf("list inspections: %w", dsync.ErrHubTooOld), []string{"中心运行的版本比本应用旧"}},
		{fmt.Errorf("desktop %q: the account of manager is disabled: %w", "李经理的电脑", admin.ErrForbidden),
			[]string{"您的账号或这台电脑不能执行此操作", "the account of manager is disabled"}},
		{fmt.Errorf("desktop %q: %w: %w", "李经理的电脑", admin.ErrForbidden, dsync.ErrRevoked), []string{"中心已吊销这台电脑"}},
	} {
		hub.refuse(c.err)
		u.tap("督导记录") // a second tap reloads the section
		u.mustSee(c.want...)
		if n := len(w.Canvas().Overlays().List()); n != 1 {
			t.Errorf("%v: %d dialogs, want one", c.err, n)
		}
		if containsText(texts(w.Content()), "无法连接到中心") {
			t.Errorf("%v: shown as the hub being unreachable", c.err)
		}
		u.tapButton("确定")
	}
	hub.refuse(nil)
	u.tap("督导记录")
	if o := w.Canvas().Overlays().Top(); o != nil {
		t.Errorf("a dialog shows once the hub answers: %q", texts(o))
	}
}

// rosterHub plans some files itself: planned gives a fixed plan (after
// reporting a quarter of the work and waiting for gate, if set), planErr
// refuses a file; applyErr, once set, is what Apply meets.
type rosterHub struct {
	admin.Service
	planned  map[string]*admin.RosterPlan
	gate     chan struct{}
	planErr  func(admin.RosterFile) error
	mu       sync.Mutex
	applyErr error
}

func (h *rosterHub) PlanRoster(ctx context.Context, f admin.RosterFile, progress admin.Progress) (*admin.RosterPlan, error) {
	if h.planErr != nil {
		if err := h.planErr(f); err != nil {
			return nil, err
		}
	}
	if p, ok := h.planned[f.Name]; ok {
		progress(25, 100)
		if h.gate != nil {
			<-h.gate
		}
		return p, nil
	}
	return h.Service.PlanRoster(ctx, f, progress)
}

func (h *rosterHub) ApplyRoster(ctx context.Context, f admin.RosterFile, digest string, progress admin.Progress) (*admin.RosterOutcome, error) {
	h.mu.Lock()
	err := h.applyErr
	h.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return h.Service.ApplyRoster(ctx, f, digest, progress)
}

// TestDeskRosterForgetsPlanOfOtherFile: a dry run of another file, or of
// the same file in another encoding, that fails leaves no plan to apply:
// the earlier plan was of other bytes.
func TestDeskRosterForgetsPlanOfOtherFile(t *testing.T) {
	f := newFixture(t)
	hub := &rosterHub{Service: managerService(t, f), planErr: func(rf admin.RosterFile) error {
		switch {
		case rf.Name == "broken.csv":
			return fmt.Errorf("roster broken.csv: no 工号 column: %w", admin.ErrInvalid)
		case rf.Encoding == "gbk":
			return fmt.Errorf("roster %s: not GBK text: %w", rf.Name, admin.ErrInvalid)
		}
		return nil
	}}
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return hub, nil })
	u := &user{t: t, w: w}
	data, _ := rosterCSV(t, f, "优付通北京路营业厅")
	u.signInManager()
	u.openDesk("导入花名册")
	planned := func() {
		t.Helper()
		pickFile(t, "roster.csv", data)
		u.tapButton("选择花名册文件（CSV 或 Excel）")
		u.mustSee("roster.csv 的试运行结果")
		if b := findButton(u.root(), "执行导入"); b == nil || b.Disabled() {
			t.Fatal("Apply is not offered for the dry run")
		}
	}
	refused := func(why string) {
		t.Helper()
		u.mustSee("无法读取花名册", why)
		if u.sees("roster.csv 的试运行结果") {
			t.Errorf("the plan of the earlier file is still shown: %q", allTexts(u))
		}
		if b := findButton(u.root(), "执行导入"); b == nil || !b.Disabled() {
			t.Error("Apply is offered with no dry run of the file chosen")
		}
	}

	planned()
	pickFile(t, "broken.csv", []byte("not a roster\n"))
	u.tapButton("选择花名册文件（CSV 或 Excel）")
	refused("no 工号 column")

	planned()
	u.choose("自动识别编码", "GBK")
	ui.WaitBackground()
	refused("not GBK text")
}

// TestDeskRosterRejectsAndLostOutcome: the progress says how far the dry
// run is, not a count of rows it is not; a row rejected for two reasons
// counts once, in the dry run as in the confirmation; and when the answer
// to Apply is lost, the desk says to check the staff before importing
// again and offers only a new dry run.
func TestDeskRosterRejectsAndLostOutcome(t *testing.T) {
	f := newFixture(t)
	plan := &admin.RosterPlan{File: "twice.csv", Encoding: "utf-8", Lines: 3, Rows: 1, Halls: []string{"优付通北京路营业厅"},
		Add: []admin.RosterChange{{Line: 2, EmployeeNo: "KM9901", Name: "新同事", HallName: "优付通北京路营业厅",
			Role: standard.RoleCashier, Gender: standard.GenderFemale, Badge: "FW-9901"}},
		Rejects: []admin.RosterReject{
			{Line: 3, Reason: "role: unknown role 厨师", Row: []string{"KM9902", "厨师甲"}},
			{Line: 3, Reason: "gender: unknown gender 未知", Row: []string{"KM9902", "厨师甲"}},
		},
		Digest: "twice"}
	gate := make(chan struct{})
	hub := &rosterHub{Service: managerService(t, f), planned: map[string]*admin.RosterPlan{"twice.csv": plan}, gate: gate}
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(open)
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return hub, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("导入花名册")
	pickFile(t, "twice.csv", []byte("工号,姓名\n"))
	tapCentre(findButton(u.root(), "选择花名册文件（CSV 或 Excel）")) // not tapButton: the dry run waits
	u.mustSee("试运行：25%")
	open()
	ui.WaitBackground()
	u.mustSee("twice.csv 的试运行结果", "被拒绝的行：1（2 个原因）", "拒绝：1")

	hub.mu.Lock()
	hub.applyErr = fmt.Errorf("apply roster twice.csv: connection reset: %w", admin.ErrOutcomeUnknown)
	hub.mu.Unlock()
	u.tapButton("执行导入")
	u.mustSee("1 行被拒绝")
	u.tapButton("执行导入") // the dialog's confirm
	u.mustSee("导入的答复丢失了", "再次导入前请先查看员工名单")
	u.tapButton("确定")
	if b := findButton(u.root(), "执行导入"); b == nil || !b.Disabled() {
		t.Error("Apply is offered again although the last one may have been applied")
	}
	u.mustSee("导入的答复丢失了")
	u.tapButton("重新试运行")
	if b := findButton(u.root(), "执行导入"); b == nil || b.Disabled() {
		t.Error("Apply is not offered after a new dry run")
	}
	if u.sees("导入的答复丢失了") {
		t.Error("the lost outcome is still reported after a new dry run")
	}
}

// TestDeskFileTooLarge: a file larger than the hub accepts is refused with
// the limit named, before anything is sent.
func TestDeskFileTooLarge(t *testing.T) {
	f := newFixture(t)
	w := newDeskApp(t, f, desktop, localAdmin(f))
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("导入花名册")
	pickFile(t, "big.csv", make([]byte, admin.MaxUploadBytes+1))
	u.tapButton("选择花名册文件（CSV 或 Excel）")
	u.mustSee(fmt.Sprintf("big.csv 超过 %d MB", admin.MaxUploadBytes>>20))
	u.tapButton("确定")
	u.mustSee("尚未选择文件")
}

// slowStaff holds the first Staff call once hold is set, until released,
// whatever its context says.
type slowStaff struct {
	admin.Service
	hold    atomic.Bool
	held    chan string // the hall the held call asked for
	release chan struct{}
}

func (s *slowStaff) Staff(ctx context.Context, q admin.StaffQuery) ([]admin.StaffRow, error) {
	if s.hold.CompareAndSwap(true, false) {
		s.held <- q.HallID
		<-s.release
	}
	return s.Service.Staff(context.Background(), q)
}

// TestDeskLinkOffersRosterOfPersonChosen: the roster of an off-roster
// person's hall is read when they are chosen; choosing someone of another
// hall meanwhile wins, even when the first hall's roster comes last.
func TestDeskLinkOffersRosterOfPersonChosen(t *testing.T) {
	f := newFixture(t)
	sealWithOffRoster(t, f, "优付通滇池路营业厅", "临时工小李")
	sealWithOffRoster(t, f, "优付通北京路营业厅", "临时工小王")
	base := managerService(t, f)
	slow := &slowStaff{Service: base, held: make(chan string, 1), release: make(chan struct{})}
	var once sync.Once
	release := func() { once.Do(func() { close(slow.release) }) }
	t.Cleanup(release)
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return slow, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("待处理")
	u.mustSee("临时工小李", "临时工小王")

	slow.hold.Store(true)
	tapCentre(u.find("临时工小李"))
	<-slow.held
	tapCentre(u.find("临时工小王"))
	release()
	ui.WaitBackground()
	staff, err := base.Staff(context.Background(), admin.StaffQuery{HallID: hallIDOf(t, base, "优付通北京路营业厅"), IncludeInactive: true})
	if err != nil {
		t.Fatal(err)
	}
	sel := find[*widget.Select](u.root())
	if len(sel) != 1 || len(sel[0].Options) != len(staff) {
		t.Fatalf("the roster offered is not that of 优付通北京路营业厅 (%d people): %q", len(staff), allTexts(u))
	}
	for i, s := range staff {
		if !strings.HasPrefix(sel[0].Options[i], s.Name+" · ") {
			t.Fatalf("option %d is %q, want %s of 优付通北京路营业厅", i, sel[0].Options[i], s.Name)
		}
	}
	if u.sees("正在读取") {
		t.Errorf("still reading a roster: %q", allTexts(u))
	}
}

// gradesDown fails FilterChoices, where the grade bands come from, while
// down is set.
type gradesDown struct {
	admin.Service
	down atomic.Bool
}

func (g *gradesDown) FilterChoices(ctx context.Context) (admin.FilterChoices, error) {
	if g.down.Load() {
		return admin.FilterChoices{}, fmt.Errorf("filter choices: connection refused: %w", admin.ErrUnavailable)
	}
	return g.Service.FilterChoices(ctx)
}

// TestDeskGradesReadAgain: when the grade bands cannot be read as the
// desk opens, the list shows grade IDs, and the next section shown reads
// them again, so that their names show. (The list itself came back, so no
// banner stays.)
func TestDeskGradesReadAgain(t *testing.T) {
	f := newFixture(t)
	base := managerService(t, f)
	hub := &gradesDown{Service: base}
	hub.down.Store(true)
	ctx := context.Background()
	page, err := base.Inspections(ctx, admin.InspectionQuery{Limit: 1})
	if err != nil || len(page.Rows) == 0 || !page.Rows[0].Scored {
		t.Fatalf("a scored newest inspection: %v", err)
	}
	choices, err := base.FilterChoices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	newest, name := page.Rows[0], ""
	for _, g := range choices.Grades {
		if g.ID == newest.Grade {
			name = g.Name.ZH
		}
	}
	if name == "" || name == newest.Grade {
		t.Fatalf("grade %q has no name of its own", newest.Grade)
	}
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return hub, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("督导记录")
	u.mustSee(" · " + newest.Grade)

	hub.down.Store(false)
	u.tap("汇总")
	u.tap("督导记录")
	u.mustSee(" · " + name)
	if u.sees(" · " + newest.Grade) {
		t.Errorf("grade IDs still shown: %q", allTexts(u))
	}
}
