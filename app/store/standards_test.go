package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dudao-app/dudao/app/standard"
	"github.com/dudao-app/dudao/app/store"
)

func TestImportStandard(t *testing.T) {
	f := newFixture(t)
	db := f.db
	v2 := []byte("version: 2\ntitle: {zh: 服务规范 第二版}\n")
	for _, tc := range []struct {
		name    string
		version int
		title   string
		raw     []byte
		want    bool
		err     error
	}{
		{"new version", 2, "第二版", v2, true, nil},
		{"same again", 2, "第二版", v2, false, nil},
		{"same content re-saved", 2, "第二版", append([]byte("# comment\n"), v2...), false, nil},
		{"same version other content", 2, "改过", []byte("version: 2\ntitle: {zh: 改过}\n"), false, store.ErrConflict},
		{"fixture version again", 1, "", []byte(stdRaw), false, nil},
		{"empty file", 3, "", nil, false, store.ErrInvalid},
		{"version zero", 0, "", v2, false, store.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.ImportStandard(ctx, &standard.Version{Version: tc.version, Title: standard.Text{ZH: tc.title}}, tc.raw)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Errorf("imported = %v, want %v", got, tc.want)
			}
			if tc.err == store.ErrConflict && !strings.Contains(err.Error(), "version 2") {
				t.Errorf("conflict error %q does not name the version", err)
			}
		})
	}

	f.draft(t, t0)
	infos, err := db.Standards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].Version != 1 || infos[0].Inspections != 1 || infos[1].Version != 2 ||
		infos[1].Inspections != 0 || len(infos[1].Hash) != 64 || time.Since(infos[1].ImportedAt) > time.Minute {
		t.Errorf("Standards = %+v", infos)
	}
	body, err := db.StandardBody(ctx, 2)
	if err != nil || string(body) != string(v2) {
		t.Errorf("StandardBody(2) = %q, %v", body, err)
	}
	if _, err := db.StandardBody(ctx, 9); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("StandardBody(9) error = %v, want ErrNotFound", err)
	}

	raw := rawDB(t, f.path)
	for _, q := range []string{
		"UPDATE standards SET body = x'00' WHERE version = 2",
		"DELETE FROM standards WHERE version = 2",
	} {
		if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Errorf("%s: error = %v, want immutable", q, err)
		}
	}
}
