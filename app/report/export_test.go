package report

import (
	"bytes"
	"fmt"
	"time"
)

// Exported for the tests in report_test.
var (
	WrapText  = wrapText
	IsClosing = isClosing
	IsOpening = isOpening
)

// MeasureBody measures runes as the report's body text does, in mm.
func MeasureBody() (func(rune) float64, error) {
	m, err := loadMetrics()
	if err != nil {
		return nil, err
	}
	k := stBody.size * ptMM / 1000
	return func(r rune) float64 { return float64(m.units(r, stBody)) * k }, nil
}

// TrimmedFont reports whether reports embed from the trimmed CJK font.
func TrimmedFont() bool {
	m, err := loadMetrics()
	return err == nil && m.trimmed != nil
}

// Normalize is the normalization every drawn text goes through.
func Normalize(s string) string {
	m, err := loadMetrics()
	if err != nil {
		panic(err)
	}
	return m.normalize(s)
}

// BarChartAt renders a document with one bar chart of labels (counts 10,
// 9, …), headed as the summary heads its clause chart, starting y mm down
// page 1: to check that a chart is never split, wherever it starts.
func BarChartAt(y float64, labels []string) ([]byte, error) {
	m, err := loadMetrics()
	if err != nil {
		return nil, err
	}
	d := newDoc(m, time.Date(2026, 1, 1, 0, 0, 0, 0, CST), "chart")
	d.y = y
	var bars []bar
	for i, l := range labels {
		bars = append(bars, bar{label: l, n: len(labels) - i, color: colBad})
	}
	d.section("违规最多的条款", "Most violated clauses", d.barRowsH(bars, clauseLabelW))
	d.barRows(bars, clauseLabelW)
	var buf bytes.Buffer
	err = d.finish(&buf, func(page, pages int) { d.text(marginL, footerTop, fmt.Sprintf("Page %d/%d", page, pages), stBody) })
	return buf.Bytes(), err
}
