package sync

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Files of the hub's key directory.
const (
	caCertFile     = "ca.crt"
	caKeyFile      = "ca.key"
	backupKeyFile  = "backup-ca.key"
	leafCertFile   = "hub.crt"
	leafKeyFile    = "hub.key"
	receiptKeyFile = "receipt.key"
)

// Lifetimes. Tablets pin the CA's public key, not the leaf certificate, so
// the leaf can be renewed (it is, at start, within leafRenewal of expiry)
// without re-enrolling a single tablet.
const (
	caLifetime   = 20 * 365 * 24 * time.Hour
	leafLifetime = 397 * 24 * time.Hour
	leafRenewal  = 30 * 24 * time.Hour
)

// HubKeys is the hub's key material.
type HubKeys struct {
	Dir string
	// TLS is the certificate the hub serves: its leaf, then the CA.
	TLS tls.Certificate
	// Pins are what tablets pin: the CA's public key, then a backup key kept
	// for the day the CA must be replaced (see README-restore.md).
	Pins []string
	// ReceiptKey signs receipts; tablets learn its public half at enrolment.
	ReceiptKey ed25519.PrivateKey
	// Created lists the files this call created (empty on later starts).
	Created []string
}

// KeyOptions tune LoadKeys.
type KeyOptions struct {
	// Hosts are names and addresses for the leaf certificate. Tablets check
	// the pin, not the name; the names help other clients and people.
	Hosts []string
	// CertFile and KeyFile replace the generated CA and leaf with a
	// certificate of one's own; the pin is then the public key of the last
	// certificate in CertFile (its issuing CA when the chain is included).
	CertFile, KeyFile string
	Now               func() time.Time
}

// LoadKeys loads the hub's keys from dir, creating what is missing: on
// first start a CA, a backup key, a leaf certificate signed by the CA and a
// receipt key. Files are created with O_EXCL semantics, so an admin command
// and the server starting at once end up with the same keys.
func LoadKeys(dir string, opt KeyOptions) (*HubKeys, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("hub keys: %w", err)
	}
	k := &HubKeys{Dir: dir}
	rk, err := k.loadOrCreateKey(receiptKeyFile, func() (crypto.Signer, error) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	})
	if err != nil {
		return nil, err
	}
	var ok bool
	if k.ReceiptKey, ok = rk.(ed25519.PrivateKey); !ok {
		return nil, fmt.Errorf("hub keys: %s is not an ed25519 key", filepath.Join(dir, receiptKeyFile))
	}

	if opt.CertFile != "" || opt.KeyFile != "" {
		if opt.CertFile == "" || opt.KeyFile == "" {
			return nil, errors.New("hub keys: give both the certificate and its key")
		}
		c, err := tls.LoadX509KeyPair(opt.CertFile, opt.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("hub keys: %w", err)
		}
		top, err := x509.ParseCertificate(c.Certificate[len(c.Certificate)-1])
		if err != nil {
			return nil, fmt.Errorf("hub keys: %s: %w", opt.CertFile, err)
		}
		k.TLS, k.Pins = c, []string{pinOf(top.RawSubjectPublicKeyInfo)}
		return k, nil
	}

	caKey, err := k.loadOrCreateKey(caKeyFile, newECKey)
	if err != nil {
		return nil, err
	}
	backup, err := k.loadOrCreateKey(backupKeyFile, newECKey)
	if err != nil {
		return nil, err
	}
	ca, err := k.loadOrCreateCert(caCertFile, func() ([]byte, error) {
		return newCACert(caKey, opt.Now())
	})
	if err != nil {
		return nil, err
	}
	if !publicKeysEqual(ca.PublicKey, caKey.Public()) {
		return nil, fmt.Errorf("hub keys: %s does not belong to %s", caCertFile, caKeyFile)
	}
	backupSPKI, err := x509.MarshalPKIXPublicKey(backup.Public())
	if err != nil {
		return nil, fmt.Errorf("hub keys: backup key: %w", err)
	}
	k.Pins = []string{pinOf(ca.RawSubjectPublicKeyInfo), pinOf(backupSPKI)}

	leafKey, err := k.loadOrCreateKey(leafKeyFile, newECKey)
	if err != nil {
		return nil, err
	}
	leaf, err := k.loadCert(leafCertFile)
	if err != nil || !leafUsable(leaf, ca, leafKey, opt.Hosts, opt.Now()) {
		der, err := newLeafCert(ca, caKey, leafKey, opt.Hosts, opt.Now())
		if err != nil {
			return nil, err
		}
		if err := writeAtomic(filepath.Join(dir, leafCertFile), pemBytes("CERTIFICATE", der), true); err != nil {
			return nil, fmt.Errorf("hub keys: %w", err)
		}
		k.Created = append(k.Created, leafCertFile)
		if leaf, err = x509.ParseCertificate(der); err != nil {
			return nil, fmt.Errorf("hub keys: %w", err)
		}
	}
	k.TLS = tls.Certificate{Certificate: [][]byte{leaf.Raw, ca.Raw}, PrivateKey: leafKey, Leaf: leaf}
	return k, nil
}

func newECKey() (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }

func publicKeysEqual(a, b crypto.PublicKey) bool {
	ea, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ea.Equal(b)
}

func (k *HubKeys) loadOrCreateKey(name string, gen func() (crypto.Signer, error)) (crypto.Signer, error) {
	path := filepath.Join(k.Dir, name)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err := gen()
		if err != nil {
			return nil, fmt.Errorf("hub keys: generate %s: %w", name, err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, fmt.Errorf("hub keys: %s: %w", name, err)
		}
		switch err := writeAtomic(path, pemBytes("PRIVATE KEY", der), false); {
		case err == nil:
			k.Created = append(k.Created, name)
			return key, nil
		case !errors.Is(err, fs.ErrExist):
			return nil, fmt.Errorf("hub keys: %w", err)
		}
		// Another process created it first: use theirs.
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("hub keys: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("hub keys: %s is not a PEM private key", path)
	}
	key, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("hub keys: %s: %w", path, err)
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("hub keys: %s: not a signing key", path)
	}
	return s, nil
}

func (k *HubKeys) loadCert(name string) (*x509.Certificate, error) {
	b, err := os.ReadFile(filepath.Join(k.Dir, name))
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("hub keys: %s is not a PEM certificate", name)
	}
	return x509.ParseCertificate(blk.Bytes)
}

func (k *HubKeys) loadOrCreateCert(name string, gen func() ([]byte, error)) (*x509.Certificate, error) {
	c, err := k.loadCert(name)
	if err == nil {
		return c, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("hub keys: %w", err)
	}
	der, err := gen()
	if err != nil {
		return nil, err
	}
	switch err := writeAtomic(filepath.Join(k.Dir, name), pemBytes("CERTIFICATE", der), false); {
	case err == nil:
		k.Created = append(k.Created, name)
		return x509.ParseCertificate(der)
	case errors.Is(err, fs.ErrExist):
		return k.loadCert(name)
	default:
		return nil, fmt.Errorf("hub keys: %w", err)
	}
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

func newCACert(key crypto.Signer, now time.Time) ([]byte, error) {
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: "Dudao hub CA", Organization: []string{"Dudao"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("hub keys: create CA: %w", err)
	}
	return der, nil
}

// hostList is the names the leaf covers: those given, plus loopback.
func hostList(hosts []string) (names []string, ips []net.IP) {
	all := append([]string{"localhost", "127.0.0.1", "::1"}, hosts...)
	for _, h := range all {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if ip := net.ParseIP(h); ip != nil {
			if !slices.ContainsFunc(ips, ip.Equal) {
				ips = append(ips, ip)
			}
		} else if !slices.Contains(names, h) {
			names = append(names, h)
		}
	}
	return names, ips
}

func newLeafCert(ca *x509.Certificate, caKey, key crypto.Signer, hosts []string, now time.Time) ([]byte, error) {
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	names, ips := hostList(hosts)
	tmpl := &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: "Dudao hub", Organization: []string{"Dudao"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(leafLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     names,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("hub keys: create certificate: %w", err)
	}
	return der, nil
}

// leafUsable: signed by this CA, for this key, valid for a while yet, and
// covering the hosts asked for.
func leafUsable(leaf, ca *x509.Certificate, key crypto.Signer, hosts []string, now time.Time) bool {
	if leaf.CheckSignatureFrom(ca) != nil || !publicKeysEqual(leaf.PublicKey, key.Public()) {
		return false
	}
	if now.Before(leaf.NotBefore) || now.Add(leafRenewal).After(leaf.NotAfter) {
		return false
	}
	names, ips := hostList(hosts)
	for _, n := range names {
		if !slices.Contains(leaf.DNSNames, n) {
			return false
		}
	}
	for _, ip := range ips {
		if !slices.ContainsFunc(leaf.IPAddresses, ip.Equal) {
			return false
		}
	}
	return true
}

func pemBytes(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// writeAtomic writes a file through a temporary name. With replace false it
// fails with fs.ErrExist when the file is already there (a hard link cannot
// overwrite), so two processes never each keep a different key.
func writeAtomic(path string, data []byte, replace bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if replace {
		return os.Rename(tmp.Name(), path)
	}
	return os.Link(tmp.Name(), path)
}

// pinOf is the pin of a DER SubjectPublicKeyInfo: "sha256/" and the
// standard base64 of its SHA-256, as HPKP wrote pins.
func pinOf(spki []byte) string {
	sum := sha256.Sum256(spki)
	return "sha256/" + base64.StdEncoding.EncodeToString(sum[:])
}

// CertPin returns the pin of a certificate's public key.
func CertPin(c *x509.Certificate) string { return pinOf(c.RawSubjectPublicKeyInfo) }

// verifyPinned accepts a server's certificate chain when one of its
// certificates carries a pinned public key and the leaf chains up to it
// (or is it). Host names are not checked: tablets reach the hub by whatever
// address the hall's network gives it, and the pin is the trust anchor.
func verifyPinned(certs []*x509.Certificate, pins []string) error {
	if len(certs) == 0 {
		return &Error{Code: CodeCertChanged, Message: "the hub presented no certificate"}
	}
	anchor := -1
	for i, c := range certs {
		if slices.Contains(pins, CertPin(c)) {
			anchor = i
			break
		}
	}
	if anchor < 0 {
		return &Error{Code: CodeCertChanged, Message: ErrCertChanged.Error() +
			" (is this the hub? a captive portal or a reinstalled hub presents another one)"}
	}
	leaf := certs[0]
	if anchor == 0 {
		return nil
	}
	// Validity dates are checked at a time inside every certificate's
	// window, not at the device's clock: a tablet whose clock is years off
	// must still reach its hub (cht-core#6284), and the pin, not the date,
	// is what makes the hub trusted.
	at := leaf.NotBefore
	for _, c := range certs[:anchor+1] {
		if c.NotBefore.After(at) {
			at = c.NotBefore
		}
	}
	now := at.Add(time.Second)
	roots := x509.NewCertPool()
	roots.AddCert(certs[anchor])
	inter := x509.NewCertPool()
	for _, c := range certs[1:anchor] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		return &Error{Code: CodeCertChanged, Message: "the hub's certificate does not chain to its pinned key: " + err.Error(), cause: err}
	}
	return nil
}

// verifyChecked is verifyPinned for a typed invite, which carries a key's
// check for its code instead of the pin: the chain is accepted when one of
// its certificates has a public key of that check and the chain verifies
// with that key pinned. It returns the pin, which the tablet pins from then
// on.
func verifyChecked(certs []*x509.Certificate, code, check string) (string, error) {
	for _, c := range certs {
		sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
		if keyCheck(code, sum[:]) == check {
			pin := CertPin(c)
			return pin, verifyPinned(certs, []string{pin})
		}
	}
	return "", &Error{Code: CodeCertChanged, Message: "the hub's certificate does not match the typed check " +
		"(is the check typed right? is this the hub? a captive portal presents another certificate)"}
}
