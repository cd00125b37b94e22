package data_test

import (
	"bytes"
	"io/fs"
	"testing"

	"github.com/dudao-app/dudao/data"
)

func TestFSHoldsStandardV1(t *testing.T) {
	b, err := fs.ReadFile(data.FS, "standard-v1.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 || !bytes.Equal(b, data.StandardV1) {
		t.Fatalf("FS copy of standard-v1.yaml (%d bytes) differs from StandardV1 (%d bytes)", len(b), len(data.StandardV1))
	}
}
