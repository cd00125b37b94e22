package report_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/dudao-app/dudao/app/report"
)

// BenchmarkRenderInspection renders the fixture: 5 people, 10 findings,
// 4 photos of 1280×960 and 3 signatures, with an amendment. The budget is
// 150 ms a report. The first render of a process also reads the font's
// widths (about 40 ms once); it is done before the timer starts.
func BenchmarkRenderInspection(b *testing.B) {
	fx := newFixture(b)
	var buf bytes.Buffer
	if err := report.RenderInspection(&buf, fx.r, report.Options{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for b.Loop() {
		if err := report.RenderInspection(io.Discard, fx.r, report.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderInspectionRedacted(b *testing.B) {
	fx := newFixture(b)
	for b.Loop() {
		if err := report.RenderInspection(io.Discard, fx.r, report.Options{Redact: true}); err != nil {
			b.Fatal(err)
		}
	}
}
