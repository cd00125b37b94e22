package flow

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
)

// FuzzPreparePhoto: whatever the bytes, a photo is either a JPEG within
// the size limit or ErrBadPhoto; never a panic.
func FuzzPreparePhoto(f *testing.F) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10, 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8})
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := preparePhoto("fuzz", b)
		if err != nil {
			return
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(out))
		if err != nil || format != "jpeg" || cfg.Width > MaxPhotoPixels || cfg.Height > MaxPhotoPixels {
			t.Fatalf("output %s %dx%d, %v", format, cfg.Width, cfg.Height, err)
		}
	})
}

// FuzzExifOrientation: any bytes give an orientation of 1..8.
func FuzzExifOrientation(f *testing.F) {
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x08, 'E', 'x', 'i', 'f', 0, 0})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xD9})
	f.Fuzz(func(t *testing.T, b []byte) {
		if o := exifOrientation(b); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}
