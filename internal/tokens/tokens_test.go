package tokens

import (
	"bytes"
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/store"
)

// TestSignVerify signs an ID and an access token and checks them three
// ways: with Verify, with go-jose's JWT verifier against the served JWKS,
// and by hand with crypto/rsa.
func TestSignVerify(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database) {
		s, _ := setup(t, db, poolA)
		keys := servedJWKS(t, s, poolA)
		for _, use := range []Use{IDToken, AccessToken} {
			t.Run(string(use), func(t *testing.T) {
				want := claims(poolA, use)
				want["cognito:groups"] = []any{"admins", "x|y"}
				token := mustSign(t, s, poolA, use, want)

				got, err := s.Verify(t.Context(), poolA, token)
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				roundTrip := func(v any) any { // what JSON makes of v, numbers as json.Number
					b, _ := json.Marshal(v)
					dec := json.NewDecoder(bytes.NewReader(b))
					dec.UseNumber()
					var out any
					dec.Decode(&out)
					return out
				}
				if d := cmp.Diff(roundTrip(want), roundTrip(got)); d != "" {
					t.Errorf("Verify claims (-signed +verified):\n%s", d)
				}

				// go-jose's own verifier, with the keys as served.
				var set jose.JSONWebKeySet
				for _, k := range keys {
					b, _ := json.Marshal(k)
					var jk jose.JSONWebKey
					if err := jk.UnmarshalJSON(b); err != nil {
						t.Fatalf("go-jose cannot read served key %s: %v", k.Kid, err)
					}
					set.Keys = append(set.Keys, jk)
				}
				tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
				if err != nil {
					t.Fatal(err)
				}
				var std jwt.Claims
				var all map[string]any
				if err := tok.Claims(set, &std, &all); err != nil {
					t.Fatalf("go-jose verification: %v", err)
				}
				if err := std.ValidateWithLeeway(jwt.Expected{Issuer: base + "/" + poolA, Time: now}, 0); err != nil {
					t.Errorf("go-jose claim validation: %v", err)
				}
				if all["token_use"] != string(use) {
					t.Errorf("token_use = %v", all["token_use"])
				}

				// By hand: the header is exactly {alg, kid}, and the signature is
				// PKCS #1 v1.5 over SHA-256 of the first two segments.
				header, _, parts := segments(t, token)
				kid, _ := header["kid"].(string)
				if d := cmp.Diff(map[string]any{"alg": "RS256", "kid": kid}, header); d != "" {
					t.Errorf("header (-want +got):\n%s", d)
				}
				i := slices.IndexFunc(keys, func(k jwk) bool { return k.Kid == kid })
				if i < 0 {
					t.Fatalf("kid %q is not in the JWKS %v", kid, kids(keys))
				}
				sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
				if err != nil {
					t.Fatal(err)
				}
				digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
				if err := rsa.VerifyPKCS1v15(rsaKey(t, keys[i]), crypto.SHA256, digest[:], sig); err != nil {
					t.Errorf("crypto/rsa verification: %v", err)
				}
				if n := rsaKey(t, keys[i]).N.BitLen(); n != 2048 {
					t.Errorf("key of %d bits, want 2048", n)
				}
			})
		}
	})
}

// TestSignAddsIssuer checks that Sign fills in iss, and leaves the
// caller's map alone.
func TestSignAddsIssuer(t *testing.T) {
	s, _ := setup(t, sqliteDB(t), poolA)
	c := map[string]any{"exp": now.Add(time.Minute).Unix()}
	got, err := s.Verify(t.Context(), poolA, mustSign(t, s, poolA, AccessToken, c))
	if err != nil {
		t.Fatal(err)
	}
	if got["iss"] != base+"/"+poolA {
		t.Errorf("iss = %v", got["iss"])
	}
	if _, ok := c["iss"]; ok {
		t.Error("Sign changed the caller's claims")
	}
	if _, err := s.Verify(t.Context(), poolA, mustSign(t, s, poolA, AccessToken, nil)); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("a token signed without exp: Verify = %v, want ErrInvalidToken", err)
	}
	if _, err := s.Sign(t.Context(), poolA, "refresh", c); err == nil {
		t.Error("Sign with an unknown use succeeded")
	}
}

// TestKeysPerUse checks that a pool's JWKS has a key for each use, with
// the members Cognito publishes, and that ID and access tokens are signed
// with different keys.
func TestKeysPerUse(t *testing.T) {
	s, st := setup(t, sqliteDB(t), poolA)
	idTok := mustSign(t, s, poolA, IDToken, claims(poolA, IDToken))
	accessTok := mustSign(t, s, poolA, AccessToken, claims(poolA, AccessToken))
	idHeader, _, _ := segments(t, idTok)
	accessHeader, _, _ := segments(t, accessTok)
	if idHeader["kid"] == accessHeader["kid"] {
		t.Fatalf("ID and access tokens share the kid %v", idHeader["kid"])
	}

	keys := servedJWKS(t, s, poolA)
	if d := cmp.Diff([]string{idHeader["kid"].(string), accessHeader["kid"].(string)}, kids(keys)); d != "" {
		t.Errorf("JWKS kids (-want +got):\n%s", d)
	}
	for _, k := range keys {
		if k.Alg != "RS256" || k.Kty != "RSA" || k.Use != "sig" || k.E != "AQAB" || len(k.N) != 342 {
			t.Errorf("key %+v", k)
		}
		if len(k.Kid) != 44 || !strings.HasSuffix(k.Kid, "=") {
			t.Errorf("kid %q does not look like Cognito's (base64 of 32 bytes)", k.Kid)
		}
	}
	if keys[0].N == keys[1].N {
		t.Error("the ID and access keys have the same modulus")
	}

	recs, err := st.ListSigningKeys(t.Context(), poolA)
	if err != nil {
		t.Fatal(err)
	}
	var uses []string
	for _, r := range recs {
		uses = append(uses, r.Use)
		if !r.CreatedAt.Equal(now) {
			t.Errorf("key %s created at %v, want the signer's clock %v", r.KID, r.CreatedAt, now)
		}
	}
	if d := cmp.Diff([]string{"id", "access"}, uses); d != "" {
		t.Errorf("stored uses (-want +got):\n%s", d)
	}

	// Pools have keys of their own.
	s2, _ := setup(t, sqliteDB(t), poolB)
	if slices.ContainsFunc(servedJWKS(t, s2, poolB), func(k jwk) bool { return slices.Contains(kids(keys), k.Kid) }) {
		t.Error("two pools share a kid")
	}
}

// TestKeysSurvive checks that a pool's keys are the same after a restart
// and for a second replica on the same database, and that each verifies
// the other's tokens.
func TestKeysSurvive(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database) {
		first, st := setup(t, db, poolA)
		token := mustSign(t, first, poolA, IDToken, claims(poolA, IDToken))
		want := servedJWKS(t, first, poolA)

		replica := newSigner(db, db.open(t))
		if d := cmp.Diff(want, servedJWKS(t, replica, poolA)); d != "" {
			t.Errorf("the replica's JWKS differs (-first +replica):\n%s", d)
		}
		if _, err := replica.Verify(t.Context(), poolA, token); err != nil {
			t.Errorf("the replica rejects the first signer's token: %v", err)
		}
		if _, err := first.Verify(t.Context(), poolA, mustSign(t, replica, poolA, IDToken, claims(poolA, IDToken))); err != nil {
			t.Errorf("the first signer rejects the replica's token: %v", err)
		}

		st.Close()
		restarted := newSigner(db, db.open(t))
		if d := cmp.Diff(want, servedJWKS(t, restarted, poolA)); d != "" {
			t.Errorf("JWKS after a restart differs (-before +after):\n%s", d)
		}
		if _, err := restarted.Verify(t.Context(), poolA, token); err != nil {
			t.Errorf("a token from before the restart: %v", err)
		}
	})
}

// TestConcurrentFirstUse makes two replicas sign for a pool without keys
// at once, many times each: they must end up with one key set.
func TestConcurrentFirstUse(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database) {
		a, st := setup(t, db, poolA)
		b := newSigner(db, db.open(t))
		const n = 8
		tokens := make([]string, 2*n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range tokens {
			s := []*Signer{a, b}[i%2]
			wg.Go(func() {
				<-start
				tok, err := s.Sign(context.Background(), poolA, []Use{IDToken, AccessToken}[i/2%2], claims(poolA, []Use{IDToken, AccessToken}[i/2%2]))
				if err != nil {
					t.Errorf("Sign: %v", err)
				}
				tokens[i] = tok
			})
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			return
		}
		recs, err := st.ListSigningKeys(t.Context(), poolA)
		if err != nil || len(recs) != 2 {
			t.Fatalf("ListSigningKeys = %d keys, %v; want 2", len(recs), err)
		}
		for _, tok := range tokens {
			for _, s := range []*Signer{a, b} {
				if _, err := s.Verify(t.Context(), poolA, tok); err != nil {
					t.Errorf("Verify: %v", err)
				}
			}
		}
	})
}

// staleStore answers the first ListSigningKeys with no keys, as a replica
// that read just before another made the keys would see.
type staleStore struct {
	store.Store
	once sync.Once
}

func (s *staleStore) ListSigningKeys(ctx context.Context, poolID string) ([]store.SigningKey, error) {
	stale := false
	s.once.Do(func() { stale = true })
	if stale {
		return nil, nil
	}
	return s.Store.ListSigningKeys(ctx, poolID)
}

// TestLostRace checks the path the loser of a creation race takes: its
// insert conflicts, and it takes the winner's keys.
func TestLostRace(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database) {
		winner, st := setup(t, db, poolA)
		want := servedJWKS(t, winner, poolA)
		loser := newSigner(db, &staleStore{Store: st})
		token := mustSign(t, loser, poolA, AccessToken, claims(poolA, AccessToken))
		if d := cmp.Diff(want, servedJWKS(t, loser, poolA)); d != "" {
			t.Errorf("the loser's JWKS (-winner +loser):\n%s", d)
		}
		if _, err := winner.Verify(t.Context(), poolA, token); err != nil {
			t.Errorf("the winner rejects the loser's token: %v", err)
		}
		if recs, _ := st.ListSigningKeys(t.Context(), poolA); len(recs) != 2 {
			t.Errorf("%d keys stored, want 2", len(recs))
		}
	})
}

// TestSealedAtRest checks that no form of the private keys reaches the
// SQLite files (WAL included), while their kids, stored in clear, do.
func TestSealedAtRest(t *testing.T) {
	db := sqliteDB(t)
	s, _ := setup(t, db, poolA)
	mustSign(t, s, poolA, IDToken, claims(poolA, IDToken))
	ks, err := s.keySet(t.Context(), poolA, false)
	if err != nil {
		t.Fatal(err)
	}
	var files [][]byte
	entries, _ := filepath.Glob(filepath.Join(db.dir, "cognate.db*"))
	for _, name := range entries {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	found := func(needle []byte) bool {
		return slices.ContainsFunc(files, func(f []byte) bool { return bytes.Contains(f, needle) })
	}
	for _, k := range ks.keys {
		if !found([]byte(k.kid)) {
			t.Fatalf("kid %s is not in %v: the check reads the wrong files", k.kid, entries)
		}
		pkcs8, err := x509.MarshalPKCS8PrivateKey(k.priv)
		if err != nil {
			t.Fatal(err)
		}
		secrets := map[string][]byte{
			"PKCS #8 DER":       pkcs8,
			"PKCS #1 DER":       x509.MarshalPKCS1PrivateKey(k.priv),
			"private exponent":  k.priv.D.Bytes(),
			"first prime":       k.priv.Primes[0].Bytes(),
			"PKCS #8 in base64": []byte(base64.StdEncoding.EncodeToString(pkcs8)[:64]),
		}
		for what, b := range secrets {
			if found(b) {
				t.Errorf("the %s of key %s is in the database", what, k.kid)
			}
		}
	}
}

// TestSealBinding checks that a sealed key moved to another row does not
// open.
func TestSealBinding(t *testing.T) {
	db := sqliteDB(t)
	s, st := setup(t, db, poolA, poolB)
	mustSign(t, s, poolA, IDToken, claims(poolA, IDToken))
	recs, _ := st.ListSigningKeys(t.Context(), poolA)
	moved := store.SigningKey{PoolID: poolB, KID: "moved", Use: "id", Sealed: recs[0].Sealed, CreatedAt: now}
	if err := st.CreateSigningKey(t.Context(), &moved); err != nil {
		t.Fatal(err)
	}
	if _, err := newSigner(db, st).Sign(t.Context(), poolB, IDToken, claims(poolB, IDToken)); err == nil {
		t.Error("a key sealed for another pool and kid was used")
	}
}

// TestVerifyRejects tampers with tokens in the ways attackers do.
func TestVerifyRejects(t *testing.T) {
	s, st := setup(t, sqliteDB(t), poolA, poolB, "us-east-1_NoKeys")
	ctx := t.Context()
	good := mustSign(t, s, poolA, IDToken, claims(poolA, IDToken))
	header, payload, parts := segments(t, good)
	access := mustSign(t, s, poolA, AccessToken, claims(poolA, AccessToken))
	accessHeader, _, _ := segments(t, access)
	ks, err := s.keySet(ctx, poolA, false)
	if err != nil {
		t.Fatal(err)
	}
	idKey := ks.current[IDToken]

	with := func(c map[string]any, edit func(map[string]any)) map[string]any {
		c = maps.Clone(c)
		edit(c)
		return c
	}
	// signRaw signs any payload with the pool's real ID key.
	signRaw := func(payload []byte) string {
		jws, err := idKey.signer.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		out, err := jws.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// signWith signs a header and payload with another RSA key.
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signWith := func(h, p map[string]any) string {
		input := encodeSegment(t, h) + "." + encodeSegment(t, p)
		digest := sha256.Sum256([]byte(input))
		sig, err := rsa.SignPKCS1v15(nil, foreign, crypto.SHA256, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		return input + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	// hs256 signs with HMAC keyed by the public key's JWK, the classic
	// algorithm confusion.
	hs256 := func() string {
		h := map[string]any{"alg": "HS256", "kid": header["kid"]}
		input := encodeSegment(t, h) + "." + parts[1]
		mac := hmac.New(sha256.New, ks.jwks)
		mac.Write([]byte(input))
		return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	}

	cases := []struct {
		name, pool, token string
		want              error
	}{
		{"empty", poolA, "", ErrInvalidToken},
		{"garbage", poolA, "not a token", ErrInvalidToken},
		{"two parts", poolA, parts[0] + "." + parts[1], ErrInvalidToken},
		{"four parts", poolA, good + ".x", ErrInvalidToken},
		{"padded base64", poolA, parts[0] + "=." + parts[1] + "." + parts[2], ErrInvalidToken},
		{"JSON serialization", poolA, `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, ErrInvalidToken},
		{"too large", poolA, strings.Repeat("a", maxTokenSize+1), ErrInvalidToken},
		{"changed payload", poolA, parts[0] + "." + encodeSegment(t, with(payload, func(c map[string]any) { c["sub"] = "mallory" })) + "." + parts[2], ErrInvalidToken},
		{"changed signature", poolA, parts[0] + "." + parts[1] + "." + flip(parts[2]), ErrInvalidToken},
		{"empty signature", poolA, parts[0] + "." + parts[1] + ".", ErrInvalidToken},
		{"kid of the access key", poolA, encodeSegment(t, map[string]any{"alg": "RS256", "kid": accessHeader["kid"]}) + "." + parts[1] + "." + parts[2], ErrInvalidToken},
		{"unknown kid", poolA, encodeSegment(t, map[string]any{"alg": "RS256", "kid": "nope"}) + "." + parts[1] + "." + parts[2], ErrInvalidToken},
		{"no kid", poolA, signWith(map[string]any{"alg": "RS256"}, payload), ErrInvalidToken},
		{"alg none", poolA, encodeSegment(t, map[string]any{"alg": "none", "kid": header["kid"]}) + "." + parts[1] + ".", ErrInvalidToken},
		{"alg HS256 keyed with the public key", poolA, hs256(), ErrInvalidToken},
		{"alg RS512", poolA, encodeSegment(t, map[string]any{"alg": "RS512", "kid": header["kid"]}) + "." + parts[1] + "." + parts[2], ErrInvalidToken},
		{"foreign key with a real kid", poolA, signWith(header, payload), ErrInvalidToken},
		{"another pool's token", poolB, good, ErrInvalidToken},
		{"pool without keys", "us-east-1_NoKeys", good, ErrInvalidToken},
		{"missing pool", "us-east-1_Missing", good, ErrInvalidToken},
		{"expired", poolA, mustSign(t, s, poolA, IDToken, with(claims(poolA, IDToken), func(c map[string]any) { c["exp"] = now.Add(-time.Second).Unix() })), ErrExpired},
		{"expires now", poolA, mustSign(t, s, poolA, IDToken, with(claims(poolA, IDToken), func(c map[string]any) { c["exp"] = now.Unix() })), ErrExpired},
		{"no exp", poolA, mustSign(t, s, poolA, IDToken, with(claims(poolA, IDToken), func(c map[string]any) { delete(c, "exp") })), ErrInvalidToken},
		{"exp a string", poolA, mustSign(t, s, poolA, IDToken, with(claims(poolA, IDToken), func(c map[string]any) { c["exp"] = "9999999999" })), ErrInvalidToken},
		{"exp negative", poolA, mustSign(t, s, poolA, IDToken, with(claims(poolA, IDToken), func(c map[string]any) { c["exp"] = -1 })), ErrInvalidToken},
		{"exp huge", poolA, mustSign(t, s, poolA, IDToken, with(claims(poolA, IDToken), func(c map[string]any) { c["exp"] = 1e300 })), ErrInvalidToken},
		{"nbf in the future", poolA, mustSign(t, s, poolA, IDToken, with(claims(poolA, IDToken), func(c map[string]any) { c["nbf"] = now.Add(time.Second).Unix() })), ErrInvalidToken},
		{"nbf not a number", poolA, mustSign(t, s, poolA, IDToken, with(claims(poolA, IDToken), func(c map[string]any) { c["nbf"] = true })), ErrInvalidToken},
		{"wrong issuer", poolA, mustSign(t, s, poolA, IDToken, with(claims(poolA, IDToken), func(c map[string]any) { c["iss"] = base + "/" + poolB })), ErrInvalidToken},
		{"issuer not a string", poolA, mustSign(t, s, poolA, IDToken, with(claims(poolA, IDToken), func(c map[string]any) { c["iss"] = 1 })), ErrInvalidToken},
		{"access token_use signed by the ID key", poolA, mustSign(t, s, poolA, IDToken, claims(poolA, AccessToken)), ErrInvalidToken},
		{"id token_use signed by the access key", poolA, mustSign(t, s, poolA, AccessToken, claims(poolA, IDToken)), ErrInvalidToken},
		{"payload an array", poolA, signRaw([]byte(`[1]`)), ErrInvalidToken},
		{"payload null", poolA, signRaw([]byte(`null`)), ErrInvalidToken},
		{"payload with trailing data", poolA, signRaw([]byte(`{"exp":9999999999,"iss":"` + base + "/" + poolA + `"} {}`)), ErrInvalidToken},
		{"payload not JSON", poolA, signRaw([]byte(`exp`)), ErrInvalidToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Verify(ctx, tc.pool, tc.token)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	// The positive controls of the cases above.
	for _, tok := range []string{good, signRaw([]byte(`{"exp":9999999999,"iss":"` + base + "/" + poolA + `"}`))} {
		if _, err := s.Verify(ctx, poolA, tok); err != nil {
			t.Errorf("Verify(%s): %v", tok, err)
		}
	}
	if _, err := s.Verify(ctx, poolA, mustSign(t, s, poolA, IDToken, with(claims(poolA, IDToken), func(c map[string]any) { c["nbf"] = now.Unix() }))); err != nil {
		t.Errorf("nbf now: %v", err)
	}
	// Verify never makes keys.
	if recs, _ := st.ListSigningKeys(ctx, "us-east-1_NoKeys"); len(recs) != 0 {
		t.Errorf("Verify made keys for a pool: %v", recs)
	}
}

// TestMissingPool checks Sign for a pool that does not exist.
func TestMissingPool(t *testing.T) {
	s, st := setup(t, sqliteDB(t), poolA)
	if _, err := s.Sign(t.Context(), "us-east-1_Missing", IDToken, claims("us-east-1_Missing", IDToken)); !errors.Is(err, ErrPoolNotFound) {
		t.Errorf("Sign for a missing pool: %v, want ErrPoolNotFound", err)
	}
	// Not cached: the pool may be created later.
	if err := st.CreatePool(t.Context(), &store.Pool{ID: "us-east-1_Missing", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	mustSign(t, s, "us-east-1_Missing", IDToken, claims("us-east-1_Missing", IDToken))
}

// TestDeriveKID checks that kids depend on every input.
func TestDeriveKID(t *testing.T) {
	p := &store.Pool{ID: poolA, CreatedAt: now}
	later := &store.Pool{ID: poolA, CreatedAt: now.Add(time.Microsecond)}
	other := &store.Pool{ID: poolB, CreatedAt: now}
	kidsSeen := map[string]string{}
	for name, kid := range map[string]string{
		"id 1":         deriveKID(p, IDToken, 1),
		"access 1":     deriveKID(p, AccessToken, 1),
		"id 2":         deriveKID(p, IDToken, 2),
		"re-created":   deriveKID(later, IDToken, 1),
		"another pool": deriveKID(other, IDToken, 1),
	} {
		if prev, ok := kidsSeen[kid]; ok {
			t.Errorf("%s and %s share the kid %s", name, prev, kid)
		}
		kidsSeen[kid] = name
	}
	if deriveKID(p, IDToken, 1) != deriveKID(&store.Pool{ID: poolA, CreatedAt: now}, IDToken, 1) {
		t.Error("deriveKID is not deterministic")
	}
}

// flip changes the first character of a base64url string.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// TestPoolRecreated deletes a pool and makes it again with the same ID, as
// a seed file with fixed IDs does: a signer that cached the old pool's keys
// must neither sign with them nor serve them, whether it is told through
// CheckPool or learns it from the store when serving the JWKS.
func TestPoolRecreated(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database) {
		s, st := setup(t, db, poolA)
		old := servedJWKS(t, s, poolA)
		if err := st.DeletePool(t.Context(), poolA); err != nil {
			t.Fatal(err)
		}
		p := &store.Pool{ID: poolA, Name: "again", CreatedAt: now.Add(time.Second), UpdatedAt: now.Add(time.Second)}
		if err := st.CreatePool(t.Context(), p); err != nil {
			t.Fatal(err)
		}
		fresh := servedJWKS(t, s, poolA)
		if slices.ContainsFunc(kids(fresh), func(k string) bool { return slices.Contains(kids(old), k) }) {
			t.Fatalf("the re-created pool serves the old kids %v", kids(old))
		}
		s.CheckPool(poolA, p.CreatedAt)
		token := mustSign(t, s, poolA, IDToken, claims(poolA, IDToken))
		if _, err := s.Verify(t.Context(), poolA, token); err != nil {
			t.Fatalf("token of the re-created pool: %v", err)
		}
		header, _, _ := segments(t, token)
		if !slices.Contains(kids(fresh), header["kid"].(string)) {
			t.Errorf("signed with kid %v, not one of the new pool's %v", header["kid"], kids(fresh))
		}
	})
}

// TestPoolRecreatedOnAnotherReplica has two signers share one store, as
// replicas do: when one deletes a pool and makes it again with the same ID,
// the other, which cached the old pool's keys and is told nothing, still
// accepts the new pool's tokens, reading the keys afresh on the unknown kid.
func TestPoolRecreatedOnAnotherReplica(t *testing.T) {
	eachDB(t, func(t *testing.T, db *database) {
		a, st := setup(t, db, poolA, poolB)
		b := newSigner(db, st)
		if _, err := b.Verify(t.Context(), poolA, mustSign(t, a, poolA, IDToken, claims(poolA, IDToken))); err != nil {
			t.Fatalf("replica b, first token: %v", err)
		}
		if err := st.DeletePool(t.Context(), poolA); err != nil {
			t.Fatal(err)
		}
		p := &store.Pool{ID: poolA, Name: "again", CreatedAt: now.Add(time.Second), UpdatedAt: now.Add(time.Second)}
		if err := st.CreatePool(t.Context(), p); err != nil {
			t.Fatal(err)
		}
		a.CheckPool(poolA, p.CreatedAt)
		token := mustSign(t, a, poolA, AccessToken, claims(poolA, AccessToken))
		if _, err := b.Verify(t.Context(), poolA, token); err != nil {
			t.Fatalf("replica b, token of the re-created pool: %v", err)
		}
		forged := mustSign(t, newSigner(db, st), poolB, AccessToken, claims(poolB, AccessToken))
		if _, err := b.Verify(t.Context(), poolA, forged); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("a token of another pool: %v, want ErrInvalidToken", err)
		}
	})
}
