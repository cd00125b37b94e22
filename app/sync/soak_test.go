package sync_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	stdsync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// faults is one run's fault profile.
type faults struct {
	cut      float64       // chance a connection is cut after some bytes from the tablet
	truncate float64       // chance a connection is cut after some bytes of the hub's answers
	maxCut   int           // the cut falls in the first maxCut bytes
	delay    time.Duration // the most a read may be held up
	dup      float64       // chance a request is sent twice, concurrently
}

type faultStats struct {
	conns, cuts, truncs, dups, failedSyncs atomic.Int64
}

// faultProxy sits between tablet and hub on TCP, below TLS: it cuts
// connections at any byte in either direction, and delays data. TLS stays
// end to end, so a cut is exactly what a hall's network does to a request.
type faultProxy struct {
	target string
	f      faults
	mu     stdsync.Mutex
	rng    *rand.Rand
	stats  *faultStats
}

func (p *faultProxy) roll() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.Float64()
}

func (p *faultProxy) intn(n int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rng.IntN(max(n, 1))
}

// dial is the tablet's DialContext: a pipe to a goroutine that forwards to
// the hub with faults, so no listener is needed per run.
func (p *faultProxy) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	hub, err := (&net.Dialer{}).DialContext(ctx, network, p.target)
	if err != nil {
		return nil, err
	}
	tabletSide, proxySide := net.Pipe()
	p.stats.conns.Add(1)
	up, down := -1, -1
	if p.roll() < p.f.cut {
		up = p.intn(p.f.maxCut)
		p.stats.cuts.Add(1)
	}
	if p.roll() < p.f.truncate {
		down = p.intn(p.f.maxCut)
		p.stats.truncs.Add(1)
	}
	var once stdsync.Once
	closeBoth := func() { once.Do(func() { hub.Close(); proxySide.Close() }) }
	go p.copy(hub, proxySide, up, closeBoth)
	go p.copy(proxySide, hub, down, closeBoth)
	return tabletSide, nil
}

// copy forwards src to dst, cutting both after limit bytes (-1: never).
func (p *faultProxy) copy(dst io.Writer, src io.Reader, limit int, closeBoth func()) {
	defer closeBoth()
	buf := make([]byte, 8<<10)
	sent := 0
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if p.f.delay > 0 && p.roll() < 0.2 {
				time.Sleep(time.Duration(p.intn(int(p.f.delay))))
			}
			if limit >= 0 && sent+n > limit {
				dst.Write(buf[:limit-sent])
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			sent += n
		}
		if err != nil {
			return
		}
	}
}

// dupTripper sends some requests twice at once, as a flaky network or an
// impatient retry in some layer would.
type dupTripper struct {
	next http.RoundTripper
	p    *faultProxy
}

func (d dupTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.GetBody != nil && d.p.roll() < d.p.f.dup {
		d.p.stats.dups.Add(1)
		clone := req.Clone(req.Context())
		if body, err := req.GetBody(); err == nil {
			clone.Body = body
			go func() {
				if resp, err := d.next.RoundTrip(clone); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
	}
	return d.next.RoundTrip(req)
}

func soakRuns(t *testing.T) int {
	if s := os.Getenv("DUDAO_SYNC_SOAK"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("DUDAO_SYNC_SOAK=%q: want a number of runs", s)
		}
		return n
	}
	if testing.Short() {
		return 20
	}
	return 200
}

// TestSoakFaultyNetwork runs randomized syncs through the fault proxy: each
// run is a new tablet that records inspections with photos and syncs until
// it reports nothing pending, over a network that cuts, truncates, delays
// and duplicates. Each must end with every sealed record and photo on the
// hub exactly once and the tablet's delivered marks equal to the receipt.
// DUDAO_SYNC_SOAK=N sets the number of runs; DUDAO_SYNC_SEED replays one.
func TestSoakFaultyNetwork(t *testing.T) {
	runs := soakRuns(t)
	base := uint64(time.Now().UnixNano())
	if s := os.Getenv("DUDAO_SYNC_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		must(t, err)
		base, runs = v, 1
	}
	h := startHub(t, dsync.HubOptions{Rate: 1e6, Burst: 1e6})
	stats := &faultStats{}
	start := time.Now()
	var syncs, photos, sealed atomic.Int64
	t.Run("runs", func(t *testing.T) {
		for i := range runs {
			seed := base + uint64(i)
			t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
				t.Parallel()
				n, np, ni := soakRun(t, h, seed, stats)
				syncs.Add(int64(n))
				photos.Add(int64(np))
				sealed.Add(int64(ni))
			})
		}
	})
	// Exactly once, over all runs: the hub holds as many inspections as the
	// tablets sealed, no more.
	if n, err := h.db.CountInspections(ctx, store.InspectionFilter{}); err != nil || int64(n) != sealed.Load() {
		t.Errorf("hub holds %d inspections, tablets sealed %d (%v)", n, sealed.Load(), err)
	}
	t.Logf("%d runs in %v: %d syncs (%d failed and were run again), %d inspections, %d photos; %d connections, %d cut, %d truncated, %d requests duplicated",
		runs, time.Since(start).Round(time.Millisecond), syncs.Load(), stats.failedSyncs.Load(), sealed.Load(), photos.Load(),
		stats.conns.Load(), stats.cuts.Load(), stats.truncs.Load(), stats.dups.Load())
}

func soakRun(t *testing.T, h *testHub, seed uint64, stats *faultStats) (syncs, nphotos, ninspections int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	// Most runs see a poor network; one in four a hostile one, where most
	// connections die and whole syncs fail and start again.
	worst := 0.4
	if rng.IntN(4) == 0 {
		worst = 0.8
	}
	f := faults{
		cut:      rng.Float64() * worst,
		truncate: rng.Float64() * worst,
		maxCut:   16<<10 + rng.IntN(256<<10),
		dup:      rng.Float64() * 0.3,
	}
	if rng.IntN(4) == 0 {
		f.delay = time.Duration(rng.IntN(3)+1) * time.Millisecond
	}
	p := &faultProxy{target: h.addr, f: f, rng: rand.New(rand.NewPCG(seed, 2)), stats: stats}
	opt := dsync.ClientOptions{Logger: testLog(t), BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond,
		Attempts: 3, ChunkSize: 16<<10 + rng.IntN(64<<10), BatchRecords: 1 + rng.IntN(4),
		TransportOptions: dsync.TransportOptions{DialContext: p.dial, Timeout: 10 * time.Second,
			Wrap: func(rt http.RoundTripper) http.RoundTripper { return dupTripper{next: rt, p: p} }}}

	tb := &tablet{name: fmt.Sprintf("soak-%d", seed), db: newTabletDB(t)}
	inv := h.invite(t, tb.name, h.region)
	var err error
	for attempt := 0; ; attempt++ {
		tb.client, err = dsync.Enrol(ctx, tb.db, inv, opt)
		if err == nil {
			break
		}
		if !dsync.Retryable(err) || attempt > 50 {
			t.Fatalf("enrol: %v (faults %+v)", err, f)
		}
	}
	syncUntilDone := func() {
		t.Helper()
		for attempt := 0; ; attempt++ {
			rep, err := tb.client.Sync(ctx)
			syncs++
			if err == nil && rep.Pending == 0 && rep.DigestOK {
				return
			}
			if err != nil {
				stats.failedSyncs.Add(1)
			}
			if err != nil && !dsync.Retryable(err) {
				t.Fatalf("sync: permanent error %v (faults %+v)", err, f)
			}
			if attempt > 100 {
				t.Fatalf("no clean sync after %d attempts: %v %+v (faults %+v)", attempt, err, rep, f)
			}
		}
	}
	syncUntilDone() // the master data, through the faults too

	rounds := 1 + rng.IntN(2)
	for range rounds {
		for range 1 + rng.IntN(3) {
			var ps [][]byte
			for range rng.IntN(3) {
				ps = append(ps, photoBytes(rng.Uint64(), 1+rng.IntN(160<<10)))
			}
			nphotos += len(ps)
			ninspections++
			hall := rng.IntN(2)
			ins := tb.seal(t, h.halls[hall].ID, h.staff[hall].ID, h.sup.ID,
				day.Add(time.Duration(rng.IntN(1000))*time.Hour), ps...)
			if rng.IntN(3) == 0 {
				var aps []inspect.PhotoRef
				if rng.IntN(2) == 0 {
					ref, err := tb.db.PutPhoto(ctx, bytesReader(photoBytes(rng.Uint64(), 1+rng.IntN(64<<10))), "image/jpeg")
					must(t, err)
					aps = append(aps, ref)
					nphotos++
				}
				must(t, tb.db.AddAmendment(ctx, &inspect.Amendment{InspectionID: ins.ID, OriginalHash: ins.SealHash,
					Reason: "补充照片", AuthorID: h.sup.ID, DeviceID: tb.client.DeviceID(),
					Changes: []inspect.Change{{PersonID: ins.People[0].ID, ItemID: "A2",
						Finding: &inspect.Finding{Outcome: inspect.Nonconform, Photos: aps}}}}))
			}
		}
		syncUntilDone()
	}
	checkDelivered(t, h, tb)
	if st := tb.outboxStates(t); st[store.OutboxQuarantined]+st[store.OutboxParked] != 0 {
		t.Errorf("outbox = %v", st)
	}
	return syncs, nphotos, ninspections
}
