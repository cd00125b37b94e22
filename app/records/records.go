// Package records reads stored inspections as they stand, the original with
// its amendments applied, and scores them with the standard version each was
// made with. The CLI, the app's screens and the reports all read records
// through it, so a score is computed one way everywhere.
package records

import (
	"context"
	"fmt"
	"sync"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
)

// Source is what records needs from a store.
type Source interface {
	Inspection(ctx context.Context, id string) (*inspect.Inspection, error)
	Amendments(ctx context.Context, inspectionID string) ([]inspect.Amendment, error)
	StandardBody(ctx context.Context, version int) ([]byte, error)
}

// Reader loads and scores records. It caches parsed standard versions, which
// is safe because a version never changes once imported.
type Reader struct {
	src      Source
	mu       sync.Mutex
	versions map[int]*standard.Version
}

// NewReader returns a Reader over src.
func NewReader(src Source) *Reader {
	return &Reader{src: src, versions: map[int]*standard.Version{}}
}

// Record is one inspection as it stands.
type Record struct {
	Original   *inspect.Inspection
	Amendments []inspect.Amendment
	// Effective is the original with the amendments applied; scores and
	// reports are computed on it, while the seal covers the original.
	Effective *inspect.Inspection
	Standard  *standard.Version
	Result    inspect.Result
}

// Standard returns a stored version of the standard, parsed.
func (r *Reader) Standard(ctx context.Context, version int) (*standard.Version, error) {
	r.mu.Lock()
	v, ok := r.versions[version]
	r.mu.Unlock()
	if ok {
		return v, nil
	}
	body, err := r.src.StandardBody(ctx, version)
	if err != nil {
		return nil, fmt.Errorf("standard version %d: %w", version, err)
	}
	v, err = standard.Parse(fmt.Sprintf("standard version %d", version), body)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.versions[version] = v
	r.mu.Unlock()
	return v, nil
}

// Load reads an inspection with its amendments and scores it.
func (r *Reader) Load(ctx context.Context, id string) (*Record, error) {
	ins, err := r.src.Inspection(ctx, id)
	if err != nil {
		return nil, err
	}
	return r.score(ctx, ins)
}

// score completes a loaded inspection into a record: its amendments, its
// standard version and its score.
func (r *Reader) score(ctx context.Context, ins *inspect.Inspection) (*Record, error) {
	id := ins.ID
	v, err := r.Standard(ctx, ins.StandardVersion)
	if err != nil {
		return nil, fmt.Errorf("inspection %s: %w", id, err)
	}
	ams, err := r.src.Amendments(ctx, id)
	if err != nil {
		return nil, err
	}
	eff := inspect.Effective(ins, ams)
	res, err := inspect.ScoreInspection(v, eff)
	if err != nil {
		return nil, err
	}
	return &Record{Original: ins, Amendments: ams, Effective: eff, Standard: v, Result: res}, nil
}
