package ui_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/admin"
	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/ui"
)

// dayOf is t's day in the halls' zone, as the summary's periods count.
func dayOf(t time.Time) time.Time {
	t = t.In(inspect.HallZone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, inspect.HallZone)
}

// mustSeeFigures checks that the screen shows what the summary PDF prints
// for q: the headline, the most violated clauses with their text, the
// people.
func mustSeeFigures(t *testing.T, u *user, svc admin.Service, q admin.SummaryQuery) *report.SummaryFigures {
	t.Helper()
	f, err := svc.Summary(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if f.Inspections == 0 {
		t.Fatalf("no inspections in %v–%v; the test needs some", q.From, q.To)
	}
	u.mustSee(f.Scope, thousands(f.Inspections), report.FormatScore(f.Average), "平均得分", thousands(f.People),
		"得分趋势", "等级分布", "违规最多的条款", "人员")
	for _, c := range f.TopClauses {
		u.mustSee(c.ClauseID + "  " + c.Text.ZH)
	}
	for _, p := range f.PeopleRows {
		u.mustSee(p.Name)
	}
	for _, g := range f.Grades {
		u.mustSee(g.Grade.Name.ZH)
	}
	return f
}

// TestManagerSummaryScopesAndPeriods: the summary opens on this month of
// the whole region with the figures the service computes (those of the
// PDF); choosing a hall and a preset period shows theirs.
func TestManagerSummaryScopesAndPeriods(t *testing.T) {
	defer ui.SetManagerClock(func() time.Time { return now })()
	f := newFixture(t)
	svc := managerService(t, f)
	w := newDeskApp(t, f, desktop, localAdmin(f))
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("汇总")

	today := dayOf(now)
	monthStart := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, inspect.HallZone)
	region := mustSeeFigures(t, u, svc, admin.SummaryQuery{From: monthStart, To: today})
	if !region.Region {
		t.Errorf("the default scope is not the region: %+v", region.Scope)
	}
	u.mustSee("2025-05-01 – 2025-05-20")

	u.choose("本月", "最近 90 天")
	ninety := mustSeeFigures(t, u, svc, admin.SummaryQuery{From: today.AddDate(0, 0, -89), To: today})
	if ninety.Inspections <= region.Inspections {
		t.Errorf("90 days hold %d inspections, this month %d", ninety.Inspections, region.Inspections)
	}

	choices, err := svc.FilterChoices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hall := choices.Halls[1]
	u.choose("整个片区（昆明）", hall.Name)
	one := mustSeeFigures(t, u, svc, admin.SummaryQuery{HallID: hall.ID, From: today.AddDate(0, 0, -89), To: today})
	if one.Inspections >= ninety.Inspections {
		t.Errorf("one hall has %d inspections, the region %d", one.Inspections, ninety.Inspections)
	}

	u.choose("最近 90 天", "上月")
	mustSeeFigures(t, u, svc, admin.SummaryQuery{HallID: hall.ID,
		From: monthStart.AddDate(0, -1, 0), To: monthStart.AddDate(0, 0, -1)})
	u.mustSee("2025-04-01 – 2025-04-30")

	// A custom period: editing a date switches the preset to custom.
	var from *widget.DateEntry
	for _, e := range find[*widget.DateEntry](u.root()) {
		if e.Date != nil && dayOf(*e.Date).Equal(monthStart.AddDate(0, -1, 0)) {
			from = e
		}
	}
	if from == nil {
		t.Fatal("no From date showing the period's start")
	}
	start := time.Date(2025, time.April, 15, 0, 0, 0, 0, inspect.HallZone)
	from.SetDate(&start)
	ui.WaitBackground()
	u.mustSee("自定义期间", "2025-04-15 – 2025-04-30")
	mustSeeFigures(t, u, svc, admin.SummaryQuery{HallID: hall.ID, From: start, To: monthStart.AddDate(0, 0, -1)})
}

// progressGate forwards ExportSummary's progress and, at the first step
// past the start, holds the export until the test has looked at the
// screen.
type progressGate struct {
	admin.Service
	once    sync.Once
	reached chan struct{}
	release chan struct{}
	mu      sync.Mutex
	steps   [][2]int
}

func (g *progressGate) ExportSummary(ctx context.Context, q admin.SummaryQuery, opt report.Options, progress admin.Progress) ([]byte, string, error) {
	return g.Service.ExportSummary(ctx, q, opt, func(done, total int) {
		progress(done, total)
		g.mu.Lock()
		g.steps = append(g.steps, [2]int{done, total})
		g.mu.Unlock()
		if done > 0 && done < total {
			g.once.Do(func() {
				close(g.reached)
				<-g.release
			})
		}
	})
}

// TestManagerSummaryExport exports a hall's summary: while the PDF renders
// the progress bar shows the service's progress and the button waits;
// then the PDF goes to the save step, names the hall and holds its
// figures.
func TestManagerSummaryExport(t *testing.T) {
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
	t.Cleanup(release) // a failed check must not leave the export blocked
	var name string
	var data []byte
	defer ui.SetSaveFile(func(n string, b []byte) error { name, data = n, b; return nil })()

	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return gate, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("汇总")
	u.choose("本月", "最近 90 天")
	u.choose("整个片区（昆明）", "优付通滇池路营业厅")
	u.mustSee("优付通滇池路营业厅 (YFT-KM-002)")

	export := findButton(u.root(), "导出汇总报告（PDF）")
	if export == nil {
		t.Fatalf("no export button: %q", allTexts(u))
	}
	tapCentre(export) // not tapButton: it would wait for the export
	select {
	case <-gate.reached:
	case <-time.After(30 * time.Second):
		t.Fatal("the export reported no progress")
	}
	bars := find[*widget.ProgressBar](u.root())
	if len(bars) != 1 {
		t.Fatalf("%d progress bars shown while exporting", len(bars))
	}
	gate.mu.Lock()
	step := gate.steps[len(gate.steps)-1]
	gate.mu.Unlock()
	if bars[0].Value != float64(step[0]) || bars[0].Max != float64(step[1]) {
		t.Errorf("the bar shows %v of %v; the export reported %d of %d", bars[0].Value, bars[0].Max, step[0], step[1])
	}
	if !export.Disabled() {
		t.Error("the export button is enabled while exporting")
	}
	release()
	ui.WaitBackground()

	if !bytes.HasPrefix(data, []byte("%PDF")) {
		t.Fatalf("no PDF saved (name %q)", name)
	}
	if !strings.HasSuffix(name, ".pdf") || !strings.Contains(name, "优付通滇池路营业厅") {
		t.Errorf("file name %q", name)
	}
	u.mustSee("PDF 已保存")
	u.tapButton("确定")
	if len(find[*widget.ProgressBar](u.root())) != 0 {
		t.Error("the progress bar stays after the export")
	}
	if export.Disabled() {
		t.Error("the export button stays disabled")
	}
	text := pdfText(t, data)
	if !strings.Contains(text, "优付通滇池路营业厅") {
		t.Error("the PDF does not name the hall")
	}
	today := dayOf(now)
	figs, err := gate.Summary(context.Background(), admin.SummaryQuery{HallID: hallIDOf(t, gate, "优付通滇池路营业厅"), From: today.AddDate(0, 0, -89), To: today})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, figs.Digest) {
		t.Errorf("the PDF does not print the digest %s the screen's figures carry", figs.Digest)
	}
}

func hallIDOf(t *testing.T, svc admin.Service, name string) string {
	t.Helper()
	choices, err := svc.FilterChoices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range choices.Halls {
		if h.Name == name {
			return h.ID
		}
	}
	t.Fatalf("no hall %s", name)
	return ""
}

// TestManagerSummaryHubDown: with the hub gone, another period shows the
// banner and keeps the figures on screen.
func TestManagerSummaryHubDown(t *testing.T) {
	defer ui.SetManagerClock(func() time.Time { return now })()
	f := newFixture(t)
	hub := &flakyHub{Service: managerService(t, f)}
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return hub, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("汇总")
	u.mustSee("2025-05-01 – 2025-05-20")
	before := allTexts(u)

	hub.setDown(true)
	u.choose("本月", "上月")
	u.mustSee("无法连接到中心", "2025-05-01 – 2025-05-20")
	for _, s := range []string{"得分趋势", "人员"} {
		if !containsText(before, s) || !u.sees(s) {
			t.Errorf("%q was lost while the hub was down", s)
		}
	}
	hub.setDown(false)
	u.tapButton("重试")
	u.mustSee("2025-04-01 – 2025-04-30")
}

// TestManagerSummaryExportsWhatIsShown: the export is offered only while
// the figures on screen are those of the controls, and prints them. When
// another period could not be computed (the hub away), the figures of the
// previous one stay on screen and the export is not offered, since it
// would print neither; once the period's figures show, it exports them.
func TestManagerSummaryExportsWhatIsShown(t *testing.T) {
	defer ui.SetManagerClock(func() time.Time { return now })()
	f := newFixture(t)
	hub := &flakyHub{Service: managerService(t, f)}
	var data []byte
	defer ui.SetSaveFile(func(_ string, b []byte) error { data = b; return nil })()
	w := newDeskApp(t, f, desktop, func(context.Context, flow.User) (admin.Service, error) { return hub, nil })
	u := &user{t: t, w: w}
	u.signInManager()
	u.openDesk("汇总")
	u.mustSee("2025-05-01 – 2025-05-20")
	export := findButton(u.root(), "导出汇总报告（PDF）")
	if export == nil || export.Disabled() {
		t.Fatalf("the export is not offered for the figures shown: %q", allTexts(u))
	}

	hub.setDown(true)
	u.choose("本月", "上月")
	u.mustSee("无法连接到中心", "2025-05-01 – 2025-05-20")
	if !export.Disabled() {
		t.Error("the export is offered while the figures shown are not those of the period chosen")
	}

	hub.setDown(false)
	u.tapButton("重试")
	u.mustSee("2025-04-01 – 2025-04-30")
	if export.Disabled() {
		t.Fatal("the export is not offered once the period's figures show")
	}
	u.tapButton("导出汇总报告（PDF）")
	if !bytes.HasPrefix(data, []byte("%PDF")) {
		t.Fatal("no PDF saved")
	}
	u.tapButton("确定")
	today := dayOf(now)
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, inspect.HallZone)
	april, err := hub.Summary(context.Background(), admin.SummaryQuery{From: month.AddDate(0, -1, 0), To: month.AddDate(0, 0, -1)})
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, data); !strings.Contains(text, april.Digest) {
		t.Errorf("the PDF does not print the digest %s of the figures on screen", april.Digest)
	}

	// A period that ends before it starts computes nothing: no export.
	var from *widget.DateEntry
	for _, e := range find[*widget.DateEntry](u.root()) {
		if e.Date != nil && dayOf(*e.Date).Equal(month.AddDate(0, -1, 0)) {
			from = e
		}
	}
	if from == nil {
		t.Fatal("no From date showing the period's start")
	}
	late := month.AddDate(0, 0, 5)
	from.SetDate(&late)
	ui.WaitBackground()
	u.mustSee("结束日期早于开始日期")
	if !export.Disabled() {
		t.Error("the export is offered for a period that ends before it starts")
	}
}

// TestManagerSummaryEveryRegionInEnglish: a manager over every region of
// several sees the summary of them all named in the UI language, not by
// the Chinese name the PDF prints.
func TestManagerSummaryEveryRegionInEnglish(t *testing.T) {
	defer ui.SetManagerClock(func() time.Time { return now })()
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.db.AddRegion(ctx, "大理"); err != nil {
		t.Fatal(err)
	}
	mgr, err := admin.ManagerByUsername(ctx, f.db, demo.ManagerUsername)
	if err != nil {
		t.Fatal(err)
	}
	mgr.RegionID = "" // over every region
	everyRegion := admin.NewLocal(f.db, mgr, admin.LocalOptions{Now: func() time.Time { return now }})
	a := test.NewTempApp(t)
	a.Preferences().SetString("ui.language", "en")
	w := ui.Create(a, f.wf, ui.WithAdmin(func(context.Context, flow.User) (admin.Service, error) { return everyRegion, nil }))
	t.Cleanup(func() { closeWindow(w) })
	w.Resize(desktop)
	u := &user{t: t, w: w}
	u.tap("李经理")
	u.typeInto(passwordEntry(t, u.root()), demo.ManagerPIN)
	u.tapButton("Sign in")
	u.tapButton("Manager's desk")
	u.tap("Summary")
	u.mustSee("Every region · 2025-05-01 – 2025-05-20")
	if u.sees("全部区域") {
		t.Errorf("the scope shows in Chinese on an English screen: %q", allTexts(u))
	}
}

// shootManagerReports renders the manager's inspections and summary on the
// demo database: the list, an amended inspection with a disagreement opened
// and verified (its top, then its findings with photos and signatures),
// and the region's summary over the last 90 days (its charts, then its
// clauses and people). Files are named manager-<screen>-<w>x<h>.png.
func shootManagerReports(t *testing.T, dir string, size fyne.Size) {
	defer ui.SetManagerClock(func() time.Time { return now })()
	f := newFixture(t)
	w := newDeskApp(t, f, size, localAdmin(f))
	u := &user{t: t, w: w}
	shot := managerShot(t, w, dir, size)

	u.signInManager()
	u.openDesk("督导记录")
	shot("inspections")

	row, finding := showcaseInspection(t, managerService(t, f))
	day := row.StartedAt
	for _, e := range find[*widget.DateEntry](u.root()) {
		e.SetDate(&day) // both ends: that day
	}
	ui.WaitBackground()
	u.tap(rowTime(row.StartedAt))
	u.tapButton("核验封存")
	shot("inspection")
	scrollDetailTo(t, u, finding)
	shot("inspection-findings")

	u.tapButton("返回督导列表")
	u.tap("汇总")
	u.choose("本月", "最近 90 天")
	shot("summary")
	scrollDetailTo(t, u, "违规最多的条款")
	shot("summary-clauses")
	scrollDetailTo(t, u, "重复问题")
	shot("summary-people")
}

// showcaseInspection finds the inspection that shows most of the detail
// screen: amended, with photos and a disagreement; and the first finding
// with photos of the person who shows most of it, as the screen titles it.
func showcaseInspection(t *testing.T, svc admin.Service) (admin.InspectionRow, string) {
	t.Helper()
	ctx := context.Background()
	page, err := svc.Inspections(ctx, admin.InspectionQuery{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var best admin.InspectionRow
	var bestFinding string
	bestScore := -1
	for _, r := range page.Rows {
		if r.PhotosExpected == 0 {
			continue
		}
		d, err := svc.Inspection(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range d.Effective.People {
			score, title := min(r.Amendments, 1)*2, ""
			for _, f := range p.Findings {
				if len(f.Photos) > 0 && title == "" {
					it, _ := d.Standard.Item(f.ItemID)
					title = it.Clause + "  " + it.Text.ZH
					score += 4
				}
			}
			for _, s := range d.Inspection.Signatures {
				if s.PersonID == p.ID && s.Disagreement != "" {
					score += 3
				}
			}
			if title != "" && score > bestScore {
				best, bestFinding, bestScore = r, title, score
			}
		}
	}
	if bestScore < 0 {
		t.Fatal("the demo has no inspection with photos")
	}
	return best, bestFinding
}

// scrollDetailTo scrolls the scroll that shows text so that the first
// object showing it is at the top.
func scrollDetailTo(t *testing.T, u *user, text string) {
	t.Helper()
	settle(u.w)
	for _, sc := range find[*container.Scroll](u.root()) {
		var y float32 = -1
		var search func(o fyne.CanvasObject, top float32)
		search = func(o fyne.CanvasObject, top float32) {
			if y >= 0 || !o.Visible() {
				return
			}
			at := top + o.Position().Y
			switch v := o.(type) {
			case *widget.Label:
				if strings.Contains(v.Text, text) {
					y = at
				}
			case *widget.RichText:
				if strings.Contains(v.String(), text) {
					y = at
				}
			case *fyne.Container:
				for _, c := range v.Objects {
					search(c, at)
				}
			case fyne.Widget:
				for _, c := range test.WidgetRenderer(v).Objects() {
					search(c, at)
				}
			}
		}
		search(sc.Content, 0)
		if y >= 0 {
			sc.ScrollToOffset(fyne.NewPos(0, max(y-8, 0)))
			return
		}
	}
	t.Fatalf("no scroll shows %q", text)
}
