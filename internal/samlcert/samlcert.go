// Package samlcert keeps each pool's SAML certificates: the X.509
// certificates and RSA keys a pool signs SAML 2.0 requests to identity
// providers with (the one GetSigningCertificate returns), and those its
// providers encrypt assertions to (the one DescribeIdentityProvider shows
// as ActiveEncryptionCertificate). As in Cognito, a pool's first
// certificate of each use is made the first time it is asked for, each is
// valid for ten years, and a new one is issued when the newest is a year
// old; older ones stay valid. The private keys are sealed with the master
// key, as the token signing keys are.
package samlcert

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
)

// Use is what a pool's certificates are for.
type Use int

const (
	// Signing certificates sign requests to identity providers.
	Signing Use = iota
	// Encryption certificates are those identity providers encrypt
	// assertions to.
	Encryption
)

// Kind is the pool settings document that holds a pool's certificates of
// the use.
func (u Use) Kind() string {
	if u == Encryption {
		return "saml-encryption-certificates"
	}
	return "saml-signing-certificates"
}

func (u Use) keyUsage() x509.KeyUsage {
	if u == Encryption {
		return x509.KeyUsageKeyEncipherment | x509.KeyUsageDataEncipherment
	}
	return x509.KeyUsageDigitalSignature
}

const (
	keyBits = 2048
	// Validity is how long a certificate is valid.
	Validity = 10 * 365 * 24 * time.Hour
	// Renewal is the age at which a certificate is replaced by a new one.
	Renewal = 365 * 24 * time.Hour
)

// ErrPoolNotFound means the pool does not exist.
var ErrPoolNotFound = errors.New("samlcert: the pool does not exist")

// Certificate is one of a pool's signing certificates with its key.
type Certificate struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
}

// stored is one certificate as the document keeps it: the DER certificate
// and the sealed PKCS #8 key.
type stored struct {
	DER       []byte    `json:"der"`
	SealedKey []byte    `json:"sealedKey"`
	NotBefore time.Time `json:"notBefore"`
}

// Issuer makes, keeps and opens the pools' certificates of one use.
type Issuer struct {
	// Use is what the certificates are for; Signing when zero.
	Use   Use
	Store store.PoolSettings
	Keys  *seal.Keyring
	Now   func() time.Time
	// Rand is the source of keys and serial numbers; crypto/rand when nil.
	Rand io.Reader
}

func (s *Issuer) rand() io.Reader {
	if s.Rand == nil {
		return rand.Reader
	}
	return s.Rand
}

// Current returns the pool's newest certificate, making one first when the
// pool has none or its newest is older than Renewal.
func (s *Issuer) Current(ctx context.Context, poolID string) (*Certificate, error) {
	now := s.Now()
	certs, err := s.load(ctx, poolID)
	if err != nil {
		return nil, err
	}
	if n := len(certs); n > 0 && fresh(certs[n-1], now) {
		return s.open(poolID, certs[n-1])
	}
	made, err := s.issue(poolID, now)
	if err != nil {
		return nil, err
	}
	var newest stored
	_, err = s.Store.UpdatePoolSetting(ctx, poolID, "", s.Use.Kind(), func(rec *store.PoolSetting) error {
		var certs []stored
		if rec.Doc != nil {
			if err := json.Unmarshal(rec.Doc, &certs); err != nil {
				return fmt.Errorf("samlcert: decode pool %s certificates: %w", poolID, err)
			}
		}
		// Another request may have made one meanwhile: use it.
		if n := len(certs); n > 0 && fresh(certs[n-1], now) {
			newest = certs[n-1]
			return nil
		}
		certs = append(certs, made)
		newest = made
		doc, err := json.Marshal(certs)
		if err != nil {
			return err
		}
		rec.Doc, rec.UpdatedAt = doc, now
		if rec.CreatedAt.IsZero() {
			rec.CreatedAt = now
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrPoolNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("samlcert: store certificate: %w", err)
	}
	return s.open(poolID, newest)
}

// All returns every certificate of the pool, oldest first, without making
// one: those issued earlier stay valid until they expire.
func (s *Issuer) All(ctx context.Context, poolID string) ([]*Certificate, error) {
	certs, err := s.load(ctx, poolID)
	if err != nil {
		return nil, err
	}
	out := make([]*Certificate, 0, len(certs))
	for _, c := range certs {
		oc, err := s.open(poolID, c)
		if err != nil {
			return nil, err
		}
		out = append(out, oc)
	}
	return out, nil
}

func fresh(c stored, now time.Time) bool { return now.Before(c.NotBefore.Add(Renewal)) }

func (s *Issuer) load(ctx context.Context, poolID string) ([]stored, error) {
	rec, err := s.Store.GetPoolSetting(ctx, poolID, "", s.Use.Kind())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("samlcert: load certificates: %w", err)
	}
	var certs []stored
	if err := json.Unmarshal(rec.Doc, &certs); err != nil {
		return nil, fmt.Errorf("samlcert: decode pool %s certificates: %w", poolID, err)
	}
	return certs, nil
}

// issue makes a key and a self-signed certificate for it, valid from now.
func (s *Issuer) issue(poolID string, now time.Time) (stored, error) {
	key, err := rsa.GenerateKey(s.rand(), keyBits)
	if err != nil {
		return stored{}, fmt.Errorf("samlcert: generate key: %w", err)
	}
	serial, err := rand.Int(s.rand(), new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return stored{}, fmt.Errorf("samlcert: draw serial number: %w", err)
	}
	notBefore := now.UTC().Truncate(time.Second)
	name := pkix.Name{CommonName: poolID, Organization: []string{"Cognate"}}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               name,
		Issuer:                name,
		NotBefore:             notBefore,
		NotAfter:              notBefore.Add(Validity),
		KeyUsage:              s.Use.keyUsage(),
		BasicConstraintsValid: true,
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(s.rand(), tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return stored{}, fmt.Errorf("samlcert: make certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return stored{}, fmt.Errorf("samlcert: encode key: %w", err)
	}
	sealed, err := s.Keys.Seal(pkcs8, s.aad(poolID, der))
	clear(pkcs8)
	if err != nil {
		return stored{}, fmt.Errorf("samlcert: seal key: %w", err)
	}
	return stored{DER: der, SealedKey: sealed, NotBefore: notBefore}, nil
}

// aad binds a sealed key to its use, pool and certificate.
func (s *Issuer) aad(poolID string, der []byte) []byte {
	label := "saml-signing-key|"
	if s.Use == Encryption {
		label = "saml-encryption-key|"
	}
	return append([]byte(label+poolID+"|"), der...)
}

func (s *Issuer) open(poolID string, c stored) (*Certificate, error) {
	cert, err := x509.ParseCertificate(c.DER)
	if err != nil {
		return nil, fmt.Errorf("samlcert: parse certificate: %w", err)
	}
	pkcs8, err := s.Keys.Open(c.SealedKey, s.aad(poolID, c.DER))
	if err != nil {
		return nil, fmt.Errorf("samlcert: open key: %w", err)
	}
	defer clear(pkcs8)
	k, err := x509.ParsePKCS8PrivateKey(pkcs8)
	if err != nil {
		return nil, fmt.Errorf("samlcert: parse key: %w", err)
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("samlcert: pool %s key is a %T", poolID, k)
	}
	return &Certificate{Cert: cert, Key: key}, nil
}
