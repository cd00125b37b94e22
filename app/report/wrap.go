package report

import "strings"

// wrapText breaks text into lines no wider than width, as measured by
// advance (the width of one rune, in the same unit as width).
//
// It exists because gofpdf's own MultiCell and SplitText drop a CJK character
// at every wrap. Every rune of text appears in the lines, in order, once,
// except for the spaces where a line breaks and the "\n" that separate
// paragraphs (each "\n" starts a new line; an empty paragraph is an empty
// line). Lines break:
//   - after spaces, which hang past the end of the line and are trimmed;
//   - between CJK characters, and between a CJK character and a Latin word;
//   - never inside a run of Latin letters, digits and ASCII punctuation
//     unless that run alone is wider than a line, when it breaks by rune;
//   - never before closing punctuation (，。、）》 …) nor after opening
//     punctuation (（《「 …), so punctuation stays with the word it belongs to.
func wrapText(text string, width float64, advance func(rune) float64) []string {
	var lines []string
	for para := range strings.SplitSeq(text, "\n") {
		lines = wrapParagraph(lines, []rune(para), width, advance)
	}
	return lines
}

func wrapParagraph(lines []string, rs []rune, width float64, advance func(rune) float64) []string {
	if len(rs) == 0 {
		return append(lines, "")
	}
	brk := breaks(rs)
	start := 0
	for start < len(rs) {
		w := 0.0
		last := -1 // the last break opportunity after start seen so far
		i := start
		for ; i < len(rs); i++ {
			r := rs[i]
			if i > start && brk[i] {
				last = i
			}
			a := advance(r)
			// Spaces may hang past the end; they are trimmed below. A line
			// always takes at least one rune, so wrapping ends even when a
			// single rune is wider than the line.
			if w+a > width && !isSpace(r) && i > start {
				break
			}
			w += a
		}
		if i == len(rs) {
			lines = append(lines, trimSpaceRight(rs[start:]))
			break
		}
		cut := i
		if last > start {
			cut = last
		} else {
			// Forced: nothing on this line allows a break, so the run is
			// cut by rune, still keeping punctuation where it belongs if
			// the line has room to give.
			for cut > start+1 && badCut(rs, cut) {
				cut--
			}
		}
		lines = append(lines, trimSpaceRight(rs[start:cut]))
		start = cut
		for start < len(rs) && isSpace(rs[start]) {
			start++
		}
	}
	return lines
}

// breaks returns, for each index i, whether a line may break before rs[i].
func breaks(rs []rune) []bool {
	brk := make([]bool, len(rs))
	prevSolid := rune(-1) // the last non-space rune before i
	for i := 1; i < len(rs); i++ {
		a, b := rs[i-1], rs[i]
		if !isSpace(a) {
			prevSolid = a
		}
		var ok bool
		switch {
		case isSpace(b):
			ok = false // break after the spaces, not before them
		case isSpace(a):
			ok = true
		case ideographic(a) || ideographic(b):
			// Dashes and ellipses come in pairs in Chinese (——, ……).
			ok = !(a == b && (a == '—' || a == '…' || a == '⋯'))
		}
		if ok && (isClosing(b) || prevSolid >= 0 && isOpening(prevSolid)) {
			ok = false
		}
		brk[i] = ok
	}
	return brk
}

// badCut reports whether cutting before rs[cut] would start a line with
// closing punctuation or end one with opening punctuation, looking past the
// spaces that a cut drops.
func badCut(rs []rune, cut int) bool {
	next := cut
	for next < len(rs) && isSpace(rs[next]) {
		next++
	}
	prev := cut - 1
	for prev >= 0 && isSpace(rs[prev]) {
		prev--
	}
	return next < len(rs) && isClosing(rs[next]) || prev >= 0 && isOpening(rs[prev])
}

func trimSpaceRight(rs []rune) string {
	end := len(rs)
	for end > 0 && isSpace(rs[end-1]) {
		end--
	}
	return string(rs[:end])
}
