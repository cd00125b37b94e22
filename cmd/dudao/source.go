package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/dudao-app/dudao/app/demo"
	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/records"
	"github.com/dudao-app/dudao/app/store"
	"github.com/dudao-app/dudao/app/ui"
)

// openLocal opens the device's database in dir, creating it and, when it
// holds no hall yet, filling it with the demo so a first start has something
// real to show. $DUDAO_DB overrides the path.
func openLocal(ctx context.Context, dir string) (*store.DB, error) {
	path := os.Getenv("DUDAO_DB")
	if path == "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create app storage %s: %w", dir, err)
		}
		path = filepath.Join(dir, "dudao.db")
	}
	db, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	halls, err := db.Halls(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(halls) == 0 {
		slog.Info("empty database: creating the demo data", "path", path)
		sum, err := demo.Generate(ctx, db, demo.Options{})
		if err != nil && !errors.Is(err, demo.ErrNotEmpty) {
			db.Close()
			return nil, fmt.Errorf("create demo data: %w", err)
		}
		if sum != nil {
			slog.Info("demo data ready", "inspections", sum.Inspections, "elapsed", sum.Elapsed)
		}
	}
	return db, nil
}

// storeSource shapes the local database for the home screen.
type storeSource struct {
	db      *store.DB
	records *records.Reader
}

var _ ui.HomeSource = (*storeSource)(nil)

func newStoreSource(db *store.DB) *storeSource {
	return &storeSource{db: db, records: records.NewReader(db)}
}

func (s *storeSource) Halls(ctx context.Context) ([]ui.HallSummary, error) {
	halls, err := s.db.Halls(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ui.HallSummary, 0, len(halls))
	for _, h := range halls {
		f := store.InspectionFilter{HallID: h.ID}
		n, err := s.db.CountInspections(ctx, f)
		if err != nil {
			return nil, err
		}
		f.Limit = 1
		latest, err := s.db.ListInspections(ctx, f)
		if err != nil {
			return nil, err
		}
		var last time.Time
		if len(latest) > 0 {
			last = latest[0].StartedAt
		}
		out = append(out, ui.HallSummary{ID: h.ID, Code: h.Code, Name: h.Name, Inspections: n, LastAt: last})
	}
	return out, nil
}

func (s *storeSource) RecentInspections(ctx context.Context, hallID string, limit int) ([]ui.InspectionRow, error) {
	rows, err := s.db.ListInspections(ctx, store.InspectionFilter{HallID: hallID, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]ui.InspectionRow, 0, len(rows))
	for _, r := range rows {
		row := ui.InspectionRow{
			ID: r.ID, HallName: r.HallName, Supervisor: r.SupervisorName, StartedAt: r.StartedAt,
			Sealed: r.Status == inspect.StatusSealed, SealHash: r.SealHash,
		}
		rec, err := s.records.Load(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		if sc := rec.Result.Inspection; sc.Scored {
			row.Score = inspect.Round1(sc.Points)
			row.Grade = sc.Grade.Name.ZH
		}
		out = append(out, row)
	}
	return out, nil
}
