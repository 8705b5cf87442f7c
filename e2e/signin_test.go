package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/testserver"
)

const signinPassword = "Sign-in-Passw0rd!"

// signinEnv is a server with a fake clock, a pool and helpers for the
// sign-in tests.
type signinEnv struct {
	s     *testserver.Server
	c     *cip.Client
	clock *testserver.Clock
	pool  string
	// skew is how far the client's clock, which the SRP answers' TIMESTAMP
	// gives, is from the server's.
	skew time.Duration
}

func newSigninEnv(t *testing.T, in *cip.CreateUserPoolInput) *signinEnv {
	t.Helper()
	clock := testserver.NewClock(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
	s := testserver.StartWith(t, testserver.NewConfig(t), server.Options{Now: clock.Now})
	return &signinEnv{s: s, c: s.Client, clock: clock, pool: aws.ToString(newPool(t, s.Client, in).Id)}
}

// client creates an app client allowing every password flow, changed by
// edit.
func (e *signinEnv) client(t *testing.T, edit func(*cip.CreateUserPoolClientInput)) *types.UserPoolClientType {
	t.Helper()
	in := &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.pool), ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth,
			types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	}
	if edit != nil {
		edit(in)
	}
	return must[*cip.CreateUserPoolClientOutput](t)(e.c.CreateUserPoolClient(ctx, in)).UserPoolClient
}

// user creates a confirmed user with signinPassword.
func (e *signinEnv) user(t *testing.T, name string, as ...types.AttributeType) {
	t.Helper()
	must[*cip.AdminCreateUserOutput](t)(e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(name), UserAttributes: as, MessageAction: types.MessageActionTypeSuppress,
	}))
	must[*cip.AdminSetUserPasswordOutput](t)(e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(name), Password: aws.String(signinPassword), Permanent: true,
	}))
}

func (e *signinEnv) password(clientID, name, pw string, extra ...string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"USERNAME": name, "PASSWORD": pw}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	return e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: params})
}

// srpSignIn runs USER_SRP_AUTH with pw and returns the challenge answer's
// result; init is InitiateAuth's output.
func (e *signinEnv) srpSignIn(t *testing.T, clientID, name, pw string) (*cip.InitiateAuthOutput, *cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	cl, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	init, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": name, "SRP_A": cl.A()},
	})
	if err != nil {
		return nil, nil, err
	}
	resp, err := e.answerSRP(t, clientID, cl, init, pw)
	return init, resp, err
}

func (e *signinEnv) answerSRP(t *testing.T, clientID string, cl *srp.Client, init *cip.InitiateAuthOutput, pw string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	p := init.ChallengeParameters
	block, err := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
	if err != nil {
		t.Fatal(err)
	}
	ts := e.clock.Now().Add(e.skew).Format(srp.TimestampLayout)
	_, poolName, _ := strings.Cut(e.pool, "_")
	sig, err := cl.Sign(poolName, p["USER_ID_FOR_SRP"], pw, p["SALT"], p["SRP_B"], block, ts)
	if err != nil {
		t.Fatal(err)
	}
	return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: init.Session,
		ChallengeResponses: map[string]string{
			"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
			"PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts,
		},
	})
}

// claimsOf decodes a JWT's payload without checking it (the tokens tests
// check signatures; here the claims matter).
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPasswordSignInAndClaims(t *testing.T) {
	e := newSigninEnv(t, &cip.CreateUserPoolInput{
		Schema: []types.SchemaAttributeType{{Name: aws.String("team"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}},
	})
	app := e.client(t, nil)
	id := aws.ToString(app.ClientId)
	e.user(t, "alice", attr("email", "alice@example.com"), attr("email_verified", "true"), attr("custom:team", "blue"))
	must[*cip.CreateGroupOutput](t)(e.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("admins"), Precedence: aws.Int32(1), RoleArn: aws.String("arn:aws:iam::123456789012:role/admins")}))
	must[*cip.CreateGroupOutput](t)(e.c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String(e.pool), GroupName: aws.String("staff"), Precedence: aws.Int32(5), RoleArn: aws.String("arn:aws:iam::123456789012:role/staff")}))
	for _, g := range []string{"admins", "staff"} {
		must[*cip.AdminAddUserToGroupOutput](t)(e.c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(e.pool), Username: aws.String("alice"), GroupName: aws.String(g)}))
	}

	out := must[*cip.InitiateAuthOutput](t)(e.password(id, "alice", signinPassword))
	res := out.AuthenticationResult
	if res == nil || aws.ToString(res.RefreshToken) == "" || aws.ToString(res.TokenType) != "Bearer" || res.ExpiresIn != 3600 {
		t.Fatalf("result %+v", res)
	}
	if out.ChallengeParameters == nil {
		t.Error("ChallengeParameters missing; Cognito sends {}")
	}
	idc, ac := claimsOf(t, aws.ToString(res.IdToken)), claimsOf(t, aws.ToString(res.AccessToken))
	issuer := e.s.URL + "/" + e.pool
	for _, c := range []map[string]any{idc, ac} {
		if c["iss"] != issuer || c["sub"] == "" || c["origin_jti"] == nil || c["event_id"] == nil || c["jti"] == nil {
			t.Errorf("claims %v", c)
		}
		if c["auth_time"] != float64(e.clock.Now().Unix()) || c["iat"] != float64(e.clock.Now().Unix()) {
			t.Errorf("auth_time/iat %v/%v, want %d", c["auth_time"], c["iat"], e.clock.Now().Unix())
		}
		if g, _ := c["cognito:groups"].([]any); len(g) != 2 || g[0] != "admins" {
			t.Errorf("cognito:groups %v", c["cognito:groups"])
		}
	}
	if idc["token_use"] != "id" || idc["aud"] != id || idc["cognito:username"] != "alice" || idc["email"] != "alice@example.com" ||
		idc["email_verified"] != true || idc["custom:team"] != "blue" || idc["exp"] != float64(e.clock.Now().Add(time.Hour).Unix()) {
		t.Errorf("ID token claims %v", idc)
	}
	if idc["cognito:preferred_role"] != "arn:aws:iam::123456789012:role/admins" {
		t.Errorf("cognito:preferred_role %v", idc["cognito:preferred_role"])
	}
	if r, _ := idc["cognito:roles"].([]any); len(r) != 2 {
		t.Errorf("cognito:roles %v", idc["cognito:roles"])
	}
	if ac["token_use"] != "access" || ac["client_id"] != id || ac["username"] != "alice" || ac["scope"] != "aws.cognito.signin.user.admin" || ac["aud"] != nil {
		t.Errorf("access token claims %v", ac)
	}
	if idc["origin_jti"] != ac["origin_jti"] || idc["jti"] == ac["jti"] {
		t.Error("ID and access tokens of one sign-in must share origin_jti and not jti")
	}

	// The admin flow, and the refresh flow.
	admin := must[*cip.AdminInitiateAuthOutput](t)(e.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(e.pool), ClientId: app.ClientId, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": signinPassword},
	}))
	if admin.AuthenticationResult == nil {
		t.Fatal("AdminInitiateAuth returned no tokens")
	}
	e.clock.Advance(10 * time.Minute)
	ref := must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: app.ClientId, AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)},
	}))
	if ref.AuthenticationResult == nil || aws.ToString(ref.AuthenticationResult.RefreshToken) != "" {
		t.Fatalf("refresh result %+v", ref.AuthenticationResult)
	}
	rc := claimsOf(t, aws.ToString(ref.AuthenticationResult.IdToken))
	if rc["auth_time"] != idc["auth_time"] || rc["iat"] == idc["iat"] || rc["origin_jti"] != idc["origin_jti"] {
		t.Errorf("refreshed claims %v", rc)
	}

	// Wrong password, unknown user (LEGACY), wrong flow.
	_, err := e.password(id, "alice", "wrong")
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = e.password(id, "nobody", "wrong")
	wantErr(t, err, "UserNotFoundException", "User does not exist.")
	_, err = e.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: app.ClientId, AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": signinPassword}})
	wantErr(t, err, "InvalidParameterException", "")
	srpOnly := e.client(t, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	})
	_, err = e.password(aws.ToString(srpOnly.ClientId), "alice", signinPassword)
	wantErr(t, err, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
}

func TestSRPSignIn(t *testing.T) {
	e := newSigninEnv(t, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}})
	id := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "bob", attr("email", "bob@example.com"), attr("email_verified", "true"))

	init, resp, err := e.srpSignIn(t, id, "bob@example.com", signinPassword)
	if err != nil {
		t.Fatal(err)
	}
	if init.ChallengeName != types.ChallengeNameTypePasswordVerifier || init.ChallengeParameters["USER_ID_FOR_SRP"] != "bob" || aws.ToString(init.Session) == "" {
		t.Fatalf("challenge %s %v", init.ChallengeName, init.ChallengeParameters)
	}
	if resp.AuthenticationResult == nil || claimsOf(t, aws.ToString(resp.AuthenticationResult.AccessToken))["username"] != "bob" {
		t.Fatalf("SRP result %+v", resp)
	}
	_, _, err = e.srpSignIn(t, id, "bob", "Wrong-Passw0rd!")
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// A session is single-use and bound to its client.
	cl, _ := srp.NewClient(rand.Reader)
	init = must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": "bob", "SRP_A": cl.A()}}))
	if _, err := e.answerSRP(t, id, cl, init, signinPassword); err != nil {
		t.Fatal(err)
	}
	_, err = e.answerSRP(t, id, cl, init, signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Invalid session")
	other := aws.ToString(e.client(t, nil).ClientId)
	init = must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": "bob", "SRP_A": cl.A()}}))
	_, err = e.answerSRP(t, other, cl, init, signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Invalid session")

	// Sessions expire after AuthSessionValidity (3 minutes).
	init = must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": "bob", "SRP_A": cl.A()}}))
	e.clock.Advance(3*time.Minute + time.Second)
	_, err = e.answerSRP(t, id, cl, init, signinPassword)
	wantErr(t, err, "NotAuthorizedException", "session is expired")
}

func TestPreventUserExistenceErrors(t *testing.T) {
	e := newSigninEnv(t, nil)
	id := aws.ToString(e.client(t, func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	}).ClientId)
	e.user(t, "carol")
	_, err := e.password(id, "ghost", "whatever")
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, _, err = e.srpSignIn(t, id, "ghost", "whatever")
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	salts := map[string]bool{}
	for range 2 {
		cl, _ := srp.NewClient(rand.Reader)
		init := must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": "ghost", "SRP_A": cl.A()}}))
		if init.ChallengeName != types.ChallengeNameTypePasswordVerifier || init.ChallengeParameters["SRP_B"] == "" {
			t.Fatalf("simulated challenge %v", init.ChallengeParameters)
		}
		salts[init.ChallengeParameters["SALT"]] = true
	}
	if len(salts) != 1 {
		t.Errorf("the simulated SALT changes between attempts: %v", salts)
	}
}

func TestSecretHash(t *testing.T) {
	e := newSigninEnv(t, nil)
	app := e.client(t, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
	id, secret := aws.ToString(app.ClientId), aws.ToString(app.ClientSecret)
	e.user(t, "dave")
	_, err := e.password(id, "dave", signinPassword)
	wantErr(t, err, "NotAuthorizedException", "SECRET_HASH was not received")
	_, err = e.password(id, "dave", signinPassword, "SECRET_HASH", appclient.SecretHash("wrong", "dave", id))
	wantErr(t, err, "NotAuthorizedException", "Unable to verify secret hash")
	out := must[*cip.InitiateAuthOutput](t)(e.password(id, "dave", signinPassword, "SECRET_HASH", appclient.SecretHash(secret, "dave", id)))
	// Refresh with the hash of the username, and GetTokensFromRefreshToken
	// with the secret itself.
	must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(out.AuthenticationResult.RefreshToken), "SECRET_HASH": appclient.SecretHash(secret, "dave", id)}}))
	_, err = e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(id), RefreshToken: out.AuthenticationResult.RefreshToken})
	wantErr(t, err, "NotAuthorizedException", "")
	must[*cip.GetTokensFromRefreshTokenOutput](t)(e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(id), ClientSecret: aws.String(secret), RefreshToken: out.AuthenticationResult.RefreshToken}))
}

func TestLockout(t *testing.T) {
	e := newSigninEnv(t, nil)
	id := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "erin")
	for range 5 {
		_, err := e.password(id, "erin", "Wrong-Passw0rd!")
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	}
	// Locked for 1 second after the fifth failure: even the right password
	// is refused.
	_, err := e.password(id, "erin", signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Password attempts exceeded")
	_, _, err = e.srpSignIn(t, id, "erin", signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Password attempts exceeded")
	e.clock.Advance(time.Second)
	_, err = e.password(id, "erin", "Wrong-Passw0rd!") // sixth failure: 2 seconds
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	e.clock.Advance(time.Second)
	_, err = e.password(id, "erin", signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Password attempts exceeded")
	e.clock.Advance(time.Second)
	must[*cip.InitiateAuthOutput](t)(e.password(id, "erin", signinPassword))
}

func TestNewPasswordRequired(t *testing.T) {
	e := newSigninEnv(t, &cip.CreateUserPoolInput{
		Schema: []types.SchemaAttributeType{{Name: aws.String("given_name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)}},
	})
	id := aws.ToString(e.client(t, nil).ClientId)
	must[*cip.AdminCreateUserOutput](t)(e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("fay"),
		TemporaryPassword: aws.String("Temp-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{attr("given_name", "Fay")}}))
	out := must[*cip.InitiateAuthOutput](t)(e.password(id, "fay", "Temp-Passw0rd!"))
	if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || out.AuthenticationResult != nil {
		t.Fatalf("got %s %+v", out.ChallengeName, out.AuthenticationResult)
	}
	var ua map[string]string
	if err := json.Unmarshal([]byte(out.ChallengeParameters["userAttributes"]), &ua); err != nil || ua["given_name"] != "Fay" || ua["sub"] != "" {
		t.Errorf("userAttributes %q", out.ChallengeParameters["userAttributes"])
	}
	if out.ChallengeParameters["requiredAttributes"] != "[]" {
		t.Errorf("requiredAttributes %q", out.ChallengeParameters["requiredAttributes"])
	}
	respond := func(pw string, extra map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
		r := map[string]string{"USERNAME": "fay", "NEW_PASSWORD": pw}
		for k, v := range extra {
			r[k] = v
		}
		return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(id), ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session, ChallengeResponses: r})
	}
	_, err := respond("short", nil)
	wantErr(t, err, "InvalidPasswordException", "")
	_, err = respond(signinPassword, map[string]string{"userAttributes.given_name": ""})
	wantErr(t, err, "InvalidParameterException", "given_name")
	res := must[*cip.RespondToAuthChallengeOutput](t)(respond(signinPassword, map[string]string{"userAttributes.family_name": "Smith"}))
	if res.AuthenticationResult == nil {
		t.Fatal("no tokens after NEW_PASSWORD_REQUIRED")
	}
	u := must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("fay")}))
	if u.UserStatus != types.UserStatusTypeConfirmed || attrs(u.UserAttributes)["family_name"] != "Smith" {
		t.Errorf("after the challenge: %s %v", u.UserStatus, attrs(u.UserAttributes))
	}
	_, err = respond(signinPassword, nil)
	wantErr(t, err, "NotAuthorizedException", "Invalid session")

	// A temporary password expires after TemporaryPasswordValidityDays (7).
	must[*cip.AdminCreateUserOutput](t)(e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("gus"),
		TemporaryPassword: aws.String("Temp-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{attr("given_name", "Gus")}}))
	e.clock.Advance(7 * 24 * time.Hour)
	_, err = e.password(id, "gus", "Temp-Passw0rd!")
	wantErr(t, err, "NotAuthorizedException", "Temporary password has expired")
}

func TestUserStates(t *testing.T) {
	e := newSigninEnv(t, nil)
	id := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "hal")
	must[*cip.AdminDisableUserOutput](t)(e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("hal")}))
	_, err := e.password(id, "hal", signinPassword)
	wantErr(t, err, "NotAuthorizedException", "User is disabled.")

	must[*cip.SignUpOutput](t)(e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(id), Username: aws.String("ivy"), Password: aws.String(signinPassword)}))
	_, err = e.password(id, "ivy", signinPassword)
	wantErr(t, err, "UserNotConfirmedException", "User is not confirmed.")

	e.user(t, "jo")
	must[*cip.AdminResetUserPasswordOutput](t)(e.c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(e.pool), Username: aws.String("jo")}))
	_, err = e.password(id, "jo", signinPassword)
	wantErr(t, err, "PasswordResetRequiredException", "Password reset required for the user")
}

func TestRefreshRotationAndRevocation(t *testing.T) {
	e := newSigninEnv(t, nil)
	rot := aws.ToString(e.client(t, func(in *cip.CreateUserPoolClientInput) {
		in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(10)}
	}).ClientId)
	plain := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "lee")

	first := aws.ToString(must[*cip.InitiateAuthOutput](t)(e.password(rot, "lee", signinPassword)).AuthenticationResult.RefreshToken)
	_, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(rot), AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": first}})
	wantErr(t, err, "InvalidParameterException", "rotation")
	next := must[*cip.GetTokensFromRefreshTokenOutput](t)(e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rot), RefreshToken: aws.String(first)}))
	second := aws.ToString(next.AuthenticationResult.RefreshToken)
	if second == "" || second == first {
		t.Fatalf("rotation returned refresh token %q", second)
	}
	e.clock.Advance(5 * time.Second) // within the grace period
	must[*cip.GetTokensFromRefreshTokenOutput](t)(e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rot), RefreshToken: aws.String(first)}))
	e.clock.Advance(6 * time.Second)
	_, err = e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rot), RefreshToken: aws.String(first)})
	wantErr(t, err, "RefreshTokenReuseException", "")
	must[*cip.GetTokensFromRefreshTokenOutput](t)(e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(rot), RefreshToken: aws.String(second)}))

	// RevokeToken ends the refresh token and its access tokens.
	out := must[*cip.InitiateAuthOutput](t)(e.password(plain, "lee", signinPassword)).AuthenticationResult
	must[*cip.GetUserOutput](t)(e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AccessToken}))
	_, err = e.c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(plain), Token: out.AccessToken})
	wantErr(t, err, "UnsupportedTokenTypeException", "")
	must[*cip.RevokeTokenOutput](t)(e.c.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(plain), Token: out.RefreshToken}))
	_, err = e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AccessToken})
	wantErr(t, err, "NotAuthorizedException", "Access Token has been revoked")
	_, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(plain), AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(out.RefreshToken)}})
	wantErr(t, err, "NotAuthorizedException", "Refresh Token has been revoked")

	// GlobalSignOut and AdminUserGlobalSignOut end every token of the user.
	a := must[*cip.InitiateAuthOutput](t)(e.password(plain, "lee", signinPassword)).AuthenticationResult
	b := must[*cip.InitiateAuthOutput](t)(e.password(plain, "lee", signinPassword)).AuthenticationResult
	must[*cip.GlobalSignOutOutput](t)(e.c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: a.AccessToken}))
	for _, tok := range []*types.AuthenticationResultType{a, b} {
		_, err = e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
		wantErr(t, err, "NotAuthorizedException", "Access Token has been revoked")
		_, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(plain), AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(tok.RefreshToken)}})
		wantErr(t, err, "NotAuthorizedException", "Refresh Token has been revoked")
	}
	c := must[*cip.InitiateAuthOutput](t)(e.password(plain, "lee", signinPassword)).AuthenticationResult
	must[*cip.GetUserOutput](t)(e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: c.AccessToken}))
	must[*cip.AdminUserGlobalSignOutOutput](t)(e.c.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(e.pool), Username: aws.String("lee")}))
	_, err = e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: c.AccessToken})
	wantErr(t, err, "NotAuthorizedException", "Access Token has been revoked")

	// Access tokens expire (60 minutes by default); AdminDisableUser revokes.
	d := must[*cip.InitiateAuthOutput](t)(e.password(plain, "lee", signinPassword)).AuthenticationResult
	e.clock.Advance(time.Hour)
	_, err = e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: d.AccessToken})
	wantErr(t, err, "NotAuthorizedException", "Access Token has expired")
	d = must[*cip.InitiateAuthOutput](t)(e.password(plain, "lee", signinPassword)).AuthenticationResult
	must[*cip.AdminDisableUserOutput](t)(e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("lee")}))
	_, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(plain), AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(d.RefreshToken)}})
	wantErr(t, err, "NotAuthorizedException", "")
	_, err = e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: d.AccessToken})
	wantErr(t, err, "NotAuthorizedException", "")
}

// TestPasswordVerifierTimestamp checks the window of the PASSWORD_VERIFIER
// TIMESTAMP: five minutes either way of the server's clock, for users who
// exist and, with PreventUserExistenceErrors, for names that do not.
func TestPasswordVerifierTimestamp(t *testing.T) {
	e := newSigninEnv(t, nil)
	id := aws.ToString(e.client(t, func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	}).ClientId)
	e.user(t, "tess")
	for _, tc := range []struct {
		skew time.Duration
		ok   bool
	}{
		{5 * time.Minute, true}, {-5 * time.Minute, true}, {-5*time.Minute - time.Second, false},
		{5*time.Minute + time.Second, false}, {-24 * time.Hour, false},
	} {
		e.skew = tc.skew
		_, out, err := e.srpSignIn(t, id, "tess", signinPassword)
		if tc.ok {
			if err != nil || out.AuthenticationResult == nil {
				t.Errorf("skew %v: %v", tc.skew, err)
			}
			continue
		}
		wantErr(t, err, "NotAuthorizedException", "TIMESTAMP is more than 5 minutes from the server's time")
		// A name that does not exist answers the same.
		_, _, err = e.srpSignIn(t, id, "nobody", signinPassword)
		wantErr(t, err, "NotAuthorizedException", "TIMESTAMP is more than 5 minutes from the server's time")
	}
	e.skew = 0
	_, _, err := e.srpSignIn(t, id, "nobody", signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
}
