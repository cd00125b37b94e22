package demo

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
)

// Photo and signature sizes. 640×480 is what the tablet's camera screen
// downsizes to; the signature pad is a wide strip.
const (
	photoW, photoH = 640, 480
	sigW, sigH     = 360, 120
)

// scenePhoto draws a stand-in for a photo taken in the hall: wall, floor,
// counter, one member of staff and the red box a supervisor draws around what
// is wrong. Nothing in it depends on the clock, so the same draws give the same
// bytes (image/jpeg is deterministic), and the photo's content address with it.
func scenePhoto(r *rand.Rand) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, photoW, photoH))
	wall := pick(r, []color.RGBA{{236, 232, 221, 255}, {223, 232, 238, 255}, {240, 236, 228, 255}, {229, 235, 226, 255}})
	fill(img, img.Bounds(), shade(r, wall, 10))

	// A window or poster on the wall, and the company's blue-green band.
	wx := 40 + r.IntN(360)
	fill(img, image.Rect(wx, 40, wx+120+r.IntN(80), 150+r.IntN(40)), shade(r, color.RGBA{176, 206, 226, 255}, 20))
	fill(img, image.Rect(0, 190, photoW, 206), color.RGBA{0, 122, 120, 255})

	// Floor tiles: a pattern varied per photo so no two photos share a hash.
	floorTop := 330 + r.IntN(30)
	tile := 40 + r.IntN(40)
	a, b := shade(r, color.RGBA{200, 196, 188, 255}, 15), shade(r, color.RGBA{170, 166, 160, 255}, 15)
	for y := floorTop; y < photoH; y += tile / 2 {
		for x := -(y / 3 % tile); x < photoW; x += tile {
			c := a
			if (x/tile+y/(tile/2))%2 == 0 {
				c = b
			}
			fill(img, image.Rect(x, y, x+tile, y+tile/2), c)
		}
	}

	// The counter, then the person standing behind or beside it.
	cx := r.IntN(200)
	fill(img, image.Rect(cx, floorTop-90, cx+300+r.IntN(140), floorTop+20), shade(r, color.RGBA{92, 120, 150, 255}, 20))
	px := 120 + r.IntN(400)
	uniform := pick(r, []color.RGBA{{30, 45, 80, 255}, {40, 60, 100, 255}, {245, 245, 245, 255}, {60, 60, 66, 255}})
	fill(img, image.Rect(px-50, 260, px+50, floorTop+60), uniform)                             // body
	fill(img, image.Rect(px-12, 240, px+12, 262), color.RGBA{224, 186, 160, 255})              // neck
	disc(img, px, 210, 36, color.RGBA{226, 190, 164, 255})                                     // face
	fill(img, image.Rect(px-38, 168, px+38, 196), color.RGBA{35, 28, 26, 255})                 // hair
	fill(img, image.Rect(px-44, floorTop+60, px+44, floorTop+80), color.RGBA{20, 20, 20, 255}) // shoes

	// The supervisor's annotation around the problem.
	bx, by := px-60+r.IntN(40), 160+r.IntN(200)
	frame(img, image.Rect(bx, by, bx+90+r.IntN(60), by+70+r.IntN(50)), 4, color.RGBA{220, 30, 30, 255})

	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 70}); err != nil {
		return nil, fmt.Errorf("encode photo: %w", err)
	}
	return buf.Bytes(), nil
}

// signaturePNG draws a signature as a pen stroke. The shape of the strokes is
// fixed per signer (seeded by seed and name), so one person signs alike every
// time, while jitter from r makes each signing differ a little as a real
// signature does.
func signaturePNG(seed int64, name string, r *rand.Rand) ([]byte, error) {
	h := fnv.New64a()
	h.Write([]byte(name))
	style := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))

	img := image.NewGray(image.Rect(0, 0, sigW, sigH))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	ink := color.Gray{Y: 24}

	strokes := 2 + style.IntN(3)
	x := 20 + style.Float64()*20
	for range strokes {
		n := 5 + style.IntN(5)
		pts := make([][2]float64, n)
		for i := range pts {
			pts[i] = [2]float64{
				x + float64(i)*(12+style.Float64()*14) + r.NormFloat64()*1.5,
				sigH/2 + (style.Float64()-0.5)*70 + r.NormFloat64()*2,
			}
		}
		x = pts[n-1][0] + 10 + style.Float64()*20
		stroke(img, pts, 1.6, ink)
	}
	// The underline flourish most people add.
	y := sigH - 22 + style.Float64()*8
	stroke(img, [][2]float64{{18, y}, {x * 0.5, y + 4 + r.NormFloat64()}, {min(x, sigW-20), y - 3}}, 1.2, ink)

	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode signature: %w", err)
	}
	return buf.Bytes(), nil
}

// stroke draws a Catmull-Rom curve through pts with a round pen.
func stroke(img *image.Gray, pts [][2]float64, radius float64, c color.Gray) {
	at := func(i int) [2]float64 { return pts[max(0, min(i, len(pts)-1))] }
	for i := 0; i+1 < len(pts); i++ {
		p0, p1, p2, p3 := at(i-1), at(i), at(i+1), at(i+2)
		steps := int(math.Hypot(p2[0]-p1[0], p2[1]-p1[1])) + 1
		for s := 0; s <= steps; s++ {
			t := float64(s) / float64(steps)
			t2, t3 := t*t, t*t*t
			var q [2]float64
			for k := range 2 {
				q[k] = 0.5 * (2*p1[k] + (-p0[k]+p2[k])*t + (2*p0[k]-5*p1[k]+4*p2[k]-p3[k])*t2 + (-p0[k]+3*p1[k]-3*p2[k]+p3[k])*t3)
			}
			dot(img, q[0], q[1], radius, c)
		}
	}
}

func dot(img *image.Gray, cx, cy, r float64, c color.Gray) {
	for y := int(cy - r); y <= int(cy+r)+1; y++ {
		for x := int(cx - r); x <= int(cx+r)+1; x++ {
			if math.Hypot(float64(x)-cx, float64(y)-cy) <= r && image.Pt(x, y).In(img.Rect) {
				img.SetGray(x, y, c)
			}
		}
	}
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

func frame(img *image.RGBA, r image.Rectangle, w int, c color.RGBA) {
	fill(img, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+w), c)
	fill(img, image.Rect(r.Min.X, r.Max.Y-w, r.Max.X, r.Max.Y), c)
	fill(img, image.Rect(r.Min.X, r.Min.Y, r.Min.X+w, r.Max.Y), c)
	fill(img, image.Rect(r.Max.X-w, r.Min.Y, r.Max.X, r.Max.Y), c)
}

func disc(img *image.RGBA, cx, cy, rad int, c color.RGBA) {
	for y := cy - rad; y <= cy+rad; y++ {
		for x := cx - rad; x <= cx+rad; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= rad*rad && image.Pt(x, y).In(img.Rect) {
				img.SetRGBA(x, y, c)
			}
		}
	}
}

// shade varies a colour by up to ±d per channel, so lighting differs per photo.
func shade(r *rand.Rand, c color.RGBA, d int) color.RGBA {
	v := func(x uint8) uint8 { return uint8(max(0, min(255, int(x)+r.IntN(2*d+1)-d))) }
	return color.RGBA{v(c.R), v(c.G), v(c.B), 255}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
