package store_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

type importBench struct {
	db    *store.DB
	dev   store.DeviceAccount
	hall  store.Hall
	sup   store.User
	staff []store.Staff
}

// newImportBench opens an empty hub with one region, hall, supervisor, two
// staff, the standard and an enrolled device.
func newImportBench(b *testing.B) *importBench {
	b.Helper()
	must := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	db, err := store.Open(filepath.Join(b.TempDir(), "hub.db"), quiet)
	must(err)
	b.Cleanup(func() { db.Close() })
	ib := &importBench{db: db}
	region, err := db.AddRegion(ctx, "市区")
	must(err)
	ib.hall, err = db.AddHall(ctx, store.Hall{RegionID: region.ID, Code: "H01", Name: "人民路营业厅"})
	must(err)
	for i, g := range []standard.Gender{standard.GenderFemale, standard.GenderMale} {
		s, err := db.UpsertStaff(ctx, store.Staff{EmployeeNo: fmt.Sprintf("E%03d", i), Name: fmt.Sprintf("员工%d", i),
			Gender: g, Role: standard.RoleCashier, HallID: ib.hall.ID, ActiveFrom: t0})
		must(err)
		ib.staff = append(ib.staff, s)
	}
	ib.sup, err = db.AddUser(ctx, store.User{Name: "张督导", Username: "zhang", Role: store.RoleSupervisor, RegionID: region.ID}, "2580")
	must(err)
	_, err = db.ImportStandard(ctx, &standard.Version{Version: 1}, []byte(stdRaw))
	must(err)
	_, err = db.NewEnrolment(ctx, store.Device{Name: "平板", RegionID: region.ID}, "c", time.Now().Add(time.Hour))
	must(err)
	ib.dev, err = db.RedeemEnrolment(ctx, "c", "n", "tok")
	must(err)
	return ib
}

// sealed builds n sealed inspections shaped like the sync benchmark's: one
// rostered person with one finding, every fifth finding with a photo.
func (ib *importBench) sealed(b *testing.B, base, n int) []*inspect.Inspection {
	b.Helper()
	out := make([]*inspect.Inspection, 0, n)
	for k := range n {
		i := base + k
		at := t0.Add(time.Duration(i) * time.Minute)
		f := inspect.Finding{ID: fmt.Sprintf("0190f000-0000-7000-8000-%012d", i), ItemID: "A1",
			Outcome: inspect.Nonconform, Note: "未按规定着装，工牌未佩戴", At: at.Add(time.Minute)}
		if i%5 == 0 {
			f.Photos = []inspect.PhotoRef{{SHA256: inspect.HashOf(fmt.Appendf(nil, "photo %d", i)),
				Size: 200 << 10, Type: "image/jpeg"}}
		}
		s := ib.staff[i%2]
		ins := &inspect.Inspection{ID: fmt.Sprintf("0190e000-0000-7000-8000-%012d", i), HallID: ib.hall.ID,
			SupervisorID: ib.sup.ID, DeviceID: "bench", StandardVersion: 1, StartedAt: at, EndedAt: at.Add(time.Hour),
			SealedAt: at.Add(time.Hour), Status: inspect.StatusSealed,
			People: []inspect.Person{{ID: fmt.Sprintf("0190d000-0000-7000-8000-%012d", i), StaffID: s.ID,
				Name: s.Name, EmployeeNo: s.EmployeeNo, Findings: []inspect.Finding{f}}}}
		var err error
		if ins.SealHash, err = inspect.ComputeSeal(ins); err != nil {
			b.Fatal(err)
		}
		out = append(out, ins)
	}
	return out
}

const importBatch = 100

// BenchmarkReceive is the hub's side of a push: batches of 100 sealed
// inspections received in one durable transaction each, as Hub.push does.
// One op is one record.
func BenchmarkReceive(b *testing.B) {
	ib := newImportBench(b)
	b.ResetTimer()
	for done := 0; done < b.N; done += importBatch {
		b.StopTimer()
		batch := ib.sealed(b, done, min(importBatch, b.N-done))
		in := make([]store.Incoming, len(batch))
		for i, ins := range batch {
			in[i].Inspection = ins
		}
		b.StartTimer()
		out, err := ib.db.Receive(ctx, ib.dev, in)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range out {
			if o.Status != store.Stored {
				b.Fatalf("%s: %s %v", o.Key.ID, o.Status, o.Err)
			}
		}
	}
}

// BenchmarkImportSealed is ImportSealed alone, 100 to a transaction. One op
// is one record.
func BenchmarkImportSealed(b *testing.B) {
	ib := newImportBench(b)
	b.ResetTimer()
	for done := 0; done < b.N; done += importBatch {
		b.StopTimer()
		batch := ib.sealed(b, done, min(importBatch, b.N-done))
		b.StartTimer()
		if err := ib.db.InTx(ctx, func(tx *store.Tx) error {
			for _, ins := range batch {
				if _, err := tx.ImportSealed(ctx, ins); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}
