package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/oauth2"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// codeQuery is an authorization request of the code flow for clientID.
func codeQuery(clientID string) string {
	return url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {hostedCallback}, "scope": {"openid email"}}.Encode()
}

// outboxCode returns the six-digit code of the newest message to a
// destination.
func outboxCode(t *testing.T, e *hostedEnv, to string) string {
	t.Helper()
	msgs := outbox(t, e.s, e.pool, to)
	if len(msgs) == 0 {
		t.Fatalf("no message to %s", to)
	}
	code := regexp.MustCompile(`\d{6}`).FindString(msgs[0].Text)
	if code == "" {
		t.Fatalf("no code in %q", msgs[0].Text)
	}
	return code
}

func TestHostedImplicit(t *testing.T) {
	e := newHostedEnv(t)
	clientID := e.webClient(t, func(in *cip.CreateUserPoolClientInput) {
		in.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeImplicit}
	})
	e.user(t, "erin@example.com")
	q := url.Values{"response_type": {"token"}, "client_id": {clientID}, "redirect_uri": {hostedCallback}, "state": {"imp"}, "nonce": {"nn"}}
	cb := e.signIn(t, e.base+"/oauth2/authorize?"+q.Encode(), "erin@example.com", hostedPassword)
	if cb.RawQuery != "" {
		t.Errorf("implicit answer in the query: %s", cb)
	}
	f, err := url.ParseQuery(cb.Fragment)
	if err != nil {
		t.Fatal(err)
	}
	if f.Get("access_token") == "" || f.Get("id_token") == "" || f.Get("refresh_token") != "" || f.Get("token_type") != "Bearer" ||
		f.Get("expires_in") != "3600" || f.Get("state") != "imp" {
		t.Fatalf("fragment %v", f)
	}
	if c := claimsOf(t, f.Get("id_token")); c["nonce"] != "nn" || c["at_hash"] == nil {
		t.Errorf("ID token %v", c)
	}
	// The implicit grant's access token works at userInfo.
	req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userInfo", nil)
	req.Header.Set("Authorization", "Bearer "+f.Get("access_token"))
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if b := body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(b, `"email":"erin@example.com"`) {
		t.Errorf("userInfo: %d %s", resp.StatusCode, b)
	}
}

func TestHostedNewPasswordRequired(t *testing.T) {
	e := newHostedEnv(t)
	clientID := e.webClient(t, nil)
	must[*cip.AdminCreateUserOutput](t)(e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("frank@example.com"), TemporaryPassword: aws.String("Temp-Passw0rd!"),
		MessageAction:  types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{attr("email", "frank@example.com"), attr("email_verified", "true")},
	}))
	q := codeQuery(clientID)
	page := body(t, e.get(t, e.base+"/login?"+q))
	resp := e.submit(t, page, "/login?"+q, url.Values{"username": {"frank@example.com"}, "password": {"Temp-Passw0rd!"}})
	page = body(t, resp)
	if !strings.Contains(page, `action="/newPassword?`) {
		t.Fatalf("temporary password: %d %s", resp.StatusCode, page)
	}
	session := regexp.MustCompile(`name="session" value="([^"]+)"`).FindStringSubmatch(page)
	username := regexp.MustCompile(`name="username" value="([^"]+)"`).FindStringSubmatch(page)
	if session == nil || username == nil {
		t.Fatalf("new password form: %s", page)
	}
	form := url.Values{"session": {session[1]}, "username": {username[1]}}
	form.Set("new_password", "short")
	page = body(t, e.submit(t, page, "/newPassword?"+q, form))
	if !strings.Contains(page, "Password does not conform to policy") {
		t.Fatalf("weak password: %s", page)
	}
	form.Set("new_password", hostedPassword)
	resp = e.submit(t, page, "/newPassword?"+q, form)
	if loc := mustURL(t, resp.Header.Get("Location")); resp.StatusCode != http.StatusFound || loc.Query().Get("code") == "" {
		t.Fatalf("new password: %d %s", resp.StatusCode, loc)
	}
	u := must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("frank@example.com")}))
	if u.UserStatus != types.UserStatusTypeConfirmed {
		t.Errorf("status %s", u.UserStatus)
	}
}

func TestHostedForgotPassword(t *testing.T) {
	e := newHostedEnv(t)
	clientID := e.webClient(t, nil)
	e.user(t, "gina@example.com")
	q := codeQuery(clientID)
	page := body(t, e.get(t, e.base+"/forgotPassword?"+q))
	page = body(t, e.submit(t, page, "/forgotPassword?"+q, url.Values{"username": {"gina@example.com"}}))
	if !strings.Contains(page, `action="/confirmForgotPassword?`) || !strings.Contains(page, "g***@e***") {
		t.Fatalf("forgot password: %s", page)
	}
	code := outboxCode(t, e, "gina@example.com")
	page = body(t, e.submit(t, page, "/confirmForgotPassword?"+q, url.Values{"username": {"gina@example.com"}, "code": {"000000"}, "password": {"New-Passw0rd!"}}))
	if !strings.Contains(page, "Invalid verification code provided") {
		t.Fatalf("wrong code: %s", page)
	}
	page = body(t, e.submit(t, page, "/confirmForgotPassword?"+q, url.Values{"username": {"gina@example.com"}, "code": {code}, "password": {"New-Passw0rd!"}}))
	if !strings.Contains(page, "Your password has been changed") {
		t.Fatalf("reset: %s", page)
	}
	resp := e.submit(t, page, "/login?"+q, url.Values{"username": {"gina@example.com"}, "password": {"New-Passw0rd!"}})
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("sign in with the new password: %d %s", resp.StatusCode, body(t, resp))
	}
}

func TestHostedBranding(t *testing.T) {
	e := newHostedEnv(t)
	clientID := e.webClient(t, nil)
	set := must[*cip.SetUICustomizationOutput](t)(e.c.SetUICustomization(ctx, &cip.SetUICustomizationInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String("ALL"), CSS: aws.String(css), ImageFile: pngImage(t, 1),
	}))
	resp := e.get(t, e.base+"/login?"+codeQuery(clientID)+"&lang=fr")
	page := body(t, resp)
	logo := aws.ToString(set.UICustomization.ImageUrl)
	if !strings.Contains(page, "background-color: lightgray") || !strings.Contains(page, `src="`+logo+`"`) || !strings.Contains(page, `<html lang="fr">`) ||
		!strings.Contains(page, "Mot de passe</label>") || !strings.Contains(page, "E-mail</label>") {
		t.Errorf("branding not applied:\n%s", page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: "+e.s.URL) {
		t.Errorf("CSP %q does not allow the logo", csp)
	}
}

// TestHostedDomainRouting checks the names a domain answers to, and that
// every endpoint the discovery document names answers.
func TestHostedDomainRouting(t *testing.T) {
	e := newHostedEnv(t)
	must[*cip.CreateUserPoolDomainOutput](t)(e.c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{
		UserPoolId: aws.String(e.pool), Domain: aws.String("auth.example.com"),
		CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(certARN)},
	}))
	for host, want := range map[string]int{
		hostedPrefix + ".auth.us-east-1.amazoncognito.com": http.StatusBadRequest,
		"auth.example.com": http.StatusBadRequest,
		hostedPrefix + ".auth.eu-west-1.amazoncognito.com": http.StatusNotFound,
		"other.example.com":               http.StatusNotFound,
		"auth.example.com.auth.localhost": http.StatusNotFound,
	} {
		req, _ := http.NewRequest(http.MethodGet, e.s.URL+"/oauth2/authorize", nil)
		req.Host = host
		resp, err := e.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
	var disc map[string]any
	getJSON(t, e.issuer+"/.well-known/openid-configuration", &disc)
	for name, method := range map[string]string{
		"authorization_endpoint": "GET", "token_endpoint": "POST", "userinfo_endpoint": "GET",
		"revocation_endpoint": "POST", "end_session_endpoint": "GET", "jwks_uri": "GET",
	} {
		u, _ := disc[name].(string)
		req, _ := http.NewRequest(method, u, strings.NewReader(""))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := e.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed || resp.StatusCode >= 500 {
			t.Errorf("%s %s (%s): %d", method, u, name, resp.StatusCode)
		}
		// Every non-API route has the hosted endpoints' middleware.
		if resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s %s (%s): no X-Request-Id", method, u, name)
		}
	}
}

// TestHostedSignInRules checks that the login form applies the sign-in
// core's rules: PreventUserExistenceErrors, lockout after five wrong
// passwords; and that prompt=login and /logout with redirect_uri go back to
// the form.
func TestHostedSignInRules(t *testing.T) {
	e := newHostedEnv(t)
	clientID := e.webClient(t, func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	})
	e.user(t, "hank@example.com")
	q := codeQuery(clientID)
	try := func(user, password string) string {
		page := body(t, e.get(t, e.base+"/login?"+q))
		resp := e.submit(t, page, "/login?"+q, url.Values{"username": {user}, "password": {password}})
		if resp.StatusCode == http.StatusFound {
			return "signed in"
		}
		return body(t, resp)
	}
	if got := try("nobody@example.com", "Whatever-1"); !strings.Contains(got, "Incorrect username or password.") {
		t.Errorf("unknown user: %s", got)
	}
	for range 5 {
		try("hank@example.com", "Wrong-passw0rd")
	}
	if got := try("hank@example.com", hostedPassword); !strings.Contains(got, "Password attempts exceeded") {
		t.Errorf("after five wrong passwords: %s", got)
	}
}

func TestHostedPromptAndLogout(t *testing.T) {
	e := newHostedEnv(t)
	clientID := e.webClient(t, nil)
	e.user(t, "ivy@example.com")
	authURL := e.base + "/oauth2/authorize?" + codeQuery(clientID)
	if cb := e.signIn(t, authURL, "ivy@example.com", hostedPassword); cb.Query().Get("code") == "" {
		t.Fatalf("callback %s", cb)
	}
	// With the session: straight back with a code, unless prompt=login.
	if loc := e.get(t, authURL).Header.Get("Location"); !strings.HasPrefix(loc, hostedCallback+"?code=") {
		t.Errorf("with a session: %s", loc)
	}
	if loc := e.get(t, authURL+"&prompt=login").Header.Get("Location"); !strings.HasPrefix(loc, "/login?") {
		t.Errorf("prompt=login: %s", loc)
	}
	// /logout with redirect_uri and response_type: the session ends and the
	// browser goes to the login form.
	resp := e.get(t, e.base+"/logout?"+codeQuery(clientID)+"&state=again")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/login?") || !strings.Contains(loc, "state=again") {
		t.Fatalf("logout: %d %s", resp.StatusCode, loc)
	}
	if loc := e.get(t, authURL).Header.Get("Location"); !strings.HasPrefix(loc, "/login?") {
		t.Errorf("after logout: %s", loc)
	}
	// A single-page app on another origin may call the token endpoint.
	req, _ := http.NewRequest(http.MethodOptions, e.base+"/oauth2/token", nil)
	req.Header.Set("Origin", "http://localhost:8080")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

// TestHostedRefreshRotation refreshes at the token endpoint for a client
// that rotates refresh tokens, past the first token's lifetime: the
// rotated tokens keep the grant's scopes.
func TestHostedRefreshRotation(t *testing.T) {
	clock := testserver.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	e := newHostedEnvWith(t, server.Options{Now: clock.Now})
	clientID := e.webClient(t, func(in *cip.CreateUserPoolClientInput) {
		in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(0)}
	})
	e.user(t, "jade@example.com")
	conf := oauth2.Config{ClientID: clientID, RedirectURL: hostedCallback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	cb := e.signIn(t, conf.AuthCodeURL("r"), "jade@example.com", hostedPassword)
	tok, err := conf.Exchange(e.ctx, cb.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	refresh := func(rt string) (*oauth2.Token, error) {
		return conf.TokenSource(e.ctx, &oauth2.Token{RefreshToken: rt, Expiry: time.Unix(1, 0)}).Token()
	}
	rt := tok.RefreshToken
	for range 2 {
		clock.Advance(20 * 24 * time.Hour)
		next, err := refresh(rt)
		if err != nil {
			t.Fatal(err)
		}
		if next.RefreshToken == rt || next.RefreshToken == "" {
			t.Fatal("the refresh token was not rotated")
		}
		if got := claimsOf(t, next.AccessToken)["scope"]; got != "openid email" {
			t.Errorf("scopes after rotation: %v", got)
		}
		if _, err := refresh(rt); oauthErrCode(err) != "invalid_grant" {
			t.Errorf("the rotated-out token: %v", err)
		}
		rt = next.RefreshToken
	}
}

// TestHostedTermsAndMFA checks that the sign-up page links the client's
// terms documents, and that a pool that requires MFA with nothing the user
// can set up on the pages (SMS, and no phone number) refuses the form's
// one-factor sign-in.
func TestHostedTermsAndMFA(t *testing.T) {
	e := newHostedEnv(t)
	clientID := e.webClient(t, nil)
	must[*cip.CreateTermsOutput](t)(e.c.CreateTerms(ctx, &cip.CreateTermsInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(clientID), TermsName: aws.String("terms-of-use"),
		TermsSource: types.TermsSourceTypeLink, Enforcement: types.TermsEnforcementTypeNone,
		Links: map[string]string{"cognito:default": "https://example.com/terms", "cognito:french": "https://example.com/fr/conditions"},
	}))
	page := body(t, e.get(t, e.base+"/signup?"+codeQuery(clientID)))
	if !strings.Contains(page, `<a href="https://example.com/terms">Terms of use</a>`) {
		t.Errorf("sign-up page without the terms:\n%s", page)
	}
	page = body(t, e.get(t, e.base+"/signup?"+codeQuery(clientID)+"&lang=fr"))
	if !strings.Contains(page, `href="https://example.com/fr/conditions"`) {
		t.Errorf("sign-up page in French without the French terms:\n%s", page)
	}

	e.user(t, "kim@example.com")
	must[*cip.UpdateUserPoolOutput](t)(e.c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
		UserPoolId: aws.String(e.pool), MfaConfiguration: types.UserPoolMfaTypeOn, AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		SmsConfiguration: &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/sns")},
	}))
	q := codeQuery(clientID)
	page = body(t, e.get(t, e.base+"/login?"+q))
	resp := e.submit(t, page, "/login?"+q, url.Values{"username": {"kim@example.com"}, "password": {hostedPassword}})
	if b := body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(b, "multi-factor") {
		t.Errorf("MFA pool: %d %s", resp.StatusCode, b)
	}
}
