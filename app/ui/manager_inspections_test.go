package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/app/ui"
)

// managerService is the demo manager's service on the fixture, as the
// desk's own calls get it, to compare the screen with.
func managerService(t *testing.T, f *fixture) admin.Service {
	t.Helper()
	svc, err := localAdmin(f)(context.Background(), flow.User{Username: demo.ManagerUsername})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// choose opens the select showing current and taps option in its menu.
func (u *user) choose(current, option string) {
	u.t.Helper()
	var sel *widget.Select
	for _, s := range find[*widget.Select](u.root()) {
		if s.Selected == current {
			sel = s
		}
	}
	if sel == nil {
		u.t.Fatalf("no select showing %q; the screen shows %q", current, allTexts(u))
	}
	tapCentre(sel)
	u.tap(option) // in the pop-up menu, now on top
	if sel.Selected != option {
		u.t.Fatalf("the select shows %q after choosing %q", sel.Selected, option)
	}
}

// rangeText is the list's count line for a first page of total.
func rangeText(total int) string {
	return fmt.Sprintf("第 1～%d 条，共 %s 条", min(total, 100), thousands(total))
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// listedHalls are the hall names in the rows the list shows.
func listedHalls(u *user) []string {
	var halls []string
	for _, l := range find[*widget.List](u.root()) {
		for _, rt := range find[*widget.RichText](l) {
			if s := rt.String(); strings.Contains(s, "营业厅") {
				halls = append(halls, s)
			}
		}
	}
	return halls
}

// TestManagerInspectionsFilter narrows the list by each filter in turn,
// through the widgets: every total on screen is the service's total for
// the same query, each filter lists fewer than all, and filters combine.
func TestManagerInspectionsFilter(t *testing.T) {
	f := newFixture(t)
	svc := managerService(t, f)
	ctx := context.Background()
	count := func(q admin.InspectionQuery) int {
		t.Helper()
		p, err := svc.Inspections(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	all := count(admin.InspectionQuery{})
	choices, err := svc.FilterChoices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hallID := func(name string) string {
		for _, h := range choices.Halls {
			if h.Name == name {
				return h.ID
			}
		}
		t.Fatalf("no hall %s among %v", name, choices.Halls)
		return ""
	}

	w := newDeskApp(t, f, desktop, localAdmin(f))
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("督导记录")
	u.mustSee(rangeText(all))
	if n := len(listedHalls(u)); n == 0 {
		t.Fatalf("no rows listed: %q", allTexts(u))
	}

	narrowed := func(what string, q admin.InspectionQuery) int {
		t.Helper()
		n := count(q)
		if n == 0 || n >= all {
			t.Fatalf("%s: %d of %d inspections; the filter should narrow the demo's list", what, n, all)
		}
		u.mustSee(rangeText(n))
		return n
	}

	// Hall.
	dianchi := hallID("优付通滇池路营业厅")
	u.choose("全部营业厅", "优付通滇池路营业厅")
	narrowed("hall", admin.InspectionQuery{HallID: dianchi})
	for _, h := range listedHalls(u) {
		if !strings.Contains(h, "优付通滇池路营业厅") {
			t.Fatalf("a row of another hall is listed: %q", h)
		}
	}
	// Hall and supervisor together.
	var wang store.User
	for _, s := range choices.Supervisors {
		if s.Name == "王督导" {
			wang = s
		}
	}
	if wang.ID == "" {
		t.Fatalf("no 王督导 among the supervisors %v", choices.Supervisors)
	}
	u.choose("全部督导员", "王督导")
	both := count(admin.InspectionQuery{HallID: dianchi, SupervisorID: wang.ID})
	if both == 0 || both >= count(admin.InspectionQuery{HallID: dianchi}) {
		t.Fatalf("hall and supervisor: %d", both)
	}
	u.mustSee(rangeText(both))
	u.tapButton("清除筛选")
	u.mustSee(rangeText(all), "全部营业厅", "全部督导员")

	// Supervisor alone.
	u.choose("全部督导员", "王督导")
	narrowed("supervisor", admin.InspectionQuery{SupervisorID: wang.ID})
	u.tapButton("清除筛选")

	// Grade: the first band that narrows.
	var graded bool
	for _, g := range choices.Grades {
		n := count(admin.InspectionQuery{Grade: g.ID})
		if n == 0 || n == all {
			continue
		}
		u.choose("全部等级", g.Name.ZH)
		u.mustSee(rangeText(n))
		u.tapButton("清除筛选")
		graded = true
		break
	}
	if !graded {
		t.Fatal("no grade narrows the demo's list")
	}

	// Period: the last week of the demo, both days included.
	from, to := now.AddDate(0, 0, -6), now
	var fromEntry, toEntry *widget.DateEntry
	for _, e := range find[*widget.DateEntry](u.root()) {
		switch e.PlaceHolder {
		case "开始日期":
			fromEntry = e
		case "结束日期":
			toEntry = e
		}
	}
	if fromEntry == nil || toEntry == nil {
		t.Fatalf("no date filters: %q", allTexts(u))
	}
	fromEntry.SetDate(&from)
	toEntry.SetDate(&to)
	ui.WaitBackground()
	week := narrowed("period", admin.InspectionQuery{From: from, To: to})

	// Person, picked by a search on top of the period.
	staff, err := svc.Staff(ctx, admin.StaffQuery{HallID: dianchi})
	if err != nil || len(staff) == 0 {
		t.Fatalf("staff: %v", err)
	}
	person := staff[0]
	u.tapButton("全部人员")
	u.setEntry("姓名、工号或服务证号", person.EmployeeNo)
	u.tap(person.Name)
	if findButton(u.root(), person.Name) == nil {
		t.Fatalf("the person filter does not show %s: %q", person.Name, allTexts(u))
	}
	n := count(admin.InspectionQuery{From: from, To: to, StaffID: person.ID})
	if n >= week {
		t.Fatalf("the person did not narrow the week: %d of %d", n, week)
	}
	if n == 0 {
		u.mustSee("没有符合筛选条件的督导。")
	} else {
		u.mustSee(rangeText(n))
	}
	u.tapButton("清除筛选")

	// Completeness: the local database holds every photo it references.
	u.choose("照片：全部", "照片已全部收到")
	u.mustSee(rangeText(count(admin.InspectionQuery{Completeness: admin.Complete})))
	u.choose("照片已全部收到", "缺少照片")
	if n := count(admin.InspectionQuery{Completeness: admin.Incomplete}); n == 0 {
		u.mustSee("没有督导记录", "没有符合筛选条件的督导。")
	} else {
		u.mustSee(rangeText(n))
	}
}

// TestManagerInspectionOpenVerify opens the newest inspection from the
// list: its facts, people, seal, photo and signatures show; Verify says the
// seal is intact, then, with its photo file gone, what failed; the PDF
// exports; and going back finds the list as it was.
func TestManagerInspectionOpenVerify(t *testing.T) {
	f := newFixture(t)
	d, hash := sealedWithPhoto(t, f)
	person := d.Inspection.People[0].Name
	var saved []byte
	var savedName string
	defer ui.SetSaveFile(func(name string, data []byte) error { savedName, saved = name, data; return nil })()

	w := newDeskApp(t, f, desktop, localAdmin(f))
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("督导记录")
	u.choose("全部营业厅", d.HallName)
	// Newest first: the one just sealed (started at the fixed now).
	u.tap(rowTime(d.Inspection.StartedAt))
	u.mustSee(d.HallName+" · ", hash, person, "张督导", "核验封存", "已收到 2 张，共 2 张")
	if n := len(images(u)); n < 3 { // the finding's photo, the supervisor's signature, and the icons do not count
		t.Errorf("%d images shown, want the photo and the signature", n)
	}

	u.tapButton("核验封存")
	u.mustSee("封存核验通过")

	// The photo file disappears: the check says which photo.
	ref := findingsOf(d, person)[0].Photos[0]
	if err := os.Remove(filepath.Join(f.db.PhotoDir(), ref.SHA256[:2], ref.SHA256)); err != nil {
		t.Fatal(err)
	}
	u.tapButton("核验封存")
	u.mustSee("核验未通过", "照片 "+ref.SHA256[:8])
	if u.sees("封存核验通过") {
		t.Error("the earlier success is still shown")
	}

	u.tapButton("导出 PDF")
	if !bytes.HasPrefix(saved, []byte("%PDF")) {
		t.Fatalf("no PDF saved (name %q)", savedName)
	}
	if text := pdfText(t, saved); !strings.Contains(text, hash) {
		t.Errorf("the PDF lacks the seal %s", hash)
	}
	u.tapButton("确定")

	u.tapButton("返回督导列表")
	u.mustSee("全部督导员", d.HallName)
	if u.sees(hash) {
		t.Error("the detail is still shown after going back")
	}
}

// rowTime is how a list row shows when an inspection started, the day over
// the time of day, as one text.
func rowTime(t time.Time) string { return t.In(now.Location()).Format("2006-01-0215:04") }

func images(u *user) []*canvas.Image { return find[*canvas.Image](u.root()) }

// flakyHub is a service whose hub can be taken away: while down, every
// call fails as Remote fails when the hub cannot be reached.
type flakyHub struct {
	admin.Service
	mu   sync.Mutex
	down bool
}

func (h *flakyHub) setDown(down bool) {
	h.mu.Lock()
	h.down = down
	h.mu.Unlock()
}

func (h *flakyHub) err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		return fmt.Errorf("list inspections: dial tcp 10.0.0.1:8443: connection refused: %w", admin.ErrUnavailable)
	}
	return nil
}

func (h *flakyHub) Inspections(ctx context.Context, q admin.InspectionQuery) (admin.InspectionPage, error) {
	if err := h.err(); err != nil {
		return admin.InspectionPage{}, err
	}
	return h.Service.Inspections(ctx, q)
}

func (h *flakyHub) Summary(ctx context.Context, q admin.SummaryQuery) (*report.SummaryFigures, error) {
	if err := h.err(); err != nil {
		return nil, err
	}
	return h.Service.Summary(ctx, q)
}

// TestManagerInspectionsHubDown: with the hub gone, a filter change shows
// the banner and keeps the list and the filters as they were; once it is
// back, Try again brings the list up to date.
func TestManagerInspectionsHubDown(t *testing.T) {
	f := newFixture(t)
	hub := &flakyHub{Service: managerService(t, f)}
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return hub, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("督导记录")
	all, err := hub.Inspections(context.Background(), admin.InspectionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	u.mustSee(rangeText(all.Total))
	before := listedHalls(u)

	hub.setDown(true)
	u.choose("全部营业厅", "优付通滇池路营业厅")
	u.mustSee("无法连接到中心", rangeText(all.Total))
	if got := listedHalls(u); strings.Join(got, "|") != strings.Join(before, "|") {
		t.Errorf("the list changed while the hub was down:\n%q\nwas\n%q", got, before)
	}
	if !u.sees("优付通滇池路营业厅") {
		t.Error("the chosen hall was lost")
	}

	hub.setDown(false)
	u.tapButton("重试")
	if u.sees("无法连接到中心") {
		t.Error("the banner stays after the hub came back")
	}
	for _, h := range listedHalls(u) {
		if !strings.Contains(h, "优付通滇池路营业厅") {
			t.Fatalf("the list does not follow the hall chosen while the hub was down: %q", h)
		}
	}
}

// slowList holds each Inspections call, once hold is set, until the test
// releases it, ignoring cancellation as a slow network might: so a test
// chooses when, and in which order, answers arrive.
type slowList struct {
	admin.Service
	hold  atomic.Bool
	gates chan slowCall
}

type slowCall struct {
	q       admin.InspectionQuery
	release chan struct{}
	// cancelled says whether the call's context was cancelled by the time
	// it was released.
	cancelled chan bool
}

func (s *slowList) Inspections(ctx context.Context, q admin.InspectionQuery) (admin.InspectionPage, error) {
	if s.hold.Load() {
		c := slowCall{q: q, release: make(chan struct{}), cancelled: make(chan bool, 1)}
		s.gates <- c
		<-c.release
		c.cancelled <- ctx.Err() != nil
	}
	return s.Service.Inspections(context.Background(), q)
}

// TestManagerInspectionsNewestFilterWins: a filter chosen while the list
// for the previous one is still loading supersedes it: the older call is
// cancelled and, when its answer arrives last all the same, dropped, so
// the list matches the filter on screen.
func TestManagerInspectionsNewestFilterWins(t *testing.T) {
	f := newFixture(t)
	base := managerService(t, f)
	slow := &slowList{Service: base, gates: make(chan slowCall, 8)}
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return slow, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("督导记录")
	var hall *widget.Select
	for _, s := range find[*widget.Select](u.root()) {
		if s.Selected == "全部营业厅" {
			hall = s
		}
	}
	if hall == nil {
		t.Fatalf("no hall filter: %q", allTexts(u))
	}
	ctx := context.Background()
	total := func(name string) int {
		choices, err := base.FilterChoices(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range choices.Halls {
			if h.Name == name {
				p, err := base.Inspections(ctx, admin.InspectionQuery{HallID: h.ID})
				if err != nil {
					t.Fatal(err)
				}
				return p.Total
			}
		}
		t.Fatalf("no hall %s", name)
		return 0
	}
	older, newer := "优付通北京路营业厅", "优付通滇池路营业厅"
	if total(older) == total(newer) {
		t.Fatal("the two halls have as many inspections; the test cannot tell their lists apart")
	}

	slow.hold.Store(true)
	// Chosen as a person would, one after the other, without waiting for
	// the list (the select's menu does no more than this).
	hall.SetSelected(older)
	first := <-slow.gates
	hall.SetSelected(newer)
	second := <-slow.gates
	if first.q.HallID == second.q.HallID {
		t.Fatal("both calls asked for the same hall")
	}
	// The newer answer first, then, well after it is shown, the older.
	close(second.release)
	time.Sleep(300 * time.Millisecond)
	close(first.release)
	ui.WaitBackground()
	if !<-first.cancelled {
		t.Error("the superseded call's context was not cancelled")
	}
	u.mustSee(rangeText(total(newer)))
	for _, h := range listedHalls(u) {
		if !strings.Contains(h, newer) {
			t.Fatalf("the superseded filter's rows are listed: %q", h)
		}
	}
	if hall.Selected != newer {
		t.Errorf("the hall filter shows %q", hall.Selected)
	}
}

// manyInspections is a region of 100,000 inspections: rows made up from
// their position, served a page at a time as the hub serves them.
type manyInspections struct {
	admin.Service
	total int
	mu    sync.Mutex
	asked []admin.InspectionQuery
	// down makes every call fail as an unreachable hub does.
	down atomic.Bool
}

func (m *manyInspections) Inspections(_ context.Context, q admin.InspectionQuery) (admin.InspectionPage, error) {
	m.mu.Lock()
	m.asked = append(m.asked, q)
	m.mu.Unlock()
	if m.down.Load() {
		return admin.InspectionPage{}, fmt.Errorf("list inspections: connection refused: %w", admin.ErrUnavailable)
	}
	page := admin.InspectionPage{Total: m.total}
	for i := q.Offset; i < min(q.Offset+q.Limit, m.total); i++ {
		page.Rows = append(page.Rows, admin.InspectionRow{
			ID: fmt.Sprint(i), HallName: fmt.Sprintf("第%d营业厅", i), SupervisorName: "张督导", DeviceName: "平板",
			StartedAt: now.Add(-time.Duration(i) * time.Hour), People: 3, Scored: true, Score: 90,
		})
	}
	return page, nil
}

func (m *manyInspections) queries() []admin.InspectionQuery {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]admin.InspectionQuery(nil), m.asked...)
}

// TestManagerInspectionsPaging pages through 100,000 inspections: each
// page is one call for 100 rows at its offset, and the count line says
// where the manager is.
func TestManagerInspectionsPaging(t *testing.T) {
	f := newFixture(t)
	many := &manyInspections{Service: managerService(t, f), total: 100_000}
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return many, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("督导记录")
	u.mustSee("第 1～100 条，共 100,000 条", "第0营业厅")
	if b := findButton(u.root(), "上一页"); b == nil || !b.Disabled() {
		t.Error("Previous is offered on the first page")
	}
	u.tapButton("下一页")
	u.mustSee("第 101～200 条，共 100,000 条", "第100营业厅")
	u.tapButton("上一页")
	u.mustSee("第 1～100 条，共 100,000 条")

	var last *widget.Button
	for _, b := range find[*widget.Button](u.root()) {
		if b.Text == "" && b.Icon != nil && b.Icon.Name() == theme.MediaSkipNextIcon().Name() {
			last = b
		}
	}
	if last == nil {
		t.Fatal("no button to the last page")
	}
	tapCentre(last)
	ui.WaitBackground()
	u.mustSee("第 99,901～100,000 条，共 100,000 条", "第99900营业厅")
	if b := findButton(u.root(), "下一页"); b == nil || !b.Disabled() {
		t.Error("Next is offered on the last page")
	}
	for _, q := range many.queries() {
		if q.Limit != 100 || q.Offset%100 != 0 {
			t.Errorf("asked for %d rows at %d, want pages of 100", q.Limit, q.Offset)
		}
	}
}

// TestManagerInspectionsPageFailsInPlace: Next while the hub is away shows
// the banner and leaves the list and the pager on the page shown, so the
// Next after the hub is back shows the page after it, none skipped.
func TestManagerInspectionsPageFailsInPlace(t *testing.T) {
	f := newFixture(t)
	many := &manyInspections{Service: managerService(t, f), total: 100_000}
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return many, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("督导记录")
	u.mustSee("第 1～100 条，共 100,000 条", "第0营业厅")

	many.down.Store(true)
	u.tapButton("下一页")
	u.mustSee("无法连接到中心", "第 1～100 条，共 100,000 条", "第0营业厅")
	if b := findButton(u.root(), "上一页"); b == nil || !b.Disabled() {
		t.Error("Previous is offered on the first page after a failed Next")
	}
	u.tapButton("下一页") // still away
	u.mustSee("第 1～100 条，共 100,000 条")

	many.down.Store(false)
	u.tapButton("下一页")
	u.mustSee("第 101～200 条，共 100,000 条", "第100营业厅")
	if u.sees("无法连接到中心") {
		t.Error("the banner stays after a page came back")
	}
	asked := many.queries()
	if last := asked[len(asked)-1]; last.Offset != 100 {
		t.Errorf("the Next after the hub came back asked for offset %d, want 100", last.Offset)
	}
	many.down.Store(true)
	u.tapButton("上一页")
	many.down.Store(false)
	u.tapButton("上一页")
	u.mustSee("第 1～100 条，共 100,000 条", "第0营业厅")
}

// slowOpen holds the first Inspection call, once hold is set, until the
// test releases it, whatever its context says.
type slowOpen struct {
	admin.Service
	hold    atomic.Bool
	held    chan string // the ID the held call asked for
	release chan struct{}
}

func (s *slowOpen) Inspection(ctx context.Context, id string) (*admin.InspectionDetail, error) {
	if s.hold.CompareAndSwap(true, false) {
		s.held <- id
		<-s.release
	}
	return s.Service.Inspection(context.Background(), id)
}

// TestManagerInspectionLastTappedOpens: a row tapped while an earlier one
// is still loading is the one that opens, even when the earlier answer
// comes last.
func TestManagerInspectionLastTappedOpens(t *testing.T) {
	f := newFixture(t)
	base := managerService(t, f)
	slow := &slowOpen{Service: base, held: make(chan string, 1), release: make(chan struct{})}
	released := false
	t.Cleanup(func() {
		if !released {
			close(slow.release)
		}
	})
	page, err := base.Inspections(context.Background(), admin.InspectionQuery{Limit: 2})
	if err != nil || len(page.Rows) < 2 {
		t.Fatalf("two newest inspections: %v", err)
	}
	first, second := page.Rows[0], page.Rows[1]
	if rowTime(first.StartedAt) == rowTime(second.StartedAt) {
		t.Fatal("the two newest inspections started in the same minute; the test cannot tap them apart")
	}
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return slow, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("督导记录")
	u.mustSee(rowTime(first.StartedAt), rowTime(second.StartedAt))

	slow.hold.Store(true)
	tapCentre(u.find(rowTime(first.StartedAt))) // not u.tap: it would wait for the held call
	if id := <-slow.held; id != first.ID {
		t.Fatalf("held the opening of %s, want %s", id, first.ID)
	}
	tapCentre(u.find(rowTime(second.StartedAt)))
	u.mustSee(second.SealHash)
	released = true
	close(slow.release)
	ui.WaitBackground()
	u.mustSee(second.SealHash)
	if u.sees(first.SealHash) {
		t.Error("the inspection tapped first replaced the one tapped last")
	}
}

// TestManagerOverHub drives both screens against a real hub with the admin
// API: the list and its filters show the hub's totals (which lacks the
// tablet's photos, so completeness narrows too), an inspection opens and
// verifies, a summary exports with its progress; then the hub stops, and a
// filter change shows the banner and keeps the list.
func TestManagerOverHub(t *testing.T) {
	defer ui.SetManagerClock(func() time.Time { return now })()
	f := newFixture(t)
	hub, w := newHubDesk(t, f, desktop)
	ctx := context.Background()
	mgr, err := admin.ManagerByUsername(ctx, hub.DB, demo.ManagerUsername)
	if err != nil {
		t.Fatal(err)
	}
	onHub := admin.NewLocal(hub.DB, mgr, admin.LocalOptions{Now: func() time.Time { return now }})
	count := func(q admin.InspectionQuery) int {
		t.Helper()
		p, err := onHub.Inspections(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	var data []byte
	defer ui.SetSaveFile(func(_ string, b []byte) error { data = b; return nil })()

	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("督导记录")
	all := count(admin.InspectionQuery{})
	u.mustSee(rangeText(all))
	u.choose("全部督导员", "王督导")
	choices, err := onHub.FilterChoices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wang string
	for _, s := range choices.Supervisors {
		if s.Name == "王督导" {
			wang = s.ID
		}
	}
	byWang := count(admin.InspectionQuery{SupervisorID: wang})
	if byWang == 0 || byWang >= all {
		t.Fatalf("王督导 has %d of %d inspections on the hub", byWang, all)
	}
	u.mustSee(rangeText(byWang))
	u.choose("照片：全部", "缺少照片")
	if n := count(admin.InspectionQuery{SupervisorID: wang, Completeness: admin.Incomplete}); n == 0 {
		u.mustSee("没有符合筛选条件的督导。")
	} else {
		u.mustSee(rangeText(n))
	}
	u.tapButton("清除筛选")
	u.mustSee(rangeText(all))

	// The newest inspection, opened and verified over the hub.
	page, err := onHub.Inspections(ctx, admin.InspectionQuery{Limit: 1})
	if err != nil || len(page.Rows) == 0 {
		t.Fatalf("newest inspection: %v", err)
	}
	newest := page.Rows[0]
	u.tap(rowTime(newest.StartedAt))
	u.mustSee(newest.SealHash, "核验封存")
	u.tapButton("核验封存")
	res, err := onHub.Verify(ctx, newest.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() {
		u.mustSee("封存核验通过")
	} else {
		u.mustSee("核验未通过")
	}
	u.tapButton("返回督导列表")

	// A summary exported over the hub, with its progress.
	u.tap("汇总")
	u.mustSee("2025-05-01 – 2025-05-20")
	u.tapButton("导出汇总报告（PDF）")
	if !bytes.HasPrefix(data, []byte("%PDF")) {
		t.Fatal("no PDF saved from the hub")
	}
	u.tapButton("确定")

	// The hub goes away: the list and the filter stay, the banner says why.
	u.tap("督导记录")
	u.mustSee(rangeText(all))
	before := listedHalls(u)
	hub.Stop()
	u.choose("全部营业厅", "优付通呈贡营业厅")
	u.mustSee("无法连接到中心", rangeText(all))
	if got := listedHalls(u); strings.Join(got, "|") != strings.Join(before, "|") {
		t.Errorf("the list changed while the hub was down")
	}
	if !u.sees("优付通呈贡营业厅") {
		t.Error("the chosen hall was lost")
	}
}
