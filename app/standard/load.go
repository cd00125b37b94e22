package standard

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/dudao-app/dudao/data"
)

// Problem is one thing wrong with a standard file. It names the file, the line
// when known, the thing (item, section, clause, grade) and the field, because
// the person fixing it is a manager with a text editor, not a developer.
type Problem struct {
	File    string // file name as given to Parse; may be empty
	Line    int    // 1-based line in the file; 0 when unknown
	Subject string // e.g. `item "A3.1"`; empty for the document itself
	Field   string // YAML field path, e.g. "weight" or "text.en"
	Msg     string
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		if p.File == "" {
			b.WriteString("line ")
		} else {
			b.WriteString(":")
		}
		b.WriteString(strconv.Itoa(p.Line))
	}
	for _, part := range []string{p.Subject, fieldLabel(p.Field)} {
		if part == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(part)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

func fieldLabel(f string) string {
	if f == "" {
		return ""
	}
	return "field " + f
}

// ValidationError reports every problem in a standard file at once, so that a
// manager can fix them all in one pass instead of one per import attempt.
type ValidationError struct {
	File     string
	Problems []Problem // in file order
}

// Error lists the problems one per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each problem to errors.Is and errors.As.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// LoadFile reads and validates a standard version from a YAML file.
func LoadFile(path string) (*Version, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load standard: %w", err)
	}
	return Parse(path, b)
}

// Parse decodes and validates a standard version. name labels the problems
// (usually the file name). Fields the format does not know are rejected rather
// than ignored, since a misspelt "critical" or "gender" would otherwise silently
// change how staff are judged. On failure the error is a *ValidationError
// listing every problem found.
func Parse(name string, b []byte) (*Version, error) {
	p := &checker{file: name, decoded: map[string]bool{}}

	// The node tree is parsed separately from the struct decode only to learn
	// line numbers; yaml.v3 cannot decode a Node with KnownFields.
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		p.syntax(err)
		return nil, p.result()
	}
	if len(root.Content) == 0 {
		p.add(elem{}, "", "", "file is empty")
		return nil, p.result()
	}
	if doc := root.Content[0]; doc.Kind != yaml.MappingNode {
		// Everything else would be reported missing; one message says it better.
		p.problems = append(p.problems, Problem{File: name, Line: doc.Line,
			Msg: "the file must be a YAML mapping starting with version:, title:, ..."})
		return nil, p.result()
	}
	ix := indexTree(&root)

	var v Version
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&v); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			p.syntax(err)
			return nil, p.result()
		}
		// The decode went on past these, so the rest of the file can still be
		// checked and reported in the same pass.
		for _, msg := range te.Errors {
			p.decodeProblem(msg, ix)
		}
	}
	p.validate(&v, ix)
	if err := p.result(); err != nil {
		return nil, err
	}
	return &v, nil
}

// Validate checks a version that did not come from a file, such as one
// received from the hub. Problems carry no file name or line.
func (v *Version) Validate() error {
	p := &checker{decoded: map[string]bool{}}
	p.validate(v, &index{})
	return p.result()
}

var v1 = sync.OnceValue(func() *Version {
	v, err := Parse("data/standard-v1.yaml", data.StandardV1)
	if err != nil {
		// Only reachable if the shipped file is broken, which TestV1 catches.
		panic(fmt.Sprintf("embedded standard is invalid: %v", err))
	}
	return v
})

// V1 returns version 1 of the standard as shipped in the binary. Each call
// returns its own copy, so a caller that modifies it cannot alter what others
// see of a version that is meant to be immutable.
func V1() *Version { return v1().clone() }

// Canonical returns the version as compact JSON in a fixed form: fields in
// struct order, no HTML escaping, and empty lists written as [] whether the
// YAML spelled them out or left them out. Two files that differ only in layout
// or comments therefore encode identically.
//
// Stored hashes depend on this form. A field added to Version or its parts
// later must be omitempty (or omitzero), or every existing hash changes.
func (v *Version) Canonical() ([]byte, error) {
	c := v.clone()
	c.Preamble = nonNil(c.Preamble)
	c.Clauses = nonNil(c.Clauses)
	c.Sections = nonNil(c.Sections)
	c.Grades = nonNil(c.Grades)
	for i := range c.Sections {
		c.Sections[i].Items = nonNil(c.Sections[i].Items)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("encode standard version %d: %w", v.Version, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Hash is the lowercase hex SHA-256 of Canonical. It lets the store tell "same
// version number, different content" from a repeated import. It is empty only
// for a version that cannot be encoded (a NaN score), which validation rejects.
func (v *Version) Hash() string {
	b, err := v.Canonical()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (v *Version) clone() *Version {
	c := *v
	c.Preamble = slices.Clone(v.Preamble)
	c.Clauses = slices.Clone(v.Clauses)
	c.Grades = slices.Clone(v.Grades)
	c.Sections = slices.Clone(v.Sections)
	for i, s := range c.Sections {
		items := slices.Clone(s.Items)
		for j, it := range items {
			items[j].Roles = slices.Clone(it.Roles)
			if it.Gender != nil {
				g := *it.Gender
				items[j].Gender = &g
			}
		}
		c.Sections[i].Items = items
	}
	return &c
}

// ---- line index ------------------------------------------------------------

// elem is where one thing (the document, a clause, an item...) sits in the file.
type elem struct {
	subject    string
	line, last int            // first and last line it spans
	fields     map[string]int // field path -> line of its key
}

// lineOf returns the line of field, or of its closest enclosing field, or of
// the element itself when the field is absent from the file.
func (e elem) lineOf(field string) int {
	for f := field; f != ""; {
		if l, ok := e.fields[f]; ok {
			return l
		}
		i := strings.LastIndexByte(f, '.')
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return e.line
}

type keyPos struct {
	line    int
	subject string
	field   string
}

type index struct {
	top      elem
	preamble []elem
	clauses  []elem
	sections []elem
	items    [][]elem
	grades   []elem
	all      []*elem  // every element, for placing decoder errors
	keys     []keyPos // every mapping key, for placing decoder errors
}

func at[T any](s []T, i int) T {
	var zero T
	if i < 0 || i >= len(s) {
		return zero
	}
	return s[i]
}

func (ix *index) item(sec, i int) elem { return at(at(ix.items, sec), i) }

func subjectOf(kind, id string, pos int) string {
	if id != "" {
		return fmt.Sprintf("%s %q", kind, id)
	}
	return fmt.Sprintf("%s #%d", kind, pos+1)
}

func itemSubject(id string, pos int, section string) string {
	if id != "" {
		return fmt.Sprintf("item %q", id)
	}
	return fmt.Sprintf("item #%d of %s", pos+1, section)
}

func indexTree(root *yaml.Node) *index {
	ix := &index{}
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	ix.top = ix.element(doc, "")
	if doc.Kind != yaml.MappingNode {
		return ix
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i].Value, doc.Content[i+1]
		if val.Kind != yaml.SequenceNode {
			continue
		}
		for n, el := range val.Content {
			switch key {
			case "preamble":
				ix.preamble = append(ix.preamble, ix.element(el, subjectOf("preamble", scalar(el, "clause"), n)))
			case "clauses":
				ix.clauses = append(ix.clauses, ix.element(el, subjectOf("clause", scalar(el, "id"), n)))
			case "grades":
				ix.grades = append(ix.grades, ix.element(el, subjectOf("grade", scalar(el, "id"), n)))
			case "sections":
				sec := subjectOf("section", scalar(el, "id"), n)
				ix.sections = append(ix.sections, ix.element(el, sec))
				var items []elem
				if seq := child(el, "items"); seq != nil && seq.Kind == yaml.SequenceNode {
					for j, it := range seq.Content {
						items = append(items, ix.element(it, itemSubject(scalar(it, "id"), j, sec)))
					}
				}
				ix.items = append(ix.items, items)
			}
		}
	}
	return ix
}

// element records a mapping's keys, and those of nested mappings as dotted
// paths (text.zh). It does not enter lists: lists of elements (clauses,
// sections, items) are indexed element by element by indexTree.
func (ix *index) element(n *yaml.Node, subject string) elem {
	e := elem{subject: subject, line: n.Line, last: lastLine(n), fields: map[string]int{}}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			path := prefix + k.Value
			e.fields[path] = k.Line
			ix.keys = append(ix.keys, keyPos{line: k.Line, subject: subject, field: path})
			if v := n.Content[i+1]; v.Kind == yaml.MappingNode {
				walk(v, path+".")
			}
		}
	}
	walk(n, "")
	ix.all = append(ix.all, &e)
	return e
}

func lastLine(n *yaml.Node) int {
	l := n.Line
	for _, c := range n.Content {
		l = max(l, lastLine(c))
	}
	return l
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node, key string) string {
	if c := child(n, key); c != nil && c.Kind == yaml.ScalarNode {
		return c.Value
	}
	return ""
}

// ---- checks ----------------------------------------------------------------

type checker struct {
	file     string
	problems []Problem
	// decoded holds subject+field pairs the decoder already complained about,
	// so validation does not add a second, confusing message for the same
	// field (a weight of "heavy" is not also "0 out of range").
	decoded map[string]bool
}

func (p *checker) add(e elem, subject, field, format string, args ...any) {
	if p.decoded[subject+"\x00"+topField(field)] {
		return
	}
	p.problems = append(p.problems, Problem{
		File: p.file, Line: e.lineOf(field), Subject: subject, Field: field,
		Msg: fmt.Sprintf(format, args...),
	})
}

func topField(f string) string {
	if i := strings.IndexByte(f, '.'); i >= 0 {
		return f[:i]
	}
	return f
}

func (p *checker) result() error {
	if len(p.problems) == 0 {
		return nil
	}
	sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Line < p.problems[j].Line })
	return &ValidationError{File: p.file, Problems: p.problems}
}

// yaml.v3 reports positions only inside its message text.
var (
	yamlLineRE     = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownFieldRE = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
)

// syntax reports a file that is not YAML at all.
func (p *checker) syntax(err error) {
	msg := err.Error()
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	p.problems = append(p.problems, Problem{File: p.file, Line: line, Msg: "invalid YAML: " + msg})
}

// decodeProblem turns one of yaml.v3's "line N: ..." decode messages into a
// Problem naming the item and field at that line.
func (p *checker) decodeProblem(msg string, ix *index) {
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	unknown := ""
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		unknown = m[1]
		msg = "unknown field"
	}
	subject, field := "", ""
	for _, k := range ix.keys {
		if k.line != line {
			continue
		}
		last := k.field[strings.LastIndexByte(k.field, '.')+1:]
		if unknown == "" || last == unknown {
			subject, field = k.subject, k.field
			break
		}
	}
	if field == "" && line > 0 {
		// No key on that line (say, a bad list entry): name the innermost
		// element around it.
		var best *elem
		for _, e := range ix.all {
			if e.line <= line && line <= e.last && (best == nil || e.line >= best.line) {
				best = e
			}
		}
		if best != nil {
			subject = best.subject
		}
		if unknown != "" {
			field = unknown
		}
	}
	p.problems = append(p.problems, Problem{File: p.file, Line: line, Subject: subject, Field: field, Msg: msg})
	p.decoded[subject+"\x00"+topField(field)] = true
}

func (p *checker) text(e elem, subject, field string, t Text) {
	if strings.TrimSpace(t.ZH) == "" {
		p.add(e, subject, field+".zh", "missing Chinese (zh) text")
	}
	if strings.TrimSpace(t.EN) == "" {
		p.add(e, subject, field+".en", "missing English (en) text")
	}
}

func roleNames() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

func (p *checker) validate(v *Version, ix *index) {
	top := ix.top
	if v.Version < 1 {
		p.add(top, "", "version", "%d is not a version number; versions start at 1", v.Version)
	}
	p.text(top, "", "title", v.Title)

	for i, pr := range v.Preamble {
		e, s := at(ix.preamble, i), subjectOf("preamble", pr.Clause, i)
		p.text(e, s, "title", pr.Title)
		p.text(e, s, "body", pr.Body)
	}

	clauses := map[string]int{} // id -> line of first use
	for i, c := range v.Clauses {
		e, s := at(ix.clauses, i), subjectOf("clause", c.ID, i)
		p.uniqueID(e, s, c.ID, clauses)
		if strings.TrimSpace(c.Ref) == "" {
			p.add(e, s, "ref", "missing the section number in the source, e.g. 1.2.1.2(1)")
		}
		p.text(e, s, "summary", c.Summary)
	}

	sections := map[string]int{}
	items := map[string]int{}
	for i, sec := range v.Sections {
		e, s := at(ix.sections, i), subjectOf("section", sec.ID, i)
		p.uniqueID(e, s, sec.ID, sections)
		p.text(e, s, "title", sec.Title)
		switch {
		case sec.Pending && len(sec.Items) > 0:
			p.add(e, s, "items", "a pending section must have no items; remove pending: true once its items are written")
		case sec.Pending:
			p.text(e, s, "pending_note", sec.PendingNote)
		case len(sec.Items) == 0:
			p.add(e, s, "items", "no items; a section whose content is still missing must be marked pending: true")
		}
		for j, it := range sec.Items {
			p.item(ix.item(i, j), itemSubject(it.ID, j, s), it, clauses, items)
		}
	}

	p.grades(v.Grades, ix)
}

// uniqueID checks an element's ID and records it in seen.
func (p *checker) uniqueID(e elem, subject, id string, seen map[string]int) {
	line := e.lineOf("id")
	switch first, dup := seen[id]; {
	case strings.TrimSpace(id) == "":
		p.add(e, subject, "id", "missing")
	case dup && first > 0:
		p.add(e, subject, "id", "duplicate id %q, first used at line %d", id, first)
	case dup:
		p.add(e, subject, "id", "duplicate id %q", id)
	default:
		seen[id] = line
	}
}

func (p *checker) item(e elem, s string, it Item, clauses, items map[string]int) {
	p.uniqueID(e, s, it.ID, items)
	switch _, ok := clauses[it.Clause]; {
	case strings.TrimSpace(it.Clause) == "":
		p.add(e, s, "clause", "missing; every item cites the clause it enforces")
	case !ok:
		p.add(e, s, "clause", "unknown clause %q; add it to clauses first", it.Clause)
	}
	p.text(e, s, "text", it.Text)

	switch it.Scope {
	case ScopePerson:
		if len(it.Roles) == 0 {
			p.add(e, s, "roles", "a person item needs at least one role")
		}
	case ScopeHall:
		if len(it.Roles) > 0 {
			p.add(e, s, "roles", "a hall item applies to no person and must not list roles")
		}
		if it.Gender != nil {
			p.add(e, s, "gender", "a hall item applies to no person and must not have a gender")
		}
	case "":
		p.add(e, s, "scope", "missing; want person or hall")
	default:
		p.add(e, s, "scope", "unknown scope %q; want person or hall", it.Scope)
	}
	for k, r := range it.Roles {
		switch {
		case !r.Valid():
			p.add(e, s, "roles", "unknown role %q; want one of %s", r, roleNames())
		case slices.Contains(it.Roles[:k], r):
			p.add(e, s, "roles", "role %q listed twice", r)
		}
	}
	if it.Gender != nil && !it.Gender.Valid() {
		p.add(e, s, "gender", "unknown gender %q; want male or female, or leave it out", *it.Gender)
	}
	if it.Weight < MinWeight || it.Weight > MaxWeight {
		p.add(e, s, "weight", "%d out of range %d..%d", it.Weight, MinWeight, MaxWeight)
	}
	switch it.Kind {
	case KindCheck, KindTally:
	case "":
		p.add(e, s, "kind", "missing; want check or tally")
	default:
		p.add(e, s, "kind", "unknown kind %q; want check or tally", it.Kind)
	}
}

func (p *checker) grades(grades []GradeBand, ix *index) {
	if len(grades) == 0 {
		p.add(ix.top, "", "grades", "no grade bands; at least one, with min_score 0, is required")
		return
	}
	ids := map[string]int{}
	scores := map[float64]string{}
	zero := false
	for i, g := range grades {
		e, s := at(ix.grades, i), subjectOf("grade", g.ID, i)
		p.uniqueID(e, s, g.ID, ids)
		p.text(e, s, "name", g.Name)
		switch {
		case math.IsNaN(g.MinScore) || g.MinScore < 0 || g.MinScore > 100:
			p.add(e, s, "min_score", "%v out of range 0..100", g.MinScore)
			continue
		case g.MinScore == 0:
			zero = true
		}
		// Two bands at one score would make the grade depend on list order.
		if other, dup := scores[g.MinScore]; dup {
			p.add(e, s, "min_score", "%v is also the min_score of grade %q", g.MinScore, other)
		} else {
			scores[g.MinScore] = g.ID
		}
	}
	if !zero {
		p.add(ix.top, "", "grades", "no band with min_score 0; every score from 0 up needs a grade")
	}
}
