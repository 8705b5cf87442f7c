package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/cognate-idp/cognate/internal/tokens"
)

// getJSON fetches url and decodes its JSON body into v, returning the
// response.
func getJSON(t *testing.T, url string, v any) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q", url, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
	return resp
}

// TestTokenDocuments fetches a pool's discovery document and JWKS over
// HTTP, as a relying party would, and verifies tokens the server signed
// with go-jose against the served keys.
func TestTokenDocuments(t *testing.T) {
	s, c := start(t)
	pool := aws.ToString(newPool(t, c, nil).Id)
	issuer := s.URL + "/" + pool

	var disc map[string]any
	if resp := getJSON(t, issuer+"/.well-known/openid-configuration", &disc); resp.StatusCode != http.StatusOK {
		t.Fatalf("discovery: %d %v", resp.StatusCode, disc)
	}
	if disc["issuer"] != issuer || disc["jwks_uri"] != issuer+"/.well-known/jwks.json" {
		t.Fatalf("discovery issuer %v, jwks_uri %v; want %s", disc["issuer"], disc["jwks_uri"], issuer)
	}
	// A pool without a domain has no hosted endpoints to name (see
	// oauth_test.go for a pool with one).
	for _, name := range []string{"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "end_session_endpoint"} {
		if v, ok := disc[name]; ok {
			t.Errorf("%s = %v for a pool without a domain", name, v)
		}
	}

	var set jose.JSONWebKeySet
	resp := getJSON(t, disc["jwks_uri"].(string), &set)
	if resp.StatusCode != http.StatusOK || len(set.Keys) != 2 {
		t.Fatalf("JWKS: %d, %d keys", resp.StatusCode, len(set.Keys))
	}
	if resp.Header.Get("Cache-Control") == "" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("JWKS headers %v", resp.Header)
	}
	for _, k := range set.Keys {
		if !k.Valid() || !k.IsPublic() || k.Algorithm != "RS256" || k.Use != "sig" {
			t.Errorf("served key %s: valid %v, public %v, alg %s, use %s", k.KeyID, k.Valid(), k.IsPublic(), k.Algorithm, k.Use)
		}
	}

	signer := s.Server.Signer()
	var kids []string
	for _, use := range []tokens.Use{tokens.IDToken, tokens.AccessToken} {
		now := time.Now()
		token, err := signer.Sign(ctx, pool, use, map[string]any{
			"sub": "e2e-sub", "token_use": string(use), "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		})
		if err != nil {
			t.Fatalf("Sign %s: %v", use, err)
		}
		tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatal(err)
		}
		kid := tok.Headers[0].KeyID
		kids = append(kids, kid)
		keys := set.Key(kid)
		if len(keys) != 1 {
			t.Fatalf("%s token's kid %q is not in the served JWKS", use, kid)
		}
		var claims jwt.Claims
		var extra struct {
			TokenUse string `json:"token_use"`
		}
		if err := tok.Claims(keys[0].Key, &claims, &extra); err != nil {
			t.Fatalf("%s token does not verify against the served key: %v", use, err)
		}
		if err := claims.Validate(jwt.Expected{Issuer: disc["issuer"].(string), Subject: "e2e-sub", Time: now}); err != nil {
			t.Errorf("%s token claims: %v", use, err)
		}
		if extra.TokenUse != string(use) {
			t.Errorf("token_use %q, want %s", extra.TokenUse, use)
		}
		if _, err := signer.Verify(ctx, pool, token); err != nil {
			t.Errorf("the server's Verify rejects its own %s token: %v", use, err)
		}
	}
	if kids[0] == kids[1] {
		t.Errorf("ID and access tokens share the kid %s", kids[0])
	}

	// The keys outlive a restart (the issuer follows the new port).
	s.Restart(t)
	var again jose.JSONWebKeySet
	getJSON(t, s.URL+"/"+pool+"/.well-known/jwks.json", &again)
	var before, after []string
	for i := range set.Keys {
		before = append(before, set.Keys[i].KeyID)
	}
	for i := range again.Keys {
		after = append(after, again.Keys[i].KeyID)
	}
	if !slices.Equal(before, after) {
		t.Errorf("kids after a restart %v, before %v", after, before)
	}

	// A deleted pool, and one that never was, answer 404 with a JSON error.
	if _, err := s.Client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(pool)}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/" + pool + "/.well-known/jwks.json", "/" + pool + "/.well-known/openid-configuration", "/us-east-1_Nope/.well-known/jwks.json"} {
		var e struct{ Code, Message string }
		if resp := getJSON(t, s.URL+path, &e); resp.StatusCode != http.StatusNotFound || e.Code != "ResourceNotFoundException" {
			t.Errorf("GET %s: %d %+v", path, resp.StatusCode, e)
		}
	}
}
