package flow_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
	"github.com/dudao-app/dudao/app/standard"
)

func TestPhotoReadsBack(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜")
	pid := person(t, d, "李娜")
	st, err := e.flow.AttachPhoto(ctx, d, pid, "A1.2", "badge.jpg", encodeJPEG(t, scene(64, 48)))
	if err != nil {
		t.Fatal(err)
	}
	sha := st.Finding.Photos[0].SHA256
	// A new Flow, as after a restart: nothing is remembered but the store.
	b, err := e.newFlow().Photo(ctx, sha)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != sha {
		t.Errorf("Photo returned %d bytes that do not hash to %s", len(b), sha)
	}
	if _, err := e.flow.Photo(ctx, strings.Repeat("ab", 32)); !errors.Is(err, flow.ErrNotFound) {
		t.Errorf("a photo not on the device: %v, want ErrNotFound", err)
	}
	if _, err := e.flow.Photo(ctx, "../../etc/passwd"); err == nil {
		t.Error("a path for a hash was read")
	}
}

func TestWithdrawSupervisorSignature(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜")
	if err := e.flow.SignSupervisor(ctx, e.owner(d), d, signaturePNG(t)); err != nil {
		t.Fatal(err)
	}
	if r, err := e.flow.Review(ctx, d); err != nil || len(r.Missing) != 0 {
		t.Fatalf("after signing: missing %v, %v", r.Missing, err)
	}
	if err := e.flow.SignSupervisor(ctx, e.owner(d), d, nil); err != nil {
		t.Fatal(err)
	}
	if n := len(d.Inspection.Signatures); n != 0 {
		t.Errorf("the draft still holds %d signatures", n)
	}
	if n := len(e.stored(d.Inspection.ID).Signatures); n != 0 {
		t.Errorf("the store still holds %d signatures", n)
	}
	r, err := e.flow.Review(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Missing, []string{flow.MissingSupervisorSignature}) {
		t.Errorf("missing after withdrawing: %v", r.Missing)
	}
	_, err = e.flow.Seal(ctx, e.owner(d), d)
	wantErr(t, err, flow.ErrUnsigned)

	e.signAndSeal(d)
	err = e.flow.SignSupervisor(ctx, e.owner(d), d, nil)
	wantErr(t, err, inspect.ErrSealed)
}

func TestStaleStaffSignature(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜", "刘洋")
	li, liu := person(t, d, "李娜"), person(t, d, "刘洋")
	if _, err := e.flow.ToggleNonconform(ctx, d, li, "A1.2"); err != nil {
		t.Fatal(err)
	}
	if err := e.flow.SignStaff(ctx, d, li, signaturePNG(t), ""); err != nil {
		t.Fatal(err)
	}
	if err := e.flow.SignStaff(ctx, d, liu, nil, "不同意"); err != nil {
		t.Fatal(err)
	}
	stale := func() map[string]bool {
		t.Helper()
		r, err := e.flow.Review(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, pr := range r.People {
			m[pr.Person.Name] = pr.Stale
		}
		return m
	}
	if m := stale(); m["李娜"] || m["刘洋"] {
		t.Fatalf("stale right after signing: %v", m)
	}
	// A new finding on 李娜 after she signed; a photo on 刘洋's (new) finding.
	if _, err := e.flow.ToggleNonconform(ctx, d, li, "A3.1"); err != nil {
		t.Fatal(err)
	}
	if m := stale(); !m["李娜"] || m["刘洋"] {
		t.Errorf("after a new finding on 李娜: %v", m)
	}
	if _, err := e.flow.AttachPhoto(ctx, d, liu, "A1.2", "p.jpg", encodeJPEG(t, scene(40, 30))); err != nil {
		t.Fatal(err)
	}
	if m := stale(); !m["刘洋"] {
		t.Errorf("after a photo on 刘洋: %v", m)
	}
	// Asking again clears it.
	if err := e.flow.SignStaff(ctx, d, li, signaturePNG(t), ""); err != nil {
		t.Fatal(err)
	}
	if m := stale(); m["李娜"] || !m["刘洋"] {
		t.Errorf("after 李娜 signed again: %v", m)
	}
	// Edits that keep the finding's first time: a note, the outcome taken
	// back (the finding removed), a tally's counts.
	if err := e.flow.SignStaff(ctx, d, liu, nil, "不同意"); err != nil {
		t.Fatal(err)
	}
	if m := stale(); m["李娜"] || m["刘洋"] {
		t.Fatalf("after both signed again: %v", m)
	}
	if _, err := e.flow.SetNote(ctx, d, li, "A1.2", "工牌挂在背后"); err != nil {
		t.Fatal(err)
	}
	if m := stale(); !m["李娜"] || m["刘洋"] {
		t.Errorf("after a note on 李娜's finding: %v", m)
	}
	if _, err := e.flow.ToggleNonconform(ctx, d, liu, "A1.2"); err != nil { // back to conforming
		t.Fatal(err)
	}
	if m := stale(); !m["刘洋"] {
		t.Errorf("after 刘洋's finding was taken back: %v", m)
	}
	// What they saw is kept with the draft: reopened by a new workflow (the
	// app restarted), the review says the same.
	if err := e.flow.SignStaff(ctx, d, li, signaturePNG(t), ""); err != nil {
		t.Fatal(err)
	}
	reopened, err := e.newFlow().Open(ctx, d.Inspection.ID)
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.newFlow().Review(ctx, reopened)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range r.People {
		if want := pr.Person.Name == "刘洋"; pr.Stale != want {
			t.Errorf("reopened: %s stale = %v, want %v", pr.Person.Name, pr.Stale, want)
		}
	}
	// A stale staff signature does not stop the seal; sealed, nothing is stale.
	e.signAndSeal(d)
	if m := stale(); m["刘洋"] {
		t.Errorf("sealed: %v", m)
	}
}

func TestGradesAndStaff(t *testing.T) {
	e := newEnv(t)
	gs, err := e.flow.Grades(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != len(standard.V1().Grades) || len(gs) < 2 {
		t.Fatalf("grades %v", gs)
	}
	for i := 1; i < len(gs); i++ {
		if gs[i-1].MinScore <= gs[i].MinScore {
			t.Errorf("grades not best first: %v", gs)
		}
	}

	all, err := e.flow.Staff(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(e.staff) {
		t.Errorf("Staff(\"\") lists %d, want %d", len(all), len(e.staff))
	}
	last := all[len(all)-1]
	if last.Name != "马俊" || !last.Left || last.HallName != "优付通北京路营业厅" {
		t.Errorf("the one who left should come last, marked: %+v", last)
	}
	for _, m := range all[:len(all)-1] {
		if m.Left {
			t.Errorf("%s marked as left", m.Name)
		}
	}
	b, err := e.flow.Staff(ctx, e.halls[hallB].ID)
	if err != nil || len(b) != 1 || b[0].Name != "段志强" {
		t.Errorf("Staff(hall B) = %+v, %v", b, err)
	}
	// The one who left still filters the history.
	d := e.start(e.sup, hallA, "李娜")
	if _, err := e.flow.AddPerson(ctx, d, e.staff["马俊"].ID); err == nil {
		e.signAndSeal(d)
		h, err := e.flow.History(ctx, flow.HistoryFilter{StaffID: last.ID})
		if err != nil || len(h) != 1 {
			t.Errorf("history of 马俊: %v, %v", h, err)
		}
	}
}

// sealedWithPhoto seals an inspection of 李娜 and 刘洋 with findings, a note,
// a photo and signatures.
func sealedWithPhoto(t *testing.T, e *env) (*flow.Draft, string) {
	t.Helper()
	d := e.start(e.sup, hallA, "李娜", "刘洋")
	li := person(t, d, "李娜")
	if _, err := e.flow.AttachPhoto(ctx, d, li, "A1.2", "badge.jpg", encodeJPEG(t, scene(64, 48))); err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.SetNote(ctx, d, li, "A1.2", "未佩戴服务证"); err != nil {
		t.Fatal(err)
	}
	if err := e.flow.SignStaff(ctx, d, li, signaturePNG(t), "当时在换工牌"); err != nil {
		t.Fatal(err)
	}
	return d, e.signAndSeal(d)
}

func TestExportInspection(t *testing.T) {
	e := newEnv(t)
	draft := e.start(e.sup, hallB, "段志强")
	d, hash := sealedWithPhoto(t, e)

	pdf, name, err := e.flow.ExportInspection(ctx, d.Inspection.ID, report.Options{Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("export starts with %q", pdf[:min(len(pdf), 16)])
	}
	if want := "督导报告-优付通北京路营业厅-2026-11-02.pdf"; name != want {
		t.Errorf("name %q, want %q", name, want)
	}
	text := squeeze(pdftotext(t, pdf))
	for _, want := range []string{hash, "李娜", "未佩戴服务证", "当时在换工牌"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q", want)
		}
	}

	red, _, err := e.flow.ExportInspection(ctx, d.Inspection.ID, report.Options{Lang: "en", Redact: true})
	if err != nil {
		t.Fatal(err)
	}
	text = squeeze(pdftotext(t, red))
	if !strings.Contains(text, hash) || strings.Contains(text, "李娜") || strings.Contains(text, "刘洋") {
		t.Errorf("redacted: has hash %v, names %v", strings.Contains(text, hash), strings.Contains(text, "李娜"))
	}

	_, _, err = e.flow.ExportInspection(ctx, draft.Inspection.ID, report.Options{})
	wantErr(t, err, flow.ErrNotSealed)
	_, _, err = e.flow.ExportInspection(ctx, "no-such-inspection", report.Options{})
	wantErr(t, err, flow.ErrNotFound)
}

func TestExportPersonHistory(t *testing.T) {
	e := newEnv(t)
	sealedWithPhoto(t, e)
	li := e.staff["李娜"]
	pdf, name, err := e.flow.ExportPersonHistory(ctx, li.ID, t0.AddDate(0, 0, -90), t0, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatal("not a PDF")
	}
	if want := "个人督导记录-李娜-2026-08-04至2026-11-02.pdf"; name != want {
		t.Errorf("name %q, want %q", name, want)
	}
	text := squeeze(pdftotext(t, pdf))
	for _, want := range []string{"李娜", "未佩戴服务证", li.EmployeeNo} {
		if !strings.Contains(text, want) {
			t.Errorf("the history lacks %q", want)
		}
	}
	red, name, err := e.flow.ExportPersonHistory(ctx, li.ID, t0.AddDate(0, 0, -90), t0, report.Options{Redact: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(name, "李娜") || !strings.Contains(name, li.Badge) {
		t.Errorf("redacted file name %q", name)
	}
	if strings.Contains(squeeze(pdftotext(t, red)), "李娜") {
		t.Error("the redacted history names her")
	}
	_, _, err = e.flow.ExportPersonHistory(ctx, "no-such-staff", t0, t0, report.Options{})
	wantErr(t, err, flow.ErrNotFound)
}

// TestPhotoDirUnwritable: a photo that cannot be stored says which directory
// is at fault, and the draft stays as it was, in memory and in the store.
func TestPhotoDirUnwritable(t *testing.T) {
	cases := map[string]func(t *testing.T, dir string){
		// The usual way it happens: permissions. Root ignores them.
		"read-only": func(t *testing.T, dir string) {
			if err := os.Chmod(dir, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o700) })
			probe := filepath.Join(dir, "probe")
			if err := os.WriteFile(probe, nil, 0o600); err == nil {
				os.Remove(probe)
				t.Skip("chmod 0500 does not stop this user writing (root?); the not-a-directory case covers the failure")
			}
		},
		// Works whoever runs the test: the directory is replaced by a file.
		"not a directory": func(t *testing.T, dir string) {
			if err := os.Rename(dir, dir+".moved"); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dir, []byte("not a directory"), 0o600); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, breakDir := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			d := e.start(e.sup, hallA, "李娜")
			pid := person(t, d, "李娜")
			if _, err := e.flow.SetTally(ctx, d, pid, "G1.1", 3, 1); err != nil {
				t.Fatal(err)
			}
			before := e.stored(d.Inspection.ID)
			breakDir(t, e.db.PhotoDir())

			_, err := e.flow.AttachPhoto(ctx, d, pid, "A1.2", "badge.jpg", encodeJPEG(t, scene(64, 48)))
			wantErr(t, err, flow.ErrPhotoDir)
			var pe *flow.PhotoDirError
			if !errors.As(err, &pe) || pe.Dir != e.db.PhotoDir() {
				t.Errorf("the error does not name the photo directory: %v", err)
			}
			if !strings.Contains(err.Error(), e.db.PhotoDir()) {
				t.Errorf("message %q lacks the directory", err)
			}
			if flow.MessageKey(err) != "error.photo_dir" {
				t.Errorf("MessageKey = %q", flow.MessageKey(err))
			}
			err = e.flow.SignSupervisor(ctx, e.owner(d), d, signaturePNG(t))
			wantErr(t, err, flow.ErrPhotoDir)

			if f := finding(d.Inspection, pid, "A1.2"); f != nil {
				t.Errorf("the draft in memory gained a finding: %+v", f)
			}
			after := e.stored(d.Inspection.ID)
			if len(after.People[0].Findings) != len(before.People[0].Findings) || len(after.Signatures) != 0 {
				t.Errorf("stored draft changed: %+v", after.People[0].Findings)
			}
			if s, _ := inspect.ComputeSeal(after); s != mustSeal(t, before) {
				t.Error("the stored draft's content changed")
			}
			// Other changes still work.
			if _, err := e.flow.ToggleNonconform(ctx, d, pid, "A3.1"); err != nil {
				t.Errorf("a change without a photo: %v", err)
			}
		})
	}
}

func mustSeal(t *testing.T, ins *inspect.Inspection) string {
	t.Helper()
	s, err := inspect.ComputeSeal(ins)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pdftotext extracts a PDF's text (skips when poppler-utils is missing).
func pdftotext(t *testing.T, pdf []byte) string {
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
	return string(out)
}

// squeeze drops white space, which pdftotext puts wherever lines wrap.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
