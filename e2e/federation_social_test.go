package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// socialStandIn is a small OAuth 2.0 server standing in for Facebook
// (dialog, Graph token endpoint by GET, Graph /me) and Login with Amazon
// (authorization page, token endpoint by POST, user profile) under
// --social-idp-url, as <base>/<host>/<path>.
type socialStandIn struct {
	*httptest.Server
	// key signs the ID tokens of Google and Apple.
	key    *rsa.PrivateKey
	signer jose.Signer
	// appleKey is the Sign in with Apple private key the pool holds.
	appleKey *ecdsa.PrivateKey
	mu       sync.Mutex
	// fields are the Graph /me fields asked for; personFields the People
	// API's.
	fields, personFields string
}

func newSocialStandIn(t *testing.T) *socialStandIn {
	t.Helper()
	si := &socialStandIn{}
	var err error
	if si.key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if si.appleKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if si.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: si.key}, (&jose.SignerOptions{}).WithHeader("kid", "stand-in")); err != nil {
		t.Fatal(err)
	}
	type provider struct{ clientID, secret, code, token string }
	fb := provider{"fb-app", "fb-secret", "fb-code", "fb-token"}
	amzn := provider{"amzn-app", "amzn-secret", "amzn-code", "amzn-token"}
	dialog := func(p provider) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if q.Get("client_id") != p.clientID || q.Get("response_type") != "code" {
				http.Error(w, "bad authorization request", http.StatusBadRequest)
				return
			}
			back, _ := url.Parse(q.Get("redirect_uri"))
			bq := back.Query()
			bq.Set("code", p.code)
			bq.Set("state", q.Get("state"))
			back.RawQuery = bq.Encode()
			http.Redirect(w, r, back.String(), http.StatusFound)
		}
	}
	token := func(p provider, method string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			if r.Method != method || r.Form.Get("client_id") != p.clientID || r.Form.Get("client_secret") != p.secret ||
				r.Form.Get("code") != p.code || !strings.HasSuffix(r.Form.Get("redirect_uri"), "/oauth2/idpresponse") {
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`{"error":"invalid_grant"}`))
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"access_token":"` + p.token + `","token_type":"bearer","expires_in":3600}`))
		}
	}
	profile := func(p provider, v map[string]any) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+p.token {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			if f := r.URL.Query().Get("fields"); f != "" {
				si.mu.Lock()
				si.fields = f
				si.mu.Unlock()
			}
			json.NewEncoder(w).Encode(v)
		}
	}
	// Google and Apple are OIDC: ID tokens signed by the stand-in's key,
	// bound to the nonce of the authorization request.
	var nonces sync.Map
	oidcDialog := func(p provider) http.HandlerFunc {
		inner := dialog(p)
		return func(w http.ResponseWriter, r *http.Request) {
			nonces.Store(p.code, r.URL.Query().Get("nonce"))
			if r.URL.Query().Get("response_mode") != "form_post" {
				inner(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<form method="post" action="%s"><input name="code" value="%s"><input name="state" value="%s"></form>`,
				html.EscapeString(r.URL.Query().Get("redirect_uri")), p.code, html.EscapeString(r.URL.Query().Get("state")))
		}
	}
	idToken := func(p provider, issuer, sub, email string) string {
		nonce, _ := nonces.Load(p.code)
		tok, err := jwt.Signed(si.signer).Claims(map[string]any{
			"iss": issuer, "aud": p.clientID, "sub": sub, "email": email, "email_verified": true, "nonce": nonce,
			"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
		}).Serialize()
		if err != nil {
			t.Error(err)
		}
		return tok
	}
	oidcToken := func(p provider, issuer, sub, email string, checkSecret func(string) bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			r.ParseForm()
			if r.Method != http.MethodPost || r.PostForm.Get("client_id") != p.clientID || !checkSecret(r.PostForm.Get("client_secret")) || r.PostForm.Get("code") != p.code {
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`{"error":"invalid_client"}`))
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"access_token": p.token, "token_type": "Bearer", "id_token": idToken(p, issuer, sub, email)})
		}
	}
	jwks := func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &si.key.PublicKey, KeyID: "stand-in", Algorithm: "RS256", Use: "sig"}}})
	}
	google := provider{"google-app", "google-secret", "google-code", "google-token"}
	apple := provider{"com.example.app", "", "apple-code", "apple-token"}
	mux := http.NewServeMux()
	mux.Handle("GET /accounts.google.com/o/oauth2/v2/auth", oidcDialog(google))
	mux.Handle("/www.googleapis.com/oauth2/v4/token", oidcToken(google, "https://accounts.google.com", "g-123", "gee@example.com",
		func(s string) bool { return s == google.secret }))
	mux.HandleFunc("GET /www.googleapis.com/oauth2/v3/certs", jwks)
	mux.HandleFunc("GET /people.googleapis.com/v1/people/me", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+google.token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		si.mu.Lock()
		si.personFields = r.URL.Query().Get("personFields")
		si.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"resourceName":"people/g-123",` +
			`"phoneNumbers":[{"metadata":{"primary":false},"value":"(555) 010-0000","canonicalForm":"+15550100000"},` +
			`{"metadata":{"primary":true},"value":"(555) 010-0001","canonicalForm":"+15550100001"}],` +
			`"birthdays":[{"metadata":{"primary":true},"date":{"month":5,"day":17}},{"date":{"year":1990,"month":5,"day":17}}],` +
			`"genders":[{"metadata":{"primary":true},"value":"female","formattedValue":"Female"}]}`))
	})
	mux.Handle("GET /appleid.apple.com/auth/authorize", oidcDialog(apple))
	mux.Handle("/appleid.apple.com/auth/token", oidcToken(apple, "https://appleid.apple.com", "000123.apple", "ap@privaterelay.appleid.com", si.appleSecret))
	mux.HandleFunc("GET /appleid.apple.com/auth/keys", jwks)
	mux.Handle("GET /www.facebook.com/v17.0/dialog/oauth", dialog(fb))
	mux.Handle("/graph.facebook.com/v17.0/oauth/access_token", token(fb, http.MethodGet))
	mux.Handle("GET /graph.facebook.com/v17.0/me", profile(fb, map[string]any{"id": "10001", "email": "fb@example.com", "name": "Fay Book"}))
	mux.Handle("GET /www.amazon.com/ap/oa", dialog(amzn))
	mux.Handle("/api.amazon.com/auth/o2/token", token(amzn, http.MethodPost))
	mux.Handle("GET /api.amazon.com/user/profile", profile(amzn, map[string]any{"user_id": "amzn1.account.ABC", "email": "amy@example.com", "name": "Amy Zon"}))
	si.Server = httptest.NewServer(mux)
	t.Cleanup(si.Close)
	return si
}

// appleSecret checks a Sign in with Apple client secret: an ES256 JWT by
// the pool's key (kid KEY1), issued by the team to Apple for the client.
func (si *socialStandIn) appleSecret(raw string) bool {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil || len(tok.Headers) != 1 || tok.Headers[0].KeyID != "KEY1" {
		return false
	}
	var c jwt.Claims
	if err := tok.Claims(&si.appleKey.PublicKey, &c); err != nil {
		return false
	}
	return c.Issuer == "TEAM1" && c.Subject == "com.example.app" && c.Audience.Contains("https://appleid.apple.com") &&
		c.ValidateWithLeeway(jwt.Expected{Time: time.Now()}, 0) == nil
}

// applePEM is the stand-in's Sign in with Apple key as Apple issues it.
func (si *socialStandIn) applePEM(t *testing.T) string {
	der, err := x509.MarshalPKCS8PrivateKey(si.appleKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// newSocialEnv is a server whose social providers are the stand-in, with
// pool A's client signing in through Facebook and LoginWithAmazon.
func newSocialEnv(t *testing.T, si *socialStandIn, edits ...func(*config.Config)) *fedEnv {
	t.Helper()
	cfg := testserver.NewConfig(t)
	cfg.AllowPrivateIDPURLs = true
	cfg.SocialIDPURL = si.URL
	for _, edit := range edits {
		edit(cfg)
	}
	s := testserver.StartWith(t, cfg, server.Options{})
	c := s.Client
	e := &fedEnv{s: s, c: c, baseA: "http://social.auth.localhost:" + mustURL(t, s.URL).Port()}
	e.poolA = aws.ToString(newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("A")}).Id)
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(e.poolA), Domain: aws.String("social")}))
	for _, p := range []*cip.CreateIdentityProviderInput{
		{ProviderName: aws.String("Facebook"), ProviderType: types.IdentityProviderTypeTypeFacebook,
			ProviderDetails:  map[string]string{"client_id": "fb-app", "client_secret": "fb-secret", "authorize_scopes": "public_profile,email", "api_version": "v17.0"},
			AttributeMapping: map[string]string{"email": "email", "name": "name"}},
		{ProviderName: aws.String("LoginWithAmazon"), ProviderType: types.IdentityProviderTypeTypeLoginWithAmazon,
			ProviderDetails:  map[string]string{"client_id": "amzn-app", "client_secret": "amzn-secret", "authorize_scopes": "profile"},
			AttributeMapping: map[string]string{"email": "email"}},
		{ProviderName: aws.String("Google"), ProviderType: types.IdentityProviderTypeTypeGoogle,
			ProviderDetails:  map[string]string{"client_id": "google-app", "client_secret": "google-secret", "authorize_scopes": "openid email"},
			AttributeMapping: map[string]string{"email": "email", "phone_number": "phoneNumbers", "birthdate": "birthdays", "gender": "genders"}},
		{ProviderName: aws.String("SignInWithApple"), ProviderType: types.IdentityProviderTypeTypeSignInWithApple,
			ProviderDetails: map[string]string{"client_id": "com.example.app", "team_id": "TEAM1", "key_id": "KEY1",
				"private_key": si.applePEM(t), "authorize_scopes": "email name"},
			AttributeMapping: map[string]string{"email": "email"}},
	} {
		p.UserPoolId = aws.String(e.poolA)
		must[*cip.CreateIdentityProviderOutput](t)(c.CreateIdentityProvider(ctx, p))
	}
	e.clientA = aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.poolA), ClientName: aws.String("web"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, CallbackURLs: []string{hostedCallback},
		SupportedIdentityProviders: []string{"COGNITO", "Facebook", "LoginWithAmazon", "Google", "SignInWithApple"},
	})).UserPoolClient.ClientId)
	e.conf = oauth2.Config{ClientID: e.clientA, RedirectURL: hostedCallback, Scopes: []string{"openid", "email", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: e.baseA + "/oauth2/authorize", TokenURL: e.baseA + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	e.newBrowser()
	return e
}

var formPostRE = regexp.MustCompile(`action="([^"]+)"><input name="code" value="([^"]+)"><input name="state" value="([^"]+)">`)

// signInSocial signs in through a social provider's stand-in and returns
// the app's callback.
func (e *fedEnv) signInSocial(t *testing.T, si *socialStandIn, provider string) *url.URL {
	t.Helper()
	toProvider := location(t, e.baseA, e.get(t, e.conf.AuthCodeURL("app-state", oauth2.SetAuthURLParam("identity_provider", provider))))
	if !strings.HasPrefix(toProvider, si.URL+"/") {
		t.Fatalf("authorize sent the browser to %s, want the stand-in", toProvider)
	}
	resp := e.get(t, toProvider)
	if resp.StatusCode == http.StatusOK {
		// form_post: post the provider's form back, as its page would.
		m := formPostRE.FindStringSubmatch(body(t, resp))
		if m == nil {
			t.Fatal("no form_post form at the stand-in")
		}
		resp, err := e.http.PostForm(html.UnescapeString(m[1]), url.Values{"code": {m[2]}, "state": {html.UnescapeString(m[3])}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return mustURL(t, location(t, e.baseA, resp))
	}
	back := location(t, si.URL, resp)
	return mustURL(t, location(t, e.baseA, e.get(t, back)))
}

// TestFederatedSocial: Facebook (Graph token endpoint by GET, /me with the
// mapped fields) and Login with Amazon (token by POST, user profile) sign
// users in as <Provider>_<id>; an identity linked before its first
// sign-in signs in as the native user.
func TestFederatedSocial(t *testing.T) {
	si := newSocialStandIn(t)
	e := newSocialEnv(t, si)

	fb := e.tokensFor(t, e.signInSocial(t, si, "Facebook"))
	if fb["cognito:username"] != "Facebook_10001" || fb["email"] != "fb@example.com" || fb["name"] != "Fay Book" {
		t.Errorf("Facebook claims %v", fb)
	}
	if ids := identitiesOf(t, fb); len(ids) != 1 || ids[0]["providerType"] != "Facebook" || ids[0]["userId"] != "10001" {
		t.Errorf("identities %v", ids)
	}
	si.mu.Lock()
	fields := si.fields
	si.mu.Unlock()
	if fields != "email,id,name" {
		t.Errorf("Graph /me fields %q, want the mapped ones and id", fields)
	}

	native := createUser(t, e.c, e.poolA, "amy")
	must[*cip.AdminLinkProviderForUserOutput](t)(e.c.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
		UserPoolId:      aws.String(e.poolA),
		SourceUser:      &types.ProviderUserIdentifierType{ProviderName: aws.String("LoginWithAmazon"), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String("amzn1.account.ABC")},
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("amy")},
	}))
	e.newBrowser()
	amzn := e.tokensFor(t, e.signInSocial(t, si, "LoginWithAmazon"))
	if amzn["sub"] != attrs(native.Attributes)["sub"] || amzn["cognito:username"] != "amy" || amzn["email"] != "amy@example.com" {
		t.Errorf("Login with Amazon claims %v", amzn)
	}
}

// TestFederatedSocialOIDC: Google and Sign in with Apple (form_post, an
// ES256 client secret) sign users in by their ID tokens, verified against
// the providers' fixed issuers and key sets (the stand-in's here); the
// People API fields Google's mapping names are read with the access token.
func TestFederatedSocialOIDC(t *testing.T) {
	si := newSocialStandIn(t)
	e := newSocialEnv(t, si)
	g := e.tokensFor(t, e.signInSocial(t, si, "Google"))
	if g["cognito:username"] != "Google_g-123" || g["email"] != "gee@example.com" {
		t.Errorf("Google claims %v", g)
	}
	si.mu.Lock()
	personFields := si.personFields
	si.mu.Unlock()
	if personFields != "birthdays,genders,phoneNumbers" {
		t.Errorf("People API personFields %q, want the mapped ones", personFields)
	}
	ga := attrs(e.userA(t, "Google_g-123").UserAttributes)
	if ga["phone_number"] != "+15550100001" || ga["birthdate"] != "0000-05-17" || ga["gender"] != "female" {
		t.Errorf("Google user's People API attributes %v", ga)
	}
	e.newBrowser()
	a := e.tokensFor(t, e.signInSocial(t, si, "SignInWithApple"))
	if a["cognito:username"] != "SignInWithApple_000123.apple" || a["email"] != "ap@privaterelay.appleid.com" {
		t.Errorf("Apple claims %v", a)
	}
	if ids := identitiesOf(t, a); len(ids) != 1 || ids[0]["providerType"] != "SignInWithApple" {
		t.Errorf("identities %v", ids)
	}
}
