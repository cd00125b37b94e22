package flow_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/flow"
	"github.com/dudao-app/dudao/app/inspect"
)

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// scene is a test picture whose content says which way is up: red at the
// top left, blue along the bottom.
func scene(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{200, 200, 200, 255}
			switch {
			case x < w/4 && y < h/4:
				c = color.RGBA{255, 0, 0, 255}
			case y >= h*3/4:
				c = color.RGBA{0, 0, 255, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// pngHeader is the start of a PNG that declares w×h pixels and holds none:
// what a hostile or broken file would look like.
func pngHeader(w, h uint32) []byte {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := append([]byte("IHDR"), ihdr[:]...)
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func photoFiles(t *testing.T, e *env) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(e.db.PhotoDir(), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRejectedPhotos(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜")
	pid := person(t, d, "李娜")

	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	good := encodeJPEG(t, scene(64, 48))
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, scene(16, 16), nil); err != nil {
		t.Fatal(err)
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, scene(64, 48)); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		data []byte
		why  string // part of the message
	}{
		{"noise.jpg", random, "not a JPEG or PNG"},
		{"empty.jpg", nil, "empty"},
		{"half.jpg", good[:len(good)/2], "damaged or incomplete"},
		{"header-only.jpg", good[:200], "damaged or incomplete"},
		{"half.png", pngBuf.Bytes()[:pngBuf.Len()/2], "damaged or incomplete"},
		{"anim.gif", gifBuf.Bytes(), "gif images are not supported"},
		{"notes.txt", []byte("这不是照片 / not a photo\n"), "not a JPEG or PNG"},
		{"huge.png", pngHeader(10000, 5000), "too large"},
		{"flat.png", pngHeader(0, 100), "damaged or incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := e.flow.AttachPhoto(ctx, d, pid, "A1.1", tt.name, tt.data)
			wantErr(t, err, flow.ErrBadPhoto)
			if !strings.Contains(err.Error(), tt.name) || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("message %q does not name the file %s and say %q", err, tt.name, tt.why)
			}
			if st.Finding != nil || finding(d.Inspection, pid, "A1.1") != nil ||
				finding(e.stored(d.Inspection.ID), pid, "A1.1") != nil {
				t.Errorf("a rejected photo left a finding")
			}
			if n := photoFiles(t, e); n != 0 {
				t.Errorf("a rejected photo left %d files in the photo directory", n)
			}
		})
	}
}

func TestPhotoIsShrunkToJPEG(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜")
	pid := person(t, d, "李娜")

	var big bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&big, scene(4000, 3000)); err != nil {
		t.Fatal(err)
	}
	st, err := e.flow.AttachPhoto(ctx, d, pid, "A1.1", "IMG_0001.png", big.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	// A photo marks a conforming item nonconform.
	if st.Finding == nil || st.Finding.Outcome != inspect.Nonconform || len(st.Finding.Photos) != 1 {
		t.Fatalf("after attaching: %+v", st.Finding)
	}
	ref := st.Finding.Photos[0]
	if ref.Type != "image/jpeg" || !inspect.ValidHash(ref.SHA256) || ref.At.IsZero() {
		t.Errorf("photo ref = %+v", ref)
	}
	img := storedImage(t, e, ref)
	if b := img.Bounds(); b.Dx() != 1600 || b.Dy() != 1200 {
		t.Errorf("stored %dx%d, want 1600x1200", b.Dx(), b.Dy())
	}
	checkUpright(t, img)
	if f := finding(e.stored(d.Inspection.ID), pid, "A1.1"); f == nil || len(f.Photos) != 1 || f.Photos[0].SHA256 != ref.SHA256 {
		t.Errorf("stored finding = %+v", f)
	}

	// The same photo again adds nothing; a second one is added.
	st, err = e.flow.AttachPhoto(ctx, d, pid, "A1.1", "IMG_0001.png", big.Bytes())
	if err != nil || len(st.Finding.Photos) != 1 {
		t.Errorf("same photo twice: %d photos, %v", len(st.Finding.Photos), err)
	}
	small := encodeJPEG(t, scene(300, 200))
	st, err = e.flow.AttachPhoto(ctx, d, pid, "A1.1", "small.jpg", small)
	if err != nil || len(st.Finding.Photos) != 2 {
		t.Fatalf("second photo: %+v, %v", st.Finding, err)
	}
	if b := storedImage(t, e, st.Finding.Photos[1]).Bounds(); b.Dx() != 300 || b.Dy() != 200 {
		t.Errorf("a small photo was resized to %v", b)
	}
	// Removing a photo keeps the finding; removing it twice is harmless.
	for range 2 {
		st, err = e.flow.RemovePhoto(ctx, d, pid, "A1.1", ref.SHA256)
		if err != nil || st.Finding == nil || len(st.Finding.Photos) != 1 || st.Finding.Photos[0].SHA256 == ref.SHA256 {
			t.Fatalf("after removing: %+v, %v", st.Finding, err)
		}
	}
	if f := finding(e.stored(d.Inspection.ID), pid, "A1.1"); f == nil || len(f.Photos) != 1 {
		t.Errorf("stored after removing: %+v", f)
	}

	// On a tally item, a photo is one failed observation.
	st, err = e.flow.AttachPhoto(ctx, d, pid, "G1.1", "small.jpg", small)
	if err != nil || st.Finding.Outcome != inspect.Tallied || st.Finding.Observed != 1 || st.Finding.Failed != 1 {
		t.Errorf("photo on a tally: %+v, %v", st.Finding, err)
	}
	// On an N/A item it stays N/A.
	if _, err := e.flow.SetNotApplicable(ctx, d, pid, "C7.2", true); err != nil {
		t.Fatal(err)
	}
	st, err = e.flow.AttachPhoto(ctx, d, pid, "C7.2", "small.jpg", small)
	if err != nil || st.Finding.Outcome != inspect.NotApplicable || len(st.Finding.Photos) != 1 {
		t.Errorf("photo on N/A: %+v, %v", st.Finding, err)
	}
}

// exifJPEG inserts an EXIF block with an orientation tag after the SOI.
func exifJPEG(jpg []byte, orientation uint16, order binary.ByteOrder) []byte {
	var tiff bytes.Buffer
	if order == binary.LittleEndian {
		tiff.WriteString("II")
	} else {
		tiff.WriteString("MM")
	}
	_ = binary.Write(&tiff, order, uint16(42))
	_ = binary.Write(&tiff, order, uint32(8))
	_ = binary.Write(&tiff, order, uint16(2)) // two entries
	// An unrelated tag first (ImageDescription, ASCII), then orientation.
	_ = binary.Write(&tiff, order, []uint16{0x010E, 2})
	_ = binary.Write(&tiff, order, []uint32{4, 0x78797A00})
	_ = binary.Write(&tiff, order, []uint16{0x0112, 3})
	_ = binary.Write(&tiff, order, uint32(1))
	_ = binary.Write(&tiff, order, []uint16{orientation, 0})
	_ = binary.Write(&tiff, order, uint32(0))
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(jpg[:2])
	out.Write([]byte{0xFF, 0xE1})
	_ = binary.Write(&out, binary.BigEndian, uint16(len(seg)+2))
	out.Write(seg)
	out.Write(jpg[2:])
	return out.Bytes()
}

func TestPhotoOrientation(t *testing.T) {
	e := newEnv(t)
	d := e.start(e.sup, hallA, "李娜")
	pid := person(t, d, "李娜")
	upright := scene(160, 120)
	// How a camera held upright in portrait stores each orientation: the
	// inverse of what the tag tells a viewer to do.
	stored := map[uint16]*image.RGBA{
		1: upright,
		2: mirror(upright),
		3: rotate180(upright),
		4: rotate180(mirror(upright)),
		5: transpose(upright),
		6: rotateCCW(upright), // stored turned left; the tag says turn right
		7: rotate180(transpose(upright)),
		8: rotateCW(upright),
	}
	for o, img := range stored {
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			data := exifJPEG(encodeJPEG(t, img), o, order)
			st, err := e.flow.AttachPhoto(ctx, d, pid, "A1.1", "cam.jpg", data)
			if err != nil {
				t.Fatal(err)
			}
			got := storedImage(t, e, st.Finding.Photos[len(st.Finding.Photos)-1])
			if b := got.Bounds(); b.Dx() != 160 || b.Dy() != 120 {
				t.Errorf("orientation %d (%v): stored %dx%d, want 160x120", o, order, b.Dx(), b.Dy())
				continue
			}
			checkUpright(t, got)
			if _, err := e.flow.ToggleNonconform(ctx, d, pid, "A1.1"); err != nil { // clear for the next
				t.Fatal(err)
			}
		}
	}
}

func rotateCW(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			dst.Set(b.Dy()-1-y, x, src.At(x, y))
		}
	}
	return dst
}

func mirror(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(b)
	for y := range b.Dy() {
		for x := range b.Dx() {
			dst.Set(b.Dx()-1-x, y, src.At(x, y))
		}
	}
	return dst
}

func transpose(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			dst.Set(y, x, src.At(x, y))
		}
	}
	return dst
}

func rotateCCW(src *image.RGBA) *image.RGBA { return rotateCW(rotateCW(rotateCW(src))) }
func rotate180(src *image.RGBA) *image.RGBA { return rotateCW(rotateCW(src)) }

func storedImage(t *testing.T, e *env, ref inspect.PhotoRef) image.Image {
	t.Helper()
	rc, err := e.db.OpenPhoto(ref.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	img, format, err := image.Decode(rc)
	if err != nil || format != "jpeg" {
		t.Fatalf("stored photo: %s, %v", format, err)
	}
	return img
}

// checkUpright looks for scene's marks: red at the top left, blue at the bottom.
func checkUpright(t *testing.T, img image.Image) {
	t.Helper()
	b := img.Bounds()
	near := func(x, y int, want color.RGBA) bool {
		r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
		d := func(a uint32, b uint8) bool { return int(a>>8)-int(b) < 60 && int(b)-int(a>>8) < 60 }
		return d(r, want.R) && d(g, want.G) && d(bl, want.B)
	}
	if !near(b.Dx()/10, b.Dy()/10, color.RGBA{255, 0, 0, 255}) {
		t.Errorf("top left of %v is not red: %v", b, img.At(b.Min.X+b.Dx()/10, b.Min.Y+b.Dy()/10))
	}
	if !near(b.Dx()/2, b.Dy()*9/10, color.RGBA{0, 0, 255, 255}) {
		t.Errorf("bottom of %v is not blue", b)
	}
	if !near(b.Dx()*9/10, b.Dy()/10, color.RGBA{200, 200, 200, 255}) {
		t.Errorf("top right of %v is not grey", b)
	}
}
