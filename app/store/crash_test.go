package store_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/data"
)

const crashChildEnv = "DUDAO_CRASH_CHILD_DB"

// TestCrashKeepsAcknowledgedFindings kills a process that saves findings as
// fast as it can, with SIGKILL at random moments, and checks after every kill
// that each finding the process was told was saved is in the database and the
// database is intact. This is the promise a supervisor relies on when the
// tablet's battery dies: "saved" means saved.
func TestCrashKeepsAcknowledgedFindings(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	if testing.Short() {
		t.Skip("kills child processes 50 times")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crash.db")
	db, err := store.Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportStandard(ctx, standard.V1(), data.StandardV1); err != nil {
		t.Fatal(err)
	}
	region, err := db.AddRegion(ctx, "昆明")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddHall(ctx, store.Hall{RegionID: region.ID, Code: "CRASH", Name: "断电测试营业厅"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	acked := map[string]bool{}
	const rounds = 50
	for round := range rounds {
		ids := runAndKill(t, path, time.Duration(30+rng.IntN(270))*time.Millisecond)
		for _, id := range ids {
			acked[id] = true
		}
		checkDurable(t, round, path, acked)
	}
	if len(acked) < rounds {
		t.Fatalf("only %d findings acknowledged in %d rounds: the child did not get to work", len(acked), rounds)
	}
	t.Logf("%d rounds, %d acknowledged findings all present", rounds, len(acked))
}

// runAndKill starts the child, lets it save for d, kills it with SIGKILL and
// returns the IDs it acknowledged on complete lines.
func runAndKill(t *testing.T, path string, d time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKeepsAcknowledgedFindings$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan []string, 1)
	go func() {
		var ids []string
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			// A line cut by the kill has no newline and so no "ok" suffix.
			if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "ack" && f[2] == "ok" {
				ids = append(ids, f[1])
			}
		}
		lines <- ids
	}()
	time.Sleep(d)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	ids := <-lines
	_ = cmd.Wait()
	if strings.Contains(stderr.String(), "child:") {
		t.Fatalf("child failed: %s", stderr.String())
	}
	return ids
}

func checkDurable(t *testing.T, round int, path string, acked map[string]bool) {
	t.Helper()
	db, err := store.Open(path, quiet)
	if err != nil {
		t.Fatalf("round %d: reopen after kill: %v", round, err)
	}
	db.Close()
	raw, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var integrity string
	if err := raw.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("round %d: integrity_check = %q, %v", round, integrity, err)
	}
	present := map[string]bool{}
	rows, err := raw.Query("SELECT id FROM findings")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		present[id] = true
	}
	rows.Close()
	for id := range acked {
		if !present[id] {
			t.Fatalf("round %d: finding %s was acknowledged as saved but is not in the database", round, id)
		}
	}
}

// crashChild saves findings until it is killed, printing "ack ID ok" after
// each SaveFinding has returned.
func crashChild(path string) {
	fail := func(err error) {
		fmt.Fprintf(os.Stderr, "child: %v\n", err)
		os.Exit(1)
	}
	ctx := context.Background()
	db, err := store.Open(path, quiet)
	if err != nil {
		fail(err)
	}
	halls, err := db.Halls(ctx)
	if err != nil || len(halls) == 0 {
		fail(fmt.Errorf("halls: %v", err))
	}
	v := standard.V1()
	// Unbuffered: an ack must leave the process the moment it is true.
	out := os.Stdout
	for {
		ins := inspect.NewDraft(halls[0].ID, "sup", "dev", 1)
		if err := db.CreateInspection(ctx, ins); err != nil {
			fail(err)
		}
		p := &inspect.Person{Name: "测试", OffRoster: true, Role: standard.RoleCashier, Gender: standard.GenderFemale}
		if err := db.AddPerson(ctx, ins.ID, p); err != nil {
			fail(err)
		}
		for _, it := range v.PersonItems(p.Role, p.Gender) {
			f := &inspect.Finding{ID: inspect.NewID(), ItemID: it.ID, Outcome: inspect.Nonconform, Note: "断电测试", At: inspect.Now()}
			if it.Kind == standard.KindTally {
				f.Outcome, f.Observed, f.Failed = inspect.Tallied, 3, 1
			}
			if err := db.SaveFinding(ctx, ins.ID, p.ID, f); err != nil {
				fail(err)
			}
			fmt.Fprintf(out, "ack %s ok\n", f.ID)
		}
	}
}
