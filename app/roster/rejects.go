package roster

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteRejects writes rejects as a CSV for HR to fix: UTF-8 with a BOM, because
// without one Excel on Chinese Windows reads UTF-8 as GBK and shows mojibake.
func WriteRejects(w io.Writer, rejects []Reject) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("write rejects: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write([]string{"line", "field", "value", "reason"}); err != nil {
		return fmt.Errorf("write rejects: %w", err)
	}
	for _, r := range rejects {
		rec := []string{strconv.Itoa(r.Line), r.Field, defuse(r.Value), defuse(r.Reason)}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write rejects line %d: %w", r.Line, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write rejects: %w", err)
	}
	return nil
}

// defuse stops Excel from running a value from the roster as a formula when
// HR opens the rejects file (CSV injection): the values are whatever was in
// the file, and "=HYPERLINK(...)" is a valid cell.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
