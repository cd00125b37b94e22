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
			ui.DeskLocked(func() { e.SetText(text) })
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
	u.mustSee("只有经理账号可以打开经理工作台")
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
	if err := f.wf.SignSupervisor(ctx, d, testPNG(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.wf.Seal(ctx, d); err != nil {
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
