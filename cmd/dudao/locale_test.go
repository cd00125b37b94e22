package main

import (
	"os"
	"testing"
)

func TestQuietCLocale(t *testing.T) {
	for _, tc := range []struct {
		lcAll, lcMessages, lang string
		want                    string // LC_MESSAGES afterwards
	}{
		{lang: "C.UTF-8", want: "C"},
		{lang: "POSIX.utf8", want: "C"},
		{lcMessages: "C.UTF-8", lang: "zh_CN.UTF-8", want: "C"},
		{lang: "C", want: ""},               // understood as it is
		{lang: "zh_CN.UTF-8", want: ""},     // a real language
		{lang: "en_US.UTF-8", want: ""},     // a real language
		{lcAll: "C.UTF-8", lang: "C.UTF-8"}, // LC_ALL rules: left alone
		{},
	} {
		t.Setenv("LC_ALL", tc.lcAll)
		t.Setenv("LC_MESSAGES", tc.lcMessages)
		t.Setenv("LANG", tc.lang)
		quietCLocale()
		want := tc.want
		if want == "" {
			want = tc.lcMessages
		}
		if got := os.Getenv("LC_MESSAGES"); got != want {
			t.Errorf("LC_ALL=%q LC_MESSAGES=%q LANG=%q: LC_MESSAGES became %q, want %q", tc.lcAll, tc.lcMessages, tc.lang, got, want)
		}
		if got := os.Getenv("LANG"); got != tc.lang {
			t.Errorf("LANG changed to %q", got)
		}
	}
}
