package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/oauth2"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// socialStandIn is a small OAuth 2.0 server standing in for Facebook
// (dialog, Graph token endpoint by GET, Graph /me) and Login with Amazon
// (authorization page, token endpoint by POST, user profile) under
// --social-idp-url, as <base>/<host>/<path>.
type socialStandIn struct {
	*httptest.Server
	mu sync.Mutex
	// fields are the Graph /me fields asked for.
	fields string
}

func newSocialStandIn(t *testing.T) *socialStandIn {
	t.Helper()
	si := &socialStandIn{}
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
	mux := http.NewServeMux()
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

// newSocialEnv is a server whose social providers are the stand-in, with
// pool A's client signing in through Facebook and LoginWithAmazon.
func newSocialEnv(t *testing.T, si *socialStandIn) *fedEnv {
	t.Helper()
	cfg := testserver.NewConfig(t)
	cfg.AllowPrivateIDPURLs = true
	cfg.SocialIDPURL = si.URL
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
	} {
		p.UserPoolId = aws.String(e.poolA)
		must[*cip.CreateIdentityProviderOutput](t)(c.CreateIdentityProvider(ctx, p))
	}
	e.clientA = aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.poolA), ClientName: aws.String("web"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, CallbackURLs: []string{hostedCallback},
		SupportedIdentityProviders: []string{"COGNITO", "Facebook", "LoginWithAmazon"},
	})).UserPoolClient.ClientId)
	e.conf = oauth2.Config{ClientID: e.clientA, RedirectURL: hostedCallback, Scopes: []string{"openid", "email", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: e.baseA + "/oauth2/authorize", TokenURL: e.baseA + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	e.newBrowser()
	return e
}

// signInSocial signs in through a social provider's stand-in and returns
// the app's callback.
func (e *fedEnv) signInSocial(t *testing.T, si *socialStandIn, provider string) *url.URL {
	t.Helper()
	toProvider := location(t, e.baseA, e.get(t, e.conf.AuthCodeURL("app-state", oauth2.SetAuthURLParam("identity_provider", provider))))
	if !strings.HasPrefix(toProvider, si.URL+"/") {
		t.Fatalf("authorize sent the browser to %s, want the stand-in", toProvider)
	}
	back := location(t, si.URL, e.get(t, toProvider))
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
