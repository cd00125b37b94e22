package ui

import (
	"bytes"
	"image/png"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestSignaturePad(t *testing.T) {
	test.NewTempApp(t)
	strokes := 0
	p := newSignaturePad("sign here", func() { strokes++ })
	w := test.NewTempWindow(t, p)
	w.Resize(fyne.NewSize(300, 200))
	size := p.Size()
	if data, err := p.PNG(); data != nil || err != nil {
		t.Fatalf("an empty pad exports %d bytes, %v", len(data), err)
	}

	// A drag that starts inside and runs out of the pad is kept inside it.
	test.Drag(w.Canvas(), fyne.NewPos(size.Width*0.7, size.Height*0.6), size.Width, size.Height)
	if strokes != 1 || p.Empty() {
		t.Fatalf("after a drag: %d strokes reported, empty %v", strokes, p.Empty())
	}
	for _, pt := range p.strokes[0] {
		if pt.X < 0 || pt.Y < 0 || pt.X > size.Width || pt.Y > size.Height {
			t.Errorf("point %v outside the pad %v", pt, size)
		}
	}

	data, err := p.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != int(size.Width*exportScale) || b.Dy() != int(size.Height*exportScale) {
		t.Errorf("PNG is %v, want twice the pad's %v", b, size)
	}
	inked := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0 {
				inked++
			}
		}
	}
	if inked == 0 {
		t.Error("the exported signature has no ink")
	}

	p.Clear()
	if !p.Empty() {
		t.Error("Clear left strokes")
	}
}
