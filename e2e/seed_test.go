package e2e

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// The IDs and secret examples/cognate.yaml fixes.
const (
	seedPool          = "us-east-1_Example01"
	seedWebClient     = "4example0web0client0000000"
	seedServiceClient = "4example0service0client000"
	seedServiceSecret = "example0secret0for0the0service0client0000000000000"
)

// startSeeded starts a server that applies the example seed file.
func startSeeded(t *testing.T) *testserver.Server {
	t.Helper()
	cfg := testserver.NewConfig(t)
	cfg.Seed = filepath.Join("..", "examples", "cognate.yaml")
	return testserver.StartWith(t, cfg, server.Options{})
}

// TestSeedFile starts a server with the example seed file and uses what it
// declares through the API, with the IDs and secret the file fixes.
func TestSeedFile(t *testing.T) {
	s := startSeeded(t)
	c := s.Client

	pool := must[*cip.DescribeUserPoolOutput](t)(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(seedPool)})).UserPool
	if aws.ToString(pool.Name) != "example" || aws.ToString(pool.Domain) != "example-dev" || pool.UserPoolTags["environment"] != "development" {
		t.Errorf("pool: name %q, domain %q, tags %v", aws.ToString(pool.Name), aws.ToString(pool.Domain), pool.UserPoolTags)
	}
	if got := aws.ToInt32(pool.Policies.PasswordPolicy.MinimumLength); got != 10 {
		t.Errorf("MinimumLength = %d", got)
	}
	if !slices.ContainsFunc(pool.SchemaAttributes, func(a types.SchemaAttributeType) bool { return aws.ToString(a.Name) == "custom:tenant" }) {
		t.Error("the pool has no custom:tenant attribute")
	}

	svc := must[*cip.DescribeUserPoolClientOutput](t)(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{
		UserPoolId: aws.String(seedPool), ClientId: aws.String(seedServiceClient),
	})).UserPoolClient
	if aws.ToString(svc.ClientSecret) != seedServiceSecret || aws.ToString(svc.ClientName) != "service" {
		t.Errorf("service client: name %q, secret %q", aws.ToString(svc.ClientName), aws.ToString(svc.ClientSecret))
	}
	if !slices.Equal(svc.AllowedOAuthScopes, []string{"https://api.example.com/read"}) || aws.ToInt32(svc.AccessTokenValidity) != 15 {
		t.Errorf("service client: scopes %v, access token validity %d", svc.AllowedOAuthScopes, aws.ToInt32(svc.AccessTokenValidity))
	}

	alice := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(seedPool), Username: aws.String("alice@example.com")}))
	got := attrs(alice.UserAttributes)
	if alice.UserStatus != types.UserStatusTypeConfirmed || got["email"] != "alice@example.com" || got["email_verified"] != "true" ||
		got["given_name"] != "Alice" || got["custom:tenant"] != "acme" || got["sub"] == "" {
		t.Errorf("alice: %s %v", alice.UserStatus, got)
	}
	groups := must[*cip.AdminListGroupsForUserOutput](t)(c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{
		UserPoolId: aws.String(seedPool), Username: aws.String("alice@example.com"),
	})).Groups
	if len(groups) != 2 || aws.ToString(groups[0].GroupName) != "admins" || aws.ToString(groups[1].GroupName) != "readers" {
		t.Errorf("alice's groups: %d", len(groups))
	}
	bob := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(seedPool), Username: aws.String("bob@example.com")}))
	if bob.UserStatus != types.UserStatusTypeForceChangePassword {
		t.Errorf("bob: %s", bob.UserStatus)
	}

	// The permanent password signs alice in; the temporary one asks bob
	// for a new password.
	out, err := signInAttempt(c, seedPool, seedWebClient, "alice@example.com", "Alice-password-1")
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("alice's sign-in: %v", err)
	}
	if claims := claimsOf(t, aws.ToString(out.AuthenticationResult.IdToken)); claims["email"] != "alice@example.com" ||
		!slices.Contains(claims["cognito:groups"].([]any), any("admins")) {
		t.Errorf("alice's ID token claims: %v", claims)
	}
	out, err = signInAttempt(c, seedPool, seedWebClient, "bob@example.com", "Bob-temporary-1")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("bob's sign-in: %v, challenge %q", err, out.ChallengeName)
	}

	rs := must[*cip.DescribeResourceServerOutput](t)(c.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{
		UserPoolId: aws.String(seedPool), Identifier: aws.String("https://api.example.com"),
	})).ResourceServer
	if len(rs.Scopes) != 2 {
		t.Errorf("resource server scopes: %d", len(rs.Scopes))
	}
}

// TestSeedFileRestart checks that a server started again with the same
// seed file changes nothing, and that a record deleted through the API is
// made again, with its fixed ID.
func TestSeedFileRestart(t *testing.T) {
	s := startSeeded(t)
	describe := func() (*types.UserPoolType, *types.UserPoolClientType, *cip.AdminGetUserOutput) {
		c := s.Client
		pool := must[*cip.DescribeUserPoolOutput](t)(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(seedPool)})).UserPool
		client := must[*cip.DescribeUserPoolClientOutput](t)(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{
			UserPoolId: aws.String(seedPool), ClientId: aws.String(seedWebClient),
		})).UserPoolClient
		user := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(seedPool), Username: aws.String("alice@example.com")}))
		return pool, client, user
	}
	pool, client, user := describe()
	s.Restart(t)
	pool2, client2, user2 := describe()
	if !pool.LastModifiedDate.Equal(*pool2.LastModifiedDate) || !client.LastModifiedDate.Equal(*client2.LastModifiedDate) ||
		!user.UserLastModifiedDate.Equal(*user2.UserLastModifiedDate) || aws.ToString(pool.Id) != aws.ToString(pool2.Id) {
		t.Errorf("a restart with the same seed file changed records")
	}
	if diff := strings.Join(diffAttrs(attrs(user.UserAttributes), attrs(user2.UserAttributes)), ", "); diff != "" {
		t.Errorf("alice's attributes changed: %s", diff)
	}

	// Changes made through the API are undone by the next start.
	c := s.Client
	must[*cip.AdminDisableUserOutput](t)(c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(seedPool), Username: aws.String("alice@example.com")}))
	must[*cip.DeleteUserPoolClientOutput](t)(c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(seedPool), ClientId: aws.String(seedServiceClient)}))
	s.Restart(t)
	c = s.Client
	alice := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(seedPool), Username: aws.String("alice@example.com")}))
	if !alice.Enabled {
		t.Error("alice is still disabled")
	}
	svc := must[*cip.DescribeUserPoolClientOutput](t)(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{
		UserPoolId: aws.String(seedPool), ClientId: aws.String(seedServiceClient),
	})).UserPoolClient
	if aws.ToString(svc.ClientSecret) != seedServiceSecret {
		t.Errorf("the service client came back with secret %q", aws.ToString(svc.ClientSecret))
	}

	// A pool deleted and seeded again signs tokens with new keys.
	out, err := signInAttempt(c, seedPool, seedWebClient, "alice@example.com", "Alice-password-1")
	if err != nil {
		t.Fatal(err)
	}
	kid := claimsHeaderKID(t, aws.ToString(out.AuthenticationResult.IdToken))
	must[*cip.DeleteUserPoolOutput](t)(c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(seedPool)}))
	s.Restart(t)
	out, err = signInAttempt(s.Client, seedPool, seedWebClient, "alice@example.com", "Alice-password-1")
	if err != nil {
		t.Fatal(err)
	}
	if claimsHeaderKID(t, aws.ToString(out.AuthenticationResult.IdToken)) == kid {
		t.Error("the pool made again signs with the deleted pool's key")
	}
}

// claimsHeaderKID returns the kid of a JWT's header.
func claimsHeaderKID(t *testing.T, token string) string {
	t.Helper()
	head, _, _ := strings.Cut(token, ".")
	kid, _ := claimsOf(t, "x."+head+".x")["kid"].(string)
	if kid == "" {
		t.Fatalf("token header has no kid")
	}
	return kid
}

func diffAttrs(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// TestSeedFileErrorStopsStart checks that a bad seed file stops the server
// from starting, with an error naming the line, and changes nothing.
func TestSeedFileErrorStopsStart(t *testing.T) {
	cfg := testserver.NewConfig(t)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("UserPools:\n  - PoolName: demo\n    Clients:\n      - ClientName: web\n        ExplicitAuthFlow: [ALLOW_USER_SRP_AUTH]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Seed = bad
	_, err := server.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{})
	if err == nil || !strings.Contains(err.Error(), bad+":5: UserPools[0].Clients[0].ExplicitAuthFlow: unknown key (did you mean ExplicitAuthFlows?)") {
		t.Fatalf("got %v", err)
	}

	// An error only the store reveals names its line too, and the server
	// does not start.
	if err := os.WriteFile(bad, []byte("UserPools:\n  - PoolName: demo\n    Clients:\n      - ClientName: web\n        AllowedOAuthScopes: [https://api.example.com/read]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = server.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{})
	if err == nil || !strings.Contains(err.Error(), bad+`:4: app client "web": ScopeDoesNotExistException`) {
		t.Fatalf("got %v", err)
	}
	cfg.Seed = ""
	s := testserver.StartWith(t, cfg, server.Options{})
	pools := must[*cip.ListUserPoolsOutput](t)(s.Client.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)}))
	if len(pools.UserPools) != 0 {
		t.Errorf("a failed seed left %d pools", len(pools.UserPools))
	}
}
