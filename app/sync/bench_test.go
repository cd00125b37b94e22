package sync_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	stdsync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// benchScale is the benchmark's size: DUDAO_SYNC_BENCH=full is the issue's
// 10,000 inspections and 2,000 photos of 200 KB; the default is a tenth.
// DUDAO_SYNC_BENCH_INSPECTIONS and DUDAO_SYNC_BENCH_PHOTOS set either
// number alone, to time the records or the photos by themselves (photos=0;
// inspections=photos).
func benchScale() (inspections, photos int) {
	inspections, photos = 1_000, 200
	if os.Getenv("DUDAO_SYNC_BENCH") == "full" {
		inspections, photos = 10_000, 2_000
	}
	if n, err := strconv.Atoi(os.Getenv("DUDAO_SYNC_BENCH_INSPECTIONS")); err == nil && n > 0 {
		inspections = n
	}
	if n, err := strconv.Atoi(os.Getenv("DUDAO_SYNC_BENCH_PHOTOS")); err == nil && n >= 0 {
		photos = min(n, inspections) // at most one photo to an inspection
	}
	return inspections, photos
}

const benchPhotoSize = 200 << 10

// benchFixture is prepared once: a hub database with master data only, and
// a tablet database holding the sealed inspections, with its photos.
type benchFixture struct {
	hubDir    string // hub.db and hub.db.keys, to copy for each run
	hub       *testHub
	tabletDB  string
	photoDir  string
	records   [][]byte // the push bodies, batch by batch, as the client sends them
	photos    []string // photo SHA-256s
	bytesSent int64
	stages    map[dsync.Stage]time.Duration
	// bytesDuringPush is how much photo data the last sync uploaded while
	// it was still pushing records.
	bytesDuringPush int64
	// rawRecords is the part of the last raw copy spent on the records.
	rawRecords time.Duration
	// lastIO is what the whole process (tablet, hub and network) spent
	// during the last sync, where Linux counts it.
	lastIO   ioCounts
	lastTook time.Duration
}

// ioCounts is the process's CPU time and write calls and bytes so far
// (Linux's /proc/self/stat and io: files, pipes and sockets alike); zero
// where there is none.
type ioCounts struct {
	calls, bytes int64
	cpu          time.Duration // user and system time of the process
}

func readIOCounts() ioCounts {
	var c ioCounts
	if stat, err := os.ReadFile("/proc/self/stat"); err == nil {
		// Fields 14 and 15 (after the parenthesised name): utime, stime in
		// clock ticks, 100 a second on Linux.
		if _, rest, ok := strings.Cut(string(stat), ") "); ok {
			if f := strings.Fields(rest); len(f) > 12 {
				ut, _ := strconv.ParseInt(f[11], 10, 64)
				st, _ := strconv.ParseInt(f[12], 10, 64)
				c.cpu = time.Duration(ut+st) * 10 * time.Millisecond
			}
		}
	}
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return c
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, ": ")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "syscw":
			c.calls = n
		case "wchar":
			c.bytes = n
		}
	}
	return c
}

func (c ioCounts) sub(before ioCounts) ioCounts {
	return ioCounts{c.calls - before.calls, c.bytes - before.bytes, c.cpu - before.cpu}
}

func prepareBench(b *testing.B) *benchFixture {
	b.Helper()
	nIns, nPhotos := benchScale()
	h := startHub(b, dsync.HubOptions{})
	h.stop()
	fx := &benchFixture{hubDir: h.dir, hub: h}

	dir := b.TempDir()
	fx.tabletDB, fx.photoDir = filepath.Join(dir, "tablet.db"), filepath.Join(dir, "photos")
	tab, err := store.Open(fx.tabletDB, store.WithLogger(quietLog), store.WithPhotoDir(fx.photoDir))
	must(b, err)
	hub, err := store.Open(h.dbPath, store.WithLogger(quietLog))
	must(b, err)
	page, err := hub.MasterChanges(ctx, h.region.ID, 0, 0)
	must(b, err)
	hub.Close()
	must(b, tab.ApplyMaster(ctx, page.Batch, true, nil))

	var refs []inspect.PhotoRef
	for i := range nPhotos {
		ref, err := tab.PutPhoto(ctx, bytes.NewReader(photoBytes(uint64(i), benchPhotoSize)), "image/jpeg")
		must(b, err)
		refs = append(refs, ref)
		fx.photos = append(fx.photos, ref.SHA256)
	}
	// The inspections are imported sealed, many to a transaction: building
	// them one seal at a time would take longer than the benchmark.
	var all []*inspect.Inspection
	for i := range nIns {
		at := day.Add(time.Duration(i) * time.Minute)
		f := inspect.Finding{ID: fmt.Sprintf("0190f000-0000-7000-8000-%012d", i), ItemID: "A1.1",
			Outcome: inspect.Nonconform, Note: "未按规定着装，工牌未佩戴", At: at.Add(time.Minute)}
		if i*nPhotos/nIns < (i+1)*nPhotos/nIns {
			f.Photos = []inspect.PhotoRef{refs[i*nPhotos/nIns]}
		}
		ins := &inspect.Inspection{ID: fmt.Sprintf("0190e000-0000-7000-8000-%012d", i), HallID: h.halls[i%2].ID,
			SupervisorID: h.sup.ID, DeviceID: "bench", StandardVersion: 1, StartedAt: at, EndedAt: at.Add(time.Hour),
			SealedAt: at.Add(time.Hour), Status: inspect.StatusSealed,
			People: []inspect.Person{{ID: fmt.Sprintf("0190d000-0000-7000-8000-%012d", i), StaffID: h.staff[i%2].ID,
				Name: h.staff[i%2].Name, EmployeeNo: h.staff[i%2].EmployeeNo, Role: h.staff[i%2].Role, Gender: h.staff[i%2].Gender,
				Findings: []inspect.Finding{f}}}}
		ins.SealHash, err = inspect.ComputeSeal(ins)
		must(b, err)
		all = append(all, ins)
	}
	for i := 0; i < len(all); i += 500 {
		must(b, tab.InTx(ctx, func(tx *store.Tx) error {
			for _, ins := range all[i:min(i+500, len(all))] {
				if _, err := tx.ImportSealed(ctx, ins); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	must(b, tab.Close())
	// The raw copy's record bodies: the same JSON the client pushes.
	for i := 0; i < len(all); i += 100 {
		var recs []dsync.WireRecord
		for _, ins := range all[i:min(i+100, len(all))] {
			recs = append(recs, dsync.WireRecord{Inspection: dsync.InspectionToWire(ins)})
		}
		body, err := json.Marshal(dsync.PushRequest{Records: recs})
		must(b, err)
		fx.records = append(fx.records, body)
	}
	return fx
}

func copyFile(b testing.TB, src, dst string) {
	b.Helper()
	data, err := os.ReadFile(src)
	must(b, err)
	must(b, os.WriteFile(dst, data, 0o600))
}

// syncOnce runs one sync of the whole tablet to a new, empty hub and returns
// its duration.
func (fx *benchFixture) syncOnce(b *testing.B) time.Duration {
	b.Helper()
	dir := b.TempDir()
	copyFile(b, filepath.Join(fx.hubDir, "hub.db"), filepath.Join(dir, "hub.db"))
	h := &testHub{t: b, dir: dir, dbPath: filepath.Join(dir, "hub.db"), keys: fx.hub.keys,
		opt: dsync.HubOptions{Rate: 1e9, Burst: 1e9}}
	db, err := store.Open(h.dbPath, store.WithLogger(quietLog))
	must(b, err)
	h.db = db
	h.start()
	defer h.stop()

	tabPath := filepath.Join(dir, "tablet.db")
	copyFile(b, fx.tabletDB, tabPath)
	tab, err := store.Open(tabPath, store.WithLogger(quietLog), store.WithPhotoDir(fx.photoDir))
	must(b, err)
	defer tab.Close()
	stage, stageStart := dsync.Stage(""), time.Now()
	fx.stages = map[dsync.Stage]time.Duration{}
	progress := func(p dsync.Progress) {
		if p.Stage == dsync.StagePhotos && stage == dsync.StagePush {
			fx.bytesDuringPush = p.BytesDone
		}
		if p.Stage != stage {
			now := time.Now()
			fx.stages[stage] += now.Sub(stageStart)
			stage, stageStart = p.Stage, now
		}
	}
	copt := dsync.ClientOptions{Logger: quietLog, Progress: progress}
	copt.BatchRecords, _ = strconv.Atoi(os.Getenv("DUDAO_SYNC_BENCH_BATCH"))
	copt.InFlight, _ = strconv.Atoi(os.Getenv("DUDAO_SYNC_BENCH_INFLIGHT"))
	c, err := dsync.Enrol(ctx, tab, h.invite(b, "bench", fx.hub.region), copt)
	must(b, err)

	start := time.Now()
	stageStart = start
	written := readIOCounts()
	rep, err := c.Sync(ctx)
	took := time.Since(start)
	fx.lastIO, fx.lastTook = readIOCounts().sub(written), took
	must(b, err)
	nIns, nPhotos := benchScale()
	if rep.Delivered != nIns || rep.PhotosSent != nPhotos || !rep.DigestOK {
		why := ""
		if parked, err := tab.Outbox(ctx, store.OutboxParked); err == nil && len(parked) > 0 {
			why = fmt.Sprintf("; the hub refused %s: %s", parked[0].Key.ID, parked[0].Reason)
		}
		b.Fatalf("sync = %+v%s", rep, why)
	}
	fx.bytesSent = rep.BytesSent
	return took
}

// rawOnce sends the same bytes over loopback HTTPS with the same TLS
// certificate to a receiver that makes each as durable as the hub does: a
// batch of records is written to a file and flushed (the hub's one commit
// per push), a photo is written, flushed, renamed into place and its
// directory flushed. Photos go two at a time, as the client sends them.
func (fx *benchFixture) rawOnce(b *testing.B) time.Duration {
	b.Helper()
	dir := b.TempDir()
	var files atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		n := files.Add(1)
		tmp := filepath.Join(dir, ".tmp-"+strconv.FormatInt(n, 10))
		f, err := os.Create(tmp)
		if err == nil {
			_, err = f.Write(body)
		}
		if err == nil {
			err = f.Sync()
		}
		if f != nil {
			f.Close()
		}
		if err == nil {
			err = os.Rename(tmp, filepath.Join(dir, strconv.FormatInt(n, 10)))
		}
		if err == nil {
			var d *os.File
			if d, err = os.Open(dir); err == nil {
				err = d.Sync()
				d.Close()
			}
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{fx.hub.keys.TLS}}
	srv.StartTLS()
	defer srv.Close()
	client := srv.Client()
	// send may run on several goroutines: it reports with b.Error.
	send := func(method, path string, body []byte) {
		req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		if err != nil {
			b.Error(err)
			return
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Errorf("raw copy: %s", resp.Status)
		}
	}
	start := time.Now()
	for _, body := range fx.records {
		send("POST", "/records", body)
	}
	fx.rawRecords = time.Since(start)
	// Two photos at a time, as the sync client uploads them.
	shas := make(chan string)
	var wg stdsync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sha := range shas {
				data, err := os.ReadFile(filepath.Join(fx.photoDir, sha[:2], sha))
				if err != nil {
					b.Error(err)
					continue
				}
				send("PUT", "/photos/"+sha, data)
			}
		}()
	}
	for _, sha := range fx.photos {
		shas <- sha
	}
	close(shas)
	wg.Wait()
	return time.Since(start)
}

// BenchmarkSyncLoopback syncs a tablet's sealed inspections and photos to an
// empty hub over loopback HTTPS and, in the same run, copies the same bytes
// raw. The metric x_raw is the sync's time over the raw copy's (target: at
// most 2).
//
//	go test ./app/sync -run '^$' -bench SyncLoopback -benchtime 1x
//	DUDAO_SYNC_BENCH=full go test ./app/sync -run '^$' -bench SyncLoopback -benchtime 1x
//
// DUDAO_SYNC_BENCH_BATCH and DUDAO_SYNC_BENCH_INFLIGHT set the client's
// BatchRecords and InFlight, to try other settings.
func BenchmarkSyncLoopback(b *testing.B) {
	fx := prepareBench(b)
	var syncT, rawT time.Duration
	for b.Loop() {
		syncT += fx.syncOnce(b)
		rawT += fx.rawOnce(b)
	}
	nIns, nPhotos := benchScale()
	b.ReportMetric(syncT.Seconds()/float64(b.N), "sync_s")
	b.ReportMetric(rawT.Seconds()/float64(b.N), "raw_s")
	b.ReportMetric(float64(syncT)/float64(rawT), "x_raw")
	b.ReportMetric(float64(nIns)/(syncT.Seconds()/float64(b.N)), "inspections/s")
	b.Logf("%d inspections and %d photos of %d KB (%d photo bytes): sync %v, raw copy %v per run",
		nIns, nPhotos, benchPhotoSize>>10, fx.bytesSent, syncT/time.Duration(b.N), rawT/time.Duration(b.N))
	b.Logf("photo bytes uploaded while records were still being pushed: %d of %d", fx.bytesDuringPush, fx.bytesSent)
	if fx.lastIO.calls > 0 {
		b.Logf("last sync: %v of CPU (tablet and hub; %d cores could give %v), %d write calls, %d MB written (files and sockets)",
			fx.lastIO.cpu, runtime.NumCPU(), time.Duration(runtime.NumCPU())*fx.lastTook, fx.lastIO.calls, fx.lastIO.bytes>>20)
	}
	b.Logf("last sync by stage: pull %v, push %v, photos %v, receipt %v; last raw copy: records %v, photos %v",
		fx.stages[dsync.StagePull].Round(time.Millisecond), fx.stages[dsync.StagePush].Round(time.Millisecond),
		fx.stages[dsync.StagePhotos].Round(time.Millisecond), fx.stages[dsync.StageReceipt].Round(time.Millisecond),
		fx.rawRecords.Round(time.Millisecond), (rawT/time.Duration(b.N) - fx.rawRecords).Round(time.Millisecond))
}
