// Command fontsubset cuts the bundled CJK font down to the characters the app
// shows, so that Fyne, which parses the whole font into memory once for every
// text style, holds a font a fraction of the size. It is run by go generate in
// assets/:
//
//	go run ./tools/fontsubset -full FONT -out SUBSET [-chars LIST]... [-text PATH]...
//
// The subset keeps every character of the font that is not a Han ideograph
// (the space, punctuation, full-width forms, kana, bopomofo, symbols: a few
// hundred glyphs, so that text outside the ideographs draws exactly as with
// the full font), and of the ideographs those of GB 2312, of the -chars lists
// (lines starting with # are comments) and of the -text files (a directory is
// read recursively: .json, .yaml, .go and .txt files). A character the full
// font lacks is left out and counted. The output depends only on the inputs,
// so regenerating with unchanged inputs gives the same bytes.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/encoding/simplifiedchinese"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	var (
		full, out   string
		lists, text multiFlag
	)
	flag.StringVar(&full, "full", "", "the full TrueType font")
	flag.StringVar(&out, "out", "", "where to write the subset")
	flag.Var(&lists, "chars", "a character list to include (repeatable)")
	flag.Var(&text, "text", "a file or directory whose characters to include (repeatable)")
	flag.Parse()
	if full == "" || out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: fontsubset -full FONT -out SUBSET [-chars LIST]... [-text PATH]...")
		os.Exit(2)
	}
	if err := run(os.Stdout, full, out, lists, text); err != nil {
		fmt.Fprintln(os.Stderr, "fontsubset:", err)
		os.Exit(1)
	}
}

// run writes the subset of fullPath to outPath and what went into it to w.
func run(w io.Writer, fullPath, outPath string, lists, texts []string) error {
	data, err := os.ReadFile(fullPath)
	if err != nil {
		return err
	}
	f, err := parseFont(data)
	if err != nil {
		return fmt.Errorf("%s: %w", fullPath, err)
	}
	sf, err := sfnt.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", fullPath, err)
	}
	var buf sfnt.Buffer
	has := func(r rune) bool {
		gi, err := sf.GlyphIndex(&buf, r)
		return err == nil && gi != 0
	}

	set := map[rune]bool{}
	addAll := func(source string, runes []rune) {
		added, missing := 0, 0
		var missingCJK []rune
		for _, r := range runes {
			switch {
			case r < 0x20 || set[r]:
			case !has(r):
				if r < 0x80 {
					continue // ASCII letters and digits come from the Latin font
				}
				missing++
				if r >= 0x2E80 && !slices.Contains(missingCJK, r) {
					missingCJK = append(missingCJK, r)
				}
			default:
				set[r] = true
				added++
			}
		}
		fmt.Fprintf(w, "%-40s %5d new, %4d not in the font\n", source, added, missing)
		if len(missingCJK) > 0 {
			fmt.Fprintf(w, "    CJK not in the font: %s\n", shorten(missingCJK, 40))
		}
	}

	addAll("all but the Han ideographs", nonHan(has))
	addAll("GB 2312", gb2312())
	for _, path := range lists {
		runes, err := readList(path)
		if err != nil {
			return err
		}
		addAll(path, runes)
	}
	for _, path := range texts {
		runes, err := readText(path)
		if err != nil {
			return err
		}
		addAll(path, runes)
	}

	runes := make([]rune, 0, len(set))
	for r := range set {
		runes = append(runes, r)
	}
	slices.Sort(runes)
	ttf, err := subset(f, runes)
	if err != nil {
		return err
	}
	if err := os.WriteFile(outPath, ttf, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d characters, %d bytes (full font %d bytes)\n", outPath, len(runes), len(ttf), len(data))
	return nil
}

// nonHan lists the characters of the Basic Multilingual Plane that are not
// Han ideographs and that has reports the font has.
func nonHan(has func(rune) bool) []rune {
	var out []rune
	for r := rune(0x20); r <= 0xFFFF; r++ {
		if !unicode.Is(unicode.Han, r) && (r < 0xD800 || r > 0xDFFF) && has(r) {
			out = append(out, r)
		}
	}
	return out
}

// gb2312 lists the characters of GB 2312: symbols, kana, Greek, Cyrillic
// (rows 1-9) and the 6,763 hanzi (rows 16-87), read through the GBK decoder,
// which agrees with GB 2312 on its range.
func gb2312() []rune {
	dec := simplifiedchinese.GBK.NewDecoder()
	var out []rune
	for hi := 0xA1; hi <= 0xF7; hi++ {
		for lo := 0xA1; lo <= 0xFE; lo++ {
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err != nil {
				continue
			}
			for _, r := range string(s) {
				if r != '\uFFFD' {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// readList reads a character list: every character of every line that does
// not start with #, whitespace ignored.
func readList(path string) ([]rune, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []rune
	for line := range strings.Lines(string(data)) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, r := range line {
			if r > ' ' {
				out = append(out, r)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no characters", path)
	}
	return out, nil
}

// readText reads every character of a file, or of the .json, .yaml, .go and
// .txt files under a directory.
func readText(path string) ([]rune, error) {
	var out []rune
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if p != path && !slices.Contains([]string{".json", ".yaml", ".yml", ".go", ".txt"}, filepath.Ext(p)) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, []rune(string(data))...)
		return nil
	})
	if err == nil && len(out) == 0 {
		err = errors.New("no text")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// shorten shows at most n runes and how many more there are.
func shorten(runes []rune, n int) string {
	if len(runes) <= n {
		return string(runes)
	}
	return fmt.Sprintf("%s and %d more", string(runes[:n]), len(runes)-n)
}
