package standard_test

import (
	"testing"

	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/data"
)

// FuzzParse: a manager's hand-edited file must never crash the loader; it is
// either a valid version or an error.
func FuzzParse(f *testing.F) {
	f.Add(data.StandardV1)
	f.Add([]byte("version: 2\n"))
	f.Add([]byte("version: 1\nsections:\n  - id: x\n    items:\n      - {id: A1.1, clause: A1, weight: 99}\n"))
	f.Add([]byte("- [unbalanced"))
	f.Add([]byte("version: &a 1\ntitle: *a\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := standard.Parse("fuzz.yaml", b)
		if err == nil {
			if v == nil {
				t.Fatal("nil version without an error")
			}
			if verr := v.Validate(); verr != nil {
				t.Fatalf("Parse accepted a version that Validate rejects: %v", verr)
			}
		}
	})
}
