package report

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
