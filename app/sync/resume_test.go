package sync_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/store"
	dsync "github.com/dudao-app/dudao/app/sync"
)

// cutTransport counts the photo bytes a tablet sends and cuts one chunk
// call: before it reaches the hub, or after the hub took it and before the
// answer arrives.
type cutTransport struct {
	next       dsync.Transport
	cutAt      int64 // cut the chunk call at this offset, once
	afterHub   bool  // the hub gets the chunk; only its answer is lost
	cut        bool
	chunkBytes int64
}

func (c *cutTransport) Do(ctx context.Context, call *dsync.Call) (*dsync.Envelope, error) {
	if call.Op == dsync.OpPhotoChunk {
		if call.Offset == c.cutAt && !c.cut {
			c.cut = true
			if c.afterHub {
				c.chunkBytes += int64(len(call.Body))
				c.next.Do(ctx, call)
			}
			return nil, &dsync.Error{Code: dsync.CodeUnreachable, Message: "connection cut"}
		}
		c.chunkBytes += int64(len(call.Body))
	}
	return c.next.Do(ctx, call)
}

func TestResumeResendsAtMostOneChunk(t *testing.T) {
	const chunk = 64 << 10
	const size = 5*chunk + 1000
	for _, afterHub := range []bool{false, true} {
		name := map[bool]string{false: "cut before the hub", true: "answer lost"}[afterHub]
		t.Run(name, func(t *testing.T) {
			h := startHub(t, dsync.HubOptions{})
			opt := clientOpts(t)
			opt.ChunkSize = chunk
			// One attempt: the cut fails the sync, and the next sync must
			// learn from the hub where to resume.
			opt.Attempts = 1
			tb := h.newTablet(t, "续传", h.region, opt)
			tb.seal(t, h.halls[0].ID, h.staff[0].ID, h.sup.ID, day, photoBytes(11, size))

			pins, _ := tb.db.Setting(ctx, "sync.pins")
			url, _ := tb.db.Setting(ctx, "sync.hub_url")
			ct := &cutTransport{next: dsync.NewHTTPTransport(url, strings.Fields(pins), dsync.TransportOptions{}), cutAt: 3 * chunk, afterHub: afterHub}
			opt.Transport = ct
			c, err := dsync.Open(ctx, tb.db, opt)
			must(t, err)
			if _, err := c.Sync(ctx); err == nil || !dsync.Retryable(err) {
				t.Fatalf("sync through the cut: %v", err)
			}
			rep, err := c.Sync(ctx)
			must(t, err)
			if rep.Delivered != 1 {
				t.Fatalf("after resuming: %+v", rep)
			}
			if ct.chunkBytes > size+chunk {
				t.Errorf("sent %d bytes of a %d-byte photo: more than one chunk again", ct.chunkBytes, size)
			}
			t.Logf("%s: sent %d bytes for a %d-byte photo (chunk %d)", name, ct.chunkBytes, size, chunk)
			checkDelivered(t, h, tb)
			if st := tb.outboxStates(t); st[store.OutboxDelivered] != 1 {
				t.Errorf("outbox = %v", st)
			}
		})
	}
}
