package tokens

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/golden"
	"github.com/cognate-idp/cognate/internal/store"
)

// dump writes a response as the golden files hold it.
func dump(w *httptest.ResponseRecorder) string {
	return golden.Response(w.Code, w.Header(), w.Body.Bytes())
}

// TestDocumentsGolden pins the bytes of the documents and errors. The
// JWKS's kids and moduli differ from run to run and are replaced by
// placeholders.
func TestDocumentsGolden(t *testing.T) {
	s, st := setup(t, sqliteDB(t), poolA, poolB)
	if err := st.DeletePool(t.Context(), poolB); err != nil {
		t.Fatal(err)
	}
	jwks := func() string {
		w := get(s, "/"+poolA+"/.well-known/jwks.json")
		out := dump(w)
		for i, k := range servedJWKS(t, s, poolA) {
			out = strings.ReplaceAll(out, k.Kid, fmt.Sprintf("<kid-%d>", i))
			out = strings.ReplaceAll(out, k.N, fmt.Sprintf("<n-%d>", i))
		}
		return out
	}
	tests := []struct{ name, got string }{
		{"Discovery", dump(get(s, "/"+poolA+"/.well-known/openid-configuration"))},
		{"JWKS", jwks()},
		{"DiscoveryMissingPool", dump(get(s, "/us-east-1_Missing/.well-known/openid-configuration"))},
		{"JWKSDeletedPool", dump(get(s, "/"+poolB+"/.well-known/jwks.json"))},
		{"JWKSNotAPoolID", dump(get(s, "/not-a-pool-id/.well-known/jwks.json"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { golden.Check(t, tc.name, tc.got) })
	}
}

// TestDocuments checks what the golden files cannot show: the discovery
// document follows the issuer base, and the routes answer only GET (and
// HEAD).
func TestDocuments(t *testing.T) {
	s, _ := setup(t, sqliteDB(t), poolA)
	s.SetIssuerBase("https://cognito-idp.eu-west-1.amazonaws.com")
	d := s.Discovery(poolA, "")
	if d.Issuer != "https://cognito-idp.eu-west-1.amazonaws.com/"+poolA ||
		d.JWKSURI != d.Issuer+"/.well-known/jwks.json" || d.TokenEndpoint != "" || d.AuthorizationEndpoint != "" {
		t.Errorf("discovery %+v", d)
	}
	d = s.Discovery(poolA, "https://example.auth.eu-west-1.amazoncognito.com")
	if d.TokenEndpoint != "https://example.auth.eu-west-1.amazoncognito.com/oauth2/token" ||
		d.EndSessionEndpoint != "https://example.auth.eu-west-1.amazoncognito.com/logout" {
		t.Errorf("discovery with a domain %+v", d)
	}
	mux := http.NewServeMux()
	s.Register(mux)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodHead, "/" + poolA + "/.well-known/jwks.json", http.StatusOK},
		{http.MethodHead, "/" + poolA + "/.well-known/openid-configuration", http.StatusOK},
		{http.MethodPost, "/" + poolA + "/.well-known/jwks.json", http.StatusMethodNotAllowed},
		{http.MethodGet, "/" + poolA + "/.well-known/jwks.json/", http.StatusNotFound},
		{http.MethodGet, "/" + poolA + "/x/.well-known/jwks.json", http.StatusNotFound},
		{http.MethodGet, "/" + strings.Repeat("a", 50) + "_" + strings.Repeat("b", 10) + "/.well-known/jwks.json", http.StatusNotFound},
	} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
		if w.Code != tc.status {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, w.Code, tc.status)
		}
	}
}

// brokenStore fails every pool lookup.
type brokenStore struct{ store.Store }

var errBroken = errors.New("disk on fire")

func (brokenStore) GetPool(context.Context, string) (*store.Pool, error) { return nil, errBroken }
func (brokenStore) ListSigningKeys(context.Context, string) ([]store.SigningKey, error) {
	return nil, errBroken
}

// TestDocumentsStoreError checks that a failing store gets a 500 with no
// detail, logged, and that Sign and Verify return the store's error rather
// than blaming the token.
func TestDocumentsStoreError(t *testing.T) {
	db := sqliteDB(t)
	_, st := setup(t, db, poolA)
	var logs bytes.Buffer
	s := newSigner(db, brokenStore{st})
	s.Log = slog.New(slog.NewTextHandler(&logs, nil))
	for _, path := range []string{"/" + poolA + "/.well-known/jwks.json", "/" + poolA + "/.well-known/openid-configuration"} {
		w := get(s, path)
		if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "fire") {
			t.Errorf("GET %s = %d %s", path, w.Code, w.Body)
		}
	}
	if !strings.Contains(logs.String(), "disk on fire") {
		t.Errorf("the cause was not logged: %s", logs.String())
	}
	if _, err := s.Sign(t.Context(), poolA, IDToken, claims(poolA, IDToken)); !errors.Is(err, errBroken) {
		t.Errorf("Sign = %v, want the store's error", err)
	}
	good := mustSign(t, newSigner(db, st), poolA, IDToken, claims(poolA, IDToken))
	if _, err := s.Verify(t.Context(), poolA, good); !errors.Is(err, errBroken) || errors.Is(err, ErrInvalidToken) {
		t.Errorf("Verify = %v, want the store's error", err)
	}
}
