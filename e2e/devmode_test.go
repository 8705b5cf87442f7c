package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// devPost sends a POST with body to the server and returns the status and the
// decoded JSON answer.
func devPost(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

// countPools returns how many pools the server lists.
func countPools(t *testing.T, c *cip.Client) int {
	t.Helper()
	out := must[*cip.ListUserPoolsOutput](t)(c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)}))
	return len(out.UserPools)
}

// TestDevReset: with --dev, POST /_cognate/reset and moto's POST
// /moto-api/reset delete every pool (deletion protection or not) with its
// users and messages; moto's POST /moto-api/reset-auth changes nothing.
func TestDevReset(t *testing.T) {
	cfg := testserver.NewConfig(t)
	cfg.Dev = true
	s := testserver.StartWith(t, cfg, server.Options{})
	c := s.Client
	fill := func() string {
		p := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("a")})
		newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("b"), DeletionProtection: types.DeletionProtectionTypeActive})
		must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: p.Id, Username: aws.String("bob"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("bob@example.com")}}}))
		return *p.Id
	}

	pool := fill()
	if code, out := devPost(t, s.URL+"/moto-api/reset-auth", "4"); code != 200 || out["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"] != "inf" || out["status"] != "ok" {
		t.Errorf("reset-auth: %d %v", code, out)
	}
	if code, _ := devPost(t, s.URL+"/moto-api/reset-auth", "many"); code != 400 {
		t.Errorf("reset-auth with a bad body: %d", code)
	}
	if n := countPools(t, c); n != 2 {
		t.Fatalf("reset-auth left %d pools, want 2", n)
	}
	// Unsigned API calls still work: reset-auth turned nothing on.
	must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &pool}))

	outbox := func() string {
		t.Helper()
		resp, err := http.Get(s.URL + "/_cognate/outbox?pool=" + pool)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if !strings.Contains(outbox(), `"username":"bob"`) {
		t.Fatalf("no invitation for bob in the outbox: %s", outbox())
	}

	code, out := devPost(t, s.URL+"/_cognate/reset", "")
	if code != 200 || out["deletedPools"] != float64(2) {
		t.Fatalf("reset: %d %v", code, out)
	}
	if n := countPools(t, c); n != 0 {
		t.Errorf("%d pools after the reset", n)
	}
	_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("bob")})
	wantErr(t, err, "ResourceNotFoundException", "")
	if b := outbox(); !strings.Contains(b, `"messages":[]`) {
		t.Errorf("outbox after the reset: %s", b)
	}

	fill()
	if code, out := devPost(t, s.URL+"/moto-api/reset", ""); code != 200 || out["status"] != "ok" {
		t.Fatalf("moto reset: %d %v", code, out)
	}
	if n := countPools(t, c); n != 0 {
		t.Errorf("%d pools after moto's reset", n)
	}
	if code, out := devPost(t, s.URL+"/_cognate/reset", ""); code != 200 || out["deletedPools"] != float64(0) {
		t.Errorf("reset of an empty server: %d %v", code, out)
	}
}

// TestNoDevRoutes: without --dev the reset routes do not exist.
func TestNoDevRoutes(t *testing.T) {
	s := testserver.Start(t)
	newPool(t, s.Client, nil)
	for _, path := range []string{"/_cognate/reset", "/moto-api/reset", "/moto-api/reset-auth"} {
		if code, _ := devPost(t, s.URL+path, "1"); code != 404 {
			t.Errorf("POST %s without --dev: %d", path, code)
		}
	}
	if n := countPools(t, s.Client); n != 1 {
		t.Errorf("%d pools, want 1", n)
	}
}
