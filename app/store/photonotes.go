package store

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
)

// photoNoteDelay is how long a completed upload's photos row may wait to be
// written with others. The row only feeds the managers' completeness
// figures (the file in place is what makes a photo held, see photoHeld),
// so writing one row per photo would spend a disk flush per photo on the
// one SQLite writer that the records being pushed at the same time need.
const photoNoteDelay = 200 * time.Millisecond

// photoNotes are completed uploads whose photos rows are not written yet.
type photoNotes struct {
	mu      sync.Mutex
	pending []inspect.PhotoRef
	timer   *time.Timer
	closed  bool
}

// noteUploaded queues the photos row of a completed hub upload; a batch is
// written within photoNoteDelay, before any refresh of the inspection index,
// and at Close. A crash before that loses only rows, which NoteHeldPhotos
// restores from the files at the hub's next start.
func (db *DB) noteUploaded(_ context.Context, p inspect.PhotoRef) {
	n := &db.photoNotes
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	n.pending = append(n.pending, p)
	if n.timer == nil {
		n.timer = time.AfterFunc(photoNoteDelay, func() { db.flushPhotoNotes(context.Background()) })
	}
}

// flushPhotoNotes writes the queued photos rows in one transaction. A
// failure is logged: the rows are restored by NoteHeldPhotos.
func (db *DB) flushPhotoNotes(ctx context.Context) {
	n := &db.photoNotes
	n.mu.Lock()
	batch := slices.Clone(n.pending)
	n.pending = n.pending[:0]
	if n.timer != nil {
		n.timer.Stop()
		n.timer = nil
	}
	n.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	err := db.update(ctx, "note uploaded photos", func(tx *Tx) error {
		for _, p := range batch {
			if _, err := tx.notePhoto(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.log.Warn("record uploaded photos for the inspection index", "photos", len(batch), "err", err)
	}
}

// closePhotoNotes writes what is queued and stops queueing.
func (db *DB) closePhotoNotes() {
	db.flushPhotoNotes(context.Background())
	n := &db.photoNotes
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
}
