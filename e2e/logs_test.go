package e2e

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// records returns the JSON log records whose request_id is id.
func records(t *testing.T, log, id string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["request_id"] == id {
			out = append(out, rec)
		}
	}
	return out
}

// At debug level every API and hosted request is logged with its request
// ID, and no password, secret or token ever is.
func TestDebugRequestLogs(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := testserver.StartLogged(t, testserver.NewConfig(t), server.Options{}, log)
	c := s.Client
	pool := newPool(t, c, nil).Id
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: pool, Domain: aws.String("logs-e2e")}))
	must[*cip.CreateResourceServerOutput](t)(c.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: pool, Identifier: aws.String("https://api.example.com"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("read")}},
	}))
	web := must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool, ClientName: aws.String("web"), ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})).UserPoolClient.ClientId
	service := must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool, ClientName: aws.String("service"), GenerateSecret: true,
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials},
		AllowedOAuthScopes: []string{"https://api.example.com/read"},
	})).UserPoolClient
	must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("lou"), MessageAction: types.MessageActionTypeSuppress}))
	must[*cip.AdminSetUserPasswordOutput](t)(c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool, Username: aws.String("lou"), Password: aws.String(signupPassword), Permanent: true}))
	_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: web, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "lou", "PASSWORD": "Wrong=Passw0rd!"}})
	wantErr(t, err, "NotAuthorizedException", "")
	out := must[*cip.InitiateAuthOutput](t)(c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: web, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "lou", "PASSWORD": signupPassword}}))
	apiID, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	if !ok || apiID == "" {
		t.Fatal("InitiateAuth answered without a request ID")
	}

	// A client-credentials grant at the domain's token endpoint.
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"https://api.example.com/read"}}
	req, _ := http.NewRequest("POST", "http://logs-e2e.auth.localhost:"+u.Port()+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(aws.ToString(service.ClientId), aws.ToString(service.ClientSecret))
	resp, err := loopbackClient(nil).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	hostedID := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != 200 || tok.AccessToken == "" || hostedID == "" {
		t.Fatalf("token endpoint: %d, request ID %q", resp.StatusCode, hostedID)
	}

	text := buf.String()
	api := records(t, text, apiID)
	if len(api) != 1 || api[0]["level"] != "DEBUG" || api[0]["op"] != "InitiateAuth" || api[0]["outcome"] != "ok" {
		t.Errorf("records of request %s: %v", apiID, api)
	}
	hosted := records(t, text, hostedID)
	if len(hosted) != 1 || hosted[0]["path"] != "/oauth2/token" || hosted[0]["status"] != float64(200) {
		t.Errorf("records of hosted request %s: %v", hostedID, hosted)
	}
	if !strings.Contains(text, `"outcome":"NotAuthorizedException"`) {
		t.Error("the failed sign-in is not logged")
	}
	for name, secret := range map[string]string{
		"password": signupPassword, "wrong password": "Wrong=Passw0rd!", "client secret": aws.ToString(service.ClientSecret),
		"access token": aws.ToString(out.AuthenticationResult.AccessToken), "refresh token": aws.ToString(out.AuthenticationResult.RefreshToken),
		"hosted access token": tok.AccessToken,
	} {
		if strings.Contains(text, secret) {
			t.Errorf("the log holds the %s", name)
		}
	}
}
