package e2e

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestUserPoolClientLifecycle(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, nil).Id
	created := must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool, ClientName: aws.String("web"), GenerateSecret: true,
		ExplicitAuthFlows:               []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		CallbackURLs:                    []string{"https://app.example.com/cb", "http://localhost:3000/cb"},
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes:              []string{"openid", "email"},
		AllowedOAuthFlowsUserPoolClient: true,
		ReadAttributes:                  []string{"email", "given_name"},
		PreventUserExistenceErrors:      types.PreventUserExistenceErrorTypesEnabled,
	})).UserPoolClient
	id := aws.ToString(created.ClientId)
	if !regexp.MustCompile(`^[0-9a-z]{26}$`).MatchString(id) {
		t.Errorf("client ID %q is not 26 lowercase alphanumerics", id)
	}
	secret := aws.ToString(created.ClientSecret)
	if len(secret) < 40 {
		t.Errorf("client secret %q too short", secret)
	}
	if created.RefreshTokenValidity != 30 || aws.ToInt32(created.AccessTokenValidity) != 60 || created.TokenValidityUnits == nil ||
		!aws.ToBool(created.EnableTokenRevocation) || aws.ToInt32(created.AuthSessionValidity) != 3 {
		t.Errorf("defaults not applied: %+v", created)
	}

	got := must[*cip.DescribeUserPoolClientOutput](t)(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool, ClientId: &id})).UserPoolClient
	if aws.ToString(got.ClientSecret) != secret || aws.ToString(got.ClientName) != "web" || len(got.CallbackURLs) != 2 ||
		got.PreventUserExistenceErrors != types.PreventUserExistenceErrorTypesEnabled || len(got.ReadAttributes) != 2 {
		t.Errorf("described %+v", got)
	}

	// Update replaces every setting; the secret and the name stay.
	upd := must[*cip.UpdateUserPoolClientOutput](t)(c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
		UserPoolId: pool, ClientId: &id, AccessTokenValidity: aws.Int32(2),
		TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeHours},
	})).UserPoolClient
	if aws.ToString(upd.ClientSecret) != secret || aws.ToString(upd.ClientName) != "web" || aws.ToInt32(upd.AccessTokenValidity) != 2 {
		t.Errorf("updated %+v", upd)
	}
	if len(upd.CallbackURLs) != 0 || upd.PreventUserExistenceErrors != types.PreventUserExistenceErrorTypesLegacy {
		t.Errorf("settings left out of the update should reset: %+v", upd)
	}

	// Secret rotation: up to two secrets, never the last one deleted.
	secrets := must[*cip.ListUserPoolClientSecretsOutput](t)(c.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: pool, ClientId: &id})).ClientSecrets
	if len(secrets) != 1 || secrets[0].ClientSecretValue != nil {
		t.Fatalf("secrets = %+v", secrets)
	}
	added := must[*cip.AddUserPoolClientSecretOutput](t)(c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: pool, ClientId: &id})).ClientSecretDescriptor
	if aws.ToString(added.ClientSecretValue) == "" || aws.ToString(added.ClientSecretValue) == secret {
		t.Errorf("added secret %+v", added)
	}
	_, err := c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: pool, ClientId: &id})
	wantErr(t, err, "LimitExceededException", "")
	must[*cip.DeleteUserPoolClientSecretOutput](t)(c.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: pool, ClientId: &id, ClientSecretId: secrets[0].ClientSecretId}))
	_, err = c.DeleteUserPoolClientSecret(ctx, &cip.DeleteUserPoolClientSecretInput{UserPoolId: pool, ClientId: &id, ClientSecretId: added.ClientSecretId})
	wantErr(t, err, "InvalidParameterException", "last")
	got = must[*cip.DescribeUserPoolClientOutput](t)(c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool, ClientId: &id})).UserPoolClient
	if aws.ToString(got.ClientSecret) != aws.ToString(added.ClientSecretValue) {
		t.Errorf("after rotation the client secret is %q, want the added one", aws.ToString(got.ClientSecret))
	}
	custom := "mycustomsecretvalue1234567890"
	desc := must[*cip.AddUserPoolClientSecretOutput](t)(c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: pool, ClientId: &id, ClientSecret: &custom})).ClientSecretDescriptor
	if desc.ClientSecretValue != nil {
		t.Error("a custom secret's value must not be echoed back")
	}

	// Delete, then it is gone.
	must[*cip.DeleteUserPoolClientOutput](t)(c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: pool, ClientId: &id}))
	_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: pool, ClientId: &id})
	wantErr(t, err, "ResourceNotFoundException", "User pool client")
}

func TestUserPoolClientErrors(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, nil).Id
	cases := []struct {
		name string
		in   cip.CreateUserPoolClientInput
		code string
		msg  string
	}{
		{"mixed auth flows", cip.CreateUserPoolClientInput{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth}}, "InvalidParameterException", ""},
		{"http callback", cip.CreateUserPoolClientInput{CallbackURLs: []string{"http://example.com/cb"}}, "InvalidParameterException", "HTTPS"},
		{"client credentials without secret", cip.CreateUserPoolClientInput{AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}, AllowedOAuthScopes: []string{"openid"}}, "InvalidParameterException", "client secret"},
		{"unknown scope", cip.CreateUserPoolClientInput{AllowedOAuthScopes: []string{"nope/read"}}, "ScopeDoesNotExistException", ""},
		{"token validity out of range", cip.CreateUserPoolClientInput{AccessTokenValidity: aws.Int32(2), TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeDays}}, "InvalidParameterException", "AccessTokenValidity"},
		{"unknown read attribute", cip.CreateUserPoolClientInput{ReadAttributes: []string{"custom:nope"}}, "InvalidParameterException", "read attributes"},
		{"unknown identity provider", cip.CreateUserPoolClientInput{SupportedIdentityProviders: []string{"Google"}}, "InvalidParameterException", "does not exist"},
		{"default redirect not a callback", cip.CreateUserPoolClientInput{CallbackURLs: []string{"https://a.example/cb"}, DefaultRedirectURI: aws.String("https://b.example/cb")}, "InvalidParameterException", "DefaultRedirectURI"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.UserPoolId, in.ClientName = pool, aws.String("c")
			_, err := c.CreateUserPoolClient(ctx, &in)
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	_, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String("us-east-1_missing00"), ClientName: aws.String("c")})
	wantErr(t, err, "ResourceNotFoundException", "User pool us-east-1_missing00 does not exist.")
	list := must[*cip.ListUserPoolClientsOutput](t)(c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool}))
	if len(list.UserPoolClients) != 0 {
		t.Errorf("failed creates left clients: %+v", list.UserPoolClients)
	}
}

func TestListUserPoolClientsPaginates(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, nil).Id
	for i := 0; i < 5; i++ {
		must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool, ClientName: aws.String("c")}))
	}
	seen := map[string]bool{}
	pages := cip.NewListUserPoolClientsPaginator(c, &cip.ListUserPoolClientsInput{UserPoolId: pool, MaxResults: aws.Int32(2)})
	for pages.HasMorePages() {
		for _, cl := range must[*cip.ListUserPoolClientsOutput](t)(pages.NextPage(ctx)).UserPoolClients {
			if seen[aws.ToString(cl.ClientId)] || aws.ToString(cl.UserPoolId) != aws.ToString(pool) {
				t.Errorf("bad listing entry %+v", cl)
			}
			seen[aws.ToString(cl.ClientId)] = true
		}
	}
	if len(seen) != 5 {
		t.Errorf("listed %d clients, want 5", len(seen))
	}
}
