package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/store/postgres/pgtesting"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// roundRobin sends each request to the next of several servers in turn, as
// a load balancer in front of replicas does.
type roundRobin struct {
	hosts []string
	next  atomic.Uint64
	base  http.RoundTripper
}

func (rr *roundRobin) RoundTrip(req *http.Request) (*http.Response, error) {
	host := rr.hosts[rr.next.Add(1)%uint64(len(rr.hosts))]
	req = req.Clone(req.Context())
	req.URL.Host, req.Host = host, host
	return rr.base.RoundTrip(req)
}

// startReplicas runs n servers, each with its own caches, on one PostgreSQL
// schema with one master key and one issuer URL, as README's replicas.
func startReplicas(t *testing.T, n int) []*testserver.Server {
	t.Helper()
	base := testserver.NewConfig(t)
	base.DB = pgtesting.SchemaURL(t)
	base.IssuerURL = "http://cognate.test"
	if _, _, err := seal.LoadOrCreate(base.KeyFile); err != nil {
		t.Fatal(err)
	}
	var out []*testserver.Server
	for range n {
		cfg := *base
		out = append(out, testserver.StartWith(t, &cfg, server.Options{}))
	}
	return out
}

// TestReplicas drives sign-up, confirmation, sign-in, refresh, client and
// pool updates and global sign-out through three replicas on one
// PostgreSQL behind a round-robin client, and checks each replica acts at
// once on what another wrote.
func TestReplicas(t *testing.T) {
	reps := startReplicas(t, 3)
	var hosts []string
	for _, r := range reps {
		u, err := url.Parse(r.URL)
		if err != nil {
			t.Fatal(err)
		}
		hosts = append(hosts, u.Host)
	}
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	rr := testserver.NewClient(reps[0].URL, "us-east-1", &roundRobin{hosts: hosts, base: transport})

	pool := aws.ToString(newPool(t, rr, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	}).Id)
	flows := []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	client := aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(rr.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String("app"), ExplicitAuthFlows: flows,
	})).UserPoolClient.ClientId)
	// Every replica sees the pool and the client another made.
	for i, r := range reps {
		if _, err := r.Client.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(pool), ClientId: aws.String(client)}); err != nil {
			t.Fatalf("replica %d: DescribeUserPoolClient: %v", i+1, err)
		}
	}

	for _, name := range []string{"ana", "bo", "cy"} {
		must[*cip.SignUpOutput](t)(rr.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(client), Username: aws.String(name), Password: aws.String(signupPassword),
			UserAttributes: []types.AttributeType{attr("email", name+"@example.com")},
		}))
	}
	// The codes are in the shared outbox; any replica confirms.
	for i, name := range []string{"ana", "bo", "cy"} {
		msgs := outbox(t, reps[(i+2)%3], pool, name+"@example.com")
		if len(msgs) != 1 {
			t.Fatalf("%s: %d messages in the outbox, want 1 (each sent once)", name, len(msgs))
		}
		code := signupCodeRE.FindString(msgs[0].Text)
		must[*cip.ConfirmSignUpOutput](t)(rr.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
			ClientId: aws.String(client), Username: aws.String(name), ConfirmationCode: aws.String(code),
		}))
	}

	signIn := func(c *cip.Client) (*cip.InitiateAuthOutput, error) {
		return c.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "ana", "PASSWORD": signupPassword},
		})
	}
	auth := must[*cip.InitiateAuthOutput](t)(signIn(rr)).AuthenticationResult
	// A token issued by one replica is accepted by all.
	for i, r := range reps {
		u, err := r.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: auth.AccessToken})
		if err != nil {
			t.Fatalf("replica %d: GetUser: %v", i+1, err)
		}
		if got := attrs(u.UserAttributes)["email_verified"]; got != "true" {
			t.Fatalf("replica %d: email_verified %q after confirmation on another", i+1, got)
		}
	}
	refresh := func(c *cip.Client) (*cip.InitiateAuthOutput, error) {
		return c.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(auth.RefreshToken)},
		})
	}
	for i := range 3 {
		if _, err := refresh(rr); err != nil {
			t.Fatalf("refresh %d through the round robin: %v", i+1, err)
		}
	}

	// A client setting changed on replica 1 holds on replica 2 at once.
	must[*cip.UpdateUserPoolClientOutput](t)(reps[0].Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientId: aws.String(client),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	}))
	_, err := signIn(reps[1].Client)
	wantErr(t, err, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
	must[*cip.UpdateUserPoolClientOutput](t)(reps[2].Client.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientId: aws.String(client), ExplicitAuthFlows: flows,
	}))
	must[*cip.InitiateAuthOutput](t)(signIn(reps[1].Client))

	// A pool setting changed on replica 2 holds on replica 3 and 1 at once.
	must[*cip.UpdateUserPoolOutput](t)(reps[1].Client.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
		UserPoolId: aws.String(pool), AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(32)}},
	}))
	for _, r := range []*testserver.Server{reps[2], reps[0]} {
		_, err := r.Client.SignUp(ctx, &cip.SignUpInput{
			ClientId: aws.String(client), Username: aws.String("dee"), Password: aws.String(signupPassword),
			UserAttributes: []types.AttributeType{attr("email", "dee@example.com")},
		})
		var bad *types.InvalidPasswordException
		if !errors.As(err, &bad) {
			t.Fatalf("sign-up with a password the new policy refuses: %v, want InvalidPasswordException", err)
		}
	}
	// An admin change on one replica is what the next sign-in on another sees.
	must[*cip.AdminDisableUserOutput](t)(reps[2].Client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("bo")}))
	_, err = reps[0].Client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "bo", "PASSWORD": signupPassword},
	})
	wantErr(t, err, "NotAuthorizedException", "User is disabled.")

	// A global sign-out on replica 1 revokes the tokens on every replica.
	must[*cip.GlobalSignOutOutput](t)(reps[0].Client.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: auth.AccessToken}))
	for i, r := range reps {
		_, err := r.Client.GetUser(ctx, &cip.GetUserInput{AccessToken: auth.AccessToken})
		wantErr(t, err, "NotAuthorizedException", "Access Token has been revoked")
		_, err = refresh(r.Client)
		if err == nil {
			t.Fatalf("replica %d: refresh after global sign-out succeeded", i+1)
		}
	}
}

// TestReplicasHostedLogin walks the hosted sign-in and the code exchange
// with every request going to the next of three replicas: the login
// session, the authorization code and the tokens are all in the database.
func TestReplicasHostedLogin(t *testing.T) {
	reps := startReplicas(t, 3)
	c := reps[0].Client
	pool := aws.ToString(newPool(t, c, &cip.CreateUserPoolInput{
		UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
	}).Id)
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String(hostedPrefix)}))
	must[*cip.CreateResourceServerOutput](t)(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("read")}},
	}))

	// Each connection dials the next replica; keep-alives off, each request
	// is a connection of its own. The cookie jar ignores ports, as browsers do.
	var ports []string
	for _, r := range reps {
		u, err := url.Parse(r.URL)
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, u.Port())
	}
	var next atomic.Uint64
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DisableKeepAlives: true, DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", ports[next.Add(1)%uint64(len(ports))]))
	}}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Transport: tr, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	e := &hostedEnv{s: reps[0], c: c, pool: pool, base: "http://" + hostedPrefix + ".auth.localhost:" + ports[0], http: hc, ctx: ctx}
	clientID := e.webClient(t, nil)
	e.user(t, "alice@example.com")

	authURL := e.base + "/oauth2/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {hostedCallback}, "scope": {"openid email"}, "state": {"st4te"},
	}.Encode()
	cb := e.signIn(t, authURL, "alice@example.com", hostedPassword)
	code := cb.Query().Get("code")
	if code == "" || cb.Query().Get("state") != "st4te" {
		t.Fatalf("callback %s", cb)
	}
	// The session cookie one replica set signs in on the others at once.
	for i := range 3 {
		resp := e.get(t, authURL)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, hostedCallback+"?") || mustURL(t, loc).Query().Get("code") == "" {
			t.Fatalf("authorize %d with the session cookie: %d, to %q", i+1, resp.StatusCode, loc)
		}
	}
	resp, err := hc.PostForm(e.base+"/oauth2/token", url.Values{
		"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {code}, "redirect_uri": {hostedCallback},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	for i := range 3 {
		req, _ := http.NewRequest(http.MethodGet, e.base+"/oauth2/userInfo", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var info map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || resp.StatusCode != http.StatusOK || info["email"] != "alice@example.com" {
			t.Fatalf("userInfo %d: %d %v %v", i+1, resp.StatusCode, info, err)
		}
		resp.Body.Close()
	}
}
