package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"

	"golang.org/x/image/font/sfnt"
)

// This file cuts a TrueType (glyf) font down to the glyphs of a set of runes.
// Table layouts are from the OpenType specification (tables cmap, glyf, loca,
// head, hhea, hmtx, maxp; "Organization of an OpenType font").
//
// Kept unchanged: OS/2, name, post (format 3 only: no glyph names to renumber),
// and the hinting tables cvt, fpgm, prep and gasp, so the cut font has the
// same vertical metrics, names and hinting as the full one. Rebuilt: cmap,
// glyf, loca, hmtx, and the glyph counts in head, hhea and maxp. Dropped:
// every other table. For Droid Sans Fallback these are GDEF, GPOS, GSUB (only
// vertical-writing forms) and vhea/vmtx (vertical metrics): the app and the
// PDF reports lay text out horizontally.

// keptTables are copied from the full font as they are.
var keptTables = []string{"OS/2", "name", "cvt ", "fpgm", "prep", "gasp"}

// fontFile is a parsed sfnt table directory.
type fontFile struct {
	data   []byte
	tables map[string][]byte
}

func parseFont(data []byte) (*fontFile, error) {
	if len(data) < 12 {
		return nil, errors.New("too short for an sfnt header")
	}
	if v := binary.BigEndian.Uint32(data); v != 0x00010000 && v != 0x74727565 { // 1.0 or 'true'
		return nil, fmt.Errorf("sfnt version %#08x: not a TrueType font", v)
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if len(data) < 12+16*n {
		return nil, fmt.Errorf("too short for %d table records", n)
	}
	f := &fontFile{data: data, tables: make(map[string][]byte, n)}
	for i := range n {
		rec := data[12+16*i:]
		tag := string(rec[:4])
		off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(length) > uint64(len(data)) {
			return nil, fmt.Errorf("table %q runs past the end of the file", tag)
		}
		f.tables[tag] = data[off : off+length]
	}
	for _, tag := range []string{"head", "hhea", "hmtx", "maxp", "loca", "glyf", "cmap", "post"} {
		if f.tables[tag] == nil {
			return nil, fmt.Errorf("no %q table", tag)
		}
	}
	if len(f.tables["head"]) < 54 || len(f.tables["hhea"]) < 36 || len(f.tables["maxp"]) < 6 || len(f.tables["post"]) < 32 {
		return nil, errors.New("head, hhea, maxp or post table too short")
	}
	if v := binary.BigEndian.Uint32(f.tables["post"]); v != 0x00030000 {
		return nil, fmt.Errorf("post table version %#08x: only version 3 (no glyph names) is supported", v)
	}
	return f, nil
}

func (f *fontFile) numGlyphs() int { return int(binary.BigEndian.Uint16(f.tables["maxp"][4:])) }

// glyph returns the outline data of glyph gid (empty for a glyph with no
// outline, such as a space).
func (f *fontFile) glyph(gid int) ([]byte, error) {
	loca, glyf := f.tables["loca"], f.tables["glyf"]
	var start, end uint32
	if binary.BigEndian.Uint16(f.tables["head"][50:]) == 0 { // short offsets, in words
		if len(loca) < 2*(gid+2) {
			return nil, fmt.Errorf("glyph %d: loca table too short", gid)
		}
		start, end = 2*uint32(binary.BigEndian.Uint16(loca[2*gid:])), 2*uint32(binary.BigEndian.Uint16(loca[2*gid+2:]))
	} else {
		if len(loca) < 4*(gid+2) {
			return nil, fmt.Errorf("glyph %d: loca table too short", gid)
		}
		start, end = binary.BigEndian.Uint32(loca[4*gid:]), binary.BigEndian.Uint32(loca[4*gid+4:])
	}
	if start > end || end > uint32(len(glyf)) {
		return nil, fmt.Errorf("glyph %d: bad loca offsets %d..%d", gid, start, end)
	}
	return glyf[start:end], nil
}

// Composite glyph flags (glyf table).
const (
	argsAreWords   = 0x0001
	haveScale      = 0x0008
	moreComponents = 0x0020
	haveXYScale    = 0x0040
	haveTwoByTwo   = 0x0080
)

// components calls fn with the offset, within g, of each component's glyph
// index if g is a composite glyph.
func components(g []byte, fn func(off int)) error {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil // empty or simple
	}
	for p := 10; ; {
		if p+4 > len(g) {
			return errors.New("composite glyph runs past its end")
		}
		flags := binary.BigEndian.Uint16(g[p:])
		fn(p + 2)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			return nil
		}
	}
}

// subset returns f cut down to runes (each must have a glyph) and .notdef.
// New glyph IDs follow rune order, so runs of consecutive runes become runs
// of consecutive glyphs and the cmap stays small; glyphs used only as parts
// of composites come after them.
func subset(f *fontFile, runes []rune) ([]byte, error) {
	sf, err := sfnt.Parse(f.data)
	if err != nil {
		return nil, fmt.Errorf("parse font: %w", err)
	}
	runes = slices.Clone(runes)
	slices.Sort(runes)
	runes = slices.Compact(runes)

	oldOf := []int{0}          // new glyph ID -> old
	newOf := map[int]int{0: 0} // old glyph ID -> new
	add := func(old int) int {
		if id, ok := newOf[old]; ok {
			return id
		}
		newOf[old] = len(oldOf)
		oldOf = append(oldOf, old)
		return len(oldOf) - 1
	}
	cmap := make([]mapping, 0, len(runes))
	var buf sfnt.Buffer
	for _, r := range runes {
		if r > 0xFFFF {
			return nil, fmt.Errorf("%U: only the Basic Multilingual Plane is supported", r)
		}
		gi, err := sf.GlyphIndex(&buf, r)
		if err != nil || gi == 0 {
			return nil, fmt.Errorf("the font has no glyph for %q (%U)", r, r)
		}
		cmap = append(cmap, mapping{r: r, gid: add(int(gi))})
	}
	// Pull in composite parts; oldOf grows while it is walked.
	for i := 0; i < len(oldOf); i++ {
		g, err := f.glyph(oldOf[i])
		if err != nil {
			return nil, err
		}
		var bad error
		if err := components(g, func(off int) {
			part := int(binary.BigEndian.Uint16(g[off:]))
			if part >= f.numGlyphs() {
				bad = fmt.Errorf("glyph %d uses glyph %d, past the last", oldOf[i], part)
			}
			add(part)
		}); err != nil {
			return nil, fmt.Errorf("glyph %d: %w", oldOf[i], err)
		}
		if bad != nil {
			return nil, bad
		}
	}
	if len(oldOf) > 0xFFFF {
		return nil, fmt.Errorf("%d glyphs: too many for one font", len(oldOf))
	}

	glyf, loca, err := buildGlyf(f, oldOf, newOf)
	if err != nil {
		return nil, err
	}
	hmtx, nHMetrics, err := buildHmtx(f, oldOf)
	if err != nil {
		return nil, err
	}
	cmapTable, err := buildCmap(cmap)
	if err != nil {
		return nil, err
	}

	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set once the file is whole
	binary.BigEndian.PutUint16(head[50:], 1) // indexToLocFormat: long offsets
	hhea := slices.Clone(f.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(nHMetrics))
	maxp := slices.Clone(f.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(len(oldOf)))
	post := slices.Clone(f.tables["post"][:32])

	tables := map[string][]byte{
		"cmap": cmapTable, "glyf": glyf, "loca": loca, "hmtx": hmtx,
		"head": head, "hhea": hhea, "maxp": maxp, "post": post,
	}
	for _, tag := range keptTables {
		if t := f.tables[tag]; t != nil {
			tables[tag] = t
		}
	}
	return writeFont(tables), nil
}

// mapping is one cmap entry of the cut font.
type mapping struct {
	r   rune
	gid int
}

func buildGlyf(f *fontFile, oldOf []int, newOf map[int]int) (glyf, loca []byte, err error) {
	loca = make([]byte, 4*(len(oldOf)+1))
	for id, old := range oldOf {
		g, err := f.glyph(old)
		if err != nil {
			return nil, nil, err
		}
		g = slices.Clone(g)
		if err := components(g, func(off int) {
			binary.BigEndian.PutUint16(g[off:], uint16(newOf[int(binary.BigEndian.Uint16(g[off:]))]))
		}); err != nil {
			return nil, nil, fmt.Errorf("glyph %d: %w", old, err)
		}
		binary.BigEndian.PutUint32(loca[4*id:], uint32(len(glyf)))
		glyf = append(glyf, g...)
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
	}
	binary.BigEndian.PutUint32(loca[4*len(oldOf):], uint32(len(glyf)))
	return glyf, loca, nil
}

// buildHmtx writes each kept glyph's advance and left side bearing, with the
// trailing run of equal advances stored once, as the format allows.
func buildHmtx(f *fontFile, oldOf []int) ([]byte, int, error) {
	hmtx := f.tables["hmtx"]
	n := int(binary.BigEndian.Uint16(f.tables["hhea"][34:]))
	if n == 0 || len(hmtx) < 4*n+2*(f.numGlyphs()-n) {
		return nil, 0, errors.New("hmtx table too short")
	}
	metric := func(gid int) (adv, lsb uint16) {
		if gid < n {
			return binary.BigEndian.Uint16(hmtx[4*gid:]), binary.BigEndian.Uint16(hmtx[4*gid+2:])
		}
		return binary.BigEndian.Uint16(hmtx[4*(n-1):]), binary.BigEndian.Uint16(hmtx[4*n+2*(gid-n):])
	}
	advs, lsbs := make([]uint16, len(oldOf)), make([]uint16, len(oldOf))
	for id, old := range oldOf {
		advs[id], lsbs[id] = metric(old)
	}
	long := len(advs)
	for long > 1 && advs[long-1] == advs[long-2] {
		long--
	}
	out := make([]byte, 0, 4*long+2*(len(oldOf)-long))
	for id := range oldOf {
		if id < long {
			out = binary.BigEndian.AppendUint16(out, advs[id])
		}
		out = binary.BigEndian.AppendUint16(out, lsbs[id])
	}
	return out, long, nil
}

// buildCmap writes a format 4 subtable, referenced as both Unicode BMP (0,3)
// and Windows Unicode BMP (3,1). Each run of consecutive runes with
// consecutive glyph IDs is one segment using idDelta, so no glyphIdArray is
// needed.
func buildCmap(m []mapping) ([]byte, error) {
	type segment struct{ start, end, delta uint16 }
	var segs []segment
	for i := 0; i < len(m); {
		j := i + 1
		for j < len(m) && m[j].r == m[j-1].r+1 && m[j].gid == m[j-1].gid+1 {
			j++
		}
		segs = append(segs, segment{uint16(m[i].r), uint16(m[j-1].r), uint16(m[i].gid - int(m[i].r))})
		i = j
	}
	if len(segs) == 0 || segs[len(segs)-1].end != 0xFFFF {
		segs = append(segs, segment{0xFFFF, 0xFFFF, 1}) // the required last segment, mapping to .notdef
	}
	length := 16 + 8*len(segs)
	if length > 0xFFFF {
		return nil, fmt.Errorf("cmap format 4 would be %d bytes, over its 65535 limit", length)
	}
	sub := make([]byte, 0, length)
	u16 := func(v uint16) { sub = binary.BigEndian.AppendUint16(sub, v) }
	segX2 := uint16(2 * len(segs))
	searchRange := uint16(2)
	entrySelector := uint16(0)
	for int(searchRange)*2 <= int(segX2) {
		searchRange *= 2
		entrySelector++
	}
	u16(4)
	u16(uint16(length))
	u16(0) // language
	u16(segX2)
	u16(searchRange)
	u16(entrySelector)
	u16(segX2 - searchRange)
	for _, s := range segs {
		u16(s.end)
	}
	u16(0) // reservedPad
	for _, s := range segs {
		u16(s.start)
	}
	for _, s := range segs {
		u16(s.delta)
	}
	for range segs {
		u16(0) // idRangeOffset
	}

	const header = 4 + 2*8 // version, numTables, two encoding records
	out := make([]byte, 0, header+len(sub))
	out = binary.BigEndian.AppendUint16(out, 0)
	out = binary.BigEndian.AppendUint16(out, 2)
	for _, enc := range [][2]uint16{{0, 3}, {3, 1}} {
		out = binary.BigEndian.AppendUint16(out, enc[0])
		out = binary.BigEndian.AppendUint16(out, enc[1])
		out = binary.BigEndian.AppendUint32(out, header)
	}
	return append(out, sub...), nil
}

// writeFont lays the tables out in tag order, each 4-byte aligned, with
// their checksums and the head table's whole-file checksum adjustment.
func writeFont(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	searchRange, entrySelector := 1, 0
	for searchRange*2 <= n {
		searchRange *= 2
		entrySelector++
	}
	searchRange *= 16

	out := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(out[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-searchRange))
	headAt := 0
	for i, tag := range tags {
		t := tables[tag]
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
		if tag == "head" {
			headAt = len(out)
		}
		rec := out[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(t))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(t)))
		out = append(out, t...)
	}
	for len(out)%4 != 0 {
		out = append(out, 0)
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

// checksum is the sfnt table checksum: the sum of big-endian uint32 words,
// the last one padded with zeros.
func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
