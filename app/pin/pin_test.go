package pin_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/dudao-app/dudao/app/pin"
)

func TestHashVerify(t *testing.T) {
	h, err := pin.Hash("2580")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "pbkdf2-sha256$"+strconv.Itoa(pin.Iterations)+"$") {
		t.Fatalf("encoding %q lacks scheme and iterations", h)
	}
	if strings.Contains(h, "2580") {
		t.Fatalf("hash %q contains the PIN", h)
	}
	h2, err := pin.Hash("2580")
	if err != nil {
		t.Fatal(err)
	}
	if h == h2 {
		t.Fatal("two hashes of the same PIN are equal: salt missing")
	}
	for _, tc := range []struct {
		name    string
		pin     string
		encoded string
		want    bool
	}{
		{"right", "2580", h, true},
		{"right second salt", "2580", h2, true},
		{"wrong", "2581", h, false},
		{"empty pin", "", h, false},
		{"prefix", "258", h, false},
		{"empty encoding", "2580", "", false},
		{"unknown scheme", "2580", strings.Replace(h, "pbkdf2-sha256", "pbkdf2-sha1", 1), false},
		{"bad iterations", "2580", strings.Replace(h, "$100000$", "$x$", 1), false},
		{"huge iterations", "2580", strings.Replace(h, "$100000$", "$2000000000$", 1), false},
		{"other iterations", "2580", strings.Replace(h, "$100000$", "$100001$", 1), false},
		{"truncated", "2580", h[:len(h)-4], false},
		{"bad base64", "2580", h[:len(h)-1] + "!", false},
		{"too few parts", "2580", "pbkdf2-sha256$100000$abc", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pin.Verify(tc.pin, tc.encoded); got != tc.want {
				t.Errorf("Verify(%q, %q) = %v, want %v", tc.pin, tc.encoded, got, tc.want)
			}
		})
	}
}

func TestHashRejects(t *testing.T) {
	for _, tc := range []struct {
		pin  string
		want error
	}{
		{"", pin.ErrEmpty},
		{"1", pin.ErrTooShort},
		{"123", pin.ErrTooShort},
		{"12a4", pin.ErrNotDigits},
		{" 1234", pin.ErrNotDigits},
		{"１２３４", pin.ErrNotDigits}, // full-width digits
		{strings.Repeat("1", 33), pin.ErrTooLong},
	} {
		t.Run(tc.pin, func(t *testing.T) {
			_, err := pin.Hash(tc.pin)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Hash(%q) error = %v, want %v", tc.pin, err, tc.want)
			}
		})
	}
	for _, ok := range []string{"1234", "000000", strings.Repeat("9", 32)} {
		if err := pin.Check(ok); err != nil {
			t.Errorf("Check(%q) = %v, want nil", ok, err)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	h, err := pin.Hash("1234")
	if err != nil {
		t.Fatal(err)
	}
	if pin.NeedsRehash(h) {
		t.Error("fresh hash needs rehash")
	}
	if !pin.NeedsRehash(strings.Replace(h, "$"+strconv.Itoa(pin.Iterations)+"$", "$1000$", 1)) {
		t.Error("weak hash does not need rehash")
	}
	if !pin.NeedsRehash("md5$x") {
		t.Error("unknown scheme does not need rehash")
	}
}
