package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/tokens"
)

// accountPassword is the permanent password of the users these tests sign
// in.
const accountPassword = "Initial=Passw0rd!"

// accountEnv is a server with a pool and an app client that signs users in
// with ADMIN_USER_PASSWORD_AUTH.
type accountEnv struct {
	s      *testserver.Server
	c      *cip.Client
	pool   string
	client string
	clock  *testserver.Clock
}

// newAccountEnv starts a server on a fake clock with a pool made from in
// (nil for the defaults) and an app client made from cl (the pool, name
// and auth flows are filled in).
func newAccountEnv(t *testing.T, in *cip.CreateUserPoolInput, cl *cip.CreateUserPoolClientInput) *accountEnv {
	t.Helper()
	clock := testserver.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	s := testserver.StartWith(t, testserver.NewConfig(t), server.Options{Now: clock.Now})
	e := &accountEnv{s: s, c: s.Client, clock: clock}
	e.pool = aws.ToString(newPool(t, e.c, in).Id)
	e.client = e.newClient(t, cl)
	return e
}

// newClient creates an app client of the pool allowed to sign in with
// ADMIN_USER_PASSWORD_AUTH and refresh tokens.
func (e *accountEnv) newClient(t *testing.T, cl *cip.CreateUserPoolClientInput) string {
	t.Helper()
	if cl == nil {
		cl = &cip.CreateUserPoolClientInput{}
	}
	cl.UserPoolId = aws.String(e.pool)
	if cl.ClientName == nil {
		cl.ClientName = aws.String("app")
	}
	cl.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	out := must[*cip.CreateUserPoolClientOutput](t)(e.c.CreateUserPoolClient(ctx, cl))
	return aws.ToString(out.UserPoolClient.ClientId)
}

// newUser creates a confirmed user with accountPassword and returns their
// access token from the default client.
func (e *accountEnv) newUser(t *testing.T, name string, as ...types.AttributeType) string {
	t.Helper()
	createUser(t, e.c, e.pool, name, as...)
	must[*cip.AdminSetUserPasswordOutput](t)(e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(name), Password: aws.String(accountPassword), Permanent: true,
	}))
	return aws.ToString(signInForTest(t, e.c, e.pool, e.client, name, accountPassword).AccessToken)
}

// signInForTest signs a user in with ADMIN_USER_PASSWORD_AUTH and returns
// their tokens.
func signInForTest(t *testing.T, c *cip.Client, pool, client, username, password string) *types.AuthenticationResultType {
	t.Helper()
	out, err := signInAttempt(c, pool, client, username, password)
	if err != nil {
		t.Fatalf("sign in as %s: %v", username, err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("sign in as %s: challenge %s instead of tokens", username, out.ChallengeName)
	}
	return out.AuthenticationResult
}

func signInAttempt(c *cip.Client, pool, client, username, password string) (*cip.AdminInitiateAuthOutput, error) {
	return c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(pool), ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password},
	})
}

// getUser returns the attributes GetUser shows the holder of token.
func getUser(t *testing.T, c *cip.Client, token string) map[string]string {
	t.Helper()
	out := must[*cip.GetUserOutput](t)(c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(token)}))
	return attrs(out.UserAttributes)
}

// adminAttrs returns a user's attributes as AdminGetUser shows them.
func (e *accountEnv) adminAttrs(t *testing.T, name string) map[string]string {
	t.Helper()
	out := must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String(name)}))
	return attrs(out.UserAttributes)
}

var codeRE = regexp.MustCompile(`\b[0-9]{6}\b`)

// lastCode returns the code in the newest outbox message to dest.
func (e *accountEnv) lastCode(t *testing.T, dest string) string {
	t.Helper()
	msgs := outbox(t, e.s, e.pool, dest)
	if len(msgs) == 0 {
		t.Fatalf("no message to %s in the outbox", dest)
	}
	code := codeRE.FindString(msgs[0].Text)
	if code == "" {
		t.Fatalf("no code in the message to %s: %q", dest, msgs[0].Text)
	}
	return code
}

// wrongCode returns a six-digit code other than code.
func wrongCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func verify(c *cip.Client, token, attr, code string) error {
	_, err := c.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: aws.String(token), AttributeName: aws.String(attr), Code: aws.String(code)})
	return err
}

func updateAttrs(c *cip.Client, token string, as ...types.AttributeType) (*cip.UpdateUserAttributesOutput, error) {
	return c.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: aws.String(token), UserAttributes: as})
}

// GetUser returns the caller's username and attributes, limited to the
// app client's ReadAttributes, and no MFA settings for a user without MFA.
func TestGetUser(t *testing.T) {
	e := newAccountEnv(t, nil, nil)
	token := e.newUser(t, "alice", attr("email", "alice@example.com"), attr("email_verified", "true"), attr("given_name", "Alice"), attr("family_name", "Liddell"))

	out := must[*cip.GetUserOutput](t)(e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(token)}))
	a := attrs(out.UserAttributes)
	if aws.ToString(out.Username) != "alice" || a["email"] != "alice@example.com" || a["email_verified"] != "true" ||
		a["given_name"] != "Alice" || a["family_name"] != "Liddell" || a["sub"] == "" {
		t.Errorf("GetUser: %s %v", aws.ToString(out.Username), a)
	}
	if aws.ToString(out.UserAttributes[0].Name) != "sub" {
		t.Errorf("first attribute %s, want sub", aws.ToString(out.UserAttributes[0].Name))
	}
	if len(out.UserMFASettingList) != 0 || out.PreferredMfaSetting != nil || len(out.MFAOptions) != 0 {
		t.Errorf("MFA fields for a user without MFA: %v %v %v", out.UserMFASettingList, out.PreferredMfaSetting, out.MFAOptions)
	}

	// A client that may read only some attributes sees only those (and sub).
	narrow := e.newClient(t, &cip.CreateUserPoolClientInput{ClientName: aws.String("narrow"), ReadAttributes: []string{"given_name", "email"}})
	token2 := aws.ToString(signInForTest(t, e.c, e.pool, narrow, "alice", accountPassword).AccessToken)
	a = getUser(t, e.c, token2)
	if len(a) != 3 || a["given_name"] != "Alice" || a["email"] != "alice@example.com" || a["sub"] == "" {
		t.Errorf("GetUser through a client reading given_name and email: %v", a)
	}
}

// Access tokens that are not valid, unexpired, unrevoked access tokens of
// this server are refused with Cognito's messages, by every operation.
func TestAccessTokensRefused(t *testing.T) {
	e := newAccountEnv(t, nil, nil)
	token := e.newUser(t, "bob", attr("email", "bob@example.com"))
	tok := signInForTest(t, e.c, e.pool, e.client, "bob", accountPassword)

	calls := map[string]func(token string) error{
		"GetUser": func(tk string) error {
			_, err := e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(tk)})
			return err
		},
		"UpdateUserAttributes": func(tk string) error {
			_, err := updateAttrs(e.c, tk, attr("given_name", "x"))
			return err
		},
		"DeleteUserAttributes": func(tk string) error {
			_, err := e.c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(tk), UserAttributeNames: []string{"given_name"}})
			return err
		},
		"ChangePassword": func(tk string) error {
			_, err := e.c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: aws.String(tk), PreviousPassword: aws.String(accountPassword), ProposedPassword: aws.String("Other=Passw0rd!")})
			return err
		},
		"GetUserAttributeVerificationCode": func(tk string) error {
			_, err := e.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(tk), AttributeName: aws.String("email")})
			return err
		},
		"VerifyUserAttribute": func(tk string) error { return verify(e.c, tk, "email", "123456") },
		"DeleteUser": func(tk string) error {
			_, err := e.c.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: aws.String(tk)})
			return err
		},
	}
	check := func(what, tk, msg string) {
		t.Helper()
		for name, call := range calls {
			t.Run(what+"/"+name, func(t *testing.T) { wantErr(t, call(tk), "NotAuthorizedException", msg) })
		}
	}

	// Not a token at all, or one whose signature does not match.
	check("garbage", "not.a.token", "Invalid Access Token")
	parts := strings.Split(token, ".")
	check("tampered", parts[0]+"."+parts[1]+"."+strings.Repeat("A", len(parts[2])), "Invalid Access Token")
	// An ID token is not an access token.
	check("id token", aws.ToString(tok.IdToken), "Invalid Access Token")
	// A token this server signed without the admin scope.
	now := e.clock.Now()
	scoped, err := e.s.Server.Signer().Sign(ctx, e.pool, tokens.AccessToken, map[string]any{
		"sub": attrs(must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("bob")})).UserAttributes)["sub"],
		"iss": e.s.Server.Signer().Issuer(e.pool), "token_use": "access", "scope": "openid", "client_id": e.client, "username": "bob",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix(), "jti": "j1",
	})
	if err != nil {
		t.Fatal(err)
	}
	check("no admin scope", scoped, "Access Token does not have required scopes")

	// Expired after the client's access token validity (an hour).
	e.clock.Advance(time.Hour)
	check("expired", token, "Access Token has expired")

	// Revoked when the user is signed out everywhere (here by disabling).
	fresh := aws.ToString(signInForTest(t, e.c, e.pool, e.client, "bob", accountPassword).AccessToken)
	getUser(t, e.c, fresh)
	must[*cip.AdminDisableUserOutput](t)(e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("bob")}))
	check("revoked", fresh, "Access Token has been revoked")
}

// UpdateUserAttributes checks the schema and the client's write
// permissions, unverifies a changed email and sends a code to it when the
// pool verifies email automatically; a blank value removes an attribute.
func TestUpdateUserAttributes(t *testing.T) {
	e := newAccountEnv(t, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("family_name"), Required: aws.Bool(true)},
			{Name: aws.String("badge"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
			{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber, Mutable: aws.Bool(true),
				NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("1"), MaxValue: aws.String("10")}},
		},
	}, nil)
	token := e.newUser(t, "carol", attr("family_name", "Carroll"), attr("email", "carol@example.com"), attr("email_verified", "true"),
		attr("phone_number", "+15550100001"), attr("custom:badge", "b1"))

	// Plain attributes change at once, without a code.
	out := must[*cip.UpdateUserAttributesOutput](t)(updateAttrs(e.c, token, attr("given_name", "Caroline"), attr("custom:level", "3")))
	if len(out.CodeDeliveryDetailsList) != 0 {
		t.Errorf("code sent for plain attributes: %v", out.CodeDeliveryDetailsList)
	}
	if a := getUser(t, e.c, token); a["given_name"] != "Caroline" || a["custom:level"] != "3" {
		t.Errorf("after update: %v", a)
	}

	// A new email is unverified and gets a code; the phone number, which
	// the pool does not verify automatically, is unverified without one.
	out = must[*cip.UpdateUserAttributesOutput](t)(updateAttrs(e.c, token, attr("email", "caroline@example.com"), attr("phone_number", "+15550100002")))
	if len(out.CodeDeliveryDetailsList) != 1 {
		t.Fatalf("CodeDeliveryDetailsList %v, want one delivery", out.CodeDeliveryDetailsList)
	}
	d := out.CodeDeliveryDetailsList[0]
	if aws.ToString(d.AttributeName) != "email" || d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.Destination) != "c***@e***" {
		t.Errorf("delivery %s %s %s", aws.ToString(d.AttributeName), d.DeliveryMedium, aws.ToString(d.Destination))
	}
	a := getUser(t, e.c, token)
	if a["email"] != "caroline@example.com" || a["email_verified"] != "false" || a["phone_number"] != "+15550100002" || a["phone_number_verified"] != "false" {
		t.Errorf("after changing email and phone: %v", a)
	}
	code := e.lastCode(t, "caroline@example.com")
	if err := verify(e.c, token, "email", code); err != nil {
		t.Fatalf("VerifyUserAttribute: %v", err)
	}
	if a := getUser(t, e.c, token); a["email_verified"] != "true" {
		t.Errorf("after verifying: %v", a)
	}
	// The code is used up.
	wantErr(t, verify(e.c, token, "email", code), "ExpiredCodeException", "")

	// A blank value removes an attribute.
	must[*cip.UpdateUserAttributesOutput](t)(updateAttrs(e.c, token, attr("given_name", "")))
	if _, ok := getUser(t, e.c, token)["given_name"]; ok {
		t.Error("given_name still set after updating it to blank")
	}

	for _, tc := range []struct {
		name      string
		as        []types.AttributeType
		code, msg string
	}{
		{"immutable", []types.AttributeType{attr("custom:badge", "b2")}, "InvalidParameterException", "immutable"},
		{"unknown", []types.AttributeType{attr("custom:nope", "x")}, "InvalidParameterException", "does not exist in the schema"},
		{"sub", []types.AttributeType{attr("sub", "x")}, "InvalidParameterException", "sub"},
		{"out of range", []types.AttributeType{attr("custom:level", "11")}, "InvalidParameterException", "less than or equal to 10"},
		{"bad email", []types.AttributeType{attr("email", "not-an-email")}, "InvalidParameterException", "email"},
		{"required blank", []types.AttributeType{attr("family_name", "")}, "InvalidParameterException", "required"},
		{"duplicate", []types.AttributeType{attr("name", "a"), attr("name", "b")}, "InvalidParameterException", "Duplicate"},
		{"email_verified", []types.AttributeType{attr("email_verified", "true")}, "NotAuthorizedException", "A client attempted to write unauthorized attribute"},
		{"phone_number_verified", []types.AttributeType{attr("phone_number_verified", "true")}, "NotAuthorizedException", "A client attempted to write unauthorized attribute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := getUser(t, e.c, token)
			_, err := updateAttrs(e.c, token, tc.as...)
			wantErr(t, err, tc.code, tc.msg)
			if after := getUser(t, e.c, token); len(after) != len(before) || after["name"] != before["name"] || after["email"] != before["email"] {
				t.Errorf("a refused update changed the user: %v, was %v", after, before)
			}
		})
	}
}

// A client's WriteAttributes limit what its users may change or delete.
func TestWriteAttributes(t *testing.T) {
	e := newAccountEnv(t, nil, &cip.CreateUserPoolClientInput{WriteAttributes: []string{"name", "email"}})
	token := e.newUser(t, "dave", attr("given_name", "Dave"), attr("email", "dave@example.com"))

	must[*cip.UpdateUserAttributesOutput](t)(updateAttrs(e.c, token, attr("name", "Dave D.")))
	_, err := updateAttrs(e.c, token, attr("name", "Dave E."), attr("given_name", "David"))
	wantErr(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	_, err = e.c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(token), UserAttributeNames: []string{"given_name"}})
	wantErr(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	if a := getUser(t, e.c, token); a["name"] != "Dave D." || a["given_name"] != "Dave" {
		t.Errorf("after refused writes: %v", a)
	}
	must[*cip.DeleteUserAttributesOutput](t)(e.c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(token), UserAttributeNames: []string{"name"}}))
	if _, ok := getUser(t, e.c, token)["name"]; ok {
		t.Error("name still set after DeleteUserAttributes")
	}
}

// With AttributesRequireVerificationBeforeUpdate, a new email waits for
// verification: the verified old one stays in place (and keeps working as
// a sign-in alias) until VerifyUserAttribute confirms the new one.
func TestAttributesRequireVerificationBeforeUpdate(t *testing.T) {
	e := newAccountEnv(t, &cip.CreateUserPoolInput{
		AliasAttributes:             []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		AutoVerifiedAttributes:      []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}},
	}, nil)
	token := e.newUser(t, "erin", attr("email", "erin@example.com"), attr("email_verified", "true"))

	out := must[*cip.UpdateUserAttributesOutput](t)(updateAttrs(e.c, token, attr("email", "erin@new.example.com"), attr("given_name", "Erin")))
	if len(out.CodeDeliveryDetailsList) != 1 || aws.ToString(out.CodeDeliveryDetailsList[0].Destination) != "e***@n***" {
		t.Fatalf("CodeDeliveryDetailsList %+v", out.CodeDeliveryDetailsList)
	}
	a := getUser(t, e.c, token)
	if a["email"] != "erin@example.com" || a["email_verified"] != "true" || a["given_name"] != "Erin" {
		t.Errorf("while the update waits: %v", a)
	}
	signInForTest(t, e.c, e.pool, e.client, "erin@example.com", accountPassword)
	if _, err := signInAttempt(e.c, e.pool, e.client, "erin@new.example.com", accountPassword); err == nil {
		t.Error("the unverified new email signs in")
	}

	// Asking for a code again sends it to the new address too.
	first := e.lastCode(t, "erin@new.example.com")
	resend := must[*cip.GetUserAttributeVerificationCodeOutput](t)(e.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{
		AccessToken: aws.String(token), AttributeName: aws.String("email")}))
	if aws.ToString(resend.CodeDeliveryDetails.Destination) != "e***@n***" {
		t.Errorf("resent to %s", aws.ToString(resend.CodeDeliveryDetails.Destination))
	}
	if got := len(outbox(t, e.s, e.pool, "erin@example.com")); got != 0 {
		t.Errorf("%d messages to the old address", got)
	}
	code := e.lastCode(t, "erin@new.example.com")
	if code != first {
		// The first code was replaced by the second.
		wantErr(t, verify(e.c, token, "email", first), "CodeMismatchException", "")
	}
	if err := verify(e.c, token, "email", code); err != nil {
		t.Fatalf("VerifyUserAttribute: %v", err)
	}
	a = getUser(t, e.c, token)
	if a["email"] != "erin@new.example.com" || a["email_verified"] != "true" {
		t.Errorf("after verifying: %v", a)
	}
	signInForTest(t, e.c, e.pool, e.client, "erin@new.example.com", accountPassword)
	if _, err := signInAttempt(e.c, e.pool, e.client, "erin@example.com", accountPassword); err == nil {
		t.Error("the old email still signs in")
	}

	// Going back to the current value cancels a waiting update and its code.
	must[*cip.UpdateUserAttributesOutput](t)(updateAttrs(e.c, token, attr("email", "erin@third.example.com")))
	pending := e.lastCode(t, "erin@third.example.com")
	out = must[*cip.UpdateUserAttributesOutput](t)(updateAttrs(e.c, token, attr("email", "erin@new.example.com")))
	if len(out.CodeDeliveryDetailsList) != 0 {
		t.Errorf("code sent for the unchanged value: %v", out.CodeDeliveryDetailsList)
	}
	wantErr(t, verify(e.c, token, "email", pending), "ExpiredCodeException", "")
	if a := getUser(t, e.c, token); a["email"] != "erin@new.example.com" || a["email_verified"] != "true" {
		t.Errorf("after cancelling: %v", a)
	}
}

// Verification codes last 24 hours and survive five wrong guesses; the
// next guess is refused until a new code is sent.
func TestVerificationCodeLimits(t *testing.T) {
	e := newAccountEnv(t, nil, nil)
	token := e.newUser(t, "frank", attr("phone_number", "+15550100003"), attr("email", "frank@example.com"))

	get := func(tk, a string) *types.CodeDeliveryDetailsType {
		t.Helper()
		out := must[*cip.GetUserAttributeVerificationCodeOutput](t)(e.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{
			AccessToken: aws.String(tk), AttributeName: aws.String(a)}))
		return out.CodeDeliveryDetails
	}
	d := get(token, "phone_number")
	if aws.ToString(d.AttributeName) != "phone_number" || d.DeliveryMedium != types.DeliveryMediumTypeSms || aws.ToString(d.Destination) != "+*******0003" {
		t.Errorf("delivery %s %s %s", aws.ToString(d.AttributeName), d.DeliveryMedium, aws.ToString(d.Destination))
	}
	code := e.lastCode(t, "+15550100003")
	for range 5 {
		wantErr(t, verify(e.c, token, "phone_number", wrongCode(code)), "CodeMismatchException", "")
	}
	wantErr(t, verify(e.c, token, "phone_number", code), "LimitExceededException", "")
	if a := getUser(t, e.c, token); a["phone_number_verified"] == "true" {
		t.Error("verified after the attempt limit")
	}
	// A new code works.
	get(token, "phone_number")
	if err := verify(e.c, token, "phone_number", e.lastCode(t, "+15550100003")); err != nil {
		t.Fatalf("VerifyUserAttribute with a new code: %v", err)
	}
	if a := getUser(t, e.c, token); a["phone_number_verified"] != "true" {
		t.Errorf("after verifying: %v", a)
	}

	// A code expires after 24 hours (the user signs in again to use it).
	get(token, "email")
	code = e.lastCode(t, "frank@example.com")
	e.clock.Advance(24*time.Hour - time.Second)
	token = aws.ToString(signInForTest(t, e.c, e.pool, e.client, "frank", accountPassword).AccessToken)
	e.clock.Advance(time.Second)
	wantErr(t, verify(e.c, token, "email", code), "ExpiredCodeException", "")
	get(token, "email")
	e.clock.Advance(24*time.Hour - time.Second)
	token = aws.ToString(signInForTest(t, e.c, e.pool, e.client, "frank", accountPassword).AccessToken)
	if err := verify(e.c, token, "email", e.lastCode(t, "frank@example.com")); err != nil {
		t.Fatalf("VerifyUserAttribute a second before expiry: %v", err)
	}
}

// The verification operations refuse attributes that are not verified by
// code, attributes the user lacks, and checks without a code.
func TestVerificationErrors(t *testing.T) {
	e := newAccountEnv(t, nil, nil)
	token := e.newUser(t, "gina", attr("email", "gina@example.com"))

	_, err := e.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(token), AttributeName: aws.String("given_name")})
	wantErr(t, err, "InvalidParameterException", "Invalid attribute name. Only phone_number and email can be verified.")
	wantErr(t, verify(e.c, token, "given_name", "123456"), "InvalidParameterException", "Invalid attribute name. Only phone_number and email can be verified.")
	_, err = e.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(token), AttributeName: aws.String("phone_number")})
	wantErr(t, err, "InvalidParameterException", "phone number")
	wantErr(t, verify(e.c, token, "phone_number", "123456"), "InvalidParameterException", "phone_number")
	// No code was sent for the email.
	wantErr(t, verify(e.c, token, "email", "123456"), "ExpiredCodeException", "")

	// A code sent for one email does not verify another.
	must[*cip.GetUserAttributeVerificationCodeOutput](t)(e.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(token), AttributeName: aws.String("email")}))
	code := e.lastCode(t, "gina@example.com")
	must[*cip.UpdateUserAttributesOutput](t)(updateAttrs(e.c, token, attr("email", "gina@other.example.com")))
	wantErr(t, verify(e.c, token, "email", code), "ExpiredCodeException", "")
	// Deleting the attribute drops its code too.
	must[*cip.GetUserAttributeVerificationCodeOutput](t)(e.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(token), AttributeName: aws.String("email")}))
	code = e.lastCode(t, "gina@other.example.com")
	must[*cip.DeleteUserAttributesOutput](t)(e.c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(token), UserAttributeNames: []string{"email"}}))
	wantErr(t, verify(e.c, token, "email", code), "InvalidParameterException", "email")
}

// Verifying an email another user holds as a verified sign-in alias is
// refused with AliasExistsException.
func TestVerifyAliasExists(t *testing.T) {
	e := newAccountEnv(t, &cip.CreateUserPoolInput{
		AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	}, nil)
	e.newUser(t, "hank", attr("email", "shared@example.com"), attr("email_verified", "true"))
	token := e.newUser(t, "ivy", attr("email", "ivy@example.com"))

	// An unverified email is no alias, so the update itself succeeds.
	must[*cip.UpdateUserAttributesOutput](t)(updateAttrs(e.c, token, attr("email", "shared@example.com")))
	code := e.lastCode(t, "shared@example.com")
	wantErr(t, verify(e.c, token, "email", code), "AliasExistsException", "email")
	if a := getUser(t, e.c, token); a["email_verified"] != "false" {
		t.Errorf("ivy after the refused verification: %v", a)
	}
	if a := e.adminAttrs(t, "hank"); a["email_verified"] != "true" {
		t.Errorf("hank after ivy's refused verification: %v", a)
	}
	signInForTest(t, e.c, e.pool, e.client, "shared@example.com", accountPassword)
}

// In a pool whose users sign in with their email, a new email that another
// user signs in with is refused at once, whether it would replace the old
// one now or wait for verification.
func TestUpdateEmailUsernameTaken(t *testing.T) {
	for _, keep := range []bool{false, true} {
		in := &cip.CreateUserPoolInput{
			UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		}
		if keep {
			in.UserAttributeUpdateSettings = &types.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}
		}
		e := newAccountEnv(t, in, nil)
		e.newUser(t, "jack@example.com")
		token := e.newUser(t, "jill@example.com", attr("email_verified", "true"))
		_, err := updateAttrs(e.c, token, attr("email", "jack@example.com"))
		wantErr(t, err, "AliasExistsException", "email")
		if a := getUser(t, e.c, token); a["email"] != "jill@example.com" {
			t.Errorf("keep %v: after the refused update: %v", keep, a)
		}
		_, err = e.c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(token), UserAttributeNames: []string{"email"}})
		wantErr(t, err, "InvalidParameterException", "")
	}
}

// DeleteUserAttributes removes attributes (an email with its verified
// flag) and refuses required and immutable ones.
func TestDeleteUserAttributes(t *testing.T) {
	e := newAccountEnv(t, &cip.CreateUserPoolInput{
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("family_name"), Required: aws.Bool(true)},
			{Name: aws.String("badge"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
		},
	}, nil)
	token := e.newUser(t, "kate", attr("family_name", "K"), attr("given_name", "Kate"), attr("email", "kate@example.com"), attr("email_verified", "true"), attr("custom:badge", "b"))

	must[*cip.DeleteUserAttributesOutput](t)(e.c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(token), UserAttributeNames: []string{"given_name", "email"}}))
	a := getUser(t, e.c, token)
	for _, n := range []string{"given_name", "email", "email_verified"} {
		if _, ok := a[n]; ok {
			t.Errorf("%s still set: %v", n, a)
		}
	}
	for _, tc := range []struct{ name, attr, msg string }{
		{"required", "family_name", "required"},
		{"immutable", "custom:badge", "immutable"},
		{"unknown", "custom:nope", "does not exist"},
	} {
		_, err := e.c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(token), UserAttributeNames: []string{tc.attr}})
		wantErr(t, err, "InvalidParameterException", tc.msg)
	}
	_, err := e.c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(token), UserAttributeNames: []string{"email_verified"}})
	wantErr(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
}

// DeleteUser deletes the caller; their tokens stop working.
func TestDeleteUser(t *testing.T) {
	e := newAccountEnv(t, nil, nil)
	token := e.newUser(t, "liam")
	refresh := aws.ToString(signInForTest(t, e.c, e.pool, e.client, "liam", accountPassword).RefreshToken)
	// A client without token revocation issues tokens without origin_jti.
	plain := e.newClient(t, &cip.CreateUserPoolClientInput{ClientName: aws.String("plain"), EnableTokenRevocation: aws.Bool(false)})
	plainToken := aws.ToString(signInForTest(t, e.c, e.pool, plain, "liam", accountPassword).AccessToken)

	refreshIn := &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": refresh},
	}
	must[*cip.AdminInitiateAuthOutput](t)(e.c.AdminInitiateAuth(ctx, refreshIn))
	getUser(t, e.c, plainToken)

	must[*cip.DeleteUserOutput](t)(e.c.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: aws.String(token)}))
	_, err := e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("liam")})
	wantErr(t, err, "UserNotFoundException", "")
	_, err = e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(token)})
	wantErr(t, err, "NotAuthorizedException", "Access Token has been revoked")
	_, err = e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(plainToken)})
	wantErr(t, err, "UserNotFoundException", "User does not exist.")
	_, err = e.c.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: aws.String(plainToken)})
	wantErr(t, err, "UserNotFoundException", "")
	if _, err := signInAttempt(e.c, e.pool, e.client, "liam", accountPassword); err == nil {
		t.Error("a deleted user signs in")
	}
	_, err = e.c.AdminInitiateAuth(ctx, refreshIn)
	wantErr(t, err, "NotAuthorizedException", "")
}

// ChangePassword checks the previous password (counting wrong ones towards
// the lockout), the pool's policy and its password history.
func TestChangePassword(t *testing.T) {
	e := newAccountEnv(t, &cip.CreateUserPoolInput{
		UserPoolTier: types.UserPoolTierTypePlus,
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(10), RequireNumbers: true, PasswordHistorySize: aws.Int32(2),
		}},
	}, nil)
	token := e.newUser(t, "mia")
	change := func(prev, next string) error {
		_, err := e.c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: aws.String(token), PreviousPassword: aws.String(prev), ProposedPassword: aws.String(next)})
		return err
	}

	wantErr(t, change("Wrong=Passw0rd!", "Second=Passw0rd!"), "NotAuthorizedException", "Incorrect username or password.")
	wantErr(t, change(accountPassword, "short1"), "InvalidPasswordException", "")
	wantErr(t, change(accountPassword, "NoNumbersAtAll"), "InvalidPasswordException", "")
	wantErr(t, change(accountPassword, accountPassword), "PasswordHistoryPolicyViolationException", "")

	if err := change(accountPassword, "Second=Passw0rd!"); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	signInForTest(t, e.c, e.pool, e.client, "mia", "Second=Passw0rd!")
	if _, err := signInAttempt(e.c, e.pool, e.client, "mia", accountPassword); err == nil {
		t.Error("the old password still signs in")
	}
	// The token stays valid after a password change.
	getUser(t, e.c, token)

	// A history of two: the current and the previous password are refused,
	// the one before them is allowed again.
	wantErr(t, change("Second=Passw0rd!", accountPassword), "PasswordHistoryPolicyViolationException", "")
	if err := change("Second=Passw0rd!", "Third=Passw0rd!"); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	wantErr(t, change("Third=Passw0rd!", "Second=Passw0rd!"), "PasswordHistoryPolicyViolationException", "")
	if err := change("Third=Passw0rd!", accountPassword); err != nil {
		t.Fatalf("ChangePassword back to the first password: %v", err)
	}

	// Five wrong previous passwords lock the user out for a while, even
	// for the right one, and the lockout ends.
	for range 5 {
		wantErr(t, change("Wrong=Passw0rd!", "Fourth=Passw0rd!"), "NotAuthorizedException", "Incorrect username or password.")
	}
	wantErr(t, change(accountPassword, "Fourth=Passw0rd!"), "LimitExceededException", "Attempt limit exceeded, please try after some time.")
	_, err := signInAttempt(e.c, e.pool, e.client, "mia", accountPassword)
	wantErr(t, err, "NotAuthorizedException", "Password attempts exceeded")
	e.clock.Advance(2 * time.Second)
	if err := change(accountPassword, "Fourth=Passw0rd!"); err != nil {
		t.Fatalf("ChangePassword after the lockout: %v", err)
	}
	signInForTest(t, e.c, e.pool, e.client, "mia", "Fourth=Passw0rd!")
}
