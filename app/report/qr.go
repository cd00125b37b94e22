package report

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// qrPath is a QR code as PDF path operators, built once per report and drawn
// on every page. Vector modules print crisp at any size and cost a few
// hundred bytes a page; an image would be blurred by scaling.
type qrPath struct {
	ops     string
	modules int
}

// newQR encodes content at level M (15% of the code may be soiled or
// creased and it still scans) and draws it size mm square at (x, y) on an A4
// page in mm. Each row's dark modules are merged into runs and filled as one
// path, so that no seams show between neighbouring modules.
func newQR(content string, x, y, size float64) (qrPath, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return qrPath{}, fmt.Errorf("encode QR code: %w", err)
	}
	q.DisableBorder = true // the page around it is the quiet zone
	bm := q.Bitmap()
	n := len(bm)
	if n == 0 {
		return qrPath{}, fmt.Errorf("encode QR code: empty symbol")
	}
	k := 72 / 25.4 // mm to pt
	m := size / float64(n)
	var b strings.Builder
	b.WriteString("q 0 g\n")
	for r, row := range bm {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			s := c
			for c < len(row) && row[c] {
				c++
			}
			// PDF's y axis points up from the bottom of the page.
			fmt.Fprintf(&b, "%.3f %.3f %.3f %.3f re\n",
				(x+float64(s)*m)*k, (pageH-y-float64(r+1)*m)*k, float64(c-s)*m*k, m*k)
		}
	}
	b.WriteString("f Q")
	return qrPath{ops: b.String(), modules: n}, nil
}
