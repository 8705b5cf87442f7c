package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/oauth2"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/triggers/lambdatest"
)

// fedEnv is one server with two pools: B, whose hosted endpoints are an
// OpenID Connect provider (named PoolB) of A, and A, whose app client
// signs users in with its own directory and through PoolB. The browser is
// a cookie-keeping HTTP client shared by both sites.
type fedEnv struct {
	s            *testserver.Server
	c            *cip.Client
	http         *http.Client
	ctx          context.Context
	poolA, poolB string
	baseA, baseB string
	clientA      string
	conf         oauth2.Config
}

const fedProvider = "PoolB"

func newFedEnv(t *testing.T, mapping map[string]string) *fedEnv {
	return newFedEnvWith(t, &cip.CreateUserPoolInput{}, mapping)
}

// newFedEnvWith is newFedEnv with pool A created by poolA, and the
// server's configuration changed by edits.
func newFedEnvWith(t *testing.T, poolA *cip.CreateUserPoolInput, mapping map[string]string, edits ...func(*config.Config)) *fedEnv {
	t.Helper()
	cfg := testserver.NewConfig(t)
	cfg.AllowPrivateIDPURLs = true
	for _, edit := range edits {
		edit(cfg)
	}
	s := testserver.StartWith(t, cfg, server.Options{})
	c := s.Client
	port := mustURL(t, s.URL).Port()
	e := &fedEnv{s: s, c: c, baseA: "http://fed-a.auth.localhost:" + port, baseB: "http://fed-b.auth.localhost:" + port}
	poolA.PoolName = aws.String("A")
	e.poolA = aws.ToString(newPool(t, c, poolA).Id)
	e.poolB = aws.ToString(newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("B")}).Id)
	for pool, prefix := range map[string]string{e.poolA: "fed-a", e.poolB: "fed-b"} {
		must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(prefix)}))
	}
	cb := must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.poolB), ClientName: aws.String("pool-a"), GenerateSecret: true,
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, CallbackURLs: []string{e.baseA + "/oauth2/idpresponse"},
		SupportedIdentityProviders: []string{"COGNITO"},
	})).UserPoolClient
	if mapping == nil {
		mapping = map[string]string{"email": "email", "name": "name"}
	}
	must[*cip.CreateIdentityProviderOutput](t)(c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{
		UserPoolId: aws.String(e.poolA), ProviderName: aws.String(fedProvider), ProviderType: types.IdentityProviderTypeTypeOidc,
		ProviderDetails: map[string]string{
			"client_id": aws.ToString(cb.ClientId), "client_secret": aws.ToString(cb.ClientSecret),
			"attributes_request_method": "GET", "oidc_issuer": s.URL + "/" + e.poolB, "authorize_scopes": "openid email profile",
		},
		AttributeMapping: mapping,
	}))
	e.clientA = aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.poolA), ClientName: aws.String("web"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, CallbackURLs: []string{hostedCallback},
		SupportedIdentityProviders: []string{"COGNITO", fedProvider},
	})).UserPoolClient.ClientId)
	e.conf = oauth2.Config{ClientID: e.clientA, RedirectURL: hostedCallback, Scopes: []string{"openid", "email", "profile"},
		Endpoint: oauth2.Endpoint{AuthURL: e.baseA + "/oauth2/authorize", TokenURL: e.baseA + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	e.newBrowser()
	return e
}

// newBrowser gives the environment a browser with no cookies.
func (e *fedEnv) newBrowser() {
	jar, _ := cookiejar.New(nil)
	e.http = loopbackClient(jar)
	follow := *e.http
	follow.CheckRedirect = nil
	e.ctx = context.WithValue(ctx, oauth2.HTTPClient, &follow)
}

// userB creates a confirmed user of pool B with a password.
func (e *fedEnv) userB(t *testing.T, name, email string) string {
	t.Helper()
	u := createUser(t, e.c, e.poolB, name, attr("email", email), attr("email_verified", "true"), attr("name", "Bob at B"))
	must[*cip.AdminSetUserPasswordOutput](t)(e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(e.poolB), Username: aws.String(name), Password: aws.String(hostedPassword), Permanent: true,
	}))
	return attrs(u.Attributes)["sub"]
}

func (e *fedEnv) get(t *testing.T, u string) *http.Response {
	t.Helper()
	resp, err := e.http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

var continueRE = regexp.MustCompile(`<meta http-equiv="refresh" content="0;url=([^"]+)">`)

// location returns the absolute URL a redirect from base points to: a
// 302's Location, or the URL of the page /oauth2/idpresponse answers with,
// which goes on by a meta refresh.
func location(t *testing.T, base string, resp *http.Response) string {
	t.Helper()
	if resp.StatusCode == http.StatusOK && strings.HasSuffix(resp.Request.URL.Path, "/oauth2/idpresponse") {
		page := body(t, resp)
		m := continueRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("idpresponse page without a refresh:\n%s", page)
		}
		return html.UnescapeString(m[1])
	}
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("%s: want a redirect, got %d %s", resp.Request.URL, resp.StatusCode, body(t, resp))
	}
	loc := resp.Header.Get("Location")
	if strings.HasPrefix(loc, "/") {
		return base + loc
	}
	return loc
}

// signInThroughB runs a sign-in to A's client through the PoolB button's
// URL: to B's login form, B's user signs in, B sends the browser back to
// A's /oauth2/idpresponse, and A to the app's callback, whose URL it
// returns.
func (e *fedEnv) signInThroughB(t *testing.T, user string) *url.URL {
	t.Helper()
	authURL := e.conf.AuthCodeURL("app-state", oauth2.SetAuthURLParam("identity_provider", fedProvider))
	toB := location(t, e.baseA, e.get(t, authURL))
	if !strings.HasPrefix(toB, e.baseB+"/oauth2/authorize?") {
		t.Fatalf("authorize sent the browser to %s, want B's authorization endpoint", toB)
	}
	login := location(t, e.baseB, e.get(t, toB))
	resp := e.get(t, login)
	page := body(t, resp)
	m := actionRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no login form at B:\n%s", page)
	}
	cs := csrfRE.FindStringSubmatch(page)
	form := url.Values{"username": {user}, "password": {hostedPassword}, "_csrf": {cs[1]}}
	resp, err := e.http.PostForm(e.baseB+html.UnescapeString(m[1]), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	back := location(t, e.baseB, resp)
	if !strings.HasPrefix(back, e.baseA+"/oauth2/idpresponse?") {
		t.Fatalf("B sent the browser to %s, want A's idpresponse", back)
	}
	return mustURL(t, location(t, e.baseA, e.get(t, back)))
}

// tokensFor exchanges the code of a callback at A and returns the ID
// token's claims.
func (e *fedEnv) tokensFor(t *testing.T, cb *url.URL) map[string]any {
	t.Helper()
	code := cb.Query().Get("code")
	if code == "" || cb.Query().Get("state") != "app-state" {
		t.Fatalf("callback %s", cb)
	}
	tok, err := e.conf.Exchange(e.ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	return claimsOf(t, raw)
}

func (e *fedEnv) userA(t *testing.T, username string) *cip.AdminGetUserOutput {
	t.Helper()
	return must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.poolA), Username: aws.String(username)}))
}

func identitiesOf(t *testing.T, claims map[string]any) []map[string]any {
	t.Helper()
	list, ok := claims["identities"].([]any)
	if !ok {
		t.Fatalf("identities claim %v", claims["identities"])
	}
	var out []map[string]any
	for _, v := range list {
		out = append(out, v.(map[string]any))
	}
	return out
}

// TestFederatedOIDCSignIn: a user of B signs in to A through PoolB and
// becomes A's federated user PoolB_<sub at B>, with the identities claim
// and the mapped attributes; the second sign-in finds the same user.
func TestFederatedOIDCSignIn(t *testing.T) {
	e := newFedEnv(t, nil)
	subB := e.userB(t, "bob", "bob@b.example.com")

	// The managed login page shows the provider's button beside the form.
	page := body(t, e.get(t, e.baseA+"/login?"+mustURL(t, e.conf.AuthCodeURL("app-state")).RawQuery))
	if !strings.Contains(page, `id="idp-PoolB"`) || !strings.Contains(page, "identity_provider=PoolB") || !strings.Contains(page, `name="password"`) {
		t.Fatalf("login page has no PoolB button:\n%s", page)
	}

	claims := e.tokensFor(t, e.signInThroughB(t, "bob"))
	want := fedProvider + "_" + subB
	if claims["cognito:username"] != want || claims["email"] != "bob@b.example.com" || claims["email_verified"] != false {
		t.Errorf("claims %v", claims)
	}
	ids := identitiesOf(t, claims)
	if len(ids) != 1 || ids[0]["userId"] != subB || ids[0]["providerName"] != fedProvider || ids[0]["providerType"] != "OIDC" || ids[0]["primary"] != "true" {
		t.Errorf("identities %v", ids)
	}
	u := e.userA(t, want)
	if u.UserStatus != types.UserStatusTypeExternalProvider || attrs(u.UserAttributes)["name"] != "Bob at B" {
		t.Errorf("federated user %s %v", u.UserStatus, attrs(u.UserAttributes))
	}

	// B's user changes their name: the next sign-in maps it again, onto the
	// same user.
	must[*cip.AdminUpdateUserAttributesOutput](t)(e.c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(e.poolB), Username: aws.String("bob"), UserAttributes: []types.AttributeType{attr("name", "Robert")},
	}))
	e.newBrowser()
	again := e.tokensFor(t, e.signInThroughB(t, "bob"))
	if again["sub"] != claims["sub"] || again["name"] != "Robert" {
		t.Errorf("second sign-in: sub %v (first %v), name %v", again["sub"], claims["sub"], again["name"])
	}
}

// TestFederatedLinkedSignIn is the README's scenario: B's user is linked
// to an existing native user of A before their first sign-in, signs in as
// that user (same sub, groups, attributes written by the mapping); after
// AdminDisableProviderForUser, a new federated user appears instead.
func TestFederatedLinkedSignIn(t *testing.T) {
	e := newFedEnv(t, nil)
	subB := e.userB(t, "bob", "bob@b.example.com")
	native := createUser(t, e.c, e.poolA, "alice", attr("email", "alice@a.example.com"), attr("email_verified", "true"))
	nativeSub := attrs(native.Attributes)["sub"]
	must[*cip.CreateGroupOutput](t)(e.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(e.poolA), GroupName: aws.String("admins")}))
	must[*cip.AdminAddUserToGroupOutput](t)(e.c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(e.poolA), Username: aws.String("alice"), GroupName: aws.String("admins")}))
	source := &types.ProviderUserIdentifierType{ProviderName: aws.String(fedProvider), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String(subB)}
	must[*cip.AdminLinkProviderForUserOutput](t)(e.c.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
		UserPoolId: aws.String(e.poolA), SourceUser: source,
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("alice")},
	}))

	claims := e.tokensFor(t, e.signInThroughB(t, "bob"))
	groups, _ := claims["cognito:groups"].([]any)
	if claims["sub"] != nativeSub || claims["cognito:username"] != "alice" || len(groups) != 1 || groups[0] != "admins" {
		t.Fatalf("linked sign-in: claims %v", claims)
	}
	if ids := identitiesOf(t, claims); len(ids) != 1 || ids[0]["userId"] != subB || ids[0]["primary"] != "false" {
		t.Errorf("identities %v", ids)
	}
	if got := attrs(e.userA(t, "alice").UserAttributes); got["email"] != "bob@b.example.com" || got["name"] != "Bob at B" {
		t.Errorf("the mapping did not write onto the destination user: %v", got)
	}
	if _, err := e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.poolA), Username: aws.String(fedProvider + "_" + subB)}); err == nil {
		t.Error("a federated user was created for a linked identity")
	}

	must[*cip.AdminDisableProviderForUserOutput](t)(e.c.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: aws.String(e.poolA), User: source}))
	e.newBrowser()
	after := e.tokensFor(t, e.signInThroughB(t, "bob"))
	if after["sub"] == nativeSub || after["cognito:username"] != fedProvider+"_"+subB || after["cognito:groups"] != nil {
		t.Errorf("after AdminDisableProviderForUser: claims %v", after)
	}
}

// TestFederatedAttributeLink: a link by a mapped attribute (email) matches
// the identity with that email, and is re-keyed to its subject at that
// first sign-in, so that AdminDisableProviderForUser names it by subject.
func TestFederatedAttributeLink(t *testing.T) {
	e := newFedEnv(t, nil)
	subB := e.userB(t, "bob", "bob@b.example.com")
	native := createUser(t, e.c, e.poolA, "carol")
	must[*cip.AdminLinkProviderForUserOutput](t)(e.c.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
		UserPoolId:      aws.String(e.poolA),
		SourceUser:      &types.ProviderUserIdentifierType{ProviderName: aws.String(fedProvider), ProviderAttributeName: aws.String("email"), ProviderAttributeValue: aws.String("bob@b.example.com")},
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("carol")},
	}))
	claims := e.tokensFor(t, e.signInThroughB(t, "bob"))
	if claims["sub"] != attrs(native.Attributes)["sub"] {
		t.Fatalf("attribute-matched sign-in: claims %v", claims)
	}
	if ids := identitiesOf(t, claims); len(ids) != 1 || ids[0]["userId"] != subB {
		t.Errorf("identities after re-keying %v", ids)
	}
	byEmail := &types.ProviderUserIdentifierType{ProviderName: aws.String(fedProvider), ProviderAttributeName: aws.String("email"), ProviderAttributeValue: aws.String("bob@b.example.com")}
	_, err := e.c.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: aws.String(e.poolA), User: byEmail})
	wantErr(t, err, "UserNotFoundException", "")
	must[*cip.AdminDisableProviderForUserOutput](t)(e.c.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: aws.String(e.poolA),
		User: &types.ProviderUserIdentifierType{ProviderName: aws.String(fedProvider), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String(subB)}}))
}

// TestFederatedRefusals: a callback without the browser's state, a
// provider's error passed on to the app, a disabled federated user, and a
// provider that is not one of the client's.
func TestFederatedRefusals(t *testing.T) {
	e := newFedEnv(t, nil)
	e.userB(t, "bob", "bob@b.example.com")

	t.Run("state not bound to this browser", func(t *testing.T) {
		authURL := e.conf.AuthCodeURL("app-state", oauth2.SetAuthURLParam("identity_provider", fedProvider))
		toB := mustURL(t, location(t, e.baseA, e.get(t, authURL)))
		e.newBrowser()
		resp := e.get(t, e.baseA+"/oauth2/idpresponse?"+url.Values{"code": {"x"}, "state": {toB.Query().Get("state")}}.Encode())
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body(t, resp), "not started in this browser") {
			t.Errorf("foreign state: %d", resp.StatusCode)
		}
		resp = e.get(t, e.baseA+"/oauth2/idpresponse?code=x")
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("no state: %d", resp.StatusCode)
		}
	})
	t.Run("provider error goes to the app", func(t *testing.T) {
		e.newBrowser()
		authURL := e.conf.AuthCodeURL("app-state", oauth2.SetAuthURLParam("identity_provider", fedProvider))
		toB := mustURL(t, location(t, e.baseA, e.get(t, authURL)))
		resp := e.get(t, e.baseA+"/oauth2/idpresponse?"+url.Values{"error": {"access_denied"}, "error_description": {"the user said no"}, "state": {toB.Query().Get("state")}}.Encode())
		cb := mustURL(t, location(t, e.baseA, resp))
		if q := cb.Query(); !strings.HasPrefix(cb.String(), hostedCallback) || q.Get("error") != "access_denied" || q.Get("error_description") != "the user said no" || q.Get("state") != "app-state" {
			t.Errorf("callback %s", cb)
		}
	})
	t.Run("unsupported provider", func(t *testing.T) {
		e.newBrowser()
		resp := e.get(t, e.conf.AuthCodeURL("app-state", oauth2.SetAuthURLParam("identity_provider", "Other")))
		if cb := mustURL(t, location(t, e.baseA, resp)); cb.Query().Get("error") != "invalid_request" {
			t.Errorf("callback %s", cb)
		}
	})
	t.Run("disabled federated user", func(t *testing.T) {
		e.newBrowser()
		claims := e.tokensFor(t, e.signInThroughB(t, "bob"))
		name := claims["cognito:username"].(string)
		must[*cip.AdminDisableUserOutput](t)(e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(e.poolA), Username: aws.String(name)}))
		e.newBrowser()
		cb := e.signInThroughB(t, "bob")
		if cb.Query().Get("error") == "" || cb.Query().Get("code") != "" {
			t.Errorf("disabled user's callback %s", cb)
		}
	})
}

// TestFederatedLinkLimit: the five-link limit of AdminLinkProviderForUser
// still holds, and a sixth identity signs in as its own federated user.
func TestFederatedLinkLimit(t *testing.T) {
	e := newFedEnv(t, nil)
	createUser(t, e.c, e.poolA, "dora")
	dst := &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("dora")}
	for i := range 6 {
		_, err := e.c.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{UserPoolId: aws.String(e.poolA), DestinationUser: dst,
			SourceUser: &types.ProviderUserIdentifierType{ProviderName: aws.String(fedProvider), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String("s" + string(rune('0'+i)))}})
		if i < 5 && err != nil {
			t.Fatal(err)
		}
		if i == 5 {
			wantErr(t, err, "LimitExceededException", "")
		}
	}
	subB := e.userB(t, "bob", "bob@b.example.com")
	claims := e.tokensFor(t, e.signInThroughB(t, "bob"))
	if claims["cognito:username"] != fedProvider+"_"+subB {
		t.Errorf("claims %v", claims)
	}
	b, _ := json.Marshal(claims)
	if strings.Contains(string(b), `"dora"`) {
		t.Errorf("signed in as dora: %s", b)
	}
}

// TestFederatedRequiredAttribute: an identity whose mapped attributes lack
// one the pool requires is not signed up; the error goes to the app.
func TestFederatedRequiredAttribute(t *testing.T) {
	e := newFedEnvWith(t, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
		{Name: aws.String("nickname"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
	}}, nil)
	subB := e.userB(t, "bob", "bob@b.example.com")
	cb := e.signInThroughB(t, "bob")
	if q := cb.Query(); q.Get("error") != "invalid_request" || !strings.Contains(q.Get("error_description"), "nickname") || q.Get("code") != "" {
		t.Errorf("callback %s", cb)
	}
	if _, err := e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.poolA), Username: aws.String(fedProvider + "_" + subB)}); err == nil {
		t.Error("the federated user was created without its required attribute")
	}
}

// TestFederatedTriggers: a federated user's first sign-in runs pre sign-up
// (PreSignUp_ExternalProvider) and post confirmation; every later one pre
// and post authentication; the hosted token endpoint runs pre token
// generation as TokenGeneration_HostedAuth, as Cognito documents for
// federated users.
func TestFederatedTriggers(t *testing.T) {
	fake := lambdatest.Start(t)
	for _, fn := range []string{"pre-sign-up", "post-confirmation", "pre-auth", "post-auth"} {
		fake.Handle(fn, lambdatest.Respond(nil))
	}
	fake.Handle("pre-token", lambdatest.Respond(map[string]any{"claimsOverrideDetails": map[string]any{
		"claimsToAddOrOverride": map[string]any{"via": "federation"},
	}}))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	e := newFedEnvWith(t, &cip.CreateUserPoolInput{LambdaConfig: &types.LambdaConfigType{
		PreSignUp: fnARN("pre-sign-up"), PostConfirmation: fnARN("post-confirmation"),
		PreAuthentication: fnARN("pre-auth"), PostAuthentication: fnARN("post-auth"), PreTokenGeneration: fnARN("pre-token"),
	}}, nil, func(c *config.Config) { c.LambdaEndpoint = fake.URL })
	subB := e.userB(t, "bob", "bob@b.example.com")
	username := fedProvider + "_" + subB
	calls := func() map[string]int {
		n := map[string]int{}
		for _, fn := range []string{"pre-sign-up", "post-confirmation", "pre-auth", "post-auth", "pre-token"} {
			n[fn] = len(fake.Events(fn))
		}
		return n
	}

	claims := e.tokensFor(t, e.signInThroughB(t, "bob"))
	if claims["via"] != "federation" {
		t.Errorf("pre token generation's claim missing: %v", claims)
	}
	if got, want := calls(), map[string]int{"pre-sign-up": 1, "post-confirmation": 1, "pre-auth": 0, "post-auth": 0, "pre-token": 1}; !equalCounts(got, want) {
		t.Errorf("first sign-in called %v, want %v", got, want)
	}
	for fn, source := range map[string]string{"pre-sign-up": "PreSignUp_ExternalProvider", "post-confirmation": "PostConfirmation_ConfirmSignUp", "pre-token": "TokenGeneration_HostedAuth"} {
		if ev := lastEvent(t, fake, fn); ev["triggerSource"] != source || ev["userName"] != username {
			t.Errorf("%s: source %v user %v, want %s %s", fn, ev["triggerSource"], ev["userName"], source, username)
		}
	}
	if st := lastEvent(t, fake, "post-confirmation")["request"].(map[string]any)["userAttributes"].(map[string]any)["cognito:user_status"]; st != "EXTERNAL_PROVIDER" {
		t.Errorf("post confirmation user status %v", st)
	}

	e.newBrowser()
	e.tokensFor(t, e.signInThroughB(t, "bob"))
	if got, want := calls(), map[string]int{"pre-sign-up": 1, "post-confirmation": 1, "pre-auth": 1, "post-auth": 1, "pre-token": 2}; !equalCounts(got, want) {
		t.Errorf("second sign-in: calls %v, want %v", got, want)
	}
	for fn, source := range map[string]string{"pre-auth": "PreAuthentication_Authentication", "post-auth": "PostAuthentication_Authentication"} {
		if ev := lastEvent(t, fake, fn); ev["triggerSource"] != source || ev["userName"] != username || ev["callerContext"].(map[string]any)["clientId"] != e.clientA {
			t.Errorf("%s event %v", fn, ev)
		}
	}

	// A pre authentication function that refuses stops the sign-in.
	fake.Handle("pre-auth", func(context.Context, map[string]any) (any, error) { return nil, errors.New("Not today") })
	e.newBrowser()
	before := calls()["post-auth"]
	if cb := e.signInThroughB(t, "bob"); cb.Query().Get("error") == "" || cb.Query().Get("code") != "" {
		t.Errorf("refused sign-in's callback %s", cb)
	}
	if calls()["post-auth"] != before {
		t.Error("post authentication ran for a refused sign-in")
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
