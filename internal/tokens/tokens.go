// Package tokens signs and verifies the JSON Web Tokens of user pools and
// serves each pool's public keys (JWKS) and OpenID Connect discovery
// document.
//
// As in Cognito, every pool has its own RSA-2048 keys, and ID tokens and
// access tokens are signed with different keys, so a pool's JWKS lists at
// least two. Tokens are RS256 JWTs whose header holds the kid and alg. A
// pool's keys are made the first time they are needed (a token to sign, a
// JWKS request) and kept in the store, the private key sealed with the
// master key under the aad "signing-key|<pool ID>|<kid>". The kid of a new
// key is derived from the pool, the key's use and its generation, so two
// replicas making a pool's first keys at once compute the same kids: one
// insert wins, the other fails with store.ErrConflict and loads the
// winner's keys. Opened keys are cached in memory for the life of the
// Signer.
//
// The issuer of a pool's tokens is "<issuer base>/<pool ID>", where the
// base is the server's public URL (https://cognito-idp.<region>.amazonaws.com
// gives issuers of the AWS form).
package tokens

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
)

// Use says which kind of token a key signs.
type Use string

// The two uses of signing keys; each pool has a key of each.
const (
	IDToken     Use = "id"
	AccessToken Use = "access"
)

// uses are the uses every key set has, in the order their keys are made.
var uses = []Use{IDToken, AccessToken}

func (u Use) valid() bool { return u == IDToken || u == AccessToken }

// Errors of Sign and Verify. Failures of the store are returned wrapped as
// they are, so that callers can tell a bad token from a broken server.
var (
	// ErrPoolNotFound means the pool does not exist.
	ErrPoolNotFound = errors.New("tokens: user pool not found")
	// ErrInvalidToken is wrapped by every error Verify returns for a token
	// it does not accept.
	ErrInvalidToken = errors.New("tokens: invalid token")
	// ErrExpired is wrapped by Verify's error for a token that is valid
	// but expired; it wraps ErrInvalidToken.
	ErrExpired = fmt.Errorf("%w: expired", ErrInvalidToken)
)

// maxTokenSize bounds what Verify parses. Cognito's tokens are a few
// kilobytes even with many groups and attributes.
const maxTokenSize = 64 << 10

// Claims are a token's claims as Verify decoded them: JSON numbers are
// json.Number, objects map[string]any, arrays []any.
type Claims map[string]any

// Signer signs and verifies a pool's tokens and serves its key documents.
// Set the exported fields before first use and call SetIssuerBase; it is
// safe for concurrent use.
type Signer struct {
	// Store keeps the keys.
	Store store.Store
	// Keys seals the private keys.
	Keys *seal.Keyring
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Log receives the causes of internal errors the HTTP handlers answer
	// with a 500; nothing is logged when nil.
	Log *slog.Logger
	// DomainBase returns the base URL of the hosted endpoints of a pool's
	// domain, which the discovery document names, or "" when the pool has
	// no domain; nil means no pool has one.
	DomainBase func(ctx context.Context, poolID string) (string, error)

	base atomic.Pointer[string]

	mu    sync.Mutex
	sets  map[string]*keySet    // by pool ID: complete sets, opened
	loads map[loadKey]*loadCall // loads under way
}

// SetIssuerBase sets the public base URL of the server (an absolute
// http(s) URL without a trailing slash), which issuers are made from.
func (s *Signer) SetIssuerBase(base string) { s.base.Store(&base) }

// IssuerBase returns the base URL SetIssuerBase set.
func (s *Signer) IssuerBase() string {
	if b := s.base.Load(); b != nil {
		return *b
	}
	return ""
}

// Issuer returns the issuer of a pool's tokens, the iss claim.
func (s *Signer) Issuer(poolID string) string { return s.IssuerBase() + "/" + poolID }

func (s *Signer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Signer) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Sign returns claims as a JWT signed with the pool's current key for use
// (RS256, with the kid in the header). It adds the pool's issuer as the
// iss claim when claims has none and leaves the rest to the caller: a
// token Verify accepts needs exp, and Cognito's carry token_use too. The
// pool's keys are made if it has none yet; ErrPoolNotFound if the pool
// does not exist.
func (s *Signer) Sign(ctx context.Context, poolID string, use Use, claims map[string]any) (string, error) {
	if !use.valid() {
		return "", fmt.Errorf("tokens: sign: unknown key use %q", use)
	}
	ks, err := s.keySet(ctx, poolID, true)
	if err != nil {
		return "", fmt.Errorf("tokens: sign: %w", err)
	}
	k := ks.current[use]
	if _, ok := claims["iss"]; !ok {
		claims = maps.Clone(claims)
		if claims == nil {
			claims = map[string]any{}
		}
		claims["iss"] = s.Issuer(poolID)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("tokens: sign: claims: %w", err)
	}
	jws, err := k.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("tokens: sign: %w", err)
	}
	return jws.CompactSerialize()
}

// Verify checks a JWT issued for a pool and returns its claims. It accepts
// only a compact RS256 JWS signed by one of the pool's keys (the one its
// kid names), whose payload is a JSON object with an exp in the future,
// no nbf in the future, the pool's issuer as iss, and, when it has a
// token_use claim, the use of the key that signed it. Every refusal wraps
// ErrInvalidToken (ErrExpired for an expired token); it never makes keys.
func (s *Signer) Verify(ctx context.Context, poolID, token string) (Claims, error) {
	if len(token) > maxTokenSize {
		return nil, fmt.Errorf("%w: over %d bytes", ErrInvalidToken, maxTokenSize)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	kid := jws.Signatures[0].Header.KeyID
	ks, cached, err := s.cachedKeySet(ctx, poolID, false)
	if errors.Is(err, ErrPoolNotFound) || errors.Is(err, errNoKeys) {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if err != nil {
		return nil, fmt.Errorf("tokens: verify: %w", err)
	}
	k := ks.byKID[kid]
	if k == nil && cached {
		// A key this process has not seen: the pool may have been deleted
		// and made again on another replica. Read its keys afresh, once.
		s.forget(poolID, ks)
		if ks, err = s.keySet(ctx, poolID, false); err != nil && !errors.Is(err, ErrPoolNotFound) && !errors.Is(err, errNoKeys) {
			return nil, fmt.Errorf("tokens: verify: %w", err)
		}
		if ks != nil {
			k = ks.byKID[kid]
		}
	}
	if k == nil {
		return nil, fmt.Errorf("%w: unknown kid", ErrInvalidToken)
	}
	payload, err := jws.Verify(&k.priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	claims, err := decodeClaims(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if err := s.checkClaims(claims, poolID, k.use); err != nil {
		return nil, err
	}
	return claims, nil
}

// decodeClaims decodes a payload that must be one JSON object.
func decodeClaims(payload []byte) (Claims, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims Claims
	if err := dec.Decode(&claims); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	if claims == nil {
		return nil, errors.New("claims are not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("claims: data after the JSON object")
	}
	return claims, nil
}

// checkClaims checks the registered claims Verify promises to.
func (s *Signer) checkClaims(c Claims, poolID string, use Use) error {
	now := s.now()
	exp, ok := c.numericDate("exp")
	if !ok {
		return fmt.Errorf("%w: no valid exp claim", ErrInvalidToken)
	}
	if !now.Before(exp) {
		return ErrExpired
	}
	if _, present := c["nbf"]; present {
		nbf, ok := c.numericDate("nbf")
		if !ok {
			return fmt.Errorf("%w: invalid nbf claim", ErrInvalidToken)
		}
		if now.Before(nbf) {
			return fmt.Errorf("%w: not valid yet", ErrInvalidToken)
		}
	}
	if iss, _ := c["iss"].(string); iss != s.Issuer(poolID) {
		return fmt.Errorf("%w: wrong issuer", ErrInvalidToken)
	}
	if tu, present := c["token_use"]; present && tu != string(use) {
		return fmt.Errorf("%w: token_use does not match the signing key", ErrInvalidToken)
	}
	return nil
}

// numericDate returns a NumericDate claim (seconds since the epoch, RFC
// 7519 section 2) as a time.
func (c Claims) numericDate(name string) (time.Time, bool) {
	n, ok := c[name].(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1<<53 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}
