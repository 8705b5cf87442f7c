package e2e

import (
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// signupPassword satisfies the default password policy.
const signupPassword = "Sign-up=Passw0rd!"

// signupEnv is a server on a fake clock with one pool and one app client.
type signupEnv struct {
	s      *testserver.Server
	c      *cip.Client
	clock  *testserver.Clock
	pool   string
	client string
	secret string
}

// newSignupEnv makes the pool from in and the app client from cl (nil for
// the defaults; the pool and a name are filled in).
func newSignupEnv(t *testing.T, in *cip.CreateUserPoolInput, cl *cip.CreateUserPoolClientInput) *signupEnv {
	t.Helper()
	clock := testserver.NewClock(time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC))
	s := testserver.StartWith(t, testserver.NewConfig(t), server.Options{Now: clock.Now})
	e := &signupEnv{s: s, c: s.Client, clock: clock}
	e.pool = aws.ToString(newPool(t, e.c, in).Id)
	e.client, e.secret = e.newClient(t, cl)
	return e
}

func (e *signupEnv) newClient(t *testing.T, cl *cip.CreateUserPoolClientInput) (id, secret string) {
	t.Helper()
	if cl == nil {
		cl = &cip.CreateUserPoolClientInput{}
	}
	cl.UserPoolId = aws.String(e.pool)
	if cl.ClientName == nil {
		cl.ClientName = aws.String("app")
	}
	out := must[*cip.CreateUserPoolClientOutput](t)(e.c.CreateUserPoolClient(ctx, cl)).UserPoolClient
	return aws.ToString(out.ClientId), aws.ToString(out.ClientSecret)
}

func (e *signupEnv) signUp(username, pw string, as ...types.AttributeType) (*cip.SignUpOutput, error) {
	return e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(e.client), Username: aws.String(username), Password: aws.String(pw), UserAttributes: as})
}

func (e *signupEnv) confirm(username, code string, force bool) error {
	_, err := e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client), Username: aws.String(username), ConfirmationCode: aws.String(code), ForceAliasCreation: force})
	return err
}

func (e *signupEnv) resend(username string) (*cip.ResendConfirmationCodeOutput, error) {
	return e.c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(e.client), Username: aws.String(username)})
}

func (e *signupEnv) forgot(username string) (*cip.ForgotPasswordOutput, error) {
	return e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.client), Username: aws.String(username)})
}

func (e *signupEnv) confirmForgot(username, code, pw string) error {
	_, err := e.c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(e.client), Username: aws.String(username), ConfirmationCode: aws.String(code), Password: aws.String(pw)})
	return err
}

func (e *signupEnv) setPassword(t *testing.T, username, pw string, permanent bool) {
	t.Helper()
	must[*cip.AdminSetUserPasswordOutput](t)(e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(username), Password: aws.String(pw), Permanent: permanent,
	}))
}

// user returns a user as AdminGetUser shows it.
func (e *signupEnv) user(t *testing.T, username string) *cip.AdminGetUserOutput {
	t.Helper()
	return must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String(username)}))
}

func (e *signupEnv) wantStatus(t *testing.T, username string, want types.UserStatusType) {
	t.Helper()
	if got := e.user(t, username).UserStatus; got != want {
		t.Fatalf("%s: status %s, want %s", username, got, want)
	}
}

var signupCodeRE = regexp.MustCompile(`\b[0-9]{6}\b`)

// messages returns the outbox messages to dest, newest first.
func (e *signupEnv) messages(t *testing.T, dest string) []string {
	t.Helper()
	var out []string
	for _, m := range outbox(t, e.s, e.pool, dest) {
		out = append(out, m.Text)
	}
	return out
}

// code returns the code in the newest message to dest.
func (e *signupEnv) code(t *testing.T, dest string) string {
	t.Helper()
	msgs := e.messages(t, dest)
	if len(msgs) == 0 {
		t.Fatalf("no message to %s", dest)
	}
	code := signupCodeRE.FindString(msgs[0])
	if code == "" {
		t.Fatalf("no code in %q", msgs[0])
	}
	return code
}

// signupOK fails the test on err.
func signupOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wrong returns a six-digit code different from code.
func wrong(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

// passwordIs reports whether pw is the stored password of the user with
// internal username name: the sealed SRP verifier is opened with the
// server's key and compared.
func (e *signupEnv) passwordIs(t *testing.T, name, pw string) bool {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	keys, err := server.LoadKeys(e.s.Config, log)
	if err != nil {
		t.Fatal(err)
	}
	st, err := server.OpenStore(ctx, e.s.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.GetUser(ctx, e.pool, name)
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	cred, err := password.Open(keys, e.pool, u.Username, u.Password)
	if err != nil {
		t.Fatal(err)
	}
	return cred.Matches(password.PoolName(e.pool), u.Username, []byte(pw))
}

func wantDetails(t *testing.T, d *types.CodeDeliveryDetailsType, attr string, medium types.DeliveryMediumType, dest string) {
	t.Helper()
	if d == nil {
		t.Fatal("no CodeDeliveryDetails")
	}
	if aws.ToString(d.AttributeName) != attr || d.DeliveryMedium != medium || aws.ToString(d.Destination) != dest {
		t.Fatalf("CodeDeliveryDetails = %s %s %s, want %s %s %s", aws.ToString(d.AttributeName), d.DeliveryMedium, aws.ToString(d.Destination), attr, medium, dest)
	}
}

func emailAutoVerified() *cip.CreateUserPoolInput {
	return &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}}
}

// A user signs up, receives a code by email and confirms: the password is
// theirs, the email becomes verified and the user CONFIRMED.
func TestSignUpAndConfirm(t *testing.T) {
	e := newSignupEnv(t, emailAutoVerified(), nil)
	out := must[*cip.SignUpOutput](t)(e.signUp("bob", signupPassword, attr("email", "bob@example.com"), attr("given_name", "Bob")))
	if out.UserConfirmed || aws.ToString(out.UserSub) == "" {
		t.Fatalf("SignUp = confirmed %v, sub %q", out.UserConfirmed, aws.ToString(out.UserSub))
	}
	wantDetails(t, out.CodeDeliveryDetails, "email", types.DeliveryMediumTypeEmail, "b***@e***")
	u := e.user(t, "bob")
	a := attrs(u.UserAttributes)
	if u.UserStatus != types.UserStatusTypeUnconfirmed || a["sub"] != aws.ToString(out.UserSub) || a["email_verified"] == "true" || a["given_name"] != "Bob" {
		t.Fatalf("after SignUp: %s %v", u.UserStatus, a)
	}
	if !e.passwordIs(t, "bob", signupPassword) {
		t.Fatal("the sign-up password is not the stored one")
	}
	msgs := outbox(t, e.s, e.pool, "bob@example.com")
	if len(msgs) != 1 || msgs[0].Medium != "EMAIL" || msgs[0].Subject != "Your verification code" || msgs[0].Kind != "code" {
		t.Fatalf("outbox: %+v", msgs)
	}
	code := e.code(t, "bob@example.com")

	wantErr(t, e.confirm("bob", wrong(code), false), "CodeMismatchException", "Invalid verification code provided, please try again.")
	signupOK(t, e.confirm("bob", code, false))
	u = e.user(t, "bob")
	if a := attrs(u.UserAttributes); u.UserStatus != types.UserStatusTypeConfirmed || a["email_verified"] != "true" {
		t.Fatalf("after ConfirmSignUp: %s %v", u.UserStatus, a)
	}
	wantErr(t, e.confirm("bob", code, false), "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
	_, err := e.resend("bob")
	wantErr(t, err, "InvalidParameterException", "User is already confirmed.")
	_, err = e.signUp("bob", signupPassword)
	wantErr(t, err, "UsernameExistsException", "User already exists")
	_, err = e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String("nosuchclient"), Username: aws.String("bob"), ConfirmationCode: aws.String(code)})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestSignUpRefusals(t *testing.T) {
	e := newSignupEnv(t, &cip.CreateUserPoolInput{
		AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		Schema:          []types.SchemaAttributeType{{Name: aws.String("family_name"), Required: aws.Bool(true)}},
	}, nil)
	fam := attr("family_name", "Doe")
	cases := []struct {
		name, username, pw string
		as                 []types.AttributeType
		code, msg          string
	}{
		{"short password", "ann", "Sh0rt!", []types.AttributeType{fam}, "InvalidPasswordException", "Password did not conform with policy: Password not long enough"},
		{"no symbol", "ann", "NoSymbol1234", []types.AttributeType{fam}, "InvalidPasswordException", "Password did not conform with policy: Password must have symbol characters"},
		{"required attribute missing", "ann", signupPassword, nil, "InvalidParameterException", "family_name"},
		{"unknown attribute", "ann", signupPassword, []types.AttributeType{fam, attr("custom:nope", "x")}, "InvalidParameterException", "custom:nope"},
		{"self-verified email", "ann", signupPassword, []types.AttributeType{fam, attr("email", "a@example.com"), attr("email_verified", "true")}, "NotAuthorizedException", "A client attempted to write unauthorized attribute"},
		{"email-format username in an email alias pool", "ann@example.com", signupPassword, []types.AttributeType{fam}, "InvalidParameterException", "Username cannot be of email format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.signUp(tc.username, tc.pw, tc.as...)
			wantErr(t, err, tc.code, tc.msg)
		})
	}

	// A client may write only its WriteAttributes.
	narrow, _ := e.newClient(t, &cip.CreateUserPoolClientInput{ClientName: aws.String("narrow"), WriteAttributes: []string{"email", "family_name"}})
	_, err := e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(narrow), Username: aws.String("ann"), Password: aws.String(signupPassword),
		UserAttributes: []types.AttributeType{fam, attr("given_name", "Ann")}})
	wantErr(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	must[*cip.SignUpOutput](t)(e.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(narrow), Username: aws.String("ann"), Password: aws.String(signupPassword),
		UserAttributes: []types.AttributeType{fam, attr("email", "ann@example.com")}}))

	// A client with a secret needs the SECRET_HASH of the username.
	secretClient, secret := e.newClient(t, &cip.CreateUserPoolClientInput{ClientName: aws.String("secret"), GenerateSecret: true})
	in := &cip.SignUpInput{ClientId: aws.String(secretClient), Username: aws.String("cid"), Password: aws.String(signupPassword), UserAttributes: []types.AttributeType{fam}}
	_, err = e.c.SignUp(ctx, in)
	wantErr(t, err, "NotAuthorizedException", "SECRET_HASH was not received")
	in.SecretHash = aws.String(appclient.SecretHash(secret, "someone-else", secretClient))
	_, err = e.c.SignUp(ctx, in)
	wantErr(t, err, "NotAuthorizedException", "Unable to verify secret hash")
	in.SecretHash = aws.String(appclient.SecretHash(secret, "cid", secretClient))
	must[*cip.SignUpOutput](t)(e.c.SignUp(ctx, in))
	e.wantStatus(t, "cid", types.UserStatusTypeUnconfirmed)
}

func TestSignUpAdminCreateUserOnly(t *testing.T) {
	e := newSignupEnv(t, &cip.CreateUserPoolInput{AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true}}, nil)
	_, err := e.signUp("dan", signupPassword)
	wantErr(t, err, "NotAuthorizedException", "SignUp is not permitted for this user pool")
	_, err = e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("dan")})
	wantErr(t, err, "UserNotFoundException", "")
}

// In a pool whose users sign in with their email address, the email is the
// sign-in name, the internal username is the sub, and a second sign-up
// with the same address is refused.
func TestSignUpEmailAsUsername(t *testing.T) {
	e := newSignupEnv(t, &cip.CreateUserPoolInput{
		UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	}, nil)
	out := must[*cip.SignUpOutput](t)(e.signUp("carol@example.com", signupPassword))
	sub := aws.ToString(out.UserSub)
	wantDetails(t, out.CodeDeliveryDetails, "email", types.DeliveryMediumTypeEmail, "c***@e***")
	u := e.user(t, "carol@example.com")
	if aws.ToString(u.Username) != sub || attrs(u.UserAttributes)["email"] != "carol@example.com" {
		t.Fatalf("user: %s %v (sub %s)", aws.ToString(u.Username), attrs(u.UserAttributes), sub)
	}
	if !e.passwordIs(t, sub, signupPassword) {
		t.Fatal("password not stored under the internal username")
	}
	_, err := e.signUp("carol@example.com", signupPassword)
	wantErr(t, err, "UsernameExistsException", "An account with the given email already exists.")
	_, err = e.signUp("carol", signupPassword)
	wantErr(t, err, "InvalidParameterException", "Username should be an email.")

	signupOK(t, e.confirm("carol@example.com", e.code(t, "carol@example.com"), false))
	e.wantStatus(t, sub, types.UserStatusTypeConfirmed)
}

// With both phone and email verified automatically, the code goes by SMS,
// with the pool's SMS template; {username} is not a verification message
// placeholder and stays as written.
func TestSignUpCodeBySMS(t *testing.T) {
	e := newSignupEnv(t, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes:      []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail, types.VerifiedAttributeTypePhoneNumber},
		VerificationMessageTemplate: &types.VerificationMessageTemplateType{SmsMessage: aws.String("Code {####} ({username})")},
	}, nil)
	out := must[*cip.SignUpOutput](t)(e.signUp("erin", signupPassword, attr("email", "erin@example.com"), attr("phone_number", "+15550000100")))
	wantDetails(t, out.CodeDeliveryDetails, "phone_number", types.DeliveryMediumTypeSms, "+*******0100")
	if msgs := e.messages(t, "erin@example.com"); len(msgs) != 0 {
		t.Fatalf("email sent too: %q", msgs)
	}
	msgs := e.messages(t, "+15550000100")
	code := e.code(t, "+15550000100")
	if len(msgs) != 1 || msgs[0] != "Code "+code+" ({username})" {
		t.Fatalf("SMS: %q", msgs)
	}
	signupOK(t, e.confirm("erin", code, false))
	a := attrs(e.user(t, "erin").UserAttributes)
	if a["phone_number_verified"] != "true" || a["email_verified"] == "true" {
		t.Fatalf("verified flags: %v", a)
	}
}

// Without automatic verification no code is sent: the user waits for an
// administrator, and ResendConfirmationCode has nothing to resend.
func TestSignUpWithoutAutoVerification(t *testing.T) {
	e := newSignupEnv(t, nil, nil)
	out := must[*cip.SignUpOutput](t)(e.signUp("fay", signupPassword, attr("email", "fay@example.com")))
	if out.CodeDeliveryDetails != nil || out.UserConfirmed {
		t.Fatalf("SignUp: %+v", out)
	}
	if msgs := e.messages(t, "fay@example.com"); len(msgs) != 0 {
		t.Fatalf("message sent: %q", msgs)
	}
	_, err := e.resend("fay")
	wantErr(t, err, "InvalidParameterException", "Auto verification not turned on")

	must[*cip.AdminConfirmSignUpOutput](t)(e.c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(e.pool), Username: aws.String("fay")}))
	u := e.user(t, "fay")
	if u.UserStatus != types.UserStatusTypeConfirmed || attrs(u.UserAttributes)["email_verified"] == "true" {
		t.Fatalf("after AdminConfirmSignUp: %s %v", u.UserStatus, attrs(u.UserAttributes))
	}
	_, err = e.c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(e.pool), Username: aws.String("fay")})
	wantErr(t, err, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
	_, err = e.c.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: aws.String(e.pool), Username: aws.String("nobody")})
	wantErr(t, err, "UserNotFoundException", "User does not exist.")
}

// A sign-up code survives five wrong guesses, expires after 24 hours, and
// is replaced by ResendConfirmationCode.
func TestConfirmSignUpCodeLimits(t *testing.T) {
	e := newSignupEnv(t, emailAutoVerified(), nil)
	must[*cip.SignUpOutput](t)(e.signUp("gus", signupPassword, attr("email", "gus@example.com")))
	code := e.code(t, "gus@example.com")
	for range 5 {
		wantErr(t, e.confirm("gus", wrong(code), false), "CodeMismatchException", "")
	}
	wantErr(t, e.confirm("gus", code, false), "LimitExceededException", "Attempt limit exceeded")

	out := must[*cip.ResendConfirmationCodeOutput](t)(e.resend("gus"))
	wantDetails(t, out.CodeDeliveryDetails, "email", types.DeliveryMediumTypeEmail, "g***@e***")
	fresh := e.code(t, "gus@example.com")
	if n := len(e.messages(t, "gus@example.com")); n != 2 {
		t.Fatalf("%d messages, want 2", n)
	}
	e.clock.Advance(24*time.Hour + time.Second)
	wantErr(t, e.confirm("gus", fresh, false), "ExpiredCodeException", "Invalid code provided, please request a code again.")

	must[*cip.ResendConfirmationCodeOutput](t)(e.resend("gus"))
	latest := e.code(t, "gus@example.com")
	if latest != fresh {
		wantErr(t, e.confirm("gus", fresh, false), "CodeMismatchException", "")
	}
	e.clock.Advance(23 * time.Hour)
	signupOK(t, e.confirm("gus", latest, false))
	e.wantStatus(t, "gus", types.UserStatusTypeConfirmed)
}

// In a pool with email aliases a second user may sign up with an address
// another user verified; confirming it fails with AliasExistsException
// (the code stays usable) unless ForceAliasCreation moves the alias.
func TestConfirmSignUpAliasConflict(t *testing.T) {
	e := newSignupEnv(t, &cip.CreateUserPoolInput{
		AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	}, nil)
	must[*cip.SignUpOutput](t)(e.signUp("jie", signupPassword, attr("email", "jie@example.com")))
	signupOK(t, e.confirm("jie", e.code(t, "jie@example.com"), false))
	if got := aws.ToString(e.user(t, "jie@example.com").Username); got != "jie" {
		t.Fatalf("alias resolves to %q", got)
	}

	must[*cip.SignUpOutput](t)(e.signUp("shirley", signupPassword, attr("email", "jie@example.com")))
	code := e.code(t, "jie@example.com")
	wantErr(t, e.confirm("shirley", code, false), "AliasExistsException", "An account with the email already exists.")
	e.wantStatus(t, "shirley", types.UserStatusTypeUnconfirmed)

	signupOK(t, e.confirm("shirley", code, true))
	e.wantStatus(t, "shirley", types.UserStatusTypeConfirmed)
	if got := aws.ToString(e.user(t, "jie@example.com").Username); got != "shirley" {
		t.Fatalf("alias resolves to %q after ForceAliasCreation", got)
	}
	if a := attrs(e.user(t, "jie").UserAttributes); a["email_verified"] != "false" || a["email"] != "jie@example.com" {
		t.Fatalf("previous holder: %v", a)
	}
}

// With PreventUserExistenceErrors the recovery and confirmation operations
// do not tell unknown or disabled users apart; with LEGACY they do.
func TestSignUpPreventUserExistenceErrors(t *testing.T) {
	e := newSignupEnv(t, emailAutoVerified(), &cip.CreateUserPoolClientInput{PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesEnabled})
	legacy, _ := e.newClient(t, &cip.CreateUserPoolClientInput{ClientName: aws.String("legacy"), PreventUserExistenceErrors: types.PreventUserExistenceErrorTypesLegacy})

	// Unknown users get made-up details, the same each time.
	first := must[*cip.ResendConfirmationCodeOutput](t)(e.resend("ghost")).CodeDeliveryDetails
	again := must[*cip.ResendConfirmationCodeOutput](t)(e.resend("ghost")).CodeDeliveryDetails
	if first == nil || first.DeliveryMedium != types.DeliveryMediumTypeEmail || !fakeEmail.MatchString(aws.ToString(first.Destination)) ||
		aws.ToString(again.Destination) != aws.ToString(first.Destination) {
		t.Fatalf("simulated details: %+v then %+v", first, again)
	}
	wantDetails(t, must[*cip.ForgotPasswordOutput](t)(e.forgot("ghost@example.com")).CodeDeliveryDetails, "email", types.DeliveryMediumTypeEmail, "g***@e***")
	wantDetails(t, must[*cip.ForgotPasswordOutput](t)(e.forgot("+15550000199")).CodeDeliveryDetails, "phone_number", types.DeliveryMediumTypeSms, "+*******0199")
	wantErr(t, e.confirm("ghost", "123456", false), "CodeMismatchException", "")
	wantErr(t, e.confirmForgot("ghost", "123456", signupPassword), "CodeMismatchException", "")
	if msgs := outbox(t, e.s, e.pool, ""); len(msgs) != 0 {
		t.Fatalf("messages sent for unknown users: %+v", msgs)
	}

	_, err := e.c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(legacy), Username: aws.String("ghost")})
	wantErr(t, err, "UserNotFoundException", "Username/client id combination not found.")
	_, err = e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(legacy), Username: aws.String("ghost")})
	wantErr(t, err, "UserNotFoundException", "Username/client id combination not found.")
	_, err = e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(legacy), Username: aws.String("ghost"), ConfirmationCode: aws.String("123456")})
	wantErr(t, err, "UserNotFoundException", "")
	_, err = e.c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(legacy), Username: aws.String("ghost"), ConfirmationCode: aws.String("123456"), Password: aws.String(signupPassword)})
	wantErr(t, err, "UserNotFoundException", "")

	// A user without a verified destination, and a disabled user.
	createUser(t, e.c, e.pool, "unverified", attr("email", "unverified@example.com"))
	e.setPassword(t, "unverified", signupPassword, true)
	d := must[*cip.ForgotPasswordOutput](t)(e.forgot("unverified")).CodeDeliveryDetails
	if d == nil || d.DeliveryMedium != types.DeliveryMediumTypeEmail || !fakeEmail.MatchString(aws.ToString(d.Destination)) {
		t.Fatalf("details for a user without a verified destination: %+v", d)
	}
	_, err = e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(legacy), Username: aws.String("unverified")})
	wantErr(t, err, "InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number")

	createUser(t, e.c, e.pool, "off", attr("email", "off@example.com"), attr("email_verified", "true"))
	e.setPassword(t, "off", signupPassword, true)
	must[*cip.AdminDisableUserOutput](t)(e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("off")}))
	wantDetails(t, must[*cip.ForgotPasswordOutput](t)(e.forgot("off")).CodeDeliveryDetails, "email", types.DeliveryMediumTypeEmail, "o***@e***")
	wantErr(t, e.confirmForgot("off", "123456", signupPassword), "CodeMismatchException", "")
	_, err = e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(legacy), Username: aws.String("off")})
	wantErr(t, err, "NotAuthorizedException", "User is disabled.")
	if msgs := outbox(t, e.s, e.pool, ""); len(msgs) != 0 {
		t.Fatalf("messages sent: %+v", msgs)
	}

	// A disabled unconfirmed user: ResendConfirmationCode answers as if it
	// sent a code, but sends nothing; ConfirmSignUp refuses.
	must[*cip.SignUpOutput](t)(e.signUp("zed", signupPassword, attr("email", "zed@example.com")))
	code := e.code(t, "zed@example.com")
	must[*cip.AdminDisableUserOutput](t)(e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("zed")}))
	wantDetails(t, must[*cip.ResendConfirmationCodeOutput](t)(e.resend("zed")).CodeDeliveryDetails, "email", types.DeliveryMediumTypeEmail, "z***@e***")
	if n := len(e.messages(t, "zed@example.com")); n != 1 {
		t.Fatalf("%d messages to a disabled user, want the sign-up's only", n)
	}
	_, err = e.c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(legacy), Username: aws.String("zed")})
	wantErr(t, err, "NotAuthorizedException", "User is disabled.")
	wantErr(t, e.confirm("zed", code, false), "NotAuthorizedException", "User is disabled.")
}

// fakeEmail matches a masked made-up email address.
var fakeEmail = regexp.MustCompile(`^[a-z]\*\*\*@[a-z]\*\*\*$`)

// ForgotPassword sends a one-hour code without changing the user;
// ConfirmForgotPassword sets the new password once the code matches.
func TestForgotPassword(t *testing.T) {
	e := newSignupEnv(t, nil, nil)
	createUser(t, e.c, e.pool, "hal", attr("email", "hal@example.com"), attr("email_verified", "true"))
	e.setPassword(t, "hal", signupPassword, true)
	wantErr(t, e.confirmForgot("hal", "123456", "New=Passw0rd!"), "ExpiredCodeException", "")

	out := must[*cip.ForgotPasswordOutput](t)(e.forgot("hal"))
	wantDetails(t, out.CodeDeliveryDetails, "email", types.DeliveryMediumTypeEmail, "h***@e***")
	e.wantStatus(t, "hal", types.UserStatusTypeConfirmed)
	if !e.passwordIs(t, "hal", signupPassword) {
		t.Fatal("ForgotPassword changed the password")
	}
	code := e.code(t, "hal@example.com")
	wantErr(t, e.confirmForgot("hal", code, "weak"), "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
	wantErr(t, e.confirmForgot("hal", wrong(code), "New=Passw0rd!"), "CodeMismatchException", "")
	signupOK(t, e.confirmForgot("hal", code, "New=Passw0rd!"))
	if !e.passwordIs(t, "hal", "New=Passw0rd!") || e.passwordIs(t, "hal", signupPassword) {
		t.Fatal("ConfirmForgotPassword did not replace the password")
	}
	e.wantStatus(t, "hal", types.UserStatusTypeConfirmed)
	wantErr(t, e.confirmForgot("hal", code, "Other=Passw0rd!"), "ExpiredCodeException", "")

	// The code lives one hour.
	must[*cip.ForgotPasswordOutput](t)(e.forgot("hal"))
	code = e.code(t, "hal@example.com")
	e.clock.Advance(time.Hour)
	wantErr(t, e.confirmForgot("hal", code, "Other=Passw0rd!"), "ExpiredCodeException", "")

	// A user who never chose a password cannot reset it.
	createUser(t, e.c, e.pool, "ida", attr("email", "ida@example.com"), attr("email_verified", "true"))
	_, err := e.forgot("ida")
	wantErr(t, err, "NotAuthorizedException", "User password cannot be reset in the current state.")
}

// ForgotPassword picks the destination by the pool's AccountRecoverySetting,
// or by the legacy rule (verified phone first) without one.
func TestForgotPasswordRecoverySetting(t *testing.T) {
	both := []types.AttributeType{attr("email", "kim@example.com"), attr("email_verified", "true"), attr("phone_number", "+15550000142"), attr("phone_number_verified", "true")}
	emailOnly := []types.AttributeType{attr("email", "kim@example.com"), attr("email_verified", "true")}
	mech := func(ms ...types.RecoveryOptionNameType) *types.AccountRecoverySettingType {
		s := &types.AccountRecoverySettingType{}
		for i, m := range ms {
			s.RecoveryMechanisms = append(s.RecoveryMechanisms, types.RecoveryOptionType{Name: m, Priority: aws.Int32(int32(i + 1))})
		}
		return s
	}
	cases := []struct {
		name    string
		setting *types.AccountRecoverySettingType
		user    []types.AttributeType
		attr    string
		code    string
	}{
		{"legacy prefers the phone", nil, both, "phone_number", ""},
		{"legacy falls back to email", nil, emailOnly, "email", ""},
		{"email first", mech(types.RecoveryOptionNameTypeVerifiedEmail, types.RecoveryOptionNameTypeVerifiedPhoneNumber), both, "email", ""},
		{"phone first", mech(types.RecoveryOptionNameTypeVerifiedPhoneNumber, types.RecoveryOptionNameTypeVerifiedEmail), both, "phone_number", ""},
		{"phone only, user has email only", mech(types.RecoveryOptionNameTypeVerifiedPhoneNumber), emailOnly, "", "InvalidParameterException"},
		{"admin only", mech(types.RecoveryOptionNameTypeAdminOnly), both, "", "NotAuthorizedException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newSignupEnv(t, &cip.CreateUserPoolInput{AccountRecoverySetting: tc.setting}, nil)
			createUser(t, e.c, e.pool, "kim", tc.user...)
			e.setPassword(t, "kim", signupPassword, true)
			out, err := e.forgot("kim")
			if tc.code != "" {
				wantErr(t, err, tc.code, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.attr == "email" {
				wantDetails(t, out.CodeDeliveryDetails, "email", types.DeliveryMediumTypeEmail, "k***@e***")
				e.code(t, "kim@example.com")
			} else {
				wantDetails(t, out.CodeDeliveryDetails, "phone_number", types.DeliveryMediumTypeSms, "+*******0142")
				e.code(t, "+15550000142")
			}
		})
	}
}

// A new password may not repeat the ones the pool's history remembers.
func TestConfirmForgotPasswordHistory(t *testing.T) {
	e := newSignupEnv(t, &cip.CreateUserPoolInput{
		UserPoolTier: types.UserPoolTierTypePlus,
		Policies:     &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(8), PasswordHistorySize: aws.Int32(2)}},
	}, nil)
	createUser(t, e.c, e.pool, "lea", attr("email", "lea@example.com"), attr("email_verified", "true"))
	e.setPassword(t, "lea", "first-password", true)
	e.setPassword(t, "lea", "second-password", true)
	_, err := e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(e.pool), Username: aws.String("lea"), Password: aws.String("first-password"), Permanent: true})
	wantErr(t, err, "PasswordHistoryPolicyViolationException", "")

	must[*cip.ForgotPasswordOutput](t)(e.forgot("lea"))
	code := e.code(t, "lea@example.com")
	wantErr(t, e.confirmForgot("lea", code, "second-password"), "PasswordHistoryPolicyViolationException", "")
	wantErr(t, e.confirmForgot("lea", code, "first-password"), "PasswordHistoryPolicyViolationException", "")
	signupOK(t, e.confirmForgot("lea", code, "third-password"))
	if !e.passwordIs(t, "lea", "third-password") {
		t.Fatal("password not set")
	}
}

// AdminResetUserPassword puts the user in RESET_REQUIRED and sends a code
// when they have a verified destination; ConfirmForgotPassword with it
// confirms them again.
func TestAdminResetUserPassword(t *testing.T) {
	e := newSignupEnv(t, nil, nil)
	reset := func(name string) error {
		_, err := e.c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(e.pool), Username: aws.String(name)})
		return err
	}
	createUser(t, e.c, e.pool, "max", attr("phone_number", "+15550000177"), attr("phone_number_verified", "true"))
	e.setPassword(t, "max", signupPassword, true)
	signupOK(t, reset("max"))
	e.wantStatus(t, "max", types.UserStatusTypeResetRequired)
	code := e.code(t, "+15550000177")
	signupOK(t, e.confirmForgot("max", code, "Reset=Passw0rd!"))
	e.wantStatus(t, "max", types.UserStatusTypeConfirmed)
	if !e.passwordIs(t, "max", "Reset=Passw0rd!") {
		t.Fatal("new password not set")
	}

	// Without a verified destination nothing is sent.
	createUser(t, e.c, e.pool, "ned", attr("email", "ned@example.com"))
	e.setPassword(t, "ned", signupPassword, true)
	signupOK(t, reset("ned"))
	e.wantStatus(t, "ned", types.UserStatusTypeResetRequired)
	if msgs := e.messages(t, "ned@example.com"); len(msgs) != 0 {
		t.Fatalf("sent: %q", msgs)
	}

	createUser(t, e.c, e.pool, "oli", attr("email", "oli@example.com"), attr("email_verified", "true"))
	wantErr(t, reset("oli"), "NotAuthorizedException", "User password cannot be reset in the current state.")
	e.setPassword(t, "oli", signupPassword, true)
	must[*cip.AdminDisableUserOutput](t)(e.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("oli")}))
	wantErr(t, reset("oli"), "NotAuthorizedException", "User is disabled.")
	wantErr(t, reset("nobody"), "UserNotFoundException", "User does not exist.")

	admin := newSignupEnv(t, &cip.CreateUserPoolInput{AccountRecoverySetting: &types.AccountRecoverySettingType{
		RecoveryMechanisms: []types.RecoveryOptionType{{Name: types.RecoveryOptionNameTypeAdminOnly, Priority: aws.Int32(1)}},
	}}, nil)
	createUser(t, admin.c, admin.pool, "pia", attr("email", "pia@example.com"), attr("email_verified", "true"))
	admin.setPassword(t, "pia", signupPassword, true)
	_, err := admin.c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(admin.pool), Username: aws.String("pia")})
	wantErr(t, err, "InvalidParameterException", "admin_only")
}

// AdminSetUserPassword sets a permanent password (CONFIRMED) or a
// temporary one (FORCE_CHANGE_PASSWORD), each checked against the policy.
func TestAdminSetUserPassword(t *testing.T) {
	e := newSignupEnv(t, emailAutoVerified(), nil)
	createUser(t, e.c, e.pool, "quinn")
	e.wantStatus(t, "quinn", types.UserStatusTypeForceChangePassword)
	e.setPassword(t, "quinn", "Perm=Passw0rd!", true)
	e.wantStatus(t, "quinn", types.UserStatusTypeConfirmed)
	if !e.passwordIs(t, "quinn", "Perm=Passw0rd!") {
		t.Fatal("permanent password not set")
	}
	e.clock.Advance(48 * time.Hour)
	e.setPassword(t, "quinn", "Temp=Passw0rd!", false)
	u := e.user(t, "quinn")
	if u.UserStatus != types.UserStatusTypeForceChangePassword || !aws.ToTime(u.UserLastModifiedDate).Equal(e.clock.Now()) {
		t.Fatalf("after a temporary password: %s, modified %v (now %v)", u.UserStatus, aws.ToTime(u.UserLastModifiedDate), e.clock.Now())
	}
	if !e.passwordIs(t, "quinn", "Temp=Passw0rd!") {
		t.Fatal("temporary password not set")
	}
	_, err := e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(e.pool), Username: aws.String("quinn"), Password: aws.String("weakpassword"), Permanent: true})
	wantErr(t, err, "InvalidPasswordException", "Password does not conform to policy: Password must have uppercase characters")
	_, err = e.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(e.pool), Username: aws.String("nobody"), Password: aws.String("Perm=Passw0rd!"), Permanent: true})
	wantErr(t, err, "UserNotFoundException", "User does not exist.")

	// An unconfirmed sign-up becomes CONFIRMED with a permanent password.
	must[*cip.SignUpOutput](t)(e.signUp("rae", signupPassword, attr("email", "rae@example.com")))
	e.setPassword(t, "rae", "Perm=Passw0rd!", true)
	e.wantStatus(t, "rae", types.UserStatusTypeConfirmed)
	if strings.Contains(attrs(e.user(t, "rae").UserAttributes)["email_verified"], "true") {
		t.Fatal("AdminSetUserPassword verified the email")
	}
}
