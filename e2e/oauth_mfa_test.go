package e2e

import (
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pquerna/otp"
	"golang.org/x/oauth2"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// hostedMFAEnv is a hosted environment on a fake clock whose pool requires
// MFA (or offers it, with mode OPTIONAL) with the factors of cfg, email
// sent through the developer account and SMS configured.
func hostedMFAEnv(t *testing.T, mode types.UserPoolMfaType, cfg *cip.SetUserPoolMfaConfigInput) (*hostedEnv, *testserver.Clock) {
	t.Helper()
	clock := testserver.NewClock(time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC))
	e := newHostedEnvWith(t, server.Options{Now: clock.Now})
	must[*cip.UpdateUserPoolOutput](t)(e.c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
		UserPoolId: aws.String(e.pool), AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		EmailConfiguration: sesConfig, SmsConfiguration: smsConfig,
	}))
	cfg.UserPoolId, cfg.MfaConfiguration = aws.String(e.pool), mode
	must[*cip.SetUserPoolMfaConfigOutput](t)(e.c.SetUserPoolMfaConfig(ctx, cfg))
	return e, clock
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// answer posts the form of a page whose action starts with path, with its
// hidden fields and the fields given.
func (e *hostedEnv) answer(t *testing.T, page, path string, fields url.Values) *http.Response {
	t.Helper()
	m := regexp.MustCompile(`action="(` + regexp.QuoteMeta(path) + `\?[^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no %s form in the page:\n%s", path, page)
	}
	form := url.Values{}
	for _, h := range hiddenRE.FindAllStringSubmatch(page[strings.Index(page, m[0]):], -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	for k, v := range fields {
		form[k] = v
	}
	return e.submit(t, page, html.UnescapeString(m[1]), form)
}

// passwordStep signs in on the login form with a fresh browser (no session
// cookie) and returns the page that follows.
func (e *hostedEnv) passwordStep(t *testing.T, clientID, user string) string {
	t.Helper()
	return e.loginStep(t, clientID, url.Values{"username": {user}, "password": {hostedPassword}})
}

// loginStep posts form on the login form with a fresh browser (no session
// cookie) and returns the page that follows, which must be a 200.
func (e *hostedEnv) loginStep(t *testing.T, clientID string, form url.Values) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	e.http = loopbackClient(jar)
	q := codeQuery(clientID)
	page := body(t, e.get(t, e.base+"/login?"+q))
	resp := e.submit(t, page, "/login?"+q, form)
	out := body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login form %v: %d %s", form, resp.StatusCode, out)
	}
	return out
}

// landed checks that a form's answer redirects to the callback with a code
// and exchanges the code for tokens.
func (e *hostedEnv) landed(t *testing.T, resp *http.Response, clientID string) *oauth2.Token {
	t.Helper()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("want the redirect to the app, got %d %s", resp.StatusCode, body(t, resp))
	}
	loc := mustURL(t, resp.Header.Get("Location"))
	if !strings.HasPrefix(loc.String(), hostedCallback) || loc.Query().Get("code") == "" {
		t.Fatalf("redirect %s", loc)
	}
	conf := oauth2.Config{ClientID: clientID, RedirectURL: hostedCallback, Endpoint: oauth2.Endpoint{TokenURL: e.base + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	tok, err := conf.Exchange(e.ctx, loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func inputValue(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `" type="text" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no #%s in the page:\n%s", id, page)
	}
	return html.UnescapeString(m[1])
}

// TestHostedTOTP sets up an authenticator app on the managed login pages
// (MFA required, the user has no factor), then signs in with its codes;
// wrong codes are shown on the same form and count toward the lockout.
func TestHostedTOTP(t *testing.T) {
	e, clock := hostedMFAEnv(t, types.UserPoolMfaTypeOn, &cip.SetUserPoolMfaConfigInput{SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	clientID := e.webClient(t, nil)
	const user = "tia@example.com"
	e.user(t, user)
	poolName := aws.ToString(must[*cip.DescribeUserPoolOutput](t)(e.c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(e.pool)})).UserPool.Name)

	// The only factor to set up is the app: its set-up page comes at once.
	page := e.passwordStep(t, clientID, user)
	secret := inputValue(t, page, "secret")
	key, err := otp.NewKeyFromURL(inputValue(t, page, "otpauth"))
	if err != nil {
		t.Fatal(err)
	}
	if key.Type() != "totp" || key.Secret() != secret || key.Issuer() != poolName || key.AccountName() != user || key.Period() != 30 || key.Digits() != otp.DigitsSix {
		t.Fatalf("otpauth URI %s (secret %s)", key, secret)
	}
	resp := e.answer(t, page, "/totpSetup", url.Values{"code": {wrongCode(totpCode(t, secret, clock.Now()))}, "device_name": {"phone"}})
	page = body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="error"`) || inputValue(t, page, "secret") != secret {
		t.Fatalf("wrong set-up code: %d %s", resp.StatusCode, page)
	}
	tok := e.landed(t, e.answer(t, page, "/totpSetup", url.Values{"code": {totpCode(t, secret, clock.Now())}, "device_name": {"phone"}}), clientID)
	if c := claimsOf(t, tok.Extra("id_token").(string)); c["email"] != user {
		t.Errorf("ID token %v", c)
	}
	u := must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String(user)}))
	if !slices.Equal(u.UserMFASettingList, []string{"SOFTWARE_TOKEN_MFA"}) {
		t.Fatalf("after set-up: %v", u.UserMFASettingList)
	}

	// The next sign-in asks for the app's code; the code of the step the
	// set-up spent is not accepted again.
	page = e.passwordStep(t, clientID, user)
	if !strings.Contains(page, `action="/mfa?`) || !strings.Contains(page, "authenticator app") {
		t.Fatalf("second sign-in: %s", page)
	}
	resp = e.answer(t, page, "/mfa", url.Values{"code": {totpCode(t, secret, clock.Now())}})
	if page = body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Invalid code received for user") {
		t.Fatalf("spent code: %d %s", resp.StatusCode, page)
	}
	clock.Advance(30 * time.Second)
	e.landed(t, e.answer(t, page, "/mfa", url.Values{"code": {totpCode(t, secret, clock.Now())}}), clientID)

	// Wrong codes count toward the lockout, as through the API: the fifth
	// locks the user, and the sign-in starts again.
	page = e.passwordStep(t, clientID, user)
	for i := range 5 {
		resp = e.answer(t, page, "/mfa", url.Values{"code": {wrongCode(totpCode(t, secret, clock.Now()))}})
		page = body(t, resp)
		if !strings.Contains(page, "Invalid code received for user") {
			t.Fatalf("wrong code %d: %s", i+1, page)
		}
	}
	resp = e.answer(t, page, "/mfa", url.Values{"code": {totpCode(t, secret, clock.Now())}})
	if page = body(t, resp); !strings.Contains(page, "Password attempts exceeded") || !strings.Contains(page, `action="/login?`) {
		t.Fatalf("after five wrong codes: %s", page)
	}
}

// TestHostedChooseMFA signs in a user with SMS and email MFA on and no
// preference: the pages ask which, then for the code sent there.
func TestHostedChooseMFA(t *testing.T) {
	e, _ := hostedMFAEnv(t, types.UserPoolMfaTypeOptional, &cip.SetUserPoolMfaConfigInput{
		SmsMfaConfiguration:   &types.SmsMfaConfigType{SmsConfiguration: smsConfig},
		EmailMfaConfiguration: &types.EmailMfaConfigType{Subject: aws.String("Your code"), Message: aws.String("Code: {####}")},
	})
	clientID := e.webClient(t, nil)
	const user, phone = "uma@example.com", "+15550004321"
	e.user(t, user)
	must[*cip.AdminUpdateUserAttributesOutput](t)(e.c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(e.pool), Username: aws.String(user),
		UserAttributes: []types.AttributeType{attr("phone_number", phone)}}))
	must[*cip.AdminSetUserMFAPreferenceOutput](t)(e.c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(user),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}, EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true}}))

	for _, tc := range []struct{ answer, to, masked, intro string }{
		{"EMAIL_OTP", user, "u***@e***", "by email to u***@e***"},
		{"SMS_MFA", phone, "+*******4321", "by text message to +*******4321"},
	} {
		page := e.passwordStep(t, clientID, user)
		if !strings.Contains(page, `id="mfa-SMS_MFA"`) || !strings.Contains(page, `id="mfa-EMAIL_OTP"`) {
			t.Fatalf("choice page: %s", page)
		}
		resp := e.answer(t, page, "/selectMfa", url.Values{"answer": {tc.answer}})
		page = body(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(html.UnescapeString(page), tc.intro) {
			t.Fatalf("%s code page: %d %s", tc.answer, resp.StatusCode, page)
		}
		code := outboxCode(t, e, tc.to)
		resp = e.answer(t, page, "/mfa", url.Values{"code": {wrongCode(code)}})
		if page = body(t, resp); !strings.Contains(page, "Invalid code received for user") || !strings.Contains(html.UnescapeString(page), tc.masked) {
			t.Fatalf("%s wrong code: %s", tc.answer, page)
		}
		e.landed(t, e.answer(t, page, "/mfa", url.Values{"code": {code}}), clientID)
	}

	// The pages speak the request's language.
	jar, _ := cookiejar.New(nil)
	e.http = loopbackClient(jar)
	q := codeQuery(clientID) + "&lang=de"
	page := body(t, e.get(t, e.base+"/login?"+q))
	page = body(t, e.submit(t, page, "/login?"+q, url.Values{"username": {user}, "password": {hostedPassword}}))
	if !strings.Contains(page, `lang="de"`) || !strings.Contains(page, "Textnachricht (SMS)") {
		t.Fatalf("German choice page: %s", page)
	}
}

// TestHostedEmailMFASetup sets up email MFA on the pages: MFA required, the
// user has an email address and no factor, and both an authenticator app
// and email are offered.
func TestHostedEmailMFASetup(t *testing.T) {
	e, _ := hostedMFAEnv(t, types.UserPoolMfaTypeOn, &cip.SetUserPoolMfaConfigInput{
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		EmailMfaConfiguration:         &types.EmailMfaConfigType{},
	})
	clientID := e.webClient(t, nil)
	const user = "val@example.com"
	e.user(t, user)
	page := e.passwordStep(t, clientID, user)
	if !strings.Contains(page, `id="setup-SOFTWARE_TOKEN_MFA"`) || !strings.Contains(page, `id="setup-EMAIL_OTP"`) || !strings.Contains(page, "v***@e***") {
		t.Fatalf("set-up page: %s", page)
	}
	resp := e.answer(t, page, "/mfaSetup", url.Values{"factor": {"EMAIL_OTP"}})
	if page = body(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "by email to v***@e***") {
		t.Fatalf("email set-up: %d %s", resp.StatusCode, page)
	}
	e.landed(t, e.answer(t, page, "/mfa", url.Values{"code": {outboxCode(t, e, user)}}), clientID)
	u := must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String(user)}))
	if !slices.Equal(u.UserMFASettingList, []string{"EMAIL_OTP"}) {
		t.Fatalf("after email set-up: %v", u.UserMFASettingList)
	}
	// From now on the user gets email codes at once.
	if page = e.passwordStep(t, clientID, user); !strings.Contains(page, `value="EMAIL_OTP"`) || !strings.Contains(page, "by email to") {
		t.Fatalf("sign-in after set-up: %s", page)
	}

	// Another user chooses the authenticator app among the two.
	e.user(t, "wyn@example.com")
	page = e.passwordStep(t, clientID, "wyn@example.com")
	resp = e.answer(t, page, "/mfaSetup", url.Values{"factor": {"SOFTWARE_TOKEN_MFA"}})
	page = body(t, resp)
	secret := inputValue(t, page, "secret")
	if resp.StatusCode != http.StatusOK || len(secret) != 52 || !strings.Contains(page, `action="/totpSetup?`) {
		t.Fatalf("authenticator app set-up: %d %s", resp.StatusCode, page)
	}
	page = e.passwordStep(t, clientID, user)

	// A forged form is refused: no CSRF token, or another challenge.
	resp, err := e.http.PostForm(e.base+"/mfa?"+codeQuery(clientID), url.Values{"challenge": {"EMAIL_OTP"}, "code": {"123456"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("form without CSRF token: %d", resp.StatusCode)
	}
	resp = e.answer(t, page, "/mfa", url.Values{"challenge": {"CUSTOM_CHALLENGE"}, "code": {"1"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("form with another challenge: %d", resp.StatusCode)
	}
}

// TestMFASetupEmail sets up email MFA through the API as Amplify does: the
// MFA_SETUP answer names the address, an EMAIL_OTP challenge follows.
func TestMFASetupEmail(t *testing.T) {
	e, id := mfaEnv(t, &cip.CreateUserPoolInput{EmailConfiguration: sesConfig}, &cip.SetUserPoolMfaConfigInput{
		MfaConfiguration:      types.UserPoolMfaTypeOn,
		EmailMfaConfiguration: &types.EmailMfaConfigType{},
	})
	const email = "wes@example.com"
	e.user(t, "wes", attr("email", email))
	env := &accountEnv{s: e.s, c: e.c, pool: e.pool, clock: e.clock}
	ch := must[*cip.InitiateAuthOutput](t)(e.password(id, "wes", signinPassword))
	if ch.ChallengeName != types.ChallengeNameTypeMfaSetup || ch.ChallengeParameters["MFAS_CAN_SETUP"] != `["EMAIL_OTP"]` {
		t.Fatalf("challenge %s %v", ch.ChallengeName, ch.ChallengeParameters)
	}
	_, err := e.respond(id, types.ChallengeNameTypeMfaSetup, ch.Session, "USERNAME", "wes", "EMAIL", "other@example.com")
	wantErr(t, err, "InvalidParameterException", "EMAIL must be the user's email address")
	otp := must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeMfaSetup, ch.Session, "USERNAME", "wes", "EMAIL", email))
	if otp.ChallengeName != types.ChallengeNameTypeEmailOtp || otp.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "w***@e***" {
		t.Fatalf("after MFA_SETUP with EMAIL: %s %v", otp.ChallengeName, otp.ChallengeParameters)
	}
	out := must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeEmailOtp, otp.Session, "USERNAME", "wes", "EMAIL_OTP_CODE", env.lastCode(t, email)))
	if out.AuthenticationResult == nil {
		t.Fatal("no tokens after the email set-up")
	}
	if u, _ := e.mfaSettings(t, "wes"); !slices.Equal(u.UserMFASettingList, []string{"EMAIL_OTP"}) {
		t.Fatalf("after set-up: %v", u.UserMFASettingList)
	}
}
