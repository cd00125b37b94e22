package ui_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/ui"
)

// sealedWithPhoto records and seals, through flow, an inspection of one
// person with a photographed finding: the newest sealed record in the
// history.
func sealedWithPhoto(t *testing.T, f *fixture) (*flow.Draft, string) {
	t.Helper()
	ctx := context.Background()
	u, err := f.wf.SignIn(ctx, "supervisor", "1234")
	if err != nil {
		t.Fatal(err)
	}
	halls, err := f.wf.Halls(ctx, u, "滇池路")
	if err != nil || len(halls) != 1 {
		t.Fatalf("halls %v, %v", halls, err)
	}
	staff, err := f.wf.OnDuty(ctx, u, halls[0].ID)
	if err != nil || len(staff) == 0 {
		t.Fatalf("staff %v, %v", staff, err)
	}
	d, err := f.wf.Start(ctx, u, halls[0].ID, []string{staff[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	pid := d.Inspection.People[0].ID
	if _, err := f.wf.AttachPhoto(ctx, d, pid, "A1.2", "badge.png", testPNG(t)); err != nil {
		t.Fatal(err)
	}
	if err := f.wf.SignSupervisor(ctx, u, d, testPNG(t)); err != nil {
		t.Fatal(err)
	}
	hash, err := f.wf.Seal(ctx, u, d)
	if err != nil {
		t.Fatal(err)
	}
	return d, hash
}

// TestExportSealedPDF opens a sealed inspection from the history: its photo
// shows (read back from the store), and Export PDF renders the report off
// the UI thread and hands it to the save step, plain and redacted.
func TestExportSealedPDF(t *testing.T) {
	f := newFixture(t)
	d, hash := sealedWithPhoto(t, f)
	person := d.Inspection.People[0].Name

	type saved struct {
		name string
		data []byte
	}
	var got []saved
	defer ui.SetSaveFile(func(name string, data []byte) error {
		got = append(got, saved{name, data})
		return nil
	})()

	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	u.signIn()
	u.tapButton("历史记录")
	u.tap(hash[:8])
	u.mustSee(hash, "导出 PDF")
	if n := thumbnails(u); n != 1 {
		t.Errorf("the sealed view shows %d photos, want 1", n)
	}

	u.tapButton("导出 PDF")
	if len(got) != 1 {
		t.Fatalf("export saved %d files", len(got))
	}
	if want := "督导报告-" + d.HallName + "-2025-05-20.pdf"; got[0].name != want {
		t.Errorf("file name %q, want %q", got[0].name, want)
	}
	if !bytes.HasPrefix(got[0].data, []byte("%PDF")) {
		t.Fatalf("the export is not a PDF: %q", got[0].data[:min(16, len(got[0].data))])
	}
	u.mustSee("PDF 已保存")
	if text := pdfText(t, got[0].data); !strings.Contains(text, hash) || !strings.Contains(text, person) {
		t.Errorf("the PDF lacks the seal or %s", person)
	}
	u.tapButton("确定")

	var redact *widget.Check
	for _, c := range find[*widget.Check](u.root()) {
		if c.Text == "脱敏版" {
			redact = c
		}
	}
	if redact == nil {
		t.Fatal("no redaction check")
	}
	test.TapAt(redact, fyne.NewPos(12, redact.Size().Height/2))
	if !redact.Checked {
		t.Fatal("the redaction check did not tick")
	}
	u.tapButton("导出 PDF")
	if len(got) != 2 {
		t.Fatalf("second export saved %d files", len(got))
	}
	if text := pdfText(t, got[1].data); !strings.Contains(text, hash) || strings.Contains(text, person) {
		t.Errorf("redacted PDF: seal %v, names %s %v", strings.Contains(text, hash), person, strings.Contains(text, person))
	}
}

// TestExportPersonHistory filters the history by a person and exports
// their history; the person filter includes staff who have left, and the
// grade filter offers the standard's grades.
func TestExportPersonHistory(t *testing.T) {
	f := newFixture(t)
	d, _ := sealedWithPhoto(t, f)
	person := d.Inspection.People[0].Name
	var name string
	var data []byte
	defer ui.SetSaveFile(func(n string, b []byte) error { name, data = n, b; return nil })()

	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	u.signIn()
	u.tapButton("历史记录")
	if findButton(u.root(), "导出此人的督导记录（PDF）") != nil {
		t.Error("a person's export is offered with no person chosen")
	}
	selects := find[*widget.Select](u.root())
	people, grades := selects[1], selects[2]
	if people.Disabled() {
		t.Error("the person filter is disabled without a hall")
	}
	if !slices.ContainsFunc(people.Options, func(o string) bool { return strings.Contains(o, "（已离职）") }) {
		t.Error("the person filter lists nobody who has left")
	}
	gs, err := f.wf.Grades(context.Background())
	if err != nil || len(grades.Options) != len(gs)+1 {
		t.Errorf("grade filter offers %q for %d grades (%v)", grades.Options, len(gs), err)
	}
	i := -1
	for k, o := range people.Options {
		if strings.HasPrefix(o, person+" ·") {
			i = k
		}
	}
	if i < 0 {
		t.Fatalf("%s is not in the person filter %q", person, people.Options)
	}
	people.SetSelectedIndex(i)
	u.tapButton("导出此人的督导记录（PDF）")
	if !bytes.HasPrefix(data, []byte("%PDF")) {
		t.Fatal("no PDF saved")
	}
	if !strings.HasPrefix(name, "个人督导记录-"+person+"-") || !strings.HasSuffix(name, ".pdf") {
		t.Errorf("file name %q", name)
	}
	if !strings.Contains(pdfText(t, data), person) {
		t.Errorf("the history PDF does not name %s", person)
	}
}

// TestWriteFileAtomic replaces a file whole and leaves no temporary file.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "督导报告.pdf")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ui.WriteFileAtomic(path, []byte("%PDF-new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "%PDF-new" {
		t.Errorf("file holds %q", b)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("left behind: %v", es)
	}
	if err := ui.WriteFileAtomic(filepath.Join(dir, "missing", "x.pdf"), []byte("x")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

// TestWithdrawSignature: Clear on the pad withdraws the saved signature, so
// Seal is disabled again.
func TestWithdrawSignature(t *testing.T) {
	f := newFixture(t)
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "孙丽")
	u.tapButton("检查并封存")
	u.sign()
	if b := findButton(u.root(), "封存督导记录"); b == nil || b.Disabled() {
		t.Fatal("Seal is disabled after signing")
	}
	u.tapButton("清除")
	if b := findButton(u.root(), "封存督导记录"); b == nil || !b.Disabled() {
		t.Error("Seal is still enabled after Clear")
	}
	u.mustSee("暂不能封存：督导员尚未签名")
	for _, s := range draftOf(t, f).Inspection.Signatures {
		if s.Role == inspect.SignerSupervisor {
			t.Error("the supervisor's signature is still stored")
		}
	}
}

// TestStaleStaffSignature: a finding added after the person signed shows
// that their signature predates it.
func TestStaleStaffSignature(t *testing.T) {
	f := newFixture(t)
	f.close()
	var mu sync.Mutex
	tick := now
	f.clock = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		tick = tick.Add(time.Second)
		return tick
	}
	f.open()
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "孙丽")
	u.tap("按规定佩戴编号服务证（牌）")
	u.tapButton("检查并封存")
	u.tapButton("签名或提出异议")
	u.sign()
	u.tapButton("签名")
	u.mustSee("已签名确认")
	if u.sees("签名早于最近一次修改") {
		t.Fatal("stale right after signing")
	}
	u.tap("按规定佩戴编号服务证（牌）") // the finding opens the checklist
	u.tap("客户进门主动招呼")
	u.tapButton("返回")
	u.mustSee("签名早于最近一次修改，请再次确认")
	if b := findButton(u.root(), "封存督导记录"); b == nil {
		t.Fatal("no Seal button")
	}
}

// slowAttach holds AttachPhoto until released, to look at the screen while
// a photo is being attached.
type slowAttach struct {
	flow.Workflow
	release chan struct{}
}

func (s *slowAttach) AttachPhoto(ctx context.Context, d *flow.Draft, personID, itemID, name string, data []byte) (flow.ItemState, error) {
	<-s.release
	return s.Workflow.AttachPhoto(ctx, d, personID, itemID, name, data)
}

// TestAttachOffTheUIThread: while a photo is attached, the screen shows it
// is working, Add and going back wait, and the thumbnail follows.
func TestAttachOffTheUIThread(t *testing.T) {
	defer ui.SetPhotoPicker(func(done func(string, []byte, error)) { done("photo.png", testPNG(t), nil) })()
	f := newFixture(t)
	slow := &slowAttach{Workflow: f.wf, release: make(chan struct{})}
	released := false
	release := func() {
		if !released {
			released = true
			close(slow.release)
		}
	}
	// A failed check must not leave the attach blocked: later tests wait for
	// all background work.
	t.Cleanup(release)
	a := test.NewTempApp(t)
	w := ui.Create(a, slow)
	t.Cleanup(func() { closeWindow(w) })
	w.Resize(landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "孙丽")
	u.tap("按规定佩戴编号服务证（牌）")
	u.tapButton("备注和照片")

	tapCentre(findButton(u.root(), "添加照片")) // not tapButton: it would wait
	u.mustSee("正在保存照片")
	if !findButton(u.root(), "添加照片").Disabled() {
		t.Error("Add a photo is enabled while one is attached")
	}
	tapCentre(findButton(u.root(), "返回"))
	if !u.sees("正在保存照片") {
		t.Error("going back left the screen while the photo was attached")
	}
	release()
	ui.WaitBackground()
	if u.sees("正在保存照片") || findButton(u.root(), "添加照片").Disabled() {
		t.Error("still busy after the photo was attached")
	}
	if thumbnails(u) != 1 {
		t.Error("no thumbnail for the attached photo")
	}
}

// TestPhotoDirUnwritable: with the photo directory replaced by a file (which
// stops root too, unlike chmod), attaching says which directory is at fault
// and the draft keeps what it had.
func TestPhotoDirUnwritable(t *testing.T) {
	defer ui.SetPhotoPicker(func(done func(string, []byte, error)) { done("photo.png", testPNG(t), nil) })()
	f := newFixture(t)
	_, w := newApp(t, f, nil, landscape)
	u := &user{t: t, w: w}
	startIn(u, "优付通滇池路营业厅", "孙丽")
	u.tap("按规定佩戴编号服务证（牌）")
	u.tapButton("备注和照片")

	dir := f.db.PhotoDir()
	if err := os.Rename(dir, dir+".moved"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	u.tapButton("添加照片")
	u.mustSee("照片无法保存：本机的照片目录 "+dir+" 无法写入", "草稿保持原样")
	if got := findingsOf(draftOf(t, f), "孙丽"); len(got) != 1 || len(got[0].Photos) != 0 {
		t.Errorf("the draft changed: %+v", got)
	}
}

// pdfText extracts a PDF's text without white space (skips without
// pdftotext).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	file := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), "")
}
