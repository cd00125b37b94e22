package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestFyneAppMetadata keeps FyneApp.toml and the code in step: the fyne tool
// packages with the ID in the file, the app stores its data under appID, and a
// mismatch would put a tablet's preferences where the next build cannot find
// them. The icon path must resolve from here, where fyne package runs, and
// from the root, where `go run ./cmd/dudao` reads it.
func TestFyneAppMetadata(t *testing.T) {
	data, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatalf("read FyneApp.toml through the symlink: %v", err)
	}
	field := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + ` = "([^"]*)"`).FindSubmatch(data)
		if m == nil {
			t.Fatalf("FyneApp.toml has no %s", name)
		}
		return string(m[1])
	}
	if id := field("ID"); id != appID {
		t.Errorf("FyneApp.toml ID = %q, code uses %q", id, appID)
	}
	icon := field("Icon")
	for _, dir := range []string{".", filepath.Join("..", "..")} {
		if _, err := os.Stat(filepath.Join(dir, icon)); err != nil {
			t.Errorf("icon %q does not resolve from %s: %v", icon, dir, err)
		}
	}
}
