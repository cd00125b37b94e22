package flow

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/data"
)

// phraseFile is the format of data/quick-phrases.yaml.
type phraseFile struct {
	General []standard.Text            `yaml:"general"`
	Clauses map[string][]standard.Text `yaml:"clauses"`
}

// parsePhrases decodes and checks a phrase file: unknown fields are refused
// (a misspelt "clauses" would silently drop every phrase), and each phrase
// needs both languages.
func parsePhrases(b []byte) (*phraseFile, error) {
	var pf phraseFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&pf); err != nil {
		return nil, fmt.Errorf("quick phrases: %w", err)
	}
	var errs []error
	check := func(where string, ts []standard.Text) {
		for i, t := range ts {
			if strings.TrimSpace(t.ZH) == "" || strings.TrimSpace(t.EN) == "" {
				errs = append(errs, fmt.Errorf("quick phrases: %s #%d: needs both zh and en", where, i+1))
			}
		}
	}
	check("general", pf.General)
	for c, ts := range pf.Clauses {
		check("clause "+c, ts)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &pf, nil
}

var shippedPhrases = sync.OnceValues(func() (*phraseFile, error) {
	return parsePhrases(data.QuickPhrases)
})

// QuickPhrases returns the canned notes for an item: those of the clause it
// cites first, then the general ones; "" gives the general ones. The clause
// is looked up in every standard version this Flow has read (the shipped one
// from the start), so phrases need no database call.
func (f *Flow) QuickPhrases(itemID string) []standard.Text {
	pf, err := shippedPhrases()
	if err != nil {
		// Only a broken build gets here (a test parses the file); the
		// screen still works, without phrases.
		f.log.Error("quick phrases unavailable", "err", err)
		return nil
	}
	f.clauseMu.Lock()
	clause := f.clauseOf[itemID]
	f.clauseMu.Unlock()
	out := slices.Clone(pf.Clauses[clause])
	return append(out, pf.General...)
}
