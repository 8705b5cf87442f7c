package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

func native(username string) *types.ProviderUserIdentifierType {
	return &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String(username)}
}

func identity(provider, attribute, value string) *types.ProviderUserIdentifierType {
	return &types.ProviderUserIdentifierType{ProviderName: aws.String(provider), ProviderAttributeName: aws.String(attribute), ProviderAttributeValue: aws.String(value)}
}

func link(c *cip.Client, pool *string, dst, src *types.ProviderUserIdentifierType) error {
	_, err := c.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{UserPoolId: pool, DestinationUser: dst, SourceUser: src})
	return err
}

func unlink(c *cip.Client, pool *string, u *types.ProviderUserIdentifierType) error {
	_, err := c.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: pool, User: u})
	return err
}

// identities returns a user's identities attribute, decoded; nil when the
// user has none.
func identities(t *testing.T, c *cip.Client, pool *string, username string) []map[string]any {
	t.Helper()
	out := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String(username)}))
	v, ok := attrs(out.UserAttributes)["identities"]
	if !ok {
		return nil
	}
	var ids []map[string]any
	if err := json.Unmarshal([]byte(v), &ids); err != nil {
		t.Fatalf("identities of %s: %v in %s", username, err, v)
	}
	return ids
}

// oidcProvider creates an OIDC provider that maps the email claim.
func oidcProvider(t *testing.T, c *cip.Client, pool *string, name string) {
	t.Helper()
	createIDP(t, c, &cip.CreateIdentityProviderInput{UserPoolId: pool, ProviderName: aws.String(name), ProviderType: types.IdentityProviderTypeTypeOidc,
		ProviderDetails: map[string]string{"client_id": "c", "client_secret": "s", "attributes_request_method": "GET",
			"oidc_issuer": "https://" + name + ".example.com", "authorize_scopes": "openid email", "authorize_url": "https://idp.example.com/a",
			"token_url": "https://idp.example.com/t", "attributes_url": "https://idp.example.com/u", "jwks_uri": "https://idp.example.com/k"},
		AttributeMapping: map[string]string{"email": "email"},
	})
}

func TestLinkProviderForUser(t *testing.T) {
	clock := testserver.NewClock(time.Date(2032, 3, 4, 5, 6, 7, 0, time.UTC))
	s := testserver.StartWith(t, testserver.NewConfig(t), server.Options{Now: clock.Now})
	c := s.Client
	p := newPool(t, c, nil)
	createIDP(t, c, googleInput(p.Id))
	createUser(t, c, aws.ToString(p.Id), "bob", attr("email", "bob@example.com"))
	createUser(t, c, aws.ToString(p.Id), "alice")
	linkedAt := clock.Now()
	if err := link(c, p.Id, native("bob"), identity("Google", "Cognito_Subject", "102975344697093363099")); err != nil {
		t.Fatalf("AdminLinkProviderForUser: %v", err)
	}
	want := []map[string]any{{
		"userId": "102975344697093363099", "providerName": "Google", "providerType": "Google", "issuer": nil,
		"primary": false, "dateCreated": float64(linkedAt.UnixMilli()),
	}}
	diff(t, "identities after linking", want, identities(t, c, p.Id, "bob"))

	// ListUsers shows it too, alone when asked for.
	list := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: p.Id, Filter: aws.String(`username = "bob"`),
		AttributesToGet: []string{"identities"}}))
	if len(list.Users) != 1 || len(list.Users[0].Attributes) != 1 || aws.ToString(list.Users[0].Attributes[0].Name) != "identities" {
		t.Fatalf("ListUsers with AttributesToGet identities: %+v", list.Users)
	}
	var listed []map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(list.Users[0].Attributes[0].Value)), &listed); err != nil {
		t.Fatal(err)
	}
	diff(t, "identities listed", want, listed)
	// Its exact form is Cognito's.
	raw := aws.ToString(list.Users[0].Attributes[0].Value)
	if wantRaw := fmt.Sprintf(`[{"userId":"102975344697093363099","providerName":"Google","providerType":"Google","issuer":null,"primary":false,"dateCreated":%d}]`,
		linkedAt.UnixMilli()); raw != wantRaw {
		t.Errorf("identities attribute:\n got %s\nwant %s", raw, wantRaw)
	}

	// The identity is linked once, to one user.
	err := link(c, p.Id, native("bob"), identity("Google", "Cognito_Subject", "102975344697093363099"))
	wantErr(t, err, "InvalidParameterException", "SourceUser is already linked to DestinationUser")
	err = link(c, p.Id, native("alice"), identity("Google", "Cognito_Subject", "102975344697093363099"))
	wantErr(t, err, "InvalidParameterException", "SourceUser is already linked to DestinationUser")

	// A second identity is added to the list; the link survives a restart.
	clock.Advance(time.Minute)
	oidcProvider(t, c, p.Id, "Okta")
	if err := link(c, p.Id, native("bob"), identity("Okta", "email", "bob@corp.example.com")); err != nil {
		t.Fatalf("AdminLinkProviderForUser by a mapped attribute: %v", err)
	}
	want = append(want, map[string]any{"userId": "bob@corp.example.com", "providerName": "Okta", "providerType": "OIDC", "issuer": nil,
		"primary": false, "dateCreated": float64(clock.Now().UnixMilli())})
	s.Restart(t)
	c = s.Client
	diff(t, "identities after a restart", want, identities(t, c, p.Id, "bob"))

	// Unlinking removes the identity, which can then be linked afresh.
	if err := unlink(c, p.Id, identity("Google", "Cognito_Subject", "102975344697093363099")); err != nil {
		t.Fatalf("AdminDisableProviderForUser: %v", err)
	}
	diff(t, "identities after unlinking", want[1:], identities(t, c, p.Id, "bob"))
	err = unlink(c, p.Id, identity("Google", "Cognito_Subject", "102975344697093363099"))
	wantErr(t, err, "UserNotFoundException", "")
	if err := link(c, p.Id, native("alice"), identity("Google", "Cognito_Subject", "102975344697093363099")); err != nil {
		t.Fatalf("AdminLinkProviderForUser of an unlinked identity: %v", err)
	}
	if ids := identities(t, c, p.Id, "alice"); len(ids) != 1 || ids[0]["userId"] != "102975344697093363099" {
		t.Errorf("alice's identities: %v", ids)
	}
	if err := unlink(c, p.Id, identity("Okta", "email", "bob@corp.example.com")); err != nil {
		t.Fatalf("AdminDisableProviderForUser by a mapped attribute: %v", err)
	}
	if ids := identities(t, c, p.Id, "bob"); ids != nil {
		t.Errorf("identities after the last unlink: %v", ids)
	}

	// Deleting the user removes their links: the identity is free.
	must[*cip.AdminDeleteUserOutput](t)(c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: p.Id, Username: aws.String("alice")}))
	if err := link(c, p.Id, native("bob"), identity("Google", "Cognito_Subject", "102975344697093363099")); err != nil {
		t.Fatalf("AdminLinkProviderForUser after the linked user went: %v", err)
	}
}

func TestLinkProviderForUserErrors(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
		{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
	}})
	pool := aws.ToString(p.Id)
	createIDP(t, c, googleInput(p.Id))
	oidcProvider(t, c, p.Id, "Okta")
	createUser(t, c, pool, "bob")
	createUser(t, c, pool, "carol", attr("custom:tenant", "acme"))
	createUser(t, c, pool, "Google_999") // as a federated sign-up names its user
	for _, tc := range []struct {
		name      string
		pool      string
		dst, src  *types.ProviderUserIdentifierType
		code, msg string
	}{
		{"missing pool", "us-east-1_none", native("bob"), identity("Google", "Cognito_Subject", "1"), "ResourceNotFoundException", "us-east-1_none"},
		{"native source", pool, native("bob"), identity("Cognito", "Cognito_Subject", "carol"),
			"InvalidParameterException", "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser"},
		{"unknown provider", pool, native("bob"), identity("Facebook", "Cognito_Subject", "1"),
			"InvalidParameterException", "The provider Facebook does not exist for User Pool " + pool},
		{"social identity by attribute", pool, native("bob"), identity("Google", "email", "bob@gmail.com"), "InvalidParameterException", "Cognito_Subject"},
		{"unmapped attribute", pool, native("bob"), identity("Okta", "phone_number", "+15550100"), "InvalidParameterException", "phone_number"},
		{"no value", pool, native("bob"), identity("Google", "Cognito_Subject", ""), "InvalidParameterException", "ProviderAttributeValue"},
		{"missing destination", pool, native("nobody"), identity("Google", "Cognito_Subject", "1"), "UserNotFoundException", "User does not exist."},
		{"missing federated destination", pool, identity("Google", "", "12345"), identity("Okta", "Cognito_Subject", "1"), "UserNotFoundException", ""},
		{"source signed up already", pool, native("bob"), identity("Google", "Cognito_Subject", "999"),
			"InvalidParameterException", "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link"},
		{"immutable custom attribute", pool, native("carol"), identity("Google", "Cognito_Subject", "1"), "InvalidParameterException", "custom:tenant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, link(c, aws.String(tc.pool), tc.dst, tc.src), tc.code, tc.msg)
		})
	}
	if ids := identities(t, c, p.Id, "bob"); ids != nil {
		t.Errorf("refused links changed bob's identities: %v", ids)
	}

	// At most five identities per user.
	for i := range 5 {
		if err := link(c, p.Id, native("bob"), identity("Okta", "Cognito_Subject", fmt.Sprintf("okta-%d", i))); err != nil {
			t.Fatalf("link %d: %v", i, err)
		}
	}
	err := link(c, p.Id, native("bob"), identity("Google", "Cognito_Subject", "6"))
	wantErr(t, err, "LimitExceededException", "")
	if n := len(identities(t, c, p.Id, "bob")); n != 5 {
		t.Errorf("bob has %d identities", n)
	}

	// A federated user (named <provider>_<id>) can be a destination, named
	// by the provider and their ID there.
	if err := link(c, p.Id, identity("Google", "ignored", "999"), identity("Okta", "email", "g999@corp.example.com")); err != nil {
		t.Fatalf("AdminLinkProviderForUser to a federated user: %v", err)
	}
	if ids := identities(t, c, p.Id, "Google_999"); len(ids) != 1 || ids[0]["providerName"] != "Okta" {
		t.Errorf("the federated user's identities: %v", ids)
	}

	// Unlinking names an identity of a provider of the pool.
	wantErr(t, unlink(c, p.Id, identity("Facebook", "Cognito_Subject", "1")), "InvalidParameterException", "The provider Facebook does not exist")
	wantErr(t, unlink(c, p.Id, identity("Google", "email", "x")), "InvalidParameterException", "Cognito_Subject")
	wantErr(t, unlink(c, aws.String("us-east-1_none"), identity("Google", "Cognito_Subject", "1")), "ResourceNotFoundException", "")
	// A deleted provider's links can still be removed.
	must[*cip.DeleteIdentityProviderOutput](t)(c.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Okta")}))
	if err := unlink(c, p.Id, identity("Okta", "Cognito_Subject", "okta-0")); err != nil {
		t.Fatalf("AdminDisableProviderForUser of a deleted provider's identity: %v", err)
	}
	if n := len(identities(t, c, p.Id, "bob")); n != 4 {
		t.Errorf("bob has %d identities after an unlink", n)
	}
}

func TestDisableNativePassword(t *testing.T) {
	s, c := start(t)
	p := newPool(t, c, nil)
	createUser(t, c, aws.ToString(p.Id), "bob")
	const pw = "Linked-Passw0rd!"
	must[*cip.AdminSetUserPasswordOutput](t)(c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: p.Id, Username: aws.String("bob"), Password: aws.String(pw), Permanent: true,
	}))
	client := must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: p.Id, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})).UserPoolClient
	signIn := func() error {
		_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: client.ClientId, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": pw}})
		return err
	}
	if err := signIn(); err != nil {
		t.Fatalf("sign-in before the password was disabled: %v", err)
	}
	wantErr(t, unlink(c, p.Id, identity("Cognito", "email", "bob")), "InvalidParameterException", "Cognito_Subject")
	wantErr(t, unlink(c, p.Id, identity("Cognito", "Cognito_Subject", "nobody")), "UserNotFoundException", "")
	if err := unlink(c, p.Id, identity("Cognito", "Cognito_Subject", "bob")); err != nil {
		t.Fatalf("AdminDisableProviderForUser of a native user: %v", err)
	}
	// Doing it again is no error.
	if err := unlink(c, p.Id, identity("Cognito", "Cognito_Subject", "bob")); err != nil {
		t.Fatalf("AdminDisableProviderForUser again: %v", err)
	}
	// The password no longer signs the user in.
	wantErr(t, signIn(), "NotAuthorizedException", "")
	// The user is kept, enabled, with their password turned off in their
	// sign-in state, which the sign-in flows read.
	out := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: p.Id, Username: aws.String("bob")}))
	if !out.Enabled {
		t.Error("the user was disabled")
	}
	s.Stop()
	st, err := server.OpenStore(ctx, s.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.GetUser(ctx, aws.ToString(p.Id), "bob")
	if err != nil {
		t.Fatal(err)
	}
	state, err := authn.ReadState(u)
	if err != nil {
		t.Fatal(err)
	}
	if !state.PasswordDisabled {
		t.Error("the password of the user is not disabled")
	}
}
