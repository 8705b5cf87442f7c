package e2e

import (
	"context"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

const (
	hostedPrefix   = "hosted-e2e"
	hostedCallback = "http://localhost:8080/callback"
	hostedSignOut  = "http://localhost:8080/signed-out"
	hostedPassword = "Hosted-Passw0rd!"
	apiScope       = "https://api.example.com/read"
)

// hostedEnv is a server with a pool, its prefix domain, a resource server
// and a browser-like HTTP client (cookie jar, no redirects followed,
// *.localhost dialled on loopback as browsers do).
type hostedEnv struct {
	s      *testserver.Server
	c      *cip.Client
	pool   string
	base   string
	http   *http.Client
	ctx    context.Context
	issuer string
}

// loopbackClient returns an HTTP client that dials *.localhost on
// 127.0.0.1, which Go's resolver may not do.
func loopbackClient(jar http.CookieJar) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err == nil && strings.HasSuffix(host, ".localhost") {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return d.DialContext(ctx, network, addr)
	}}
	return &http.Client{Transport: tr, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func newHostedEnv(t *testing.T) *hostedEnv {
	t.Helper()
	return newHostedEnvWith(t, server.Options{})
}

// newHostedEnvWith is newHostedEnv with server options (a fake clock).
func newHostedEnvWith(t *testing.T, opts server.Options) *hostedEnv {
	t.Helper()
	s := testserver.StartWith(t, testserver.NewConfig(t), opts)
	c := s.Client
	pool := aws.ToString(newPool(t, c, &cip.CreateUserPoolInput{
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	}).Id)
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(hostedPrefix)}))
	must[*cip.CreateResourceServerOutput](t)(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{
			{ScopeName: aws.String("read"), ScopeDescription: aws.String("read")},
			{ScopeName: aws.String("write"), ScopeDescription: aws.String("write")},
		},
	}))
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	hc := loopbackClient(jar)
	follow := *hc
	follow.CheckRedirect = nil
	return &hostedEnv{
		s: s, c: c, pool: pool, base: "http://" + hostedPrefix + ".auth.localhost:" + u.Port(), http: hc,
		ctx: context.WithValue(ctx, oauth2.HTTPClient, &follow), issuer: s.URL + "/" + pool,
	}
}

// webClient creates a public app client for the code flow.
func (e *hostedEnv) webClient(t *testing.T, edit func(*cip.CreateUserPoolClientInput)) string {
	t.Helper()
	in := &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.pool), ClientName: aws.String("web"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile", apiScope}, CallbackURLs: []string{hostedCallback},
		LogoutURLs: []string{hostedSignOut}, SupportedIdentityProviders: []string{"COGNITO"},
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth},
	}
	if edit != nil {
		edit(in)
	}
	return aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(e.c.CreateUserPoolClient(ctx, in)).UserPoolClient.ClientId)
}

// user creates a confirmed user with an email and hostedPassword.
func (e *hostedEnv) user(t *testing.T, email string) {
	t.Helper()
	createUser(t, e.c, e.pool, email, attr("email", email), attr("email_verified", "true"), attr("name", "Alice"))
	must[*cip.AdminSetUserPasswordOutput](t)(e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(email), Password: aws.String(hostedPassword), Permanent: true,
	}))
}

func (e *hostedEnv) get(t *testing.T, u string) *http.Response {
	t.Helper()
	resp, err := e.http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// submit posts a page's form (its CSRF token added) to path?query.
func (e *hostedEnv) submit(t *testing.T, page, action string, form url.Values) *http.Response {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", page)
	}
	form.Set("_csrf", m[1])
	resp, err := e.http.PostForm(e.base+action, form)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

var actionRE = regexp.MustCompile(`action="(/login\?[^"]+)"`)

// signIn follows an authorization URL through the login form and returns
// the redirect to the callback.
func (e *hostedEnv) signIn(t *testing.T, authURL, user, password string) *url.URL {
	t.Helper()
	resp := e.get(t, authURL)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %s", resp.StatusCode, body(t, resp))
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/login?") {
		return mustURL(t, loc)
	}
	resp = e.get(t, e.base+loc)
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login page: %d %s", resp.StatusCode, page)
	}
	m := actionRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no login form:\n%s", page)
	}
	resp = e.submit(t, page, html.UnescapeString(m[1]), url.Values{"username": {user}, "password": {password}})
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("sign in: %d %s", resp.StatusCode, body(t, resp))
	}
	return mustURL(t, resp.Header.Get("Location"))
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func oauthErrCode(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

func TestHostedClientCredentials(t *testing.T) {
	e := newHostedEnv(t)
	out := must[*cip.CreateUserPoolClientOutput](t)(e.c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.pool), ClientName: aws.String("service"), GenerateSecret: true,
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{apiScope, "https://api.example.com/write"},
	})).UserPoolClient
	id, secret := aws.ToString(out.ClientId), aws.ToString(out.ClientSecret)
	conf := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: e.base + "/oauth2/token", Scopes: []string{apiScope}}
	tok, err := conf.Token(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := e.s.Server.Signer().Verify(ctx, e.pool, tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if claims["token_use"] != "access" || claims["scope"] != apiScope || claims["client_id"] != id || claims["sub"] != id {
		t.Errorf("claims %v", claims)
	}
	if tok.TokenType != "Bearer" || tok.Extra("id_token") != nil || tok.RefreshToken != "" {
		t.Errorf("token %+v", tok)
	}

	// No scope asked: every custom scope of the client. Client secret in the form.
	conf.Scopes, conf.AuthStyle = nil, oauth2.AuthStyleInParams
	tok, err = conf.Token(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := claimsOf(t, tok.AccessToken)["scope"]; got != apiScope+" https://api.example.com/write" {
		t.Errorf("default scopes %v", got)
	}

	for _, tc := range []struct {
		name string
		conf clientcredentials.Config
		want string
	}{
		{"wrong secret", clientcredentials.Config{ClientID: id, ClientSecret: "wrong", TokenURL: conf.TokenURL}, "invalid_client"},
		{"unknown client", clientcredentials.Config{ClientID: "nope", ClientSecret: "x", TokenURL: conf.TokenURL}, "invalid_client"},
		{"scope not allowed", clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: conf.TokenURL, Scopes: []string{"openid"}}, "invalid_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.conf.Token(e.ctx)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != tc.want || re.Response.StatusCode != http.StatusBadRequest {
				t.Fatalf("err = %v, want %s with 400", err, tc.want)
			}
			if re.Response.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", re.Response.Header.Get("Cache-Control"))
			}
		})
	}
}

func TestHostedAuthorizationCode(t *testing.T) {
	e := newHostedEnv(t)
	clientID := e.webClient(t, nil)
	e.user(t, "alice@example.com")

	provider, err := oidc.NewProvider(oidc.ClientContext(e.ctx, e.ctx.Value(oauth2.HTTPClient).(*http.Client)), e.issuer)
	if err != nil {
		t.Fatal(err)
	}
	var disc map[string]any
	if err := provider.Claims(&disc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "revocation_endpoint", "end_session_endpoint"} {
		if v, _ := disc[k].(string); !strings.HasPrefix(v, e.base+"/") {
			t.Errorf("%s = %v, want under %s", k, disc[k], e.base)
		}
	}
	conf := oauth2.Config{ClientID: clientID, Endpoint: provider.Endpoint(), RedirectURL: hostedCallback, Scopes: []string{"openid", "email", apiScope}}
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("st4te", oauth2.S256ChallengeOption(verifier), oidc.Nonce("n0nce"))

	// The login page is protected as a browser page should be.
	resp := e.get(t, authURL)
	resp = e.get(t, e.base+resp.Header.Get("Location"))
	if h := resp.Header; h.Get("X-Frame-Options") != "DENY" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
		strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Errorf("page headers %v", h)
	}

	cb := e.signIn(t, authURL, "alice@example.com", hostedPassword)
	code := cb.Query().Get("code")
	if cb.Scheme+"://"+cb.Host+cb.Path != hostedCallback || code == "" || cb.Query().Get("state") != "st4te" {
		t.Fatalf("callback %s", cb)
	}
	tok, err := conf.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatal(err)
	}
	if idt.Nonce != "n0nce" {
		t.Errorf("nonce %q", idt.Nonce)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	var idc map[string]any
	idt.Claims(&idc)
	if idc["email"] != "alice@example.com" || idc["token_use"] != "id" || idc["cognito:username"] == nil {
		t.Errorf("ID token claims %v", idc)
	}
	ac := claimsOf(t, tok.AccessToken)
	if ac["scope"] != "openid email "+apiScope || ac["client_id"] != clientID || ac["token_use"] != "access" {
		t.Errorf("access token claims %v", ac)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}

	t.Run("reused code", func(t *testing.T) {
		_, err := conf.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
		if oauthErrCode(err) != "invalid_grant" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("second authorize skips the form; wrong verifier", func(t *testing.T) {
		v2 := oauth2.GenerateVerifier()
		resp := e.get(t, conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(v2)))
		cb := mustURL(t, resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || cb.Query().Get("code") == "" {
			t.Fatalf("authorize with a session: %d %s", resp.StatusCode, cb)
		}
		_, err := conf.Exchange(e.ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
		if oauthErrCode(err) != "invalid_grant" {
			t.Fatalf("wrong verifier: %v", err)
		}
	})
	t.Run("userInfo", func(t *testing.T) {
		ui, err := provider.UserInfo(e.ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		ui.Claims(&m)
		if m["email"] != "alice@example.com" || m["sub"] != idt.Subject || m["name"] != nil {
			t.Errorf("userInfo %v (name needs the profile scope)", m)
		}
		// An access token of the API has no openid scope.
		api := must[*cip.AdminInitiateAuthOutput](t)(e.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
			UserPoolId: aws.String(e.pool), ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "alice@example.com", "PASSWORD": hostedPassword},
		}))
		req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userInfo", nil)
		req.Header.Set("Authorization", "Bearer "+aws.ToString(api.AuthenticationResult.AccessToken))
		resp, err := e.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("API token: %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("refresh keeps the scopes", func(t *testing.T) {
		old := *tok
		old.Expiry = time.Now().Add(-time.Hour)
		next, err := conf.TokenSource(e.ctx, &old).Token()
		if err != nil {
			t.Fatal(err)
		}
		if claimsOf(t, next.AccessToken)["scope"] != "openid email "+apiScope || next.Extra("id_token") == nil {
			t.Errorf("refreshed %v", claimsOf(t, next.AccessToken))
		}
	})
	t.Run("revoke", func(t *testing.T) {
		resp, err := e.http.PostForm(e.base+"/oauth2/revoke", url.Values{"token": {tok.AccessToken}, "client_id": {clientID}})
		if err != nil {
			t.Fatal(err)
		}
		if b := body(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "unsupported_token_type") {
			t.Errorf("revoke an access token: %d %s", resp.StatusCode, b)
		}
		resp, err = e.http.PostForm(e.base+"/oauth2/revoke", url.Values{"token": {tok.RefreshToken}, "client_id": {"nope"}})
		if err != nil {
			t.Fatal(err)
		}
		if b := body(t, resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b, "invalid_client") {
			t.Errorf("unknown client: %d %s", resp.StatusCode, b)
		}
		resp, err = e.http.PostForm(e.base+"/oauth2/revoke", url.Values{"token": {tok.RefreshToken}, "client_id": {clientID}})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("revoke: %d %s", resp.StatusCode, body(t, resp))
		}
		old := *tok
		old.Expiry = time.Now().Add(-time.Hour)
		if _, err := conf.TokenSource(e.ctx, &old).Token(); oauthErrCode(err) != "invalid_grant" {
			t.Errorf("refresh after revoke: %v", err)
		}
		if _, err := provider.UserInfo(e.ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Error("userInfo accepted a revoked access token")
		}
	})
	t.Run("logout", func(t *testing.T) {
		resp := e.get(t, e.base+"/logout?"+url.Values{"client_id": {clientID}, "logout_uri": {"http://localhost:8080/elsewhere"}}.Encode())
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("logout to an unlisted URL: %d %v", resp.StatusCode, resp.Header)
		}
		resp = e.get(t, e.base+"/logout?"+url.Values{"client_id": {clientID}, "logout_uri": {hostedSignOut}}.Encode())
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != hostedSignOut {
			t.Fatalf("logout: %d %v", resp.StatusCode, resp.Header)
		}
		resp = e.get(t, conf.AuthCodeURL("s3"))
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login?") {
			t.Errorf("authorize after logout went to %s, want the login page", loc)
		}
	})
}

func TestHostedAuthorizeErrors(t *testing.T) {
	e := newHostedEnv(t)
	clientID := e.webClient(t, nil)
	authorize := func(edit func(url.Values)) *http.Response {
		q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {hostedCallback}, "state": {"xyz"}}
		edit(q)
		return e.get(t, e.base+"/oauth2/authorize?"+q.Encode())
	}
	for _, tc := range []struct {
		name  string
		edit  func(url.Values)
		page  int
		error string
	}{
		{"bad redirect URI", func(q url.Values) { q.Set("redirect_uri", "https://evil.example.com/cb") }, 400, ""},
		{"redirect URI with a suffix", func(q url.Values) { q.Set("redirect_uri", hostedCallback+"/") }, 400, ""},
		{"unknown client", func(q url.Values) { q.Set("client_id", "nope") }, 400, ""},
		{"scope not allowed", func(q url.Values) { q.Set("scope", "openid phone") }, 0, "invalid_scope"},
		{"flow not allowed", func(q url.Values) { q.Set("response_type", "token") }, 0, "unauthorized_client"},
		{"bad response type", func(q url.Values) { q.Set("response_type", "id_token") }, 0, "unsupported_response_type"},
		{"plain PKCE", func(q url.Values) {
			q.Set("code_challenge", strings.Repeat("a", 43))
			q.Set("code_challenge_method", "plain")
		}, 0, "invalid_request"},
		{"prompt none without a session", func(q url.Values) { q.Set("prompt", "none") }, 0, "login_required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := authorize(tc.edit)
			if tc.page != 0 {
				if resp.StatusCode != tc.page || resp.Header.Get("Location") != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					t.Fatalf("%d %v, want an error page", resp.StatusCode, resp.Header)
				}
				return
			}
			loc := mustURL(t, resp.Header.Get("Location"))
			params := loc.Query()
			if loc.Fragment != "" { // the implicit grant's errors go in the fragment
				params, _ = url.ParseQuery(loc.Fragment)
			}
			if resp.StatusCode != http.StatusFound || params.Get("error") != tc.error || params.Get("state") != "xyz" ||
				!strings.HasPrefix(loc.String(), hostedCallback) {
				t.Fatalf("%d %s, want a redirect with error=%s", resp.StatusCode, loc, tc.error)
			}
		})
	}
	t.Run("unknown domain", func(t *testing.T) {
		u := strings.Replace(e.base, hostedPrefix, "nobody-here", 1)
		resp := e.get(t, u+"/login?client_id="+clientID)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body(t, resp), "no user pool domain") {
			t.Errorf("unknown domain: %d", resp.StatusCode)
		}
	})
	t.Run("form without CSRF token", func(t *testing.T) {
		q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {hostedCallback}}
		resp, err := e.http.PostForm(e.base+"/login?"+q.Encode(), url.Values{"username": {"x"}, "password": {"y"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("no CSRF token: %d", resp.StatusCode)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		e.user(t, "bob@example.com")
		q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {hostedCallback}}
		page := body(t, e.get(t, e.base+"/login?"+q.Encode()))
		resp := e.submit(t, page, "/login?"+q.Encode(), url.Values{"username": {"bob@example.com"}, "password": {"wrong"}})
		if b := body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(b, "Incorrect username or password.") {
			t.Errorf("wrong password: %d %s", resp.StatusCode, b)
		}
	})
}

// TestHostedSignUp signs up on the managed login pages and confirms with
// the code from the outbox: as on Cognito, the confirmation signs the user
// in and continues the authorization, with no second password prompt. A
// confirmation that does not carry the sign-up's ticket (another browser,
// a forged value) confirms the account and asks the user to sign in.
func TestHostedSignUp(t *testing.T) {
	e := newHostedEnv(t)
	clientID := e.webClient(t, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {hostedCallback}, "scope": {"openid"}, "state": {"s1"}}.Encode()
	page := body(t, e.get(t, e.base+"/signup?"+q))
	resp := e.submit(t, page, "/signup?"+q, url.Values{"username": {"carol@example.com"}, "password": {hostedPassword}})
	page = body(t, resp)
	ticket := regexp.MustCompile(`name="signup" value="([^"]+)"`).FindStringSubmatch(page)
	if !strings.Contains(page, `action="/confirmUser?`) || ticket == nil {
		t.Fatalf("after sign-up: %d %s", resp.StatusCode, page)
	}
	code := outboxCode(t, e, "carol@example.com")
	resp = e.submit(t, page, "/confirmUser?"+q, url.Values{"username": {"carol@example.com"}, "code": {code}, "signup": {ticket[1]}})
	loc := mustURL(t, resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" || loc.Query().Get("state") != "s1" {
		t.Fatalf("confirmation did not continue the authorization: %d %s %s", resp.StatusCode, loc, body(t, resp))
	}
	desc := must[*cip.DescribeUserPoolClientOutput](t)(e.c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(clientID)}))
	conf := oauth2.Config{ClientID: clientID, ClientSecret: aws.ToString(desc.UserPoolClient.ClientSecret), RedirectURL: hostedCallback, Endpoint: oauth2.Endpoint{TokenURL: e.base + "/oauth2/token"}}
	tok, err := conf.Exchange(e.ctx, loc.Query().Get("code"))
	if err != nil || tok.Extra("id_token") == nil {
		t.Fatalf("exchange the code: %v %v", tok, err)
	}

	page = body(t, e.get(t, e.base+"/signup?"+q))
	resp = e.submit(t, page, "/signup?"+q, url.Values{"username": {"dave@example.com"}, "password": {hostedPassword}})
	page = body(t, resp)
	code = outboxCode(t, e, "dave@example.com")
	resp = e.submit(t, page, "/confirmUser?"+q, url.Values{"username": {"dave@example.com"}, "code": {code}, "signup": {ticket[1]}})
	page = body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Your account is confirmed") {
		t.Fatalf("confirmation with another sign-up's ticket: %d %s", resp.StatusCode, page)
	}
	resp = e.submit(t, page, "/login?"+q, url.Values{"username": {"dave@example.com"}, "password": {hostedPassword}})
	loc = mustURL(t, resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
		t.Fatalf("sign in: %d %s", resp.StatusCode, loc)
	}
	// The cookie is the hosted session's, HttpOnly and SameSite=Lax.
	var found bool
	for _, c := range resp.Cookies() {
		if c.Name == "cognito" {
			found = c.HttpOnly && c.SameSite == http.SameSiteLaxMode && c.MaxAge == 3600
		}
	}
	if !found {
		t.Errorf("session cookie %v", resp.Cookies())
	}
}
