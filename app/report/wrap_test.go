package report_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dudao-app/dudao/app/report"
)

// units is a simple measure for wrap tests: CJK and full-width characters
// are one unit, everything else half.
func units(r rune) float64 {
	if r >= 0x2e80 {
		return 1
	}
	return 0.5
}

var (
	cjk     = []rune("督导通营业厅员工收银值班长客户电费缴纳规范服务微笑迎接问候引导核实监控")
	words   = []string{"POS", "receipt", "staff", "training", "greeting", "A1.2", "ID", "badge", "system", "lag", "B-12", "OK"}
	digits  = []string{"3", "10:42", "2026", "356.20", "96396", "7"}
	closing = []rune("，。、；：？！）》」”")
	opening = []rune("（《「“")
)

// randomText mixes CJK runs, Latin words, numbers and punctuation. Words and
// numbers may run together into runs longer than a line, which must then
// break by rune. It never puts two punctuation marks together, so a line
// always has room to keep punctuation where it belongs.
func randomText(r *rand.Rand) string {
	var b strings.Builder
	for n := 5 + r.IntN(60); n > 0; n-- {
		switch r.IntN(9) {
		case 0, 1, 2:
			for k := 1 + r.IntN(8); k > 0; k-- {
				b.WriteRune(cjk[r.IntN(len(cjk))])
			}
		case 3:
			b.WriteString(words[r.IntN(len(words))])
		case 4:
			b.WriteString(digits[r.IntN(len(digits))])
		case 5:
			b.WriteByte(' ')
		case 6:
			b.WriteRune(closing[r.IntN(len(closing))])
			b.WriteRune(cjk[r.IntN(len(cjk))])
		case 7:
			b.WriteRune(opening[r.IntN(len(opening))])
			b.WriteRune(cjk[r.IntN(len(cjk))])
		case 8:
			if r.IntN(4) == 0 {
				b.WriteByte('\n')
			} else {
				b.WriteString(" " + words[r.IntN(len(words))] + " ")
			}
		}
	}
	return b.String()
}

func dropSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\u3000' {
			return -1
		}
		return r
	}, s)
}

func width(s string, m func(rune) float64) float64 {
	w := 0.0
	for _, r := range s {
		w += m(r)
	}
	return w
}

func checkWrap(t *testing.T, text string, w float64, m func(rune) float64) {
	t.Helper()
	lines := report.WrapText(text, w, m)
	if got, want := dropSpace(strings.Join(lines, "")), dropSpace(text); got != want {
		t.Fatalf("wrap at %v lost, doubled or reordered runes\ntext:  %q\nlines: %q", w, text, lines)
	}
	// Each paragraph wraps on its own; the rules apply inside a paragraph
	// (its first line may well start with "（").
	var joined []string
	for _, para := range strings.Split(text, "\n") {
		pl := report.WrapText(para, w, m)
		joined = append(joined, pl...)
		for i, ln := range pl {
			if width(ln, m) > w+1e-9 && utf8.RuneCountInString(ln) > 1 {
				t.Errorf("line %d is %.2f wide, more than %v: %q", i, width(ln, m), w, ln)
			}
			if strings.HasSuffix(ln, " ") {
				t.Errorf("line %d ends with a space: %q", i, ln)
			}
			first, _ := utf8.DecodeRuneInString(ln)
			last, _ := utf8.DecodeLastRuneInString(ln)
			if i > 0 && report.IsClosing(first) {
				t.Errorf("line %d starts with closing punctuation %q: %q (previous %q)", i, first, ln, pl[i-1])
			}
			if i+1 < len(pl) && report.IsOpening(last) {
				t.Errorf("line %d ends with opening punctuation %q: %q (next %q)", i, last, ln, pl[i+1])
			}
		}
	}
	if !slices.Equal(joined, lines) {
		t.Errorf("wrapping the paragraphs one by one gives %q, the whole text %q", joined, lines)
	}
}

func TestWrapProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		text := randomText(r)
		w := []float64{8, 12.5, 20, 33}[i%4]
		checkWrap(t, text, w, units)
		if t.Failed() {
			return
		}
	}
}

// TestWrapRealFont wraps with the widths the report prints with.
func TestWrapRealFont(t *testing.T) {
	m, err := report.MeasureBody()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 500 {
		text := randomText(r)
		w := []float64{30, 52, 74.8}[i%3]
		checkWrap(t, text, w, m)
		if t.Failed() {
			return
		}
	}
	checkWrap(t, longNote, 74.8, m)
}

func TestWrapRules(t *testing.T) {
	cases := []struct {
		name, text string
		w          float64
		want       []string
	}{
		{"between CJK", "督导通营业厅", 3, []string{"督导通", "营业厅"}},
		{"comma stays with its character", "督导通，营业厅", 3, []string{"督导", "通，营", "业厅"}},
		{"full stop stays", "督导通。", 3, []string{"督导", "通。"}},
		{"opening bracket moves down", "督导（通）", 3, []string{"督导", "（通）"}},
		{"Latin word whole", "测试POS机", 3, []string{"测试", "POS机"}},
		{"break at spaces", "staff replied wait", 5, []string{"staff", "replied", "wait"}},
		{"spaces hang", "staff     replied", 4, []string{"staff", "replied"}},
		{"long word by rune", "abcdefghij", 2, []string{"abcd", "efgh", "ij"}},
		{"digits whole", "金额356.20元", 4, []string{"金额", "356.20元"}},
		{"forced break keeps the comma", "abcdef，督", 3, []string{"abcde", "f，督"}},
		{"paragraphs", "督导\n\n通", 5, []string{"督导", "", "通"}},
		{"double dash stays together", "好——好", 2, []string{"好——", "好"}},
		{"rune wider than line", "督", 0.5, []string{"督"}},
		{"empty", "", 5, []string{""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := report.WrapText(c.text, c.w, units)
			if !slices.Equal(got, c.want) {
				t.Errorf("WrapText(%q, %v) = %q, want %q", c.text, c.w, got, c.want)
			}
		})
	}
}

// FuzzWrap feeds arbitrary text through normalization and wrapping as the
// report does: nothing visible may be lost, and nothing may panic.
func FuzzWrap(f *testing.F) {
	m, err := report.MeasureBody()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{longNote, "", "\r\n\t😀", "（（（，，，", "abc def\x00ghi", "\xff\xfe", strings.Repeat("W", 300)} {
		f.Add(s, 40.0)
	}
	f.Fuzz(func(t *testing.T, s string, w float64) {
		if !(w > 1 && w < 500) {
			return
		}
		n := report.Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("normalize(%q) = %q, not UTF-8", s, n)
		}
		lines := report.WrapText(n, w, m)
		if got, want := dropSpace(strings.Join(lines, "")), dropSpace(n); got != want {
			t.Fatalf("wrap lost runes:\nin:  %q\nout: %q", n, lines)
		}
	})
}
