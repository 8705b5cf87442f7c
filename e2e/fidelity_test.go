package e2e

// Behaviour measured against Cognito by clients checked against AWS; see
// docs/fidelity.md for the evidence behind each.

import (
	"crypto/rand"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognate-idp/cognate/internal/srp"
)

// Legacy ExplicitAuthFlows values keep SRP, refresh and custom
// authentication; CUSTOM_AUTH_FLOW_ONLY keeps custom authentication and
// refresh only.
func TestLegacyExplicitAuthFlows(t *testing.T) {
	e := newSigninEnv(t, nil)
	e.user(t, "leo")
	legacy := func(flows ...types.ExplicitAuthFlowsType) string {
		return aws.ToString(e.client(t, func(in *cip.CreateUserPoolClientInput) { in.ExplicitAuthFlows = flows }).ClientId)
	}
	refresh := func(client, token string) error {
		_, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": token}})
		return err
	}

	// USER_PASSWORD_AUTH alone: the password flow, SRP and refresh.
	userPw := legacy(types.ExplicitAuthFlowsTypeUserPasswordAuth)
	out := must[*cip.InitiateAuthOutput](t)(e.password(userPw, "leo", signinPassword)).AuthenticationResult
	if _, resp, err := e.srpSignIn(t, userPw, "leo", signinPassword); err != nil || resp.AuthenticationResult == nil {
		t.Fatalf("USER_SRP_AUTH at a USER_PASSWORD_AUTH client: %v", err)
	}
	if err := refresh(userPw, aws.ToString(out.RefreshToken)); err != nil {
		t.Fatalf("REFRESH_TOKEN_AUTH at a USER_PASSWORD_AUTH client: %v", err)
	}
	_, err := e.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(userPw), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "leo", "PASSWORD": signinPassword}})
	wantErr(t, err, "InvalidParameterException", "Auth flow not enabled for this client")

	// ADMIN_NO_SRP_AUTH alone: the admin password flow, SRP and refresh.
	adminPw := legacy(types.ExplicitAuthFlowsTypeAdminNoSrpAuth)
	admin := must[*cip.AdminInitiateAuthOutput](t)(e.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(adminPw), AuthFlow: types.AuthFlowTypeAdminNoSrpAuth, AuthParameters: map[string]string{"USERNAME": "leo", "PASSWORD": signinPassword}})).AuthenticationResult
	if err := refresh(adminPw, aws.ToString(admin.RefreshToken)); err != nil {
		t.Fatalf("REFRESH_TOKEN_AUTH at an ADMIN_NO_SRP_AUTH client: %v", err)
	}
	if _, _, err := e.srpSignIn(t, adminPw, "leo", signinPassword); err != nil {
		t.Fatalf("USER_SRP_AUTH at an ADMIN_NO_SRP_AUTH client: %v", err)
	}
	_, err = e.password(adminPw, "leo", signinPassword)
	wantErr(t, err, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")

	// CUSTOM_AUTH_FLOW_ONLY: neither SRP nor a password flow; custom
	// authentication gets as far as the missing trigger.
	customOnly := legacy(types.ExplicitAuthFlowsTypeCustomAuthFlowOnly)
	cl, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(customOnly), AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": "leo", "SRP_A": cl.A()}})
	wantErr(t, err, "InvalidParameterException", "USER_SRP_AUTH flow not enabled for this client")
	_, err = e.password(customOnly, "leo", signinPassword)
	wantErr(t, err, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
	_, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(customOnly), AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: map[string]string{"USERNAME": "leo"}})
	wantErr(t, err, "InvalidParameterException", "Custom auth lambda trigger is not configured")
	// Refresh is not switched off: a token from another client is refused
	// as invalid, not as a disabled flow.
	err = refresh(customOnly, aws.ToString(out.RefreshToken))
	wantErr(t, err, "NotAuthorizedException", "")
}

// The verified flags are accepted in any case ("True") and echoed as
// given; they read as true everywhere, and the ID token carries them as
// booleans.
func TestFidelityVerifiedFlagCase(t *testing.T) {
	e := newSigninEnv(t, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}})
	id := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "tia", attr("email", "tia@example.com"), attr("email_verified", "True"), attr("phone_number", "+15550000042"), attr("phone_number_verified", "FALSE"))
	got := attrs(must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("tia")})).UserAttributes)
	if got["email_verified"] != "True" || got["phone_number_verified"] != "FALSE" {
		t.Fatalf("attributes %v", got)
	}
	// A verified email is an alias: the sign-in by email works.
	out := must[*cip.InitiateAuthOutput](t)(e.password(id, "tia@example.com", signinPassword)).AuthenticationResult
	claims := claimsOf(t, aws.ToString(out.IdToken))
	if claims["email_verified"] != true || claims["phone_number_verified"] != false {
		t.Fatalf("claims email_verified=%#v phone_number_verified=%#v", claims["email_verified"], claims["phone_number_verified"])
	}
	_, err := e.c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(e.pool), Username: aws.String("tia"), UserAttributes: []types.AttributeType{attr("email_verified", "yes")}})
	wantErr(t, err, "InvalidParameterException", "email_verified")
}

// CreateUserPool refuses bad Schema entries with InvalidParameterException
// (the full table is userpool's TestNewSettingsSchema).
func TestFidelitySchemaChecks(t *testing.T) {
	_, c := start(t)
	for _, tc := range []struct {
		attr types.SchemaAttributeType
		msg  string
	}{
		{types.SchemaAttributeType{Name: aws.String("email"), StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("invalid_value")}}, "Invalid StringAttributeConstraints for schema attribute email"},
		{types.SchemaAttributeType{Name: aws.String("email"), StringAttributeConstraints: &types.StringAttributeConstraintsType{MaxLength: aws.String("4096")}}, "user.email: String attributes cannot have a length of more than 2048"},
		{types.SchemaAttributeType{Name: aws.String("email"), DeveloperOnlyAttribute: aws.Bool(true)}, "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"},
		{types.SchemaAttributeType{Name: aws.String("team")}, "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."},
	} {
		_, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("schema"), Schema: []types.SchemaAttributeType{tc.attr}})
		wantErr(t, err, "InvalidParameterException", tc.msg)
	}
	if out := must[*cip.ListUserPoolsOutput](t)(c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})); len(out.UserPools) != 0 {
		t.Fatalf("refused pools were created: %+v", out.UserPools)
	}
}

// A pool created with only VerificationMessageTemplate shows the template
// in the legacy members too, and the other way round.
func TestFidelityVerificationMessageFields(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, &cip.CreateUserPoolInput{VerificationMessageTemplate: &types.VerificationMessageTemplateType{
		EmailMessage: aws.String("Code {####}"), EmailSubject: aws.String("Your code"), SmsMessage: aws.String("SMS code {####}"),
	}})
	if aws.ToString(p.EmailVerificationMessage) != "Code {####}" || aws.ToString(p.EmailVerificationSubject) != "Your code" || aws.ToString(p.SmsVerificationMessage) != "SMS code {####}" {
		t.Fatalf("legacy members %q %q %q", aws.ToString(p.EmailVerificationMessage), aws.ToString(p.EmailVerificationSubject), aws.ToString(p.SmsVerificationMessage))
	}
	p = newPool(t, c, &cip.CreateUserPoolInput{EmailVerificationMessage: aws.String("Legacy {####}"), EmailVerificationSubject: aws.String("Legacy subject")})
	if vt := p.VerificationMessageTemplate; aws.ToString(vt.EmailMessage) != "Legacy {####}" || aws.ToString(vt.EmailSubject) != "Legacy subject" || vt.SmsMessage != nil || p.SmsVerificationMessage != nil {
		t.Fatalf("template %+v, SmsVerificationMessage %v", vt, p.SmsVerificationMessage)
	}
}

// wantExact checks an error's code and its whole message.
func wantExact(t *testing.T, err error, code, msg string) {
	t.Helper()
	wantErr(t, err, code, msg)
	var ae smithy.APIError
	if errors.As(err, &ae); ae.ErrorMessage() != msg {
		t.Fatalf("%s message %q, want exactly %q", code, ae.ErrorMessage(), msg)
	}
}

// Error texts per operation, as reported from Cognito (docs/fidelity.md).
func TestFidelityErrorTexts(t *testing.T) {
	e := newSigninEnv(t, nil)
	id := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "ida")
	token := must[*cip.InitiateAuthOutput](t)(e.password(id, "ida", signinPassword)).AuthenticationResult.AccessToken
	unknown := []types.AttributeType{attr("custom:x", "1"), attr("custom:y", "2")}

	_, err := e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(id), Username: aws.String("new"), Password: aws.String(signinPassword), UserAttributes: unknown})
	wantExact(t, err, "InvalidParameterException", "Attributes did not conform to the schema: custom:x: Attribute does not exist in the schema.\ncustom:y: Attribute does not exist in the schema.\n")
	_, err = e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("new"), UserAttributes: unknown[:1]})
	wantExact(t, err, "InvalidParameterException", "Attributes did not conform to the schema: custom:x: Attribute does not exist in the schema.\n")
	_, err = e.c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: token, UserAttributes: unknown})
	wantExact(t, err, "InvalidParameterException", "user.custom:x: Attribute does not exist in the schema.\nuser.custom:y: Attribute does not exist in the schema.\n")
	_, err = e.c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(e.pool), Username: aws.String("ida"), UserAttributes: unknown[1:]})
	wantExact(t, err, "InvalidParameterException", "user.custom:y: Attribute does not exist in the schema.\n")

	_, err = e.c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(e.pool), Filter: aws.String(`email ^^ "a"`)})
	wantExact(t, err, "InvalidParameterException", "Error while parsing filter.")
	_, err = e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(id), Username: aws.String("ida")})
	wantExact(t, err, "InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number")
}

// Every list operation refuses a token it did not hand out with
// InvalidParameterException.
func TestListBadTokens(t *testing.T) {
	e := newSigninEnv(t, nil)
	client := e.client(t, nil).ClientId
	e.user(t, "lou")
	must[*cip.CreateGroupOutput](t)(e.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("g")}))
	bad := aws.String("not-a-token")
	pool := aws.String(e.pool)
	for name, call := range map[string]func() error{
		"ListUserPools": func() error {
			_, err := e.c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10), NextToken: bad})
			return err
		},
		"ListUserPoolClients": func() error {
			_, err := e.c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: pool, NextToken: bad})
			return err
		},
		"ListUserPoolClientSecrets": func() error {
			_, err := e.c.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: pool, ClientId: client, NextToken: bad})
			return err
		},
		"ListGroups": func() error {
			_, err := e.c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: pool, NextToken: bad})
			return err
		},
		"AdminListGroupsForUser": func() error {
			_, err := e.c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: aws.String("lou"), NextToken: bad})
			return err
		},
		"ListUsersInGroup": func() error {
			_, err := e.c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: aws.String("g"), NextToken: bad})
			return err
		},
		"ListResourceServers": func() error {
			_, err := e.c.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: pool, MaxResults: aws.Int32(10), NextToken: bad})
			return err
		},
		"ListIdentityProviders": func() error {
			_, err := e.c.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: pool, NextToken: bad})
			return err
		},
		"ListTerms": func() error {
			_, err := e.c.ListTerms(ctx, &cip.ListTermsInput{UserPoolId: pool, NextToken: bad})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantExact(t, call(), "InvalidParameterException", "Invalid NextToken.") })
	}
	_, err := e.c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, PaginationToken: bad})
	wantExact(t, err, "InvalidParameterException", "Paging Marker is Invalid for Request")
}
