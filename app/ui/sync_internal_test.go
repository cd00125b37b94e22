package ui

import (
	"testing"

	"github.com/dudao-app/dudao/app/flow"
)

// Each refusal the hub can give a parked record has its own headline, so
// that a record it refused for disagreeing with its copy does not read as
// an unreadable photo, and the reverse.
func TestPendingRefusalByCode(t *testing.T) {
	seen := map[string]string{}
	for _, code := range []string{"local_problem", "forbidden", "conflict", "invalid_record"} {
		msg := pendingRefusal(flow.PendingItem{Parked: true, ReasonCode: code})
		if msg == "" {
			t.Errorf("%s: no headline", code)
		}
		if other, dup := seen[msg]; dup {
			t.Errorf("%s and %s share the headline %q", code, other, msg)
		}
		seen[msg] = code
	}
}

// A sync whose receipt does not match what the tablet delivered says so,
// instead of "everything delivered".
func TestSyncStatusDigestMismatch(t *testing.T) {
	c := &syncCtl{lastRep: &flow.SyncReport{DigestOK: true}}
	all := c.statusText()
	c.lastRep.DigestOK = false
	if got := c.statusText(); got == all || got == "" {
		t.Errorf("status with a mismatched receipt = %q (all delivered: %q)", got, all)
	}
}
