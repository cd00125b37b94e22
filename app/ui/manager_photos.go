package ui

import (
	"bytes"
	"container/list"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	xdraw "golang.org/x/image/draw"
)

// deskThumbs is how many thumbnails the inspections section keeps: the
// photos and signatures of a few inspections, a few megabytes at most.
const deskThumbs = 200

// thumbCache keeps the most recently used thumbnails, up to max. An empty
// (non-nil) entry records an image that cannot be shown, so it is not
// fetched again either. Use it on the UI thread.
type thumbCache struct {
	max   int
	order *list.List // of *thumbEntry, the most recently used first
	items map[string]*list.Element
}

type thumbEntry struct {
	key  string
	data []byte
}

func newThumbCache(max int) *thumbCache {
	return &thumbCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// get returns the thumbnail under key and marks it used.
func (c *thumbCache) get(key string) ([]byte, bool) {
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*thumbEntry).data, true
}

// put keeps data under key, dropping the least recently used beyond max.
func (c *thumbCache) put(key string, data []byte) {
	if e, ok := c.items[key]; ok {
		e.Value.(*thumbEntry).data = data
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&thumbEntry{key: key, data: data})
	for c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*thumbEntry).key)
	}
}

func (c *thumbCache) len() int { return c.order.Len() }

// thumbKey names a thumbnail: the image's SHA-256 and the box it fits.
func thumbKey(sha string, maxW, maxH int) string { return fmt.Sprintf("%s@%dx%d", sha, maxW, maxH) }

// deskThumbnail is a photo or signature made small enough to fit maxW×maxH
// pixels, so that the screen neither decodes nor keeps a camera's full
// image for a thumbnail: a JPEG, or a PNG when it has transparency (a
// signature). An image that already fits is returned as it is. It is an
// error when data is not an image that can be read.
func deskThumbnail(data []byte, maxW, maxH int) ([]byte, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read the image: %w", err)
	}
	if cfg.Width <= maxW && cfg.Height <= maxH {
		if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("read the image: %w", err)
		}
		return data, nil
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read the image: %w", err)
	}
	b := src.Bounds()
	scale := min(float64(maxW)/float64(b.Dx()), float64(maxH)/float64(b.Dy()))
	w, h := max(1, int(float64(b.Dx())*scale)), max(1, int(float64(b.Dy())*scale))
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.BiLinear.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
	var out bytes.Buffer
	if dst.Opaque() {
		err = jpeg.Encode(&out, dst, &jpeg.Options{Quality: 85})
	} else {
		err = png.Encode(&out, dst)
	}
	if err != nil {
		return nil, fmt.Errorf("encode the thumbnail: %w", err)
	}
	return out.Bytes(), nil
}
