package standard_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/data"
)

const name = "standard-v1.yaml"

func TestV1(t *testing.T) {
	v := standard.V1()
	if v.Version != 1 {
		t.Errorf("version = %d, want 1", v.Version)
	}
	if len(v.Preamble) == 0 || v.Preamble[0].Clause != "1.2.1.1" {
		t.Errorf("preamble = %+v, want the 1.2.1.1 service philosophy", v.Preamble)
	}

	covered := map[string]int{}
	for _, s := range v.Sections {
		for _, it := range s.Items {
			covered[it.Clause]++
			if strings.TrimSpace(it.Text.ZH) == "" || strings.TrimSpace(it.Text.EN) == "" {
				t.Errorf("item %s: text zh=%q en=%q, want both", it.ID, it.Text.ZH, it.Text.EN)
			}
			if it.Critical && it.Clause != "G8" && it.Clause != "C9" {
				t.Errorf("item %s is critical; only G8 and C9 items may be", it.ID)
			}
		}
	}
	for _, prefix := range []string{"A", "G", "C"} {
		for n := 1; n <= 10; n++ {
			id := prefix + strconv.Itoa(n)
			if _, ok := v.Clause(id); !ok {
				t.Errorf("clause %s missing from the registry", id)
			}
			if covered[id] == 0 {
				t.Errorf("clause %s has no item", id)
			}
		}
	}

	var pending *standard.Section
	for i, s := range v.Sections {
		if s.Ref == "1.1.1.1" {
			pending = &v.Sections[i]
		}
	}
	switch {
	case pending == nil:
		t.Error("no section for 1.1.1.1")
	case !pending.Pending || len(pending.Items) != 0:
		t.Errorf("section 1.1.1.1: pending=%v with %d items, want pending and empty", pending.Pending, len(pending.Items))
	case pending.PendingNote.ZH == "" || pending.PendingNote.EN == "":
		t.Errorf("section 1.1.1.1: pending_note %+v, want zh and en", pending.PendingNote)
	}
}

// Every standard shipped in data/ must load, and its file name must match the
// version it declares, so a copied file whose version was not bumped fails here.
func TestEmbeddedStandards(t *testing.T) {
	files, err := fs.Glob(data.FS, "standard-v*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("glob embedded standards: %v, %d files", err, len(files))
	}
	for _, f := range files {
		b, err := fs.ReadFile(data.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := standard.Parse(f, b)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if want := fmt.Sprintf("standard-v%d.yaml", v.Version); f != want {
			t.Errorf("%s declares version %d; name it %s", f, v.Version, want)
		}
	}
}

func TestGrade(t *testing.T) {
	v := standard.V1()
	for _, tc := range []struct {
		score float64
		want  string
	}{{100, "excellent"}, {95, "excellent"}, {90, "excellent"}, {89.99, "good"}, {80, "good"}, {60, "pass"}, {59.9, "fail"}, {0, "fail"}} {
		if got := v.Grade(tc.score).ID; got != tc.want {
			t.Errorf("Grade(%v) = %s, want %s", tc.score, got, tc.want)
		}
	}
	if got := v.LowestGrade().ID; got != "fail" {
		t.Errorf("LowestGrade = %s, want fail", got)
	}
}

func TestPersonItems(t *testing.T) {
	v := standard.V1()
	items := v.PersonItems(standard.RoleCashier, standard.GenderFemale)
	has := func(id string) bool {
		return slices.ContainsFunc(items, func(it standard.Item) bool { return it.ID == id })
	}
	makeup, _ := v.Item("A5.2")
	beard, _ := v.Item("A5.1")
	if makeup.Gender == nil || *makeup.Gender != standard.GenderFemale || !strings.Contains(makeup.Text.EN, "make-up") {
		t.Fatalf("A5.2 = %+v, want the female make-up item", makeup)
	}
	if beard.Gender == nil || *beard.Gender != standard.GenderMale || !strings.Contains(beard.Text.EN, "beard") {
		t.Fatalf("A5.1 = %+v, want the male hair and beard item", beard)
	}
	if !has("A5.2") {
		t.Error("female cashier: make-up item A5.2 missing")
	}
	if has("A5.1") {
		t.Error("female cashier: male beard item A5.1 included")
	}
	for _, it := range items {
		if it.Scope != standard.ScopePerson {
			t.Errorf("person items include %s with scope %s", it.ID, it.Scope)
		}
	}
	for _, it := range v.PersonItems(standard.RoleHotline, standard.GenderMale) {
		if strings.HasPrefix(it.Clause, "A") {
			t.Errorf("hotline gets appearance item %s", it.ID)
		}
	}
}

func TestHallItems(t *testing.T) {
	items := standard.V1().HallItems()
	if len(items) == 0 {
		t.Fatal("no hall items")
	}
	for _, it := range items {
		if it.Scope != standard.ScopeHall || len(it.Roles) != 0 {
			t.Errorf("hall item %s: scope %s roles %v", it.ID, it.Scope, it.Roles)
		}
	}
}

func TestV1ReturnsCopies(t *testing.T) {
	a := standard.V1()
	a.Sections[0].Items[0].Weight = 99
	a.Sections[0].Items[0].Roles[0] = "nobody"
	b := standard.V1()
	if b.Sections[0].Items[0].Weight == 99 || b.Sections[0].Items[0].Roles[0] == "nobody" {
		t.Error("changing one V1() result changed another")
	}
}

func TestHash(t *testing.T) {
	v := standard.V1()
	h := v.Hash()
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h) {
		t.Fatalf("Hash = %q, want 64 lowercase hex digits", h)
	}

	// Layout and comments are not content.
	relaid, err := standard.Parse(name, append([]byte("# a comment\n"), data.StandardV1...))
	if err != nil {
		t.Fatal(err)
	}
	if relaid.Hash() != h {
		t.Error("a comment changed the hash")
	}

	// The canonical form survives a JSON round trip, as it will through sync.
	c, err := v.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	var back standard.Version
	if err := json.Unmarshal(c, &back); err != nil {
		t.Fatal(err)
	}
	if back.Hash() != h {
		t.Error("hash changed after a JSON round trip of Canonical")
	}
	if err := back.Validate(); err != nil {
		t.Errorf("Validate after round trip: %v", err)
	}

	changed, err := standard.Parse(name, mutate(t, func(root *yaml.Node) { set(t, root, "A3.2", "weight", "4") }))
	if err != nil {
		t.Fatal(err)
	}
	if changed.Hash() == h {
		t.Error("changing a weight did not change the hash")
	}
}

func TestLoadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data.StandardV1, 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := standard.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if v.Hash() != standard.V1().Hash() {
		t.Error("file and embedded copy hash differently")
	}
	if _, err := standard.LoadFile(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(t *testing.T, root *yaml.Node)
		raw     string // used instead of mutate when set
		want    []string
		notWant []string
	}{
		{
			name:   "duplicate item id",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "A1.2", "id", "A1.1") },
			want:   []string{`item "A1.1"`, "field id", "duplicate"},
		},
		{
			name:   "unknown clause",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "A1.1", "clause", "Z9") },
			want:   []string{`item "A1.1"`, "field clause", `"Z9"`},
		},
		{
			name:   "unknown role",
			mutate: func(t *testing.T, r *yaml.Node) { setNode(t, r, "G1.1", "roles", flowSeq("cashier", "janitor")) },
			want:   []string{`item "G1.1"`, "field roles", `"janitor"`},
		},
		{
			name:   "weight 0",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "A3.1", "weight", "0") },
			want:   []string{`item "A3.1"`, "field weight", "0 out of range 1..10"},
		},
		{
			name:   "weight 11",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "A3.1", "weight", "11") },
			want:   []string{`item "A3.1"`, "field weight", "11 out of range 1..10"},
		},
		{
			name:    "weight not a number",
			mutate:  func(t *testing.T, r *yaml.Node) { set(t, r, "A3.1", "weight", "heavy") },
			want:    []string{`item "A3.1"`, "field weight", "heavy"},
			notWant: []string{"out of range"},
		},
		{
			name:   "missing en translation",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "C9.2", "text.en", "") },
			want:   []string{`item "C9.2"`, "field text.en", "English"},
		},
		{
			name:   "missing clause summary",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "G4", "summary.zh", " ") },
			want:   []string{`clause "G4"`, "field summary.zh"},
		},
		{
			name:   "unknown field",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "A1.1", "colour", "red") },
			want:   []string{`item "A1.1"`, "field colour", "unknown field"},
		},
		{
			name:   "misspelt nested field",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "A1.1", "text.fr", "propre") },
			want:   []string{`item "A1.1"`, "field text.fr", "unknown field"},
		},
		{
			name: "pending section with items",
			mutate: func(t *testing.T, r *yaml.Node) {
				it := clone(find(t, r, "A1.1"))
				set(t, it, "A1.1", "id", "P1.1")
				items := child(t, find(t, r, "phrases"), "items")
				items.Style = 0
				items.Content = append(items.Content, it)
			},
			want: []string{`section "phrases"`, "field items", "pending"},
		},
		{
			name:   "non-pending section without items",
			mutate: func(t *testing.T, r *yaml.Node) { child(t, find(t, r, "counter"), "items").Content = nil },
			want:   []string{`section "counter"`, "field items", "pending"},
		},
		{
			name:   "missing zero grade band",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "fail", "min_score", "10") },
			want:   []string{"field grades", "min_score 0"},
		},
		{
			name:   "grade out of range",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "excellent", "min_score", "101") },
			want:   []string{`grade "excellent"`, "field min_score", "0..100"},
		},
		{
			name:   "hall item with roles",
			mutate: func(t *testing.T, r *yaml.Node) { setNode(t, r, "C1.1", "roles", flowSeq("cashier")) },
			want:   []string{`item "C1.1"`, "field roles", "hall item"},
		},
		{
			name:   "hall item with gender",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "C1.2", "gender", "female") },
			want:   []string{`item "C1.2"`, "field gender", "hall item"},
		},
		{
			name:   "person item without roles",
			mutate: func(t *testing.T, r *yaml.Node) { setNode(t, r, "G9.1", "roles", flowSeq()) },
			want:   []string{`item "G9.1"`, "field roles", "at least one role"},
		},
		{
			name:   "bad kind",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "G1.1", "kind", "sometimes") },
			want:   []string{`item "G1.1"`, "field kind", `"sometimes"`},
		},
		{
			name:   "bad scope",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "G1.1", "scope", "region") },
			want:   []string{`item "G1.1"`, "field scope", `"region"`},
		},
		{
			name:   "bad gender",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "A5.1", "gender", "m") },
			want:   []string{`item "A5.1"`, "field gender", `"m"`},
		},
		{
			name:   "version 0",
			mutate: func(t *testing.T, r *yaml.Node) { set(t, r, "", "version", "0") },
			want:   []string{"field version", "1"},
		},
		{
			name: "not YAML",
			raw:  "version: 1\ntitle: [unclosed\n",
			want: []string{"invalid YAML"},
		},
		{
			name: "not a mapping",
			raw:  "- version: 1\n",
			want: []string{"mapping"},
		},
		{
			name: "empty",
			raw:  "",
			want: []string{"empty"},
		},
		{
			name: "only a comment",
			raw:  "# nothing yet\n",
			want: []string{"empty"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(tc.raw)
			if tc.mutate != nil {
				b = mutate(t, func(root *yaml.Node) { tc.mutate(t, root) })
			}
			v, err := standard.Parse(name, b)
			if err == nil {
				t.Fatalf("accepted: %+v", v.Title)
			}
			msg := err.Error()
			var ve *standard.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Errorf("err is %T, want *ValidationError with problems", err)
			}
			for _, w := range append([]string{name}, tc.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(msg, w) {
					t.Errorf("error has %q:\n%s", w, msg)
				}
			}
		})
	}
}

// A manager fixing a file must see every problem at once, including problems
// the decoder finds alongside problems validation finds.
func TestParseReportsAllProblems(t *testing.T) {
	b := mutate(t, func(r *yaml.Node) {
		set(t, r, "A3.1", "weight", "12")
		set(t, r, "C9.2", "text.en", "")
		set(t, r, "G2.2", "wieght", "3")
	})
	_, err := standard.Parse(name, b)
	var ve *standard.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	if len(ve.Problems) != 3 {
		t.Errorf("%d problems, want 3:\n%v", len(ve.Problems), err)
	}

	// Each names the file and the line of the offending field.
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ id, field, text string }{
		{"A3.1", "weight", `item "A3.1": field weight: 12 out of range 1..10`},
		{"C9.2", "text.en", `item "C9.2": field text.en: missing`},
		{"G2.2", "wieght", `item "G2.2": field wieght: unknown field`},
	} {
		line := keyLine(t, find(t, &root, want.id), want.field)
		full := fmt.Sprintf("%s:%d: %s", name, line, want.text)
		if !strings.Contains(err.Error(), full) {
			t.Errorf("error lacks %q:\n%v", full, err)
		}
	}
}

func TestValidateWithoutFile(t *testing.T) {
	v := standard.V1()
	v.Sections[0].Items[0].Weight = 0
	err := v.Validate()
	if err == nil || !strings.HasPrefix(err.Error(), `item "A1.1": field weight:`) {
		t.Errorf("Validate = %v", err)
	}
}

// ---- YAML mutation helpers ----------------------------------------------------

// mutate applies f to the node tree of the shipped v1 file and re-encodes it,
// so the rejection cases follow the real file rather than a copy that drifts.
func mutate(t *testing.T, f func(root *yaml.Node)) []byte {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal(data.StandardV1, &root); err != nil {
		t.Fatal(err)
	}
	f(&root)
	b, err := yaml.Marshal(&root)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// find returns the mapping with the given id (the document itself for "").
func find(t *testing.T, root *yaml.Node, id string) *yaml.Node {
	t.Helper()
	var walk func(n *yaml.Node) *yaml.Node
	walk = func(n *yaml.Node) *yaml.Node {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "id" && n.Content[i+1].Value == id {
					return n
				}
			}
		}
		for _, c := range n.Content {
			if m := walk(c); m != nil {
				return m
			}
		}
		return nil
	}
	if id == "" {
		return root.Content[0]
	}
	m := walk(root)
	if m == nil {
		t.Fatalf("no mapping with id %q in v1", id)
	}
	return m
}

func child(t *testing.T, m *yaml.Node, key string) *yaml.Node {
	t.Helper()
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	t.Fatalf("no key %q", key)
	return nil
}

// keyLine returns the line of the key at a dotted path under m.
func keyLine(t *testing.T, m *yaml.Node, path string) int {
	t.Helper()
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		m = child(t, m, k)
	}
	key := keys[len(keys)-1]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	t.Fatalf("no key %q", key)
	return 0
}

// set sets a scalar at a dotted path under the mapping with the given id,
// adding the key if it is absent.
func set(t *testing.T, root *yaml.Node, id, path, value string) {
	t.Helper()
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: value}
	if value == "" || strings.TrimSpace(value) == "" {
		n.Style = yaml.DoubleQuotedStyle
	}
	setNode(t, root, id, path, n)
}

func setNode(t *testing.T, root *yaml.Node, id, path string, val *yaml.Node) {
	t.Helper()
	m := root
	if id != "" || root.Kind == yaml.DocumentNode {
		m = find(t, root, id)
	}
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		m = child(t, m, k)
	}
	last := keys[len(keys)-1]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == last {
			m.Content[i+1] = val
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: last}, val)
}

func flowSeq(values ...string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, v := range values {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: v})
	}
	return n
}

func clone(n *yaml.Node) *yaml.Node {
	c := *n
	c.Content = nil
	for _, k := range n.Content {
		c.Content = append(c.Content, clone(k))
	}
	return &c
}
