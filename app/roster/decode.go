package roster

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func normaliseEncoding(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "utf-8", "utf8":
		return EncodingUTF8, nil
	case "gbk", "cp936", "gb2312":
		// GB2312 is a subset of GBK, and Windows labels CP936 "ANSI".
		return EncodingGBK, nil
	case "gb18030":
		return EncodingGB18030, nil
	}
	return "", fmt.Errorf("%w: unknown encoding %q (expected utf-8, gbk or gb18030)", ErrEncoding, s)
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// decode turns CSV bytes into text. Without a forced encoding it trusts a BOM,
// then valid UTF-8, and falls back to GBK because that is what Excel writes as
// "CSV" on Chinese Windows. A GBK file that happens to be valid UTF-8 is
// practically impossible for Chinese text, so the order is safe.
func decode(name string, data []byte, forced string) (text, enc string, err error) {
	switch {
	case forced == "" && bytes.HasPrefix(data, bomUTF8):
		return checkUTF8(name, data[len(bomUTF8):], len(bomUTF8))
	case forced == "" && bytes.HasPrefix(data, bomUTF16LE):
		// Excel's "Unicode text" export.
		return decodeUTF16(name, data, unicode.LittleEndian, EncodingUTF16LE)
	case forced == "" && bytes.HasPrefix(data, bomUTF16BE):
		return decodeUTF16(name, data, unicode.BigEndian, EncodingUTF16BE)
	case forced == "" && utf8.Valid(data):
		return string(data), EncodingUTF8, nil
	case forced == "":
		if off, ok := damagedUTF8(data); ok {
			return "", "", encodingError(name, data, off, 0, EncodingUTF8, true)
		}
		return decodeGB(name, data, simplifiedchinese.GBK, EncodingGBK, true)
	case forced == EncodingUTF8:
		// A BOM is still not part of the text when the user insists on UTF-8.
		if bytes.HasPrefix(data, bomUTF8) {
			return checkUTF8(name, data[len(bomUTF8):], len(bomUTF8))
		}
		return checkUTF8(name, data, 0)
	case forced == EncodingGBK:
		return decodeGB(name, data, simplifiedchinese.GBK, EncodingGBK, false)
	default:
		return decodeGB(name, data, simplifiedchinese.GB18030, EncodingGB18030, false)
	}
}

// damagedUTF8 tells UTF-8 with a few broken bytes (a truncated copy, a bad
// edit) from GBK, and returns the first broken byte. Decoding such a file as
// GBK would not fail: it would turn every name into plausible mojibake. Only
// about one GBK character in ten also happens to be a valid UTF-8 sequence, so
// a file where valid sequences far outnumber broken ones is UTF-8.
func damagedUTF8(data []byte) (first int, ok bool) {
	first = -1
	valid, broken, inBroken := 0, 0, false
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		bad := r == utf8.RuneError && size <= 1
		switch {
		case bad && first < 0:
			first = i
			fallthrough
		case bad && !inBroken:
			broken++ // a damaged character is several bad bytes in a row
		case size > 1:
			valid++
		}
		inBroken = bad
		i += size
	}
	return first, broken > 0 && valid >= 4*broken
}

func checkUTF8(name string, data []byte, skipped int) (string, string, error) {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return "", "", encodingError(name, data, i, skipped, EncodingUTF8, false)
		}
		i += size
	}
	return string(data), EncodingUTF8, nil
}

func decodeUTF16(name string, data []byte, order unicode.Endianness, label string) (string, string, error) {
	out, err := unicode.UTF16(order, unicode.ExpectBOM).NewDecoder().Bytes(data)
	if err != nil {
		return "", "", fmt.Errorf("parse roster %s: %w: %s: %v", name, ErrEncoding, label, err)
	}
	return string(out), label, nil
}

func decodeGB(name string, data []byte, e encoding.Encoding, label string, detected bool) (string, string, error) {
	out, err := e.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", fmt.Errorf("parse roster %s: %w: %s: %v", name, ErrEncoding, label, err)
	}
	// The decoder substitutes U+FFFD for bytes it cannot map. A name silently
	// losing a character is worse than refusing the file, so find the first
	// bad byte and report it.
	if bytes.ContainsRune(out, utf8.RuneError) {
		if off := firstBadGB(data, e, label == EncodingGB18030); off >= 0 {
			return "", "", encodingError(name, data, off, 0, label, detected)
		}
	}
	return string(out), label, nil
}

// firstBadGB returns the offset of the first byte sequence that e cannot decode,
// or -1. It mirrors the decoder's sequence lengths and asks the decoder itself
// about each sequence, so it cannot disagree with the real decode.
func firstBadGB(data []byte, e encoding.Encoding, gb18030 bool) int {
	dec := e.NewDecoder()
	for i := 0; i < len(data); {
		c0 := data[i]
		if c0 <= 0x80 {
			i++
			continue
		}
		size := 0
		if c0 < 0xFF && i+1 < len(data) {
			c1 := data[i+1]
			switch {
			case (0x40 <= c1 && c1 < 0x7F) || (0x80 <= c1 && c1 < 0xFF):
				size = 2
			case gb18030 && 0x30 <= c1 && c1 < 0x40 && i+3 < len(data):
				size = 4
			}
		}
		if size == 0 {
			return i
		}
		out, err := dec.Bytes(data[i : i+size])
		if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
			return i
		}
		i += size
	}
	return -1
}

func encodingError(name string, data []byte, off, skipped int, label string, detected bool) error {
	line := bytes.Count(data[:off], []byte{'\n'}) + 1
	end := min(off+2, len(data))
	// The hint is for whoever picked the file, who may read only Chinese.
	hint := bilingual(fmt.Sprintf("文件不是 %s 编码；请让程序自动识别编码，或在 Excel 中另存为「CSV UTF-8」", label),
		fmt.Sprintf("the file is not %s; leave the encoding to be detected, or save the file as \"CSV UTF-8\" in Excel", label))
	switch {
	case detected && label == EncodingUTF8:
		hint = bilingual("文件像是有字节损坏的 UTF-8；请修正该行或重新导出 (如果确实是 GBK，请指定编码)",
			"the file looks like UTF-8 with damaged bytes; fix that line or export the file again (if it is really GBK, force the encoding)")
	case detected:
		hint = bilingual("文件既不是 UTF-8 也不是 GBK；请在 Excel 中另存为「CSV UTF-8」",
			"the file is neither UTF-8 nor GBK; save it as \"CSV UTF-8\" in Excel")
	}
	return fmt.Errorf("parse roster %s line %d: %w: invalid %s byte sequence % x at byte offset %d; %s",
		name, line, ErrEncoding, label, data[off:end], off+skipped, hint)
}
