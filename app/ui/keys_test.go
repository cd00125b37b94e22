package ui_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/assets"
)

// TestTranslationKeys checks the lang.X calls in app/ui against
// the translation files: a key missing there would show the code's English
// fallback to a Chinese supervisor, and a key no code uses is dead text
// that translators would keep paying for.
func TestTranslationKeys(t *testing.T) {
	used := usedKeys(t)
	if len(used) == 0 {
		t.Fatal("found no lang.X calls; has the scan broken?")
	}
	for _, file := range []string{"en.json", "zh_Hans.json"} {
		data, err := assets.Translations.ReadFile("translation/" + file)
		if err != nil {
			t.Fatal(err)
		}
		var defined map[string]json.RawMessage
		if err := json.Unmarshal(data, &defined); err != nil {
			t.Fatalf("parse %s: %v", file, err)
		}
		for key, where := range used {
			if _, ok := defined[key]; !ok {
				t.Errorf("%s: %s uses key %q, which %s lacks", file, where, key, file)
			}
		}
		for key := range defined {
			if _, ok := used[key]; !ok {
				t.Errorf("%s: key %q is not used in app/ui", file, key)
			}
		}
	}
}

// usedKeys maps each literal key passed to lang.X in this
// package's non-test files to where it is first used.
func usedKeys(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	used := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "lang" {
				return true
			}
			switch sel.Sel.Name {
			case "X":
			case "L", "N", "XN", "Localize", "LocalizePlural", "LocalizeKey", "LocalizePluralKey":
				// L and N use the English text as key, which breaks when the text is edited;
				// plurals are wrong under useLanguage (see there).
				t.Errorf("%s: use lang.X with a stable key and no plural forms, not lang.%s", fset.Position(call.Pos()), sel.Sel.Name)
				return true
			default:
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: lang.%s key is not a string literal, so it cannot be checked", fset.Position(call.Pos()), sel.Sel.Name)
				return true
			}
			key, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			if _, seen := used[key]; !seen {
				used[key] = fset.Position(call.Pos()).String()
			}
			return true
		})
	}
	return used
}
