package flow

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // the other format a supervisor's device produces
	"io/fs"
	"slices"

	"golang.org/x/image/draw"

	"github.com/dudao-app/dudao/app/inspect"
	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

const (
	// maxSourcePixels refuses an image before decoding it: a small file can
	// declare an enormous size, and decoding it would exhaust a tablet's
	// memory. 40 megapixels is above any phone camera in use.
	maxSourcePixels = 40_000_000
	photoQuality    = 85
)

// The first bytes of the two formats, to tell a damaged photo from a file
// that is not a photo at all.
var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

// AttachPhoto re-encodes the image (see Workflow) and adds it to the item's
// finding. The photo file is stored first, then the finding in its own
// transaction; if that second step fails the file stays in the store,
// unreferenced and harmless (content-addressed, never sealed), and the draft
// is as it was.
//
// EXIF orientation is applied, since a phone or tablet camera stores most
// pictures sideways and says so only there; all other metadata (including
// location) is dropped by the re-encoding.
func (f *Flow) AttachPhoto(ctx context.Context, d *Draft, personID, itemID, name string, data []byte) (ItemState, error) {
	op := fmt.Sprintf("attach photo %q to item %s", name, itemID)
	if err := writable(d); err != nil {
		return ItemState{}, fmt.Errorf("%s: %w", op, err)
	}
	// Check the target before the expensive part.
	p, findings, err := subject(d.Inspection, personID)
	if err != nil {
		return ItemState{}, fmt.Errorf("%s: %w", op, err)
	}
	if it, ok := d.Standard.Item(itemID); !ok || !applies(it, p) {
		return ItemState{}, fmt.Errorf("%s: %w", op, invalid("the item is not on this checklist"))
	}
	if i := slices.IndexFunc(findings, func(x inspect.Finding) bool { return x.ItemID == itemID }); i >= 0 &&
		len(findings[i].Photos) >= inspect.MaxPhotosPerFinding {
		return ItemState{}, fmt.Errorf("%s: %w", op, invalid("a finding holds at most %d photos", inspect.MaxPhotosPerFinding))
	}

	jpg, err := preparePhoto(name, data)
	if err != nil {
		return ItemState{}, fmt.Errorf("attach photo to item %s: %w", itemID, err)
	}
	ref, err := f.db.PutPhoto(ctx, bytes.NewReader(jpg), "image/jpeg")
	if err != nil {
		return ItemState{}, draftErr(op, f.photoDirErr(err))
	}
	// When it was attached to this finding, not when the same bytes were
	// first stored (which PutPhoto reports).
	ref.At = f.clock()
	return f.record(ctx, d, personID, itemID, "attach photo to", func(it standard.Item, cur *inspect.Finding) (*inspect.Finding, error) {
		return markedWith(it, cur, ref), nil
	})
}

// PhotoDirError is a photo (or signature image) that could not be stored
// because the device's photo directory cannot be written: missing, read-only,
// not a directory. Nothing was attached and the draft is as it was. It is
// ErrPhotoDir for errors.Is; Dir names the directory for the message.
type PhotoDirError struct {
	Dir string
	Err error
}

func (e *PhotoDirError) Error() string {
	return fmt.Sprintf("the photo directory %s cannot be written: %v", e.Dir, e.Err)
}

func (e *PhotoDirError) Unwrap() []error { return []error{ErrPhotoDir, e.Err} }

// photoDirErr classifies a failure to store a photo file: a full disk, a
// busy database, an oversize or empty photo keep their own meaning; a file
// system refusal is the photo directory's fault.
func (f *Flow) photoDirErr(err error) error {
	var pe *fs.PathError
	switch {
	case errors.Is(err, store.ErrDiskFull), errors.Is(err, store.ErrLocked), errors.Is(err, store.ErrTooLarge),
		errors.Is(err, store.ErrInvalid), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.As(err, &pe):
		return &PhotoDirError{Dir: f.db.PhotoDir(), Err: err}
	}
	return err
}

// preparePhoto turns a JPEG or PNG file into the JPEG the store keeps: at
// most MaxPhotoPixels on its longer side, upright, without metadata.
// Anything else is ErrBadPhoto naming the file and the reason.
func preparePhoto(name string, data []byte) (out []byte, err error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %q: %s", ErrBadPhoto, name, fmt.Sprintf(format, args...))
	}
	// The decoders are not expected to panic, but a photo comes from
	// anywhere and a crash would lose the supervisor's screen.
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, bad("the image could not be read (%v)", r)
		}
	}()
	if len(data) == 0 {
		return nil, bad("the file is empty")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if bytes.HasPrefix(data, jpegMagic) || bytes.HasPrefix(data, pngMagic) {
			return nil, bad("the file is damaged or incomplete (%v)", err)
		}
		return nil, bad("not a JPEG or PNG image (%v)", err)
	}
	if format != "jpeg" && format != "png" {
		return nil, bad("%s images are not supported; use JPEG or PNG", format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, bad("the image has no pixels (%d×%d)", cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxSourcePixels {
		return nil, bad("%d×%d pixels is too large (at most %d megapixels)", cfg.Width, cfg.Height, maxSourcePixels/1_000_000)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, bad("the file is damaged or incomplete (%v)", err)
	}
	rgba := shrink(img, MaxPhotoPixels)
	if format == "jpeg" {
		rgba = orient(rgba, exifOrientation(data))
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: photoQuality}); err != nil {
		return nil, fmt.Errorf("encode photo %q: %w", name, err)
	}
	return buf.Bytes(), nil
}

// shrink scales src so that its longer side is at most limit, flattened onto
// white (JPEG has no transparency, and black behind a transparent PNG reads
// as a dark smudge).
//
// A camera photo is several times the limit, and a Catmull-Rom filter over
// all of it takes most of a second even on a desktop (a tablet is slower,
// and the supervisor is waiting). So the bulk of the reduction is a box
// filter by a whole factor, which averages every source pixel (no aliasing)
// in one pass, and bilinear only does the last step of less than 2×, where
// it cannot skip pixels. For 12 megapixels that is about 0.15 s on a
// desktop core where Catmull-Rom for the last step would add 0.2 s, for no
// difference visible in an evidence photo.
func shrink(src image.Image, limit int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > limit || h > limit {
		if w >= h {
			w, h = limit, max(1, int((int64(h)*int64(limit)+int64(w)/2)/int64(w)))
		} else {
			w, h = max(1, int((int64(w)*int64(limit)+int64(h)/2)/int64(h))), limit
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Over)
		return dst
	}
	var scaled *image.RGBA
	if k := max(b.Dx(), b.Dy()) / limit; k >= 2 {
		scaled = boxReduce(src, k)
	} else {
		scaled = toRGBA(src)
	}
	if sb := scaled.Bounds(); sb.Dx() != w || sb.Dy() != h {
		out := image.NewRGBA(dst.Bounds())
		draw.ApproxBiLinear.Scale(out, out.Bounds(), scaled, sb, draw.Src, nil)
		scaled = out
	}
	draw.Draw(dst, dst.Bounds(), scaled, image.Point{}, draw.Over)
	return dst
}

// toRGBA converts to premultiplied RGBA at the origin; image/draw has fast
// paths from the types the decoders return.
func toRGBA(src image.Image) *image.RGBA {
	if m, ok := src.(*image.RGBA); ok && m.Rect.Min == (image.Point{}) {
		return m
	}
	b := src.Bounds()
	m := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(m, m.Bounds(), src, b.Min, draw.Src)
	return m
}

// boxReduce averages each k×k block of src into one pixel; a partial block
// at the right or bottom edge is dropped (under k pixels of a photo). A
// JPEG's YCbCr is read directly rather than converted whole to RGBA first,
// which for a 40-megapixel photo would take 160 MB.
func boxReduce(src image.Image, k int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx()/k, b.Dy()/k
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	n := uint32(k * k)
	sum := make([]uint32, 4*w)
	ycc, isYCC := src.(*image.YCbCr)
	var rgba *image.RGBA
	if !isYCC {
		rgba = toRGBA(src)
	}
	for y := range h {
		clear(sum)
		for sy := y * k; sy < (y+1)*k; sy++ {
			if isYCC {
				for x := range w {
					s := sum[4*x : 4*x+4]
					for sx := x * k; sx < (x+1)*k; sx++ {
						yi := ycc.YOffset(b.Min.X+sx, b.Min.Y+sy)
						ci := ycc.COffset(b.Min.X+sx, b.Min.Y+sy)
						r, g, bl := color.YCbCrToRGB(ycc.Y[yi], ycc.Cb[ci], ycc.Cr[ci])
						s[0] += uint32(r)
						s[1] += uint32(g)
						s[2] += uint32(bl)
						s[3] += 0xFF
					}
				}
				continue
			}
			row := rgba.Pix[sy*rgba.Stride:]
			for x := range w {
				s := sum[4*x : 4*x+4]
				for i := 4 * x * k; i < 4*(x+1)*k; i += 4 {
					s[0] += uint32(row[i])
					s[1] += uint32(row[i+1])
					s[2] += uint32(row[i+2])
					s[3] += uint32(row[i+3])
				}
			}
		}
		out := dst.Pix[y*dst.Stride:]
		for i, v := range sum {
			out[i] = uint8((v + n/2) / n)
		}
	}
	return dst
}

// orient turns an image as its EXIF orientation (1..8) says it should be
// shown. Anything other than 2..8 leaves it as it is.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch o {
			case 2: // mirrored
				dx, dy = w-1-x, y
			case 3: // upside down
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored upside down
				dx, dy = x, h-1-y
			case 5: // transposed
				dx, dy = y, x
			case 6: // stored a quarter turn anticlockwise: turn it clockwise
				dx, dy = h-1-y, x
			case 7: // transversed
				dx, dy = h-1-y, w-1-x
			case 8: // stored a quarter turn clockwise: turn it back
				dx, dy = y, w-1-x
			}
			si := src.PixOffset(x+src.Rect.Min.X, y+src.Rect.Min.Y)
			di := dst.PixOffset(dx, dy)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}

// exifOrientation reads the orientation tag (0x0112) of a JPEG's EXIF
// block, or 1 (as stored) when there is none or it cannot be read. It walks
// only the marker segments before the image data, so it is cheap.
func exifOrientation(b []byte) int {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xDA || marker == 0xD9: // image data or end: no EXIF
			return 1
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD7: // no length
			i += 2
			continue
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if n < 2 || i+2+n > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation finds the orientation in the first IFD of a TIFF header.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	// uint64 arithmetic: an offset near 4 GiB must not wrap on a 32-bit tablet.
	off := uint64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > uint64(len(t)) {
		return 1
	}
	count := uint64(bo.Uint16(t[off:]))
	for k := range count {
		e := off + 2 + 12*k
		if e+12 > uint64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		const typeShort = 3
		if bo.Uint16(t[e+2:]) != typeShort {
			return 1
		}
		if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}
