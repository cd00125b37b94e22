package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/gif" // photos may arrive in any format the tablet saved
	"image/jpeg"
	"image/png"
	"runtime"
	"sync"

	"github.com/jung-kurt/gofpdf"
	xdraw "golang.org/x/image/draw"
)

// Thumbnail limits. A photo is printed about 40 mm wide, so 480 px is about
// 300 dpi: sharp on paper, and four photos stay far below the 2 MB budget.
const (
	thumbMaxPx     = 480
	thumbQuality   = 80
	sigMaxW        = 600
	sigMaxH        = 200
	maxSourcePixel = 60_000_000 // refuse to decode anything larger (a decompression bomb)
)

// picture is a prepared image: either registered with the PDF under name, or
// unavailable with the reason to print in its place.
type picture struct {
	name    string
	img     image.Image // scaled, until encoded
	data    []byte
	jpeg    bool
	w, h    int // pixels, for the aspect ratio
	problem string
}

func (p picture) ok() bool { return p.problem == "" }

// pictures prepares photos and signature images once per report: fetched
// through the caller's function, checked against their content address, and
// scaled down before they are embedded.
type pictures struct {
	get  func(sha string) ([]byte, error)
	done map[string]picture
}

type pictureJob struct {
	sha string
	sig bool
}

// parallel runs f(i) for i in [0, n) on every core; decoding and encoding
// images dominate a report's time.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

// prepare fetches, scales and encodes every image, then registers them with
// the PDF in the order given, so that the output does not depend on which
// goroutine finished first.
func (ps *pictures) prepare(pdf *gofpdf.Fpdf, jobs []pictureJob) {
	if ps.done == nil {
		ps.done = map[string]picture{}
	}
	var todo []pictureJob
	seen := map[string]bool{}
	for _, j := range jobs {
		k := key(j)
		if !seen[k] && ps.done[k].name == "" {
			seen[k] = true
			todo = append(todo, j)
		}
	}
	out := make([]picture, len(todo))
	parallel(len(todo), func(i int) { out[i] = ps.load(todo[i]) })

	// gofpdf's SetCatalogSort orders images by pixel width alone, and
	// images of equal width in map order, which differs from run to run.
	// Trimming a pixel column off an image whose width is taken makes
	// every width unique, and the output byte-stable.
	used := map[int]bool{}
	for i := range out {
		p := &out[i]
		if !p.ok() {
			continue
		}
		for used[p.w] && p.w > 1 {
			p.w--
		}
		used[p.w] = true
		if rgba, ok := p.img.(*image.RGBA); ok && p.w != rgba.Bounds().Dx() {
			b := rgba.Bounds()
			p.img = rgba.SubImage(image.Rect(b.Min.X, b.Min.Y, b.Min.X+p.w, b.Max.Y))
		}
	}
	parallel(len(out), func(i int) { out[i] = encode(todo[i], out[i]) })

	for i, j := range todo {
		p := out[i]
		if p.ok() {
			pdf.RegisterImageOptionsReader(p.name, imageOpts(p), bytes.NewReader(p.data))
			p.data, p.img = nil, nil
		}
		ps.done[key(j)] = p
	}
}

func key(j pictureJob) string {
	if j.sig {
		return "sig-" + j.sha
	}
	return "photo-" + j.sha
}

func (ps *pictures) lookup(sha string, sig bool) picture {
	j := pictureJob{sha, sig}
	p, ok := ps.done[key(j)]
	if !ok {
		return j.fail("缺失", "missing")
	}
	return p
}

// fail is the placeholder for an image that cannot be shown, naming it by
// its SHA-256 so that it can be looked for on the tablet or the hub.
func (j pictureJob) fail(zh, en string) picture {
	if j.sig {
		return picture{problem: "签名图像" + zh + " / signature image " + en + ": " + j.sha}
	}
	return picture{problem: "照片" + zh + " / photo " + en + ": " + j.sha}
}

// load never fails: whatever goes wrong becomes the text printed in the
// photo's place, so one bad file cannot stop a report.
func (ps *pictures) load(j pictureJob) (pic picture) {
	defer func() {
		// A decoder bug on a hostile file must not take the report down.
		if r := recover(); r != nil {
			pic = j.fail("无法读取", "unreadable")
		}
	}()
	missing := j.fail("缺失", "missing")
	if ps.get == nil {
		return missing
	}
	b, err := ps.get(j.sha)
	if err != nil || len(b) == 0 {
		return missing
	}
	sum := sha256.Sum256(b)
	if hex.EncodeToString(sum[:]) != j.sha {
		return j.fail("校验失败", "does not match its SHA-256")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return j.fail("无法读取", "unreadable")
	}
	if cfg.Width*cfg.Height > maxSourcePixel {
		return j.fail("过大", "too large to print")
	}
	src, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return j.fail("无法读取", "unreadable")
	}
	var img *image.RGBA
	if j.sig {
		img = scaled(src, sigMaxW, sigMaxH)
	} else {
		img = scaled(src, thumbMaxPx, thumbMaxPx)
	}
	r := img.Bounds()
	return picture{name: key(j), img: img, jpeg: !j.sig, w: r.Dx(), h: r.Dy()}
}

// scaled draws src onto a white canvas of at most maxW×maxH pixels, keeping
// its aspect ratio; transparency ends up white, as on paper.
//
// It shrinks by an integer factor with a box filter, which averages every
// source pixel, so fine patterns such as floor tiles or a checked uniform do
// not turn into moiré. When that alone would leave less than two thirds of
// the size allowed, it shrinks by one step less and finishes with a bilinear
// sample over less than a factor of two. Filtering the full-size photo with
// x/image/draw's BiLinear instead took ~65 ms for a 1280×960 photo.
func scaled(src image.Image, maxW, maxH int) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= maxW && h <= maxH {
		return shrink(src, 1)
	}
	k := max(ceilDiv(w, maxW), ceilDiv(h, maxH))
	if 3*(w/k) >= 2*maxW || 3*(h/k) >= 2*maxH {
		return shrink(src, k)
	}
	f := min(float64(maxW)/float64(w), float64(maxH)/float64(h))
	w, h = max(1, int(float64(w)*f+0.5)), max(1, int(float64(h)*f+0.5))
	small := shrink(src, max(1, k-1))
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), small, small.Bounds(), xdraw.Src, nil)
	return dst
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// shrink flattens src onto white and averages each k×k block into one
// pixel. It converts k rows at a time, so that a large photo never exists
// as a full-size RGBA copy.
func shrink(src image.Image, k int) *image.RGBA {
	b := src.Bounds()
	ow, oh := b.Dx()/k, b.Dy()/k
	dst := image.NewRGBA(image.Rect(0, 0, ow, oh))
	stripe := image.NewRGBA(image.Rect(0, 0, ow*k, k))
	opaque := false
	if o, ok := src.(interface{ Opaque() bool }); ok {
		opaque = o.Opaque()
	}
	sums := make([]uint32, ow*3)
	n := uint32(k * k)
	for oy := range oh {
		at := image.Pt(b.Min.X, b.Min.Y+oy*k)
		if opaque {
			// The standard library's fast paths (YCbCr from a JPEG) apply.
			xdraw.Draw(stripe, stripe.Bounds(), src, at, xdraw.Src)
		} else {
			xdraw.Draw(stripe, stripe.Bounds(), image.White, image.Point{}, xdraw.Src)
			xdraw.Draw(stripe, stripe.Bounds(), src, at, xdraw.Over)
		}
		out := dst.Pix[oy*dst.Stride : oy*dst.Stride+ow*4]
		if k == 1 {
			copy(out, stripe.Pix[:ow*4])
			continue
		}
		clear(sums)
		for y := range k {
			row := stripe.Pix[y*stripe.Stride : y*stripe.Stride+ow*k*4]
			for ox := range ow {
				var r, g, bl uint32
				for p := ox * k * 4; p < (ox+1)*k*4; p += 4 {
					r += uint32(row[p])
					g += uint32(row[p+1])
					bl += uint32(row[p+2])
				}
				sums[ox*3] += r
				sums[ox*3+1] += g
				sums[ox*3+2] += bl
			}
		}
		for ox := range ow {
			out[ox*4] = uint8((sums[ox*3] + n/2) / n)
			out[ox*4+1] = uint8((sums[ox*3+1] + n/2) / n)
			out[ox*4+2] = uint8((sums[ox*3+2] + n/2) / n)
			out[ox*4+3] = 0xff
		}
	}
	return dst
}

// encode compresses a scaled image: a photo as JPEG; a drawn signature as a
// grey PNG, since lossless keeps the strokes crisp and one channel keeps it
// small.
func encode(j pictureJob, p picture) (out picture) {
	if !p.ok() {
		return p
	}
	defer func() {
		if r := recover(); r != nil {
			out = j.fail("无法读取", "unreadable")
		}
	}()
	var buf bytes.Buffer
	if p.jpeg {
		if err := jpeg.Encode(&buf, p.img, &jpeg.Options{Quality: thumbQuality}); err != nil {
			return j.fail("无法读取", "unreadable")
		}
	} else {
		b := p.img.Bounds()
		gray := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
		xdraw.Draw(gray, gray.Bounds(), p.img, b.Min, xdraw.Src)
		if err := png.Encode(&buf, gray); err != nil {
			return j.fail("无法读取", "unreadable")
		}
	}
	p.data = buf.Bytes()
	return p
}

func imageOpts(p picture) gofpdf.ImageOptions {
	if p.jpeg {
		return gofpdf.ImageOptions{ImageType: "JPG"}
	}
	return gofpdf.ImageOptions{ImageType: "PNG"}
}
