package main

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"dudao-hub": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the real main against the scripts in testdata/script: each
// is a CLI session with its expected output and exit status.
func TestScripts(t *testing.T) {
	rosterData, err := filepath.Abs("../../app/roster/testdata")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("ROSTERDATA", rosterData)
			// Keep any default database inside the test's own directory.
			e.Setenv("XDG_DATA_HOME", filepath.Join(e.WorkDir, "xdg"))
			e.Setenv("HOME", e.WorkDir)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"capture": captureCmd,
			"tamper":  tamperCmd,
			"pdftext": pdftextCmd,
			"damage":  damageCmd,
		},
	})
}

// capture VAR REGEXP sets $VAR to the first submatch of REGEXP in the last
// command's stdout, so a script can use an ID the CLI printed.
func captureCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: capture VAR REGEXP")
	}
	m := regexp.MustCompile(args[1]).FindStringSubmatch(ts.ReadFile("stdout"))
	if len(m) < 2 {
		ts.Fatalf("capture: no match for %s in stdout", args[1])
	}
	ts.Setenv(args[0], m[1])
}

// pdftext FILE puts the text of a PDF, as pdftotext reads it, in stdout,
// so that stdout can check what a report prints.
func pdftextCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: pdftext FILE")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		ts.Fatalf("pdftext: pdftotext is missing: install poppler-utils (scripts/setup-debian.sh does)")
	}
	if err := ts.Exec("pdftotext", "-enc", "UTF-8", ts.MkAbs(args[0]), "-"); err != nil {
		ts.Fatalf("pdftext %s: %v", args[0], err)
	}
}

// tamper DB ID changes one character of one finding's note of inspection ID
// the way an attacker with the file would: dropping the triggers first.
func tamperCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tamper DB ID")
	}
	db, err := sql.Open("sqlite3", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'trigger'`)
	ts.Check(err)
	var triggers []string
	for rows.Next() {
		var name string
		ts.Check(rows.Scan(&name))
		triggers = append(triggers, name)
	}
	rows.Close()
	for _, t := range triggers {
		_, err := db.Exec(`DROP TRIGGER "` + t + `"`)
		ts.Check(err)
	}
	res, err := db.Exec(`UPDATE findings SET note = note || '.' WHERE id = (SELECT id FROM findings WHERE inspection_id = ? LIMIT 1)`, args[1])
	ts.Check(err)
	if n, _ := res.RowsAffected(); n != 1 {
		ts.Fatalf("tamper: inspection %s has no finding to change", args[1])
	}
}

// damage DB overwrites the first photo file of DB's photo directory with as
// many other bytes, as a failing disk or a bad restore would.
func damageCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: damage DB")
	}
	files, err := filepath.Glob(filepath.Join(ts.MkAbs(args[0])+".photos", "??", "*"))
	ts.Check(err)
	if len(files) == 0 {
		ts.Fatalf("damage: %s has no photo files", args[0])
	}
	slices.Sort(files)
	b, err := os.ReadFile(files[0])
	ts.Check(err)
	ts.Check(os.WriteFile(files[0], bytes.Repeat([]byte{'x'}, len(b)), 0o600))
}

// The hub runs on headless servers, so it must never link Fyne (and through
// it OpenGL and X11).
func TestHubDoesNotImportFyne(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "fyne.io/") {
			t.Errorf("dudao-hub depends on %s", pkg)
		}
	}
	if !strings.Contains(string(out), "github.com/dudao-app/dudao/app/store") {
		t.Fatalf("go list output does not look like the hub's dependencies:\n%s", out)
	}
}
