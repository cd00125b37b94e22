package flow

import (
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/standard"
)

func TestShippedPhrases(t *testing.T) {
	pf, err := shippedPhrases()
	if err != nil {
		t.Fatal(err)
	}
	v := standard.V1()
	for c, ts := range pf.Clauses {
		if _, ok := v.Clause(c); !ok {
			t.Errorf("phrases for clause %s, which standard v1 does not have", c)
		}
		if len(ts) == 0 {
			t.Errorf("clause %s has an empty list", c)
		}
	}
	for _, c := range []string{"A1", "A3", "A4", "A5", "G1", "G3", "C1", "C3", "C5"} {
		if len(pf.Clauses[c]) == 0 {
			t.Errorf("no phrases for clause %s", c)
		}
	}
	for _, want := range []string{"已当场提醒", "已当场整改", "顾客投诉"} {
		found := false
		for _, g := range pf.General {
			found = found || g.ZH == want
		}
		if !found {
			t.Errorf("general phrases lack %s", want)
		}
	}
}

func TestParsePhrasesRejects(t *testing.T) {
	for _, tt := range []struct{ name, yaml, want string }{
		{"misspelt key", "generl: []\n", "field generl not found"},
		{"missing en", "general:\n  - {zh: 已提醒}\n", "general #1: needs both zh and en"},
		{"missing zh in a clause", "clauses:\n  A1:\n    - {en: Stain}\n", "clause A1 #1"},
		{"not YAML", "general: [\n", "quick phrases"},
	} {
		_, err := parsePhrases([]byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.want)
		}
	}
}
