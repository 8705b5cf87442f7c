package tokens

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/postgres"
	"github.com/cognate-idp/cognate/internal/store/postgres/pgtesting"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
)

// now is the tests' clock.
var now = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

const (
	base  = "http://127.0.0.1:9229"
	poolA = "us-east-1_TokensA1"
	poolB = "us-east-1_TokensB2"
)

// database is one database that tests can open several times, as a
// restarted server or a second replica would.
type database struct {
	name string
	// dir holds the SQLite files; "" for PostgreSQL.
	dir  string
	open func(t testing.TB) store.Store
	keys *seal.Keyring
}

// sqliteDB returns a new SQLite database in a temporary directory.
func sqliteDB(t testing.TB) *database {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "cognate.db")
	return &database{name: "sqlite", dir: dir, keys: testKeys(t, dir), open: func(t testing.TB) store.Store {
		t.Helper()
		s, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}}
}

// postgresDB returns a new PostgreSQL schema, or skips the test.
func postgresDB(t testing.TB) *database {
	t.Helper()
	url := pgtesting.SchemaURL(t)
	return &database{name: "postgres", keys: testKeys(t, t.TempDir()), open: func(t testing.TB) store.Store {
		t.Helper()
		s, err := postgres.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}}
}

// eachDB runs fn on SQLite and, when there is one, on PostgreSQL.
func eachDB(t *testing.T, fn func(t *testing.T, db *database)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, sqliteDB(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, postgresDB(t)) })
}

func testKeys(t testing.TB, dir string) *seal.Keyring {
	t.Helper()
	k, _, err := seal.LoadOrCreate(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newSigner returns a signer over st with the tests' clock and issuer base.
func newSigner(db *database, st store.Store) *Signer {
	s := &Signer{Store: st, Keys: db.keys, Now: func() time.Time { return now }}
	s.SetIssuerBase(base)
	return s
}

// setup opens db with the given pools and returns a signer over it.
func setup(t testing.TB, db *database, pools ...string) (*Signer, store.Store) {
	t.Helper()
	st := db.open(t)
	for _, id := range pools {
		if err := st.CreatePool(t.Context(), &store.Pool{ID: id, Name: id, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	return newSigner(db, st), st
}

// claims returns the claims of a token of a pool, valid for an hour.
func claims(pool string, use Use) map[string]any {
	return map[string]any{
		"sub":       "5f1c2d3e-aaaa-bbbb-cccc-000000000001",
		"iss":       base + "/" + pool,
		"token_use": string(use),
		"auth_time": now.Unix(),
		"iat":       now.Unix(),
		"exp":       now.Add(time.Hour).Unix(),
	}
}

func mustSign(t testing.TB, s *Signer, pool string, use Use, c map[string]any) string {
	t.Helper()
	tok, err := s.Sign(t.Context(), pool, use, c)
	if err != nil {
		t.Fatalf("Sign(%s, %s): %v", pool, use, err)
	}
	return tok
}

// get serves one GET request with the signer's handlers.
func get(s *Signer, path string) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	s.Register(mux)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w
}

// servedJWKS fetches and decodes a pool's JWKS through the handler.
func servedJWKS(t testing.TB, s *Signer, pool string) []jwk {
	t.Helper()
	w := get(s, "/"+pool+"/.well-known/jwks.json")
	if w.Code != http.StatusOK {
		t.Fatalf("GET jwks.json: %d %s", w.Code, w.Body)
	}
	var doc jwksDoc
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decode JWKS: %v", err)
	}
	return doc.Keys
}

// kids returns the kids of keys.
func kids(keys []jwk) []string {
	var ks []string
	for _, k := range keys {
		ks = append(ks, k.Kid)
	}
	return ks
}

// rsaKey builds an RSA public key from a JWK's n and e by hand.
func rsaKey(t testing.TB, k jwk) *rsa.PublicKey {
	t.Helper()
	n, err := base64.RawURLEncoding.Strict().DecodeString(k.N)
	if err != nil {
		t.Fatalf("n: %v", err)
	}
	e, err := base64.RawURLEncoding.Strict().DecodeString(k.E)
	if err != nil {
		t.Fatalf("e: %v", err)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
}

// segments splits a compact JWS and decodes its header and payload.
func segments(t testing.TB, token string) (header, payload map[string]any, parts []string) {
	t.Helper()
	parts = strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	for i, dst := range []*map[string]any{&header, &payload} {
		b, err := base64.RawURLEncoding.Strict().DecodeString(parts[i])
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
	}
	return header, payload, parts
}

// encodeSegment is the base64url of v's JSON.
func encodeSegment(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
