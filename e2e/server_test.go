package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/server"
)

func post(t *testing.T, url, target, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+target)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: body %q is not JSON: %v", target, b, err)
	}
	return resp, m
}

func TestOperationsRouted(t *testing.T) {
	s, _ := start(t)
	if len(model.Operations) != 129 {
		t.Fatalf("model has %d operations, want 129", len(model.Operations))
	}
	// Every operation has a handler; the 501 answer of an unrouted one is
	// tested in internal/awsjson.
	for _, op := range model.Operations {
		if !s.Server.Mux().Handled(op.Name) {
			t.Errorf("%s has no handler", op.Name)
		}
	}
	// A request is validated against the model before its handler
	// (ListWebAuthnCredentials requires AccessToken).
	resp, body := post(t, s.URL, "ListWebAuthnCredentials", `{"MaxResults":0}`)
	if resp.StatusCode != 400 || body["__type"] != "InvalidParameterException" || resp.Header.Get("x-amzn-ErrorType") != "InvalidParameterException" {
		t.Errorf("invalid request: %d %v", resp.StatusCode, body)
	}
	resp, body = post(t, s.URL, "NoSuchOperation", `{}`)
	if resp.StatusCode != 400 || body["__type"] != "UnknownOperationException" {
		t.Errorf("unknown operation: %d %v", resp.StatusCode, body)
	}
	resp, body = post(t, s.URL, "ListUserPools", `{"MaxResults": "ten"}`)
	if resp.StatusCode != 400 || body["__type"] != "SerializationException" {
		t.Errorf("wrong type: %d %v", resp.StatusCode, body)
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId")
	}
}

func TestCORSPreflight(t *testing.T) {
	s, _ := start(t)
	req, _ := http.NewRequest("OPTIONS", s.URL+"/", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "x-amz-target") ||
		!strings.Contains(strings.ToLower(h.Get("Access-Control-Expose-Headers")), "x-amzn-requestid") {
		t.Errorf("preflight: %d %v", resp.StatusCode, h)
	}
}

// Everything written survives a restart on the same database.
func TestRestartPersistence(t *testing.T) {
	s, c := start(t)
	pool := newPool(t, c, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}}).Id
	cl := must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool, ClientName: aws.String("app"), GenerateSecret: true})).UserPoolClient
	createUser(t, c, aws.ToString(pool), "persisted", attr("email", "p@example.com"), attr("email_verified", "true"))
	must[*cip.CreateGroupOutput](t)(c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("grp")}))
	must[*cip.AdminAddUserToGroupOutput](t)(c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("persisted"), GroupName: aws.String("grp")}))

	s.Restart(t)
	c = s.Client
	d := must[*cip.DescribeUserPoolOutput](t)(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: pool})).UserPool
	if d.EstimatedNumberOfUsers != 1 || len(d.AliasAttributes) != 1 {
		t.Errorf("pool after restart: %+v", d)
	}
	got := must[*cip.DescribeUserPoolClientOutput](t)(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool, ClientId: cl.ClientId})).UserPoolClient
	if aws.ToString(got.ClientSecret) != aws.ToString(cl.ClientSecret) {
		t.Error("client secret changed across restart")
	}
	u := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("p@example.com")}))
	if aws.ToString(u.Username) != "persisted" {
		t.Errorf("user after restart: %+v", u)
	}
	gs := must[*cip.AdminListGroupsForUserOutput](t)(c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: aws.String("persisted")}))
	if len(gs.Groups) != 1 {
		t.Errorf("memberships after restart: %+v", gs.Groups)
	}
}

// A temporary password is stored only as a sealed SRP verifier: no copy of
// it is in the database files, and the verifier matches it.
func TestPasswordsSealedAtRest(t *testing.T) {
	s, c := start(t)
	pool := aws.ToString(newPool(t, c, nil).Id)
	const pw = "Sentinel-Passw0rd!xyzzy"
	const secret = "clientsecretsentinel0123456789"
	must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &pool, Username: aws.String("sealed"), TemporaryPassword: aws.String(pw),
		UserAttributes: []types.AttributeType{attr("email", "s@example.com")}, DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}}))
	must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &pool, ClientName: aws.String("app"), ClientSecret: aws.String(secret)}))
	s.Stop()

	// On SQLite, scan the database files themselves (on PostgreSQL the
	// store checks below still run).
	var files []string
	if !s.Config.Postgres() {
		files, _ = filepath.Glob(s.Config.DB + "*")
		if len(files) == 0 {
			t.Fatalf("no database files at %s*", s.Config.DB)
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, needle := range []string{pw, secret} {
			if bytes.Contains(b, []byte(needle)) {
				t.Errorf("%s contains a secret in plain text", filepath.Base(f))
			}
		}
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	keys, err := server.LoadKeys(s.Config, log)
	if err != nil {
		t.Fatal(err)
	}
	st, err := server.OpenStore(ctx, s.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.GetUser(ctx, pool, "sealed")
	if err != nil {
		t.Fatal(err)
	}
	cred, err := password.Open(keys, pool, "sealed", u.Password)
	if err != nil {
		t.Fatal(err)
	}
	poolName := strings.SplitN(pool, "_", 2)[1]
	if !cred.Matches(poolName, "sealed", []byte(pw)) || cred.Matches(poolName, "sealed", []byte("wrong")) {
		t.Error("stored verifier does not match the temporary password (or matches a wrong one)")
	}
	if _, err := password.Open(keys, pool, "someone-else", u.Password); err == nil {
		t.Error("a sealed credential opened under another user's name")
	}
	msgs, err := st.PendingMessages(ctx, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Medium != "EMAIL" || msgs[0].Destination != "s@example.com" {
		t.Fatalf("outbox: %v %+v", err, msgs)
	}
}
