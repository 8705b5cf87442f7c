package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// With --rate-limits, each user gets 10 user reads and 10 user writes a
// second, whatever the account's categories still allow.
func TestPerUserRateLimits(t *testing.T) {
	s, clock, pool := startRated(t, true)
	for _, name := range []string{"ana", "bo"} {
		must[*cip.AdminCreateUserOutput](t)(s.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress}))
	}
	get := func(name string) string { return fmt.Sprintf(`{"UserPoolId":%q,"Username":%q}`, pool, name) }
	if n := rawCalls(t, s.URL, "AdminGetUser", get("ana"), 11); n != 1 {
		t.Fatalf("%d of 11 reads of one user in a second throttled, want 1", n)
	}
	if n := rawCalls(t, s.URL, "AdminGetUser", get("bo"), 10); n != 0 {
		t.Fatalf("%d of 10 reads of another user throttled", n)
	}
	update := fmt.Sprintf(`{"UserPoolId":%q,"Username":"ana","UserAttributes":[{"Name":"name","Value":"Ana"}]}`, pool)
	if n := rawCalls(t, s.URL, "AdminUpdateUserAttributes", update, 11); n != 1 {
		t.Fatalf("%d of 11 writes of one user in a second throttled, want 1", n)
	}
	clock.Advance(time.Second)
	if n := rawCalls(t, s.URL, "AdminGetUser", get("ana"), 1); n != 0 {
		t.Fatal("a read in the next second was throttled")
	}
}

// With --rate-limits, the token endpoint counts client_credentials grants
// against ClientAuthentication (150 a second) and answers past it with
// HTTP 429 and the OAuth error form.
func TestHostedRateLimits(t *testing.T) {
	s, clock, pool := startRated(t, true)
	c := s.Client
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(pool), Domain: aws.String("rated-e2e")}))
	must[*cip.CreateResourceServerOutput](t)(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String("https://api.example.com"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("read")}},
	}))
	service := must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String("service"), GenerateSecret: true,
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{"https://api.example.com/read"},
	})).UserPoolClient
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	hc := loopbackClient(nil)
	grant := func() (int, string, map[string]string) {
		req, _ := http.NewRequest("POST", "http://rated-e2e.auth.localhost:"+u.Port()+"/oauth2/token",
			strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(aws.ToString(service.ClientId), aws.ToString(service.ClientSecret))
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]string
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, resp.Header.Get("Retry-After"), body
	}
	for i := range 150 {
		if status, _, body := grant(); status != http.StatusOK {
			t.Fatalf("grant %d of the second: %d %v", i+1, status, body)
		}
	}
	status, retry, body := grant()
	if status != http.StatusTooManyRequests || retry != "1" || body["error"] != "too_many_requests" || body["error_description"] != "Rate exceeded" {
		t.Fatalf("grant 151 of the second: %d Retry-After %q %v", status, retry, body)
	}
	clock.Advance(time.Second)
	if status, _, body := grant(); status != http.StatusOK {
		t.Fatalf("grant in the next second: %d %v", status, body)
	}
}
