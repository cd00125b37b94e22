package sync

import (
	"crypto/x509"
	"errors"
	"testing"
)

// verifyChecked trusts the key a typed check names only as verifyPinned
// trusts a pinned one: the leaf must chain to it.
func TestVerifyChecked(t *testing.T) {
	k, err := LoadKeys(t.TempDir(), KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := LoadKeys(t.TempDir(), KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	check, err := pinCheck("ABCD-EFGH-JKMN", k.Pins[0])
	if err != nil {
		t.Fatal(err)
	}
	if pin, err := verifyChecked(certChain(t, k), "ABCDEFGHJKMN", check); err != nil || pin != k.Pins[0] {
		t.Errorf("the hub's own chain: pin %q, %v; want %q", pin, err, k.Pins[0])
	}
	// Another hub's leaf presented with this hub's CA: the check matches
	// the CA, and the chain still does not verify.
	mixed := []*x509.Certificate{certChain(t, other)[0], certChain(t, k)[1]}
	if _, err := verifyChecked(mixed, "ABCDEFGHJKMN", check); !errors.Is(err, ErrCertChanged) {
		t.Errorf("foreign leaf accepted: %v", err)
	}
	if _, err := verifyChecked(certChain(t, other), "ABCDEFGHJKMN", check); !errors.Is(err, ErrCertChanged) {
		t.Errorf("another hub accepted: %v", err)
	}
	if _, err := verifyChecked(nil, "ABCDEFGHJKMN", check); !errors.Is(err, ErrCertChanged) {
		t.Errorf("no certificate accepted: %v", err)
	}
}
