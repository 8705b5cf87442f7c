package tokens

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/cognate-idp/cognate/internal/store"
)

// keyBits is the size of the RSA keys, as Cognito's.
const keyBits = 2048

// errNoKeys means a pool has no signing keys (or does not exist) and
// keySet was not asked to make them.
var errNoKeys = errors.New("tokens: the pool has no signing keys")

// key is one opened signing key.
type key struct {
	kid    string
	use    Use
	priv   *rsa.PrivateKey
	signer jose.Signer
}

// keySet is a pool's keys, opened.
type keySet struct {
	keys    []*key // oldest first
	byKID   map[string]*key
	current map[Use]*key // the newest key of each use signs
	jwks    []byte       // the JWKS document
	// made is when the oldest key was made: keys are made after their
	// pool, so a set made before a pool's creation belongs to an earlier
	// pool of the same ID.
	made time.Time
}

// loadKey names a load of a pool's keys: loads that may make keys and
// loads that only read are told apart, so that a reader's empty answer is
// never handed to a signer.
type loadKey struct {
	pool   string
	create bool
}

// loadCall is a load under way; the others who want the same keys wait
// for it and share its result.
type loadCall struct {
	done chan struct{}
	ks   *keySet
	err  error
}

// keySet returns a pool's keys: from the cache, else from the store, then
// cached if the set has a key of every use. With create, missing keys are
// made (ErrPoolNotFound if the pool does not exist); without, a pool
// without keys yields errNoKeys. Concurrent calls for the same pool share
// one load, and its result, errors included.
func (s *Signer) keySet(ctx context.Context, poolID string, create bool) (*keySet, error) {
	ks, _, err := s.cachedKeySet(ctx, poolID, create)
	return ks, err
}

// cachedKeySet is keySet, also saying whether the set came from the cache
// rather than from a read of the store made for this call or one it waited
// for.
func (s *Signer) cachedKeySet(ctx context.Context, poolID string, create bool) (*keySet, bool, error) {
	lk := loadKey{poolID, create}
	s.mu.Lock()
	if ks := s.sets[poolID]; ks != nil {
		s.mu.Unlock()
		return ks, true, nil
	}
	if c := s.loads[lk]; c != nil {
		s.mu.Unlock()
		select {
		case <-c.done:
			return c.ks, false, c.err
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
	if s.loads == nil {
		s.loads = map[loadKey]*loadCall{}
		s.sets = map[string]*keySet{}
	}
	c := &loadCall{done: make(chan struct{})}
	s.loads[lk] = c
	s.mu.Unlock()

	c.ks, c.err = s.load(ctx, poolID, create)

	s.mu.Lock()
	delete(s.loads, lk)
	if c.err == nil && c.ks.complete() {
		s.sets[poolID] = c.ks
	}
	s.mu.Unlock()
	close(c.done)
	return c.ks, false, c.err
}

func (ks *keySet) complete() bool { return len(ks.current) == len(uses) }

// load reads a pool's keys from the store and opens them, making the
// missing ones first when create is set.
func (s *Signer) load(ctx context.Context, poolID string, create bool) (*keySet, error) {
	recs, err := s.Store.ListSigningKeys(ctx, poolID)
	if err != nil {
		return nil, err
	}
	if missing := missingUses(recs); create && len(missing) > 0 {
		err := s.createKeys(ctx, poolID, recs, missing)
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return nil, err
		}
		// Our keys or, after a conflict, those of the process that made
		// them first.
		if recs, err = s.Store.ListSigningKeys(ctx, poolID); err != nil {
			return nil, err
		}
		if missing := missingUses(recs); len(missing) > 0 {
			return nil, fmt.Errorf("tokens: pool %s still lacks %v keys after making them", poolID, missing)
		}
	}
	if len(recs) == 0 {
		return nil, errNoKeys
	}
	return s.open(poolID, recs)
}

// missingUses returns the uses recs has no key for.
func missingUses(recs []store.SigningKey) []Use {
	var missing []Use
	for _, u := range uses {
		if countUse(recs, u) == 0 {
			missing = append(missing, u)
		}
	}
	return missing
}

func countUse(recs []store.SigningKey, u Use) int {
	n := 0
	for _, r := range recs {
		if r.Use == string(u) {
			n++
		}
	}
	return n
}

// createKeys makes a key for each missing use and stores them together.
// Their kids depend only on the pool and on what it already has, so a
// process racing this one makes the same kids and one of the two gets
// store.ErrConflict.
func (s *Signer) createKeys(ctx context.Context, poolID string, recs []store.SigningKey, missing []Use) error {
	p, err := s.Store.GetPool(ctx, poolID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrPoolNotFound
	}
	if err != nil {
		return err
	}
	now := s.now()
	var made []*store.SigningKey
	for _, u := range missing {
		kid := deriveKID(p, u, countUse(recs, u)+1)
		priv, err := rsa.GenerateKey(rand.Reader, keyBits)
		if err != nil {
			return fmt.Errorf("tokens: generate key: %w", err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return fmt.Errorf("tokens: encode key: %w", err)
		}
		sealed, err := s.Keys.Seal(der, keyAAD(poolID, kid))
		clear(der)
		if err != nil {
			return fmt.Errorf("tokens: seal key: %w", err)
		}
		made = append(made, &store.SigningKey{PoolID: poolID, KID: kid, Use: string(u), Sealed: sealed, CreatedAt: now})
	}
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		for _, k := range made {
			if err := tx.CreateSigningKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) { // the pool was deleted meanwhile
		return ErrPoolNotFound
	}
	return err
}

// deriveKID returns the kid of a pool's key of a use and generation
// (1 for the first key of that use): base64 of a SHA-256, as Cognito's
// kids look. The pool's creation time sets apart a pool deleted and made
// again with the same ID, whose new keys must not reuse the kids that
// clients may have cached with the old keys.
func deriveKID(p *store.Pool, u Use, generation int) string {
	h := sha256.New()
	for _, f := range []string{"cognate signing key", p.ID, strconv.FormatInt(p.CreatedAt.UnixMicro(), 10), string(u), strconv.Itoa(generation)} {
		h.Write([]byte(strconv.Itoa(len(f)) + ":" + f))
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// keyAAD is the aad a pool's key is sealed with; kid, which is base64,
// cannot contain "|".
func keyAAD(poolID, kid string) []byte { return []byte("signing-key|" + poolID + "|" + kid) }

// open opens a pool's stored keys.
func (s *Signer) open(poolID string, recs []store.SigningKey) (*keySet, error) {
	ks := &keySet{byKID: map[string]*key{}, current: map[Use]*key{}, made: recs[0].CreatedAt}
	var doc jwksDoc
	for _, r := range recs {
		u := Use(r.Use)
		if !u.valid() {
			return nil, fmt.Errorf("tokens: key %s of pool %s has the unknown use %q", r.KID, poolID, r.Use)
		}
		der, err := s.Keys.Open(r.Sealed, keyAAD(poolID, r.KID))
		if err != nil {
			return nil, fmt.Errorf("tokens: key %s of pool %s: %w", r.KID, poolID, err)
		}
		parsed, err := x509.ParsePKCS8PrivateKey(der)
		clear(der)
		if err != nil {
			return nil, fmt.Errorf("tokens: key %s of pool %s: %w", r.KID, poolID, err)
		}
		priv, ok := parsed.(*rsa.PrivateKey)
		if !ok || priv.N.BitLen() < keyBits {
			return nil, fmt.Errorf("tokens: key %s of pool %s is not an RSA key of at least %d bits", r.KID, poolID, keyBits)
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: r.KID}}, nil)
		if err != nil {
			return nil, fmt.Errorf("tokens: key %s of pool %s: %w", r.KID, poolID, err)
		}
		k := &key{kid: r.KID, use: u, priv: priv, signer: signer}
		ks.keys = append(ks.keys, k)
		ks.byKID[k.kid] = k
		ks.current[u] = k
		doc.Keys = append(doc.Keys, publicJWK(k))
	}
	var err error
	if ks.jwks, err = json.Marshal(doc); err != nil {
		return nil, err
	}
	return ks, nil
}

// jwksDoc is a JSON Web Key Set (RFC 7517 section 5) as Cognito writes
// it: each key with exactly these members, in this order.
type jwksDoc struct {
	Keys []jwk `json:"keys"`
}

type jwk struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

func publicJWK(k *key) jwk {
	pub := &k.priv.PublicKey
	return jwk{
		Alg: "RS256",
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		Kid: k.kid,
		Kty: "RSA",
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		Use: "sig",
	}
}

// forget drops ks from the cache if it is still the cached set of poolID.
func (s *Signer) forget(poolID string, ks *keySet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sets[poolID] == ks {
		delete(s.sets, poolID)
	}
}

// CheckPool drops the cached keys of poolID if they were made before
// created, the pool's creation time: they belong to a pool that was deleted
// and made again with the same ID (the seed file gives fixed IDs), in this
// process or another replica. Callers that have the pool at hand call it
// before Sign.
func (s *Signer) CheckPool(poolID string, created time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ks := s.sets[poolID]; ks != nil && ks.made.Before(created.Truncate(time.Microsecond)) {
		delete(s.sets, poolID)
	}
}
