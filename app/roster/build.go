package roster

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// headerSearch is how many non-blank rows may precede the header: HR exports
// often start with a title row such as "2025年花名册", sometimes a date line.
const headerSearch = 5

// header is the column layout of a file: the index of each known column, or -1.
type header struct {
	rec   record
	index [numCols]int
	found int // known columns found
	dup   string
}

func parseHeader(rec record) header {
	h := header{rec: rec}
	for i := range h.index {
		h.index[i] = -1
	}
	for i, cell := range rec.fields {
		col, ok := headerAliases[headerKey(cell)]
		if !ok {
			continue
		}
		if prev := h.index[col]; prev >= 0 {
			if h.dup == "" {
				h.dup = fmt.Sprintf("columns %d and %d are both %s (%q and %q)",
					prev+1, i+1, fieldNames[col], clean(rec.fields[prev]), clean(cell))
			}
			continue
		}
		h.index[col] = i
		h.found++
	}
	return h
}

func (h header) missing() []string {
	var m []string
	for col := range numCols {
		if required[col] && h.index[col] < 0 {
			m = append(m, fmt.Sprintf("%s (%s)", fieldLabels[col], fieldNames[col]))
		}
	}
	return m
}

// findHeader picks the first of the leading rows that names every required
// column. When none does, it returns the best candidate, for the error.
func findHeader(recs []record) (h header, pos int, ok bool) {
	best, bestPos, seen := header{found: -1}, -1, 0
	for i, rec := range recs {
		if rec.blank() {
			continue
		}
		if seen == headerSearch {
			break
		}
		seen++
		cand := parseHeader(rec)
		if len(cand.missing()) == 0 {
			return cand, i, true
		}
		if cand.found > best.found {
			best, bestPos = cand, i
		}
	}
	return best, bestPos, false
}

func (h header) value(rec record, col int) string {
	i := h.index[col]
	if i < 0 || i >= len(rec.fields) {
		return ""
	}
	return clean(rec.fields[i])
}

// candidate is a data row on its way to becoming a Row.
type candidate struct {
	row      Row
	raw      [numCols]string // cleaned values as written, to tell duplicates apart
	rejected bool
}

func build(name string, t *table) (*File, error) {
	f := &File{Name: name, Encoding: t.encoding, Lines: t.lines, Warnings: t.warnings}

	h, pos, ok := findHeader(t.records)
	if pos < 0 {
		return nil, fmt.Errorf("parse roster %s: %w: the file is empty", name, ErrNoHeader)
	}
	if !ok {
		var found []string
		for _, c := range h.rec.fields {
			if c := clean(c); c != "" {
				found = append(found, fmt.Sprintf("%q", c))
			}
		}
		return nil, fmt.Errorf("parse roster %s line %d: %w %s; found headers %s "+
			"(want 工号/employee_no, 姓名/name, 性别/gender, 岗位/role, 营业厅/hall and optionally 服务证号/badge)",
			name, h.rec.line, ErrMissingColumns, strings.Join(h.missing(), ", "), strings.Join(found, ", "))
	}
	if h.dup != "" {
		return nil, fmt.Errorf("parse roster %s line %d: %w: %s", name, h.rec.line, ErrDuplicateColumn, h.dup)
	}
	if pos > 0 {
		n := countNonBlank(t.records[:pos])
		f.Warnings = append(f.Warnings, bilingual(fmt.Sprintf("表头在第 %d 行，已跳过其上方的 %d 行", h.rec.line, n),
			fmt.Sprintf("skipped %d line(s) above the header on line %d", n, h.rec.line)))
	}

	known := make(map[int]bool)
	for _, i := range h.index {
		if i >= 0 {
			known[i] = true
		}
	}
	for i, c := range h.rec.fields {
		if c := clean(c); c != "" && !known[i] {
			f.Warnings = append(f.Warnings, bilingual(fmt.Sprintf("已忽略第 %d 列 %q", i+1, c),
				fmt.Sprintf("ignored column %d %q", i+1, c)))
		}
	}
	if h.index[colBadge] < 0 {
		f.Warnings = append(f.Warnings, bilingual("没有服务证号列，服务证号保持不变",
			"no 服务证号 (badge) column; badges are left as they are"))
	}

	unnamed := make(map[int]int) // column without a header → first line with data in it
	var cands []*candidate
	for _, rec := range t.records[pos+1:] {
		if rec.blank() {
			continue
		}
		for i, c := range rec.fields {
			if i >= len(h.rec.fields) || clean(h.rec.fields[i]) == "" {
				if _, seen := unnamed[i]; !seen && clean(c) != "" {
					unnamed[i] = rec.line
				}
			}
		}
		if c := checkRecord(f, t, h, rec); c != nil {
			cands = append(cands, c)
		}
	}
	for _, i := range slices.Sorted(maps.Keys(unnamed)) {
		if !t.ragged || i < len(h.rec.fields) {
			f.Warnings = append(f.Warnings, bilingual(
				fmt.Sprintf("已忽略第 %d 列：该列没有表头，但有数据（首次出现在第 %d 行）", i+1, unnamed[i]),
				fmt.Sprintf("ignored column %d: it has no header but holds data (first on line %d)", i+1, unnamed[i])))
		}
	}

	checkDuplicates(f, cands)
	for _, c := range cands {
		if !c.rejected {
			f.Rows = append(f.Rows, c.row)
		}
	}
	slices.SortStableFunc(f.Rejects, func(a, b Reject) int { return cmp.Compare(a.Line, b.Line) })
	warnDuplicateBadges(f)
	if len(f.Rows) == 0 && len(f.Rejects) == 0 {
		f.Warnings = append(f.Warnings, bilingual("表头下方没有数据行", "no data rows below the header"))
	}
	return f, nil
}

// checkRecord validates one data row, adding a Reject per problem. It returns
// nil when the row is too garbled to say anything about its fields.
func checkRecord(f *File, t *table, h header, rec record) *candidate {
	reject := func(c *candidate, field, value, reason string) {
		c.rejected = true
		f.Rejects = append(f.Rejects, Reject{File: f.Name, Line: rec.line, Field: field, Value: value, Reason: reason,
			EmployeeNo: normID(c.raw[colEmployeeNo]), Name: c.raw[colName]})
	}
	c := &candidate{row: Row{Line: rec.line}}
	for col := range numCols {
		c.raw[col] = h.value(rec, col)
	}

	if t.ragged && wrongWidth(rec, len(h.rec.fields)) {
		// A shifted row has every value in the wrong column, so checking the
		// fields one by one would only add noise.
		zh := fmt.Sprintf("该行有 %d 列，表头有 %d 列", len(rec.fields), len(h.rec.fields))
		en := fmt.Sprintf("row has %d columns, the header has %d", len(rec.fields), len(h.rec.fields))
		if rec.last > rec.line {
			// The quote swallowed the lines up to rec.last, and with them
			// possibly other people: say nobody is identified, so that Plan
			// does not deactivate those people as missing.
			zh += fmt.Sprintf("，且一直延续到第 %d 行，可能是引号 (\") 不成对", rec.last)
			en += fmt.Sprintf("; it runs on to line %d, probably because of an unbalanced quote (\")", rec.last)
			c.raw[colEmployeeNo], c.raw[colName] = "", ""
		} else if len(rec.fields) > len(h.rec.fields) && t.delim == ',' {
			zh += "；含逗号的值必须加引号"
			en += "; a value containing a comma must be quoted"
		}
		reject(c, "", "", bilingual(zh, en))
		return nil
	}
	if rec.last > rec.line {
		for col := range numCols {
			if strings.Contains(c.raw[col], "\n") {
				c.raw[colEmployeeNo], c.raw[colName] = "", ""
				reject(c, fieldNames[col], c.raw[col], bilingual(
					fmt.Sprintf("%s含有换行（该行延续到第 %d 行），请检查引号 (\") 是否成对", fieldLabels[col], rec.last),
					fmt.Sprintf("contains a line break (the row runs on to line %d); check for an unbalanced quote (\")", rec.last)))
			}
		}
		if c.rejected {
			return nil
		}
	}

	if v := c.raw[colEmployeeNo]; v == "" {
		reject(c, FieldEmployeeNo, v, requiredEmpty(colEmployeeNo, "", ""))
	} else if id := normID(v); checkID(fieldLabels[colEmployeeNo], id) != "" {
		reject(c, FieldEmployeeNo, v, checkID(fieldLabels[colEmployeeNo], id))
	} else {
		c.row.EmployeeNo = id
	}

	if v := c.raw[colName]; v == "" {
		reject(c, FieldName, v, requiredEmpty(colName, "", ""))
	} else if why := checkName(v); why != "" {
		reject(c, FieldName, v, why)
	} else {
		c.row.Name = v
	}

	if v := c.raw[colGender]; v == "" {
		reject(c, FieldGender, v, requiredEmpty(colGender, expectGendersZh, expectGenders))
	} else if g, ok := genders[valueKey(v)]; !ok {
		reject(c, FieldGender, v, bilingual("无法识别的性别（"+expectGendersZh+"）", "unknown gender ("+expectGenders+")"))
	} else {
		c.row.Gender = g
	}

	if v := c.raw[colRole]; v == "" {
		reject(c, FieldRole, v, requiredEmpty(colRole, expectRolesZh, expectRoles))
	} else if r, ok := roles[valueKey(v)]; !ok {
		reject(c, FieldRole, v, bilingual("无法识别的岗位（"+expectRolesZh+"）", "unknown role ("+expectRoles+")"))
	} else {
		c.row.Role = r
	}

	if v := c.raw[colHall]; v == "" {
		reject(c, FieldHall, v, requiredEmpty(colHall, "", ""))
	} else if hasControl(v) {
		reject(c, FieldHall, v, bilingual("营业厅含有换行或控制字符", "contains a line break or control character"))
	} else {
		c.row.Hall = v
	}

	if v := c.raw[colBadge]; v != "" {
		if id := normID(v); checkID(fieldLabels[colBadge], id) != "" {
			reject(c, FieldBadge, v, checkID(fieldLabels[colBadge], id))
		} else {
			c.row.Badge = id
		}
	}
	return c
}

// requiredEmpty is the reason for an empty required cell, with what the
// column expects when there is a fixed list of values.
func requiredEmpty(col int, expectZh, expectEn string) string {
	zh, en := fieldLabels[col]+"不能为空", "required, but empty"
	if expectEn != "" {
		zh += "（" + expectZh + "）"
		en += " (" + expectEn + ")"
	}
	return bilingual(zh, en)
}

// wrongWidth reports a CSV row whose values do not line up with the header.
// Extra empty cells are harmless: Excel pads rows to the widest one.
func wrongWidth(rec record, want int) bool {
	if len(rec.fields) < want {
		return true
	}
	for _, c := range rec.fields[want:] {
		if clean(c) != "" {
			return true
		}
	}
	return false
}

// checkDuplicates rejects rows that repeat an employee number. The first
// occurrence stays only when every repeat is identical to it (a row pasted
// twice); when they differ we cannot know which one HR meant, so all go.
func checkDuplicates(f *File, cands []*candidate) {
	byNo := make(map[string][]*candidate)
	var order []string
	for _, c := range cands {
		no := normID(c.raw[colEmployeeNo])
		if no == "" {
			continue
		}
		if _, ok := byNo[no]; !ok {
			order = append(order, no)
		}
		byNo[no] = append(byNo[no], c)
	}
	for _, no := range order {
		group := byNo[no]
		if len(group) < 2 {
			continue
		}
		first := group[0]
		var differ []int
		for _, c := range group[1:] {
			c.rejected = true
			f.Rejects = append(f.Rejects, Reject{File: f.Name, Line: c.row.Line, Field: FieldEmployeeNo, Value: no,
				Reason: bilingual(fmt.Sprintf("工号 %s 重复，首次出现在第 %d 行", no, first.row.Line),
					fmt.Sprintf("duplicate employee number %s, first on line %d", no, first.row.Line)),
				EmployeeNo: no, Name: c.raw[colName]})
			if c.raw != first.raw {
				differ = append(differ, c.row.Line)
			}
		}
		if len(differ) > 0 {
			first.rejected = true
			f.Rejects = append(f.Rejects, Reject{File: f.Name, Line: first.row.Line, Field: FieldEmployeeNo, Value: no,
				Reason: bilingual(fmt.Sprintf("工号 %s 重复，%s的信息与本行不同", no, lineListZh(differ)),
					fmt.Sprintf("duplicate employee number %s, with different details on line %s", no, lineList(differ))),
				EmployeeNo: no, Name: first.raw[colName]})
		}
	}
}

// warnDuplicateBadges only warns: a badge number is printed on a card, and a
// clash is a typo for HR to fix, not a reason to refuse the person.
func warnDuplicateBadges(f *File) {
	lines := make(map[string][]int)
	var order []string
	for _, r := range f.Rows {
		if r.Badge == "" {
			continue
		}
		if _, ok := lines[r.Badge]; !ok {
			order = append(order, r.Badge)
		}
		lines[r.Badge] = append(lines[r.Badge], r.Line)
	}
	for _, b := range order {
		if l := lines[b]; len(l) > 1 {
			f.Warnings = append(f.Warnings, bilingual(fmt.Sprintf("服务证号 %s 出现在多行：%s", b, lineListZh(l)),
				fmt.Sprintf("badge %s is on several rows: lines %s", b, lineList(l))))
		}
	}
}

func countNonBlank(recs []record) int {
	n := 0
	for _, r := range recs {
		if !r.blank() {
			n++
		}
	}
	return n
}
