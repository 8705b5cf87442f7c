package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// Developer-only attributes (dev:custom:) are written with administrative
// calls only: the user's own access token can neither change nor delete
// them, whatever the app client's WriteAttributes say.
func TestDeveloperOnlyAttributes(t *testing.T) {
	e := newAccountEnv(t, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{{
		Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, DeveloperOnlyAttribute: aws.Bool(true), Mutable: aws.Bool(true),
	}}}, nil)
	token := e.newUser(t, "dev", attr("dev:custom:tier", "free"))
	_, err := updateAttrs(e.c, token, attr("dev:custom:tier", "gold"))
	wantErr(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	_, err = e.c.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(token), UserAttributeNames: []string{"dev:custom:tier"}})
	wantErr(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")

	named := e.newClient(t, &cip.CreateUserPoolClientInput{ClientName: aws.String("named"), WriteAttributes: []string{"dev:custom:tier", "name"}})
	tok := aws.ToString(signInForTest(t, e.c, e.pool, named, "dev", accountPassword).AccessToken)
	_, err = updateAttrs(e.c, tok, attr("dev:custom:tier", "gold"))
	wantErr(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	if got := e.adminAttrs(t, "dev")["dev:custom:tier"]; got != "free" {
		t.Fatalf("dev:custom:tier = %q after refused writes, want free", got)
	}
	must[*cip.AdminUpdateUserAttributesOutput](t)(e.c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("dev"), UserAttributes: []types.AttributeType{attr("dev:custom:tier", "gold")},
	}))
	if got := e.adminAttrs(t, "dev")["dev:custom:tier"]; got != "gold" {
		t.Fatalf("dev:custom:tier = %q after AdminUpdateUserAttributes, want gold", got)
	}
}

var (
	sessionRE = regexp.MustCompile(`^[A-Za-z0-9]{88}$`)
	blockRE   = regexp.MustCompile(`^[A-Za-z0-9+/]{86}==$`)
	saltRE    = regexp.MustCompile(`^[0-9a-f]+$`)
)

// With PreventUserExistenceErrors, the PASSWORD_VERIFIER challenge for a
// user who does not exist has the form of a real one: the same Session and
// SECRET_BLOCK shapes and, in a pool where email is the username, a stable
// UUID as USER_ID_FOR_SRP rather than the typed address.
func TestSimulatedSRPChallengeForm(t *testing.T) {
	e := newSigninEnv(t, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
	id := aws.ToString(e.client(t, func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	}).ClientId)
	e.user(t, "real@example.com")
	challenge := func(name string) *cip.InitiateAuthOutput {
		cl, err := srp.NewClient(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": name, "SRP_A": cl.A()},
		}))
	}
	real, ghost, again := challenge("real@example.com"), challenge("ghost@example.com"), challenge("ghost@example.com")
	for _, out := range []*cip.InitiateAuthOutput{real, ghost} {
		p := out.ChallengeParameters
		if out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
			t.Fatalf("challenge %s", out.ChallengeName)
		}
		if !sessionRE.MatchString(aws.ToString(out.Session)) {
			t.Errorf("Session %q is not 88 alphanumerics", aws.ToString(out.Session))
		}
		if !blockRE.MatchString(p["SECRET_BLOCK"]) {
			t.Errorf("SECRET_BLOCK %q is not 64 bytes in base64", p["SECRET_BLOCK"])
		}
		if !uuidRE.MatchString(p["USER_ID_FOR_SRP"]) || p["USERNAME"] != p["USER_ID_FOR_SRP"] {
			t.Errorf("USER_ID_FOR_SRP %q, USERNAME %q: want one UUID", p["USER_ID_FOR_SRP"], p["USERNAME"])
		}
		if !saltRE.MatchString(p["SALT"]) || len(p["SALT"]) != len(real.ChallengeParameters["SALT"]) {
			t.Errorf("SALT %q differs in form from a real one", p["SALT"])
		}
		if len(p) != len(real.ChallengeParameters) {
			t.Errorf("parameters %v, a real challenge has %v", p, real.ChallengeParameters)
		}
	}
	if ghost.ChallengeParameters["USER_ID_FOR_SRP"] != again.ChallengeParameters["USER_ID_FOR_SRP"] || ghost.ChallengeParameters["SALT"] != again.ChallengeParameters["SALT"] {
		t.Error("the simulated USER_ID_FOR_SRP or SALT changes between attempts")
	}
	cl, _ := srp.NewClient(rand.Reader)
	init := must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: map[string]string{"USERNAME": "ghost@example.com", "SRP_A": cl.A()},
	}))
	_, err := e.answerSRP(t, id, cl, init, signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
}

// With PreventUserExistenceErrors, ConfirmForgotPassword answers an unknown
// user as it answers a real one with a wrong code: a password the policy
// refuses first, then CodeMismatchException.
func TestConfirmForgotPasswordUnknownUserForm(t *testing.T) {
	e := newSignupEnv(t, nil, &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
	createUser(t, e.c, e.pool, "kit", attr("email", "kit@example.com"), attr("email_verified", "true"))
	e.setPassword(t, "kit", signupPassword, true)
	must[*cip.ForgotPasswordOutput](t)(e.forgot("kit"))
	code := e.code(t, "kit@example.com")
	for _, name := range []string{"kit", "ghost"} {
		wantErr(t, e.confirmForgot(name, wrong(code), "weak"), "InvalidPasswordException", "Password did not conform with policy")
		wantErr(t, e.confirmForgot(name, wrong(code), "Strong=Passw0rd!"), "CodeMismatchException", "Invalid verification code provided, please try again.")
	}
}

// BenchmarkUserExistence compares, with PreventUserExistenceErrors, the
// time a wrong answer takes for a user who exists and for one who does not
// (a wrong password, a wrong PASSWORD_VERIFIER, a wrong reset code): the
// pairs should be close. Each iteration moves the fake clock past the
// lockout so that the real user is never locked out.
func BenchmarkUserExistence(b *testing.B) {
	clock := testserver.NewClock(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
	s := testserver.StartWith(b, testserver.NewConfig(b), server.Options{Now: clock.Now})
	c := s.Client
	pool := must[*cip.CreateUserPoolOutput](b)(c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench")})).UserPool.Id
	client := must[*cip.CreateUserPoolClientOutput](b)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: pool, ClientName: aws.String("bench"), PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})).UserPoolClient.ClientId
	must[*cip.AdminCreateUserOutput](b)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("real"), MessageAction: types.MessageActionTypeSuppress}))
	must[*cip.AdminSetUserPasswordOutput](b)(c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool, Username: aws.String("real"), Password: aws.String(signinPassword), Permanent: true}))
	_, poolName, _ := strings.Cut(aws.ToString(pool), "_")
	wrongAnswer := func(b *testing.B, err error) {
		if err == nil {
			b.Fatal("a wrong answer was accepted")
		}
	}
	for _, name := range []string{"real", "ghost"} {
		b.Run("password/"+name, func(b *testing.B) {
			for b.Loop() {
				clock.Advance(time.Hour)
				_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: client, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
					AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": "Wrong-Passw0rd!"}})
				wrongAnswer(b, err)
			}
		})
		b.Run("verifier/"+name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				clock.Advance(time.Hour)
				cl, _ := srp.NewClient(rand.Reader)
				init := must[*cip.InitiateAuthOutput](b)(c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: client, AuthFlow: types.AuthFlowTypeUserSrpAuth,
					AuthParameters: map[string]string{"USERNAME": name, "SRP_A": cl.A()}}))
				p := init.ChallengeParameters
				block, _ := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
				ts := clock.Now().Format(srp.TimestampLayout)
				sig, err := cl.Sign(poolName, p["USER_ID_FOR_SRP"], "Wrong-Passw0rd!", p["SALT"], p["SRP_B"], block, ts)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				_, err = c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: client, ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: init.Session,
					ChallengeResponses: map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}})
				wrongAnswer(b, err)
			}
		})
		b.Run("confirmForgot/"+name, func(b *testing.B) {
			for b.Loop() {
				_, err := c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: client, Username: aws.String(name), ConfirmationCode: aws.String("000000"), Password: aws.String("Reset=Passw0rd!")})
				wrongAnswer(b, err)
			}
		})
	}
}

// Without token revocation, a global sign-out ends the access tokens
// issued before it by their time: a sign-in in the same second, after the
// sign-out, still gets working tokens.
func TestSignInSameSecondAsSignOut(t *testing.T) {
	e := newSigninEnv(t, nil)
	id := aws.ToString(e.client(t, func(in *cip.CreateUserPoolClientInput) { in.EnableTokenRevocation = aws.Bool(false) }).ClientId)
	e.user(t, "sol")
	before := must[*cip.InitiateAuthOutput](t)(e.password(id, "sol", signinPassword)).AuthenticationResult
	must[*cip.GlobalSignOutOutput](t)(e.c.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: before.AccessToken}))
	after := must[*cip.InitiateAuthOutput](t)(e.password(id, "sol", signinPassword)).AuthenticationResult
	_, err := e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: before.AccessToken})
	wantErr(t, err, "NotAuthorizedException", "Access Token has been revoked")
	must[*cip.GetUserOutput](t)(e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: after.AccessToken}))
	e.clock.Advance(time.Second)
	must[*cip.GetUserOutput](t)(e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: after.AccessToken}))
	_, err = e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: before.AccessToken})
	wantErr(t, err, "NotAuthorizedException", "Access Token has been revoked")
}

// Values of shapes the model marks sensitive (AuthParametersType,
// ChallengeResponsesType, UserContextDataType) are never echoed in
// validation messages.
func TestSensitiveValuesNotEchoed(t *testing.T) {
	e := newSigninEnv(t, nil)
	id := aws.ToString(e.client(t, nil).ClientId)
	secret := "S3cret" + strings.Repeat("x", 131073)
	_, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "who", "PASSWORD": secret}})
	wantErr(t, err, "InvalidParameterException", "authParameters")
	if strings.Contains(err.Error(), "S3cret") {
		t.Fatalf("the password is echoed: %.200s", err)
	}
	_, err = e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(id), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
		Session: aws.String("s"), ChallengeResponses: map[string]string{"USERNAME": "who", "NEW_PASSWORD": secret}})
	wantErr(t, err, "InvalidParameterException", "challengeResponses")
	if strings.Contains(err.Error(), "S3cret") {
		t.Fatalf("the new password is echoed: %.200s", err)
	}
	_, err = e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "who", "PASSWORD": "pw"}, UserContextData: &types.UserContextDataType{IpAddress: aws.String("S3cret" + strings.Repeat("1", 200))}})
	if err != nil && strings.Contains(err.Error(), "S3cret") {
		t.Fatalf("the context data is echoed: %.200s", err)
	}
}

// Member names are exact and duplicate keys are refused, over the wire.
func TestJSONMemberNamesExact(t *testing.T) {
	s := testserver.Start(t)
	pool := aws.ToString(newPool(t, s.Client, nil).Id)
	post := func(body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminCreateUser")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype")
	}
	if code, et := post(`{"UserPoolId":"` + pool + `","username":"amy","MessageAction":"SUPPRESS"}`); code != 400 || et != "InvalidParameterException" {
		t.Errorf("lower-case username: %d %s, want 400 InvalidParameterException", code, et)
	}
	if code, et := post(`{"UserPoolId":"` + pool + `","Username":"amy","Username":"bob","MessageAction":"SUPPRESS"}`); code != 400 || et != "SerializationException" {
		t.Errorf("duplicate Username: %d %s, want 400 SerializationException", code, et)
	}
	if code, et := post(`{"UserPoolId":"` + pool + `","Username":"amy","MessageAction":"SUPPRESS"}`); code != 200 {
		t.Errorf("exact names: %d %s", code, et)
	}
}

// While admin operations are open, the server answers only to hosts that
// cannot be a rebound name, refuses IAM-authorized operations from other
// origins, and answers Private Network Access preflights.
func TestOpenAdminGuards(t *testing.T) {
	s := testserver.Start(t)
	pool := aws.ToString(newPool(t, s.Client, nil).Id)
	send := func(method, path, host, origin, op, body string, hdr ...string) *http.Response {
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		if host != "" {
			req.Host = host
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if op != "" {
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	describe := `{"UserPoolId":"` + pool + `"}`
	for _, host := range []string{"rebound.example.com", "rebound.example.com:9229"} {
		if r := send("POST", "/", host, "", "DescribeUserPool", describe); r.StatusCode != 403 || r.Header.Get("X-Amzn-Errortype") != "AccessDeniedException" {
			t.Errorf("Host %s: %d %s", host, r.StatusCode, r.Header.Get("X-Amzn-Errortype"))
		}
		if r := send("GET", "/_cognate/outbox", host, "", "", ""); r.StatusCode != 403 {
			t.Errorf("outbox with Host %s: %d", host, r.StatusCode)
		}
	}
	for _, host := range []string{"localhost:9229", "app.localhost", "[::1]:9229", "10.1.2.3"} {
		if r := send("POST", "/", host, "", "DescribeUserPool", describe); r.StatusCode != 200 {
			t.Errorf("Host %s: %d %s", host, r.StatusCode, r.Header.Get("X-Amzn-Errortype"))
		}
	}
	if r := send("POST", "/", "", "https://attacker.example", "DescribeUserPool", describe); r.StatusCode != 403 || r.Header.Get("X-Amzn-Errortype") != "AccessDeniedException" {
		t.Errorf("cross-origin DescribeUserPool: %d %s", r.StatusCode, r.Header.Get("X-Amzn-Errortype"))
	}
	if r := send("POST", "/", "", "https://app.example", "InitiateAuth", `{"ClientId":"nosuchclient","AuthFlow":"USER_PASSWORD_AUTH"}`); r.StatusCode != 400 ||
		r.Header.Get("X-Amzn-Errortype") != "ResourceNotFoundException" || r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("cross-origin InitiateAuth: %d %s", r.StatusCode, r.Header.Get("X-Amzn-Errortype"))
	}
	r := send("OPTIONS", "/", "", "https://app.example", "", "", "Access-Control-Request-Method", "POST", "Access-Control-Request-Private-Network", "true")
	if r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Private-Network") != "true" {
		t.Errorf("Private Network Access preflight: %d %v", r.StatusCode, r.Header)
	}
}

// GET /health answers while the server serves, GET /health/ready while its
// store answers too.
func TestHealthEndpoints(t *testing.T) {
	s := testserver.Start(t)
	for _, path := range []string{"/health", "/health/ready"} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]string
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 200 || body["status"] != "ok" {
			t.Errorf("%s: %d %v", path, resp.StatusCode, body)
		}
	}
}

// GET /metrics serves the request metrics in the Prometheus text format.
func TestMetricsEndpoint(t *testing.T) {
	s := testserver.Start(t)
	newPool(t, s.Client, nil)
	_, err := s.Client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_Nothing1")})
	wantErr(t, err, "ResourceNotFoundException", "")
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`cognate_requests_total{operation="CreateUserPool",outcome="ok"} 1`,
		`cognate_requests_total{operation="DescribeUserPool",outcome="ResourceNotFoundException"} 1`,
		`cognate_request_duration_seconds_count{operation="CreateUserPool",outcome="ok"} 1`,
		`go_goroutines `,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
