package e2e

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/kmscrypt/kmstest"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/testserver"
	"github.com/cognate-idp/cognate/internal/triggers/lambdatest"
)

// fnARN is the ARN of a stand-in function.
func fnARN(name string) *string {
	return aws.String("arn:aws:lambda:us-east-1:123456789012:function:" + name)
}

// triggerEnv is a server whose pool's triggers run in an in-process Lambda
// stand-in, reached through the Invoke API (--lambda-endpoint) with the
// AWS SDK's Lambda client.
type triggerEnv struct {
	*signinEnv
	fake   *lambdatest.Server
	client string
	// kms is the KMS stand-in the server encrypts custom senders' codes
	// through (--kms-endpoint).
	kms string
}

func newTriggerEnv(t *testing.T, in *cip.CreateUserPoolInput, fake *lambdatest.Server) *triggerEnv {
	t.Helper()
	// The Lambda client signs with the standard credential chain.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cfg := testserver.NewConfig(t)
	cfg.LambdaEndpoint = fake.URL
	cfg.KMSEndpoint = kmstest.Start(t)
	clock := testserver.NewClock(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
	s := testserver.StartWith(t, cfg, server.Options{Now: clock.Now})
	e := &triggerEnv{signinEnv: &signinEnv{s: s, c: s.Client, clock: clock, pool: aws.ToString(newPool(t, s.Client, in).Id)}, fake: fake, kms: cfg.KMSEndpoint}
	e.client = aws.ToString(e.signinEnv.client(t, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowCustomAuth)
	}).ClientId)
	return e
}

func (e *triggerEnv) signUp(name string, as ...types.AttributeType) (*cip.SignUpOutput, error) {
	return e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(e.client), Username: aws.String(name), Password: aws.String(signinPassword), UserAttributes: as})
}

// lastEvent returns the newest event the function received.
func lastEvent(t *testing.T, fake *lambdatest.Server, fn string) map[string]any {
	t.Helper()
	evs := fake.Events(fn)
	if len(evs) == 0 {
		t.Fatalf("%s was not called", fn)
	}
	return evs[len(evs)-1]
}

func TestLambdaTriggersSignUpAndSignIn(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("pre-sign-up", func(_ context.Context, ev map[string]any) (any, error) {
		attrs := ev["request"].(map[string]any)["userAttributes"].(map[string]any)
		email, _ := attrs["email"].(string)
		if strings.HasSuffix(email, "@blocked.example") {
			return nil, errors.New("Sign-up is closed for this domain")
		}
		if strings.HasSuffix(email, "@trusted.example") {
			ev["response"] = map[string]any{"autoConfirmUser": true, "autoVerifyEmail": true}
		}
		return ev, nil
	})
	fake.Handle("post-confirmation", lambdatest.Respond(nil))
	fake.Handle("pre-auth", func(_ context.Context, ev map[string]any) (any, error) {
		if ev["userName"] == "mallory" {
			return nil, errors.New("Account under review")
		}
		return ev, nil
	})
	fake.Handle("post-auth", lambdatest.Respond(nil))
	fake.Handle("custom-message", func(_ context.Context, ev map[string]any) (any, error) {
		req := ev["request"].(map[string]any)
		ev["response"] = map[string]any{"emailSubject": "Welcome aboard", "emailMessage": "Hello " + ev["userName"].(string) + ", your code is " + req["codeParameter"].(string)}
		return ev, nil
	})
	fake.Handle("pre-token", lambdatest.Respond(map[string]any{"claimsAndScopeOverrideDetails": map[string]any{
		"idTokenGeneration":     map[string]any{"claimsToAddOrOverride": map[string]any{"tenant": "acme", "plan": map[string]any{"tier": "gold"}}},
		"accessTokenGeneration": map[string]any{"claimsToAddOrOverride": map[string]any{"tenant": "acme"}, "scopesToAdd": []string{"api/read"}},
		"groupOverrideDetails":  map[string]any{"groupsToOverride": []string{"readers"}},
	}}))
	e := newTriggerEnv(t, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		UserPoolTier:           types.UserPoolTierTypeEssentials,
		LambdaConfig: &types.LambdaConfigType{
			PreSignUp: fnARN("pre-sign-up"), PostConfirmation: fnARN("post-confirmation"),
			PreAuthentication: fnARN("pre-auth"), PostAuthentication: fnARN("post-auth"), CustomMessage: fnARN("custom-message"),
			PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{LambdaArn: fnARN("pre-token"), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20},
		},
	}, fake)

	// A function error refuses the sign-up with the function's message.
	_, err := e.signUp("eve", attr("email", "eve@blocked.example"))
	wantErr(t, err, "UserLambdaValidationException", "PreSignUp failed with error Sign-up is closed for this domain.")

	// autoConfirmUser and autoVerifyEmail: confirmed at once, no code sent,
	// and the post confirmation trigger called.
	out, err := e.signUp("ann", attr("email", "ann@trusted.example"))
	if err != nil {
		t.Fatal(err)
	}
	if !out.UserConfirmed || out.CodeDeliveryDetails != nil {
		t.Errorf("trusted sign-up: confirmed %v, delivery %+v", out.UserConfirmed, out.CodeDeliveryDetails)
	}
	ev := lastEvent(t, fake, "pre-sign-up")
	if ev["triggerSource"] != "PreSignUp_SignUp" || ev["userPoolId"] != e.pool || ev["callerContext"].(map[string]any)["clientId"] != e.client {
		t.Errorf("pre sign-up event %v", ev)
	}
	pc := lastEvent(t, fake, "post-confirmation")
	if pc["triggerSource"] != "PostConfirmation_ConfirmSignUp" || pc["userName"] != "ann" {
		t.Errorf("post confirmation event %v", pc)
	}
	u := must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("ann")}))
	if attrs(u.UserAttributes)["email_verified"] != "true" {
		t.Errorf("ann's attributes %v", attrs(u.UserAttributes))
	}

	// Without a decision the user waits for a code, sent with the custom
	// message.
	if _, err := e.signUp("bob", attr("email", "bob@example.com")); err != nil {
		t.Fatal(err)
	}
	msgs := outbox(t, e.s, e.pool, "bob@example.com")
	if len(msgs) != 1 || msgs[0].Subject != "Welcome aboard" || !signupCodeRE.MatchString(msgs[0].Text) || !strings.HasPrefix(msgs[0].Text, "Hello bob, your code is ") {
		t.Errorf("custom message: %+v", msgs)
	}
	if cm := lastEvent(t, fake, "custom-message"); cm["triggerSource"] != "CustomMessage_SignUp" {
		t.Errorf("custom message event %v", cm)
	}

	// Sign-in: pre and post authentication, and pre token generation's
	// claims, scopes and groups.
	res, err := e.password(e.client, "ann", signinPassword)
	if err != nil {
		t.Fatal(err)
	}
	id := claimsOf(t, aws.ToString(res.AuthenticationResult.IdToken))
	access := claimsOf(t, aws.ToString(res.AuthenticationResult.AccessToken))
	if id["tenant"] != "acme" || id["plan"].(map[string]any)["tier"] != "gold" || access["tenant"] != "acme" {
		t.Errorf("claims: id %v, access %v", id, access)
	}
	if access["scope"] != "aws.cognito.signin.user.admin api/read" {
		t.Errorf("access token scope %q", access["scope"])
	}
	if g, _ := id["cognito:groups"].([]any); len(g) != 1 || g[0] != "readers" {
		t.Errorf("groups %v", id["cognito:groups"])
	}
	for fn, source := range map[string]string{"pre-auth": "PreAuthentication_Authentication", "post-auth": "PostAuthentication_Authentication", "pre-token": "TokenGeneration_Authentication"} {
		ev := lastEvent(t, fake, fn)
		ua := ev["request"].(map[string]any)["userAttributes"].(map[string]any)
		if ev["triggerSource"] != source || ua["cognito:user_status"] != "CONFIRMED" || ua["email"] != "ann@trusted.example" {
			t.Errorf("%s event %v", fn, ev)
		}
	}
	if v := lastEvent(t, fake, "pre-token")["version"]; v != "2" {
		t.Errorf("pre token generation event version %v", v)
	}

	// Pre authentication refuses a sign-in.
	e.user(t, "mallory")
	_, err = e.password(e.client, "mallory", signinPassword)
	wantErr(t, err, "UserLambdaValidationException", "PreAuthentication failed with error Account under review.")
	if n := fake.Unsigned(); n != 0 {
		t.Errorf("%d Invoke API requests were not signed", n)
	}
}

func TestUserMigration(t *testing.T) {
	// The legacy directory: passwords that Cognate's policy would refuse.
	legacy := map[string]string{"old-ann": "weak", "old-bob": "weak2", "old-cy": ""}
	fake := lambdatest.Start(t)
	fake.Handle("migrate", func(_ context.Context, ev map[string]any) (any, error) {
		name := ev["userName"].(string)
		pw, known := legacy[name]
		req := ev["request"].(map[string]any)
		if !known || (ev["triggerSource"] == "UserMigration_Authentication" && req["password"] != pw) {
			return nil, errors.New("Bad password")
		}
		resp := map[string]any{
			"userAttributes": map[string]any{"email": name + "@example.com", "email_verified": "true"},
			"messageAction":  "SUPPRESS",
		}
		if name == "old-bob" {
			resp["finalUserStatus"] = "RESET_REQUIRED"
		}
		ev["response"] = resp
		return ev, nil
	})
	e := newTriggerEnv(t, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		LambdaConfig:           &types.LambdaConfigType{UserMigration: fnARN("migrate")},
	}, fake)

	// A sign-in with the legacy password migrates the user, who gets
	// tokens and is stored for good.
	res, err := e.password(e.client, "old-ann", "weak")
	if err != nil {
		t.Fatal(err)
	}
	if res.AuthenticationResult == nil {
		t.Fatalf("migration sign-in: %+v", res)
	}
	ev := lastEvent(t, fake, "migrate")
	if ev["triggerSource"] != "UserMigration_Authentication" || ev["request"].(map[string]any)["password"] != "weak" {
		t.Errorf("migration event %v", ev)
	}
	u := must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("old-ann")}))
	if u.UserStatus != types.UserStatusTypeConfirmed || attrs(u.UserAttributes)["email"] != "old-ann@example.com" {
		t.Errorf("migrated user: %s %v", u.UserStatus, attrs(u.UserAttributes))
	}
	calls := len(fake.Events("migrate"))
	// The password is kept as an SRP verifier like every other.
	if _, out, err := e.srpSignIn(t, e.client, "old-ann", "weak"); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("SRP sign-in of a migrated user: %v", err)
	}
	_, err = e.password(e.client, "old-ann", "wrong")
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if n := len(fake.Events("migrate")); n != calls {
		t.Errorf("the trigger was called again for a migrated user (%d calls, want %d)", n, calls)
	}

	// A wrong legacy password: the function fails and the user stays
	// unknown.
	_, err = e.password(e.client, "old-cy", "guess")
	wantErr(t, err, "UserNotFoundException", "Exception migrating user in app client "+e.client)

	// RESET_REQUIRED: the user is stored but must reset the password.
	_, err = e.password(e.client, "old-bob", "weak2")
	wantErr(t, err, "PasswordResetRequiredException", "")

	// A forgotten password migrates the user (without a password) and
	// sends the code.
	out, err := e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.client), Username: aws.String("old-cy")})
	if err != nil {
		t.Fatal(err)
	}
	if out.CodeDeliveryDetails == nil || aws.ToString(out.CodeDeliveryDetails.AttributeName) != "email" {
		t.Errorf("forgot password delivery %+v", out.CodeDeliveryDetails)
	}
	if ev := lastEvent(t, fake, "migrate"); ev["triggerSource"] != "UserMigration_ForgotPassword" || ev["request"].(map[string]any)["password"] != nil {
		t.Errorf("forgot password migration event %v", ev)
	}
	u = must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("old-cy")}))
	if u.UserStatus != types.UserStatusTypeResetRequired {
		t.Errorf("old-cy status %s", u.UserStatus)
	}
	msgs := outbox(t, e.s, e.pool, "old-cy@example.com")
	if len(msgs) != 1 {
		t.Fatalf("outbox %+v", msgs)
	}
	code := signupCodeRE.FindString(msgs[0].Text)
	if _, err := e.c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(e.client), Username: aws.String("old-cy"),
		ConfirmationCode: aws.String(code), Password: aws.String(signinPassword)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.password(e.client, "old-cy", signinPassword); err != nil {
		t.Fatal(err)
	}

	// Unknown to the function too: UserNotFoundException.
	_, err = e.password(e.client, "nobody", "x")
	wantErr(t, err, "UserNotFoundException", "")
}

// customAuthFunctions are a question-and-answer custom authentication:
// three wrong answers fail it, a right one signs in; after an SRP_A it
// asks for the password first.
func customAuthFunctions(fake *lambdatest.Server) {
	fake.Handle("define", func(_ context.Context, ev map[string]any) (any, error) {
		session, _ := ev["request"].(map[string]any)["session"].([]any)
		resp := map[string]any{"issueTokens": false, "failAuthentication": false}
		var last map[string]any
		if len(session) > 0 {
			last = session[len(session)-1].(map[string]any)
		}
		switch {
		case last != nil && last["challengeName"] == "SRP_A":
			resp["challengeName"] = "PASSWORD_VERIFIER"
		case last != nil && last["challengeName"] == "CUSTOM_CHALLENGE" && last["challengeResult"] == true:
			resp["issueTokens"] = true
		case len(session) >= 3:
			resp["failAuthentication"] = true
		default:
			resp["challengeName"] = "CUSTOM_CHALLENGE"
		}
		ev["response"] = resp
		return ev, nil
	})
	fake.Handle("create", lambdatest.Respond(map[string]any{
		"publicChallengeParameters":  map[string]any{"question": "What colour is the sky?"},
		"privateChallengeParameters": map[string]any{"answer": "blue"},
		"challengeMetadata":          "SKY",
	}))
	fake.Handle("verify", func(_ context.Context, ev map[string]any) (any, error) {
		req := ev["request"].(map[string]any)
		ev["response"] = map[string]any{"answerCorrect": req["challengeAnswer"] == req["privateChallengeParameters"].(map[string]any)["answer"]}
		return ev, nil
	})
}

func TestCustomAuth(t *testing.T) {
	fake := lambdatest.Start(t)
	customAuthFunctions(fake)
	e := newTriggerEnv(t, &cip.CreateUserPoolInput{LambdaConfig: &types.LambdaConfigType{
		DefineAuthChallenge: fnARN("define"), CreateAuthChallenge: fnARN("create"), VerifyAuthChallengeResponse: fnARN("verify"),
	}}, fake)
	e.user(t, "ann")
	answer := func(session *string, a string) (*cip.RespondToAuthChallengeOutput, error) {
		return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(e.client), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: session,
			ChallengeResponses: map[string]string{"USERNAME": "ann", "ANSWER": a},
		})
	}
	init, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "ann"}})
	if err != nil {
		t.Fatal(err)
	}
	if init.ChallengeName != types.ChallengeNameTypeCustomChallenge || init.ChallengeParameters["question"] != "What colour is the sky?" || init.ChallengeParameters["USERNAME"] != "ann" {
		t.Fatalf("challenge %s %v", init.ChallengeName, init.ChallengeParameters)
	}
	if _, leaked := init.ChallengeParameters["answer"]; leaked {
		t.Fatal("private challenge parameters reached the client")
	}
	wrong, err := answer(init.Session, "green")
	if err != nil {
		t.Fatal(err)
	}
	if wrong.ChallengeName != types.ChallengeNameTypeCustomChallenge || wrong.AuthenticationResult != nil {
		t.Fatalf("after a wrong answer: %+v", wrong)
	}
	// A used session cannot be answered again.
	_, err = answer(init.Session, "blue")
	wantErr(t, err, "NotAuthorizedException", "Invalid session")
	right, err := answer(wrong.Session, "blue")
	if err != nil {
		t.Fatal(err)
	}
	if right.AuthenticationResult == nil {
		t.Fatalf("after the right answer: %+v", right)
	}
	ev := lastEvent(t, fake, "define")
	session := ev["request"].(map[string]any)["session"].([]any)
	if ev["triggerSource"] != "DefineAuthChallenge_Authentication" || len(session) != 2 ||
		!cmpEntry(session[0], "CUSTOM_CHALLENGE", false, "SKY") || !cmpEntry(session[1], "CUSTOM_CHALLENGE", true, "SKY") {
		t.Errorf("define event %v", ev)
	}
	if v := lastEvent(t, fake, "verify"); v["triggerSource"] != "VerifyAuthChallengeResponse_Authentication" || v["request"].(map[string]any)["challengeAnswer"] != "blue" {
		t.Errorf("verify event %v", v)
	}

	// Three wrong answers fail the sign-in.
	init, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "ann"}})
	if err != nil {
		t.Fatal(err)
	}
	session2 := init.Session
	for i := range 3 {
		out, err := answer(session2, "red")
		if i == 2 {
			wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		session2 = out.Session
	}

	// The SRP variant: the password first, then the question.
	cl, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	init, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "ann", "SRP_A": cl.A(), "CHALLENGE_NAME": "SRP_A"}})
	if err != nil {
		t.Fatal(err)
	}
	if init.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("SRP variant: challenge %s", init.ChallengeName)
	}
	pv, err := e.answerSRP(t, e.client, cl, init, signinPassword)
	if err != nil {
		t.Fatal(err)
	}
	if pv.ChallengeName != types.ChallengeNameTypeCustomChallenge {
		t.Fatalf("after PASSWORD_VERIFIER: %+v", pv)
	}
	session = lastEvent(t, fake, "define")["request"].(map[string]any)["session"].([]any)
	if len(session) != 2 || !cmpEntry(session[0], "SRP_A", true, "") || !cmpEntry(session[1], "PASSWORD_VERIFIER", true, "") {
		t.Errorf("SRP variant session %v", session)
	}
	done, err := answer(pv.Session, "blue")
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("SRP variant answer: %v %+v", err, done)
	}
}

// cmpEntry reports whether a session entry of a define event is the one
// given.
func cmpEntry(v any, name string, result bool, metadata string) bool {
	m, _ := v.(map[string]any)
	md, _ := m["challengeMetadata"].(string)
	return m["challengeName"] == name && m["challengeResult"] == result && md == metadata
}

func TestCustomAuthWithoutTrigger(t *testing.T) {
	e := newTriggerEnv(t, nil, lambdatest.Start(t))
	e.user(t, "ann")
	_, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeCustomAuth,
		AuthParameters: map[string]string{"USERNAME": "ann"}})
	wantErr(t, err, "InvalidParameterException", "Custom auth lambda trigger is not configured for the user pool.")
}

// CUSTOM_AUTH for a user who does not exist, at a client with
// PreventUserExistenceErrors: the triggers run with userNotFound and the
// caller sees challenges as for a real user, but never tokens.
func TestCustomAuthUnknownUser(t *testing.T) {
	fake := lambdatest.Start(t)
	customAuthFunctions(fake)
	fake.Handle("pre-auth", lambdatest.Respond(nil))
	e := newTriggerEnv(t, &cip.CreateUserPoolInput{LambdaConfig: &types.LambdaConfigType{
		DefineAuthChallenge: fnARN("define"), CreateAuthChallenge: fnARN("create"), VerifyAuthChallengeResponse: fnARN("verify"),
		PreAuthentication: fnARN("pre-auth"),
	}}, fake)
	prevent := aws.ToString(e.signinEnv.client(t, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowCustomAuth)
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	}).ClientId)
	start := func(client string) (*cip.InitiateAuthOutput, error) {
		return e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(client), AuthFlow: types.AuthFlowTypeCustomAuth,
			AuthParameters: map[string]string{"USERNAME": "ghost"}})
	}
	// Without PreventUserExistenceErrors the user is not found.
	_, err := start(e.client)
	wantErr(t, err, "UserNotFoundException", "")

	init, err := start(prevent)
	if err != nil {
		t.Fatal(err)
	}
	if init.ChallengeName != types.ChallengeNameTypeCustomChallenge || init.ChallengeParameters["question"] != "What colour is the sky?" ||
		init.ChallengeParameters["USERNAME"] != "ghost" || len(aws.ToString(init.Session)) == 0 {
		t.Fatalf("challenge %s %v", init.ChallengeName, init.ChallengeParameters)
	}
	for _, fn := range []string{"pre-auth", "define", "create"} {
		if ev := lastEvent(t, fake, fn); ev["request"].(map[string]any)["userNotFound"] != true || ev["userName"] != "ghost" {
			t.Errorf("%s event %v", fn, ev)
		}
	}
	// Even the right answer signs no one in; the answer went through the
	// verify trigger and the session history reached the define trigger.
	_, err = e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(prevent), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: init.Session,
		ChallengeResponses: map[string]string{"USERNAME": "ghost", "ANSWER": "blue"},
	})
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if ev := lastEvent(t, fake, "verify"); ev["request"].(map[string]any)["userNotFound"] != true || ev["request"].(map[string]any)["challengeAnswer"] != "blue" {
		t.Errorf("verify event %v", ev)
	}
	session := lastEvent(t, fake, "define")["request"].(map[string]any)["session"].([]any)
	if len(session) != 1 || !cmpEntry(session[0], "CUSTOM_CHALLENGE", true, "SKY") {
		t.Errorf("define session %v", session)
	}
	// The session is spent.
	_, err = e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(prevent), ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: init.Session,
		ChallengeResponses: map[string]string{"USERNAME": "ghost", "ANSWER": "blue"},
	})
	wantErr(t, err, "NotAuthorizedException", "")
}
