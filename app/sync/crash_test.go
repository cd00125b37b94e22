package sync_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// TestMain lets the test binary be a hub process of its own, which
// TestHubKilledMidSync kills with SIGKILL.
func TestMain(m *testing.M) {
	if dir := os.Getenv("DUDAO_SYNC_HUB_CHILD"); dir != "" {
		os.Exit(runHubChild(dir, os.Getenv("DUDAO_SYNC_HUB_ADDR")))
	}
	code := m.Run()
	if templatePath != "" {
		os.RemoveAll(filepath.Dir(templatePath))
	}
	os.Exit(code)
}

func runHubChild(dir, addr string) int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "hub child:", err); return 1 }
	db, err := store.Open(filepath.Join(dir, "hub.db"), store.WithLogger(quietLog))
	if err != nil {
		return fail(err)
	}
	keys, err := dsync.LoadKeys(filepath.Join(dir, "hub.db.keys"), dsync.KeyOptions{})
	if err != nil {
		return fail(err)
	}
	hub := dsync.NewHub(db, keys.ReceiptKey, dsync.HubOptions{Logger: quietLog, EnrolPerMinute: 10_000})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fail(err)
	}
	fmt.Printf("ready %s\n", ln.Addr())
	return fail(dsync.NewServer("", hub, keys.TLS, dsync.ServerOptions{}).ServeTLS(ln, "", ""))
}

// hubChild is a hub running as a separate process.
type hubChild struct {
	cmd  *exec.Cmd
	addr string
}

func startHubChild(t *testing.T, dir, addr string) *hubChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DUDAO_SYNC_HUB_CHILD="+dir, "DUDAO_SYNC_HUB_ADDR="+addr)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready ") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("hub child did not start: %q, %v", line, err)
	}
	c := &hubChild{cmd: cmd, addr: strings.TrimSpace(strings.TrimPrefix(line, "ready "))}
	t.Cleanup(c.kill)
	return c
}

func (c *hubChild) kill() {
	if c.cmd.ProcessState == nil {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	}
}

// TestHubKilledMidSync kills the hub process (SIGKILL: no flush, no
// goodbye) at random moments of a sync carrying many records and photos,
// restarts it on the same files, and syncs again until done: everything
// must arrive exactly once, and nothing the hub acknowledged may be lost.
func TestHubKilledMidSync(t *testing.T) {
	if testing.Short() {
		t.Skip("starts hub processes")
	}
	h := startHub(t, dsync.HubOptions{})
	h.stop() // the files stay; a child process serves them from now on
	child := startHubChild(t, h.dir, "127.0.0.1:0")
	addr := child.addr

	opt := clientOpts(t)
	opt.ChunkSize = 32 << 10
	opt.BatchRecords = 5
	opt.Attempts = 2
	e, err := func() (dsync.Enrolment, error) {
		db, err := store.Open(h.dbPath, store.WithLogger(quietLog))
		if err != nil {
			return dsync.Enrolment{}, err
		}
		defer db.Close()
		return dsync.NewEnrolment(ctx, db, "崩溃测试", h.region.ID, time.Now().Add(time.Hour))
	}()
	must(t, err)
	tb := &tablet{name: "crash", db: newTabletDB(t)}
	tb.client, err = dsync.Enrol(ctx, tb.db, dsync.Invite{URL: "https://" + addr, Pins: h.keys.Pins, Code: e.Code}, opt)
	must(t, err)
	_, err = tb.client.Sync(ctx)
	must(t, err)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	for i := range 40 {
		var ps [][]byte
		for range rng.IntN(3) {
			ps = append(ps, photoBytes(rng.Uint64(), 10<<10+rng.IntN(150<<10)))
		}
		tb.seal(t, h.halls[i%2].ID, h.staff[i%2].ID, h.sup.ID, day.Add(time.Duration(i)*time.Hour), ps...)
	}

	kills := 0
	for round := 0; ; round++ {
		done := make(chan error, 1)
		go func() {
			_, err := tb.client.Sync(ctx)
			done <- err
		}()
		var err error
		if round < 4 {
			select {
			case err = <-done:
			case <-time.After(time.Duration(5+rng.IntN(60)) * time.Millisecond):
				child.kill()
				kills++
				err = <-done
				child = startHubChild(t, h.dir, addr)
			}
		} else {
			err = <-done
		}
		if err == nil {
			if st := tb.outboxStates(t); st[store.OutboxDelivered] == 40 {
				break
			}
		} else if !dsync.Retryable(err) {
			t.Fatalf("round %d: %v", round, err)
		}
		if round > 30 {
			t.Fatalf("not delivered after %d rounds: %v %v", round, err, tb.outboxStates(t))
		}
	}
	child.kill()
	t.Logf("hub killed %d times mid-sync", kills)
	h.db, err = store.Open(h.dbPath, store.WithLogger(quietLog))
	must(t, err)
	checkDelivered(t, h, tb)
}
