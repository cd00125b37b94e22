package report

import (
	"strings"
	"time"
	"unicode"

	"github.com/dudao-app/dudao/app/inspect"
)

// FileName suggests a report's file name: the parts joined with "-" and
// ".pdf" added, each part's characters that are special on some file system
// replaced by "_". The tablet, the manager's desk and the hub name the same
// report the same way with it.
func FileName(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('-')
		}
		for _, r := range strings.TrimSpace(p) {
			if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) {
				r = '_'
			}
			b.WriteRune(r)
		}
	}
	return b.String() + ".pdf"
}

// FileDate is a day as a file name carries it: the date in the halls' zone.
func FileDate(t time.Time) string { return t.In(inspect.HallZone).Format(time.DateOnly) }
