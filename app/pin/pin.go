// Package pin hashes and checks the PINs users log in with on a device.
//
// A PIN has few possible values, so no hash makes a stolen database safe on
// its own; the slow, salted hash raises the cost of trying them all and keeps
// equal PINs from looking equal. The encoding names its scheme and iteration
// count so both can be raised later while old hashes still verify.
package pin

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

const (
	scheme = "pbkdf2-sha256"
	// Iterations is the PBKDF2 iteration count for new hashes. It is a sixth
	// of OWASP's 600,000 on purpose: a supervisor signs in on a low-end tablet
	// in a busy hall, where 600,000 rounds take well over a second, and a PIN
	// of a few digits is not made safe by rounds anyway; what protects it is
	// the device's storage. The count is part of each hash, so it can be raised
	// later without breaking stored PINs.
	Iterations = 100_000
	// MinLength and MaxLength bound a PIN's number of digits.
	MinLength = 4
	MaxLength = 32

	saltLen = 16
	keyLen  = 32
	// maxIterations keeps a crafted hash from making Verify run for minutes.
	maxIterations = 10_000_000
)

// Errors returned by Check and Hash.
var (
	ErrEmpty     = errors.New("PIN is empty")
	ErrTooShort  = fmt.Errorf("PIN is shorter than %d digits", MinLength)
	ErrTooLong   = fmt.Errorf("PIN is longer than %d digits", MaxLength)
	ErrNotDigits = errors.New("PIN must contain only digits 0-9")
)

var enc = base64.RawStdEncoding

// Check reports why pin is not acceptable as a PIN, or nil.
func Check(pin string) error {
	switch {
	case pin == "":
		return ErrEmpty
	case strings.Trim(pin, "0123456789") != "":
		return ErrNotDigits
	case len(pin) < MinLength:
		return ErrTooShort
	case len(pin) > MaxLength:
		return ErrTooLong
	}
	return nil
}

// Hash returns the encoded salted hash of pin:
// "pbkdf2-sha256$<iterations>$<salt>$<hash>", salt and hash in unpadded base64.
func Hash(pin string) (string, error) {
	if err := Check(pin); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash PIN: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, pin, salt, Iterations, keyLen)
	if err != nil {
		return "", fmt.Errorf("hash PIN: %w", err)
	}
	return fmt.Sprintf("%s$%d$%s$%s", scheme, Iterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Verify reports whether pin matches the encoded hash. A malformed or
// unknown encoding never matches. The comparison takes constant time.
func Verify(pin, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 || parts[0] != scheme {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > maxIterations {
		return false
	}
	salt, err := enc.DecodeString(parts[2])
	if err != nil || len(salt) < 8 {
		return false
	}
	// A shorter key would be a prefix of the full one and easier to match.
	want, err := enc.DecodeString(parts[3])
	if err != nil || len(want) != keyLen {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, iter, len(want))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NeedsRehash reports whether an encoded hash is weaker than what Hash makes
// now, so the caller can store a fresh hash after a successful login.
func NeedsRehash(encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 || parts[0] != scheme {
		return true
	}
	iter, err := strconv.Atoi(parts[1])
	return err != nil || iter < Iterations
}
