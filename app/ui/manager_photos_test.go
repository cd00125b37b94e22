package ui

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/report"
)

// TestThumbCacheKeepsMostRecentlyUsed: the cache holds at most its size,
// dropping the least recently used first.
func TestThumbCacheKeepsMostRecentlyUsed(t *testing.T) {
	c := newThumbCache(3)
	for _, k := range []string{"a", "b", "c"} {
		c.put(k, []byte(k))
	}
	if _, ok := c.get("a"); !ok { // a is now the most recently used
		t.Fatal("a was dropped before the cache was full")
	}
	c.put("d", []byte("d"))
	if _, ok := c.get("b"); ok {
		t.Error("b, the least recently used, was kept past the cache's size")
	}
	for _, k := range []string{"a", "c", "d"} {
		if got, ok := c.get(k); !ok || string(got) != k {
			t.Errorf("%s: %q, %v", k, got, ok)
		}
	}
	c.put("c", []byte("C")) // replacing does not grow it
	if c.len() != 3 {
		t.Errorf("%d kept, want 3", c.len())
	}
	if got, _ := c.get("c"); string(got) != "C" {
		t.Errorf("c is %q after replacing it", got)
	}
	big := newThumbCache(deskThumbs)
	for i := range 3 * deskThumbs {
		big.put(thumbKey(string(rune('a'+i%26))+itoa(i), 240, 240), []byte{1})
	}
	if big.len() != deskThumbs {
		t.Errorf("%d thumbnails kept, want at most %d", big.len(), deskThumbs)
	}
}

func encodedImage(t *testing.T, w, h int, opaque bool) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if !opaque && (x+y)%2 == 0 {
				a = 0
			}
			img.Set(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: 90, A: a})
		}
	}
	var b bytes.Buffer
	var err error
	if opaque {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	} else {
		err = png.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDeskThumbnail: a camera's photo becomes a JPEG that fits the box,
// with its shape; a signature with transparency stays a PNG; an image
// that fits already is kept as it is; bytes that are no image are an
// error.
func TestDeskThumbnail(t *testing.T) {
	photo := encodedImage(t, 1600, 1200, true)
	thumb, err := deskThumbnail(photo, 240, 240)
	if err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(thumb))
	if err != nil {
		t.Fatal(err)
	}
	if format != "jpeg" || cfg.Width != 240 || cfg.Height != 180 {
		t.Errorf("the photo's thumbnail is a %s of %dx%d, want a jpeg of 240x180", format, cfg.Width, cfg.Height)
	}
	if len(thumb) >= len(photo) {
		t.Errorf("the thumbnail is %d bytes, the photo %d", len(thumb), len(photo))
	}

	sig := encodedImage(t, 900, 300, false)
	thumb, err = deskThumbnail(sig, 480, 240)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, format, err = image.DecodeConfig(bytes.NewReader(thumb)); err != nil || format != "png" || cfg.Width != 480 || cfg.Height != 160 {
		t.Errorf("the signature's thumbnail is a %s of %dx%d (%v), want a png of 480x160", format, cfg.Width, cfg.Height, err)
	}

	small := encodedImage(t, 100, 80, true)
	if thumb, err = deskThumbnail(small, 240, 240); err != nil || !bytes.Equal(thumb, small) {
		t.Errorf("a small image was not kept as it is (%v)", err)
	}
	if _, err := deskThumbnail([]byte("not an image"), 240, 240); err == nil {
		t.Error("bytes that are no image made a thumbnail")
	}
	if _, err := deskThumbnail(photo[:200], 240, 240); err == nil {
		t.Error("a cut-off image made a thumbnail")
	}
}

// TestTrendLabelsFollowTheLanguage: the trend's months and quarters are
// named in the UI language.
func TestTrendLabelsFollowTheLanguage(t *testing.T) {
	t.Cleanup(func() { useLanguage(langChinese) })
	at := func(m time.Month) report.TrendPoint {
		return report.TrendPoint{Start: time.Date(2025, m, 1, 0, 0, 0, 0, inspect.HallZone), Count: 1, Average: 90}
	}
	months := report.Trend{Unit: report.TrendMonth, Points: []report.TrendPoint{at(time.March), at(time.April), at(time.December)}}
	quarters := report.Trend{Unit: report.TrendQuarter, Points: []report.TrendPoint{at(time.January), at(time.October)}}
	x := &summarySection{}
	for _, c := range []struct {
		l                language
		months, quarters []string
	}{
		{langChinese, []string{"3月", "4月", "12月"}, []string{"1季度", "4季度"}},
		{langEnglish, []string{"Mar", "Apr", "Dec"}, []string{"Q1", "Q4"}},
	} {
		useLanguage(c.l)
		for _, want := range []struct {
			trend  report.Trend
			labels []string
		}{{months, c.months}, {quarters, c.quarters}} {
			pts := x.trendPoints(want.trend)
			for i, p := range pts {
				if p.Label != want.labels[i] {
					t.Errorf("%s, %s %d: %q, want %q", c.l, want.trend.Unit, i, p.Label, want.labels[i])
				}
			}
		}
	}
}
