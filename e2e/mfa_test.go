package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/cognate-idp/cognate/internal/srp"
)

// totpCode is the code of a software token secret at t, as an
// authenticator app shows it.
func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// mfaEnv is a sign-in environment whose pool offers MFA with cfg.
func mfaEnv(t *testing.T, pool *cip.CreateUserPoolInput, cfg *cip.SetUserPoolMfaConfigInput) (*signinEnv, string) {
	t.Helper()
	e := newSigninEnv(t, pool)
	cfg.UserPoolId = aws.String(e.pool)
	must[*cip.SetUserPoolMfaConfigOutput](t)(e.c.SetUserPoolMfaConfig(ctx, cfg))
	return e, aws.ToString(e.client(t, nil).ClientId)
}

func (e *signinEnv) respond(clientID string, challenge types.ChallengeNameType, session *string, answers ...string) (*cip.RespondToAuthChallengeOutput, error) {
	r := map[string]string{}
	for i := 0; i+1 < len(answers); i += 2 {
		r[answers[i]] = answers[i+1]
	}
	return e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID), ChallengeName: challenge, Session: session, ChallengeResponses: r})
}

// authFactors is AdminGetUserAuthFactors' answer (the SDK this suite
// uses predates the operation, so it is called over plain HTTP).
type authFactors struct {
	Username                  string
	UserMFASettingList        []string
	PreferredMfaSetting       string
	ConfiguredUserAuthFactors []string
}

func (e *signinEnv) mfaSettings(t *testing.T, name string) (*cip.AdminGetUserOutput, *authFactors) {
	t.Helper()
	u := must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String(name)}))
	body, _ := json.Marshal(map[string]string{"UserPoolId": e.pool, "Username": name})
	resp, m := post(t, e.s.URL, "AdminGetUserAuthFactors", string(body))
	if resp.StatusCode != 200 {
		t.Fatalf("AdminGetUserAuthFactors: %d %v", resp.StatusCode, m)
	}
	b, _ := json.Marshal(m)
	f := &authFactors{}
	if err := json.Unmarshal(b, f); err != nil {
		t.Fatal(err)
	}
	if f.Username != name || f.PreferredMfaSetting != aws.ToString(u.PreferredMfaSetting) {
		t.Errorf("AdminGetUserAuthFactors %+v, AdminGetUser %v", f, u.PreferredMfaSetting)
	}
	return u, f
}

func TestSoftwareTokenMFA(t *testing.T) {
	e, id := mfaEnv(t, nil, &cip.SetUserPoolMfaConfigInput{
		MfaConfiguration:              types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
	})
	e.user(t, "tia")
	// Optional MFA and no factor yet: one factor signs in.
	res := must[*cip.InitiateAuthOutput](t)(e.password(id, "tia", signinPassword))
	token := res.AuthenticationResult.AccessToken

	_, err := e.c.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: token,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}})
	wantErr(t, err, "InvalidParameterException", "User has not verified software token mfa")
	_, err = e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: token, UserCode: aws.String("123456")})
	wantErr(t, err, "InvalidParameterException", "AssociateSoftwareToken")

	assoc := must[*cip.AssociateSoftwareTokenOutput](t)(e.c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: token}))
	secret := aws.ToString(assoc.SecretCode)
	if len(secret) != 52 || assoc.Session != nil {
		t.Fatalf("SecretCode %q (%d characters), Session %v", secret, len(secret), assoc.Session)
	}
	code := totpCode(t, secret, e.clock.Now())
	_, err = e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: token, UserCode: aws.String(wrongCode(code))})
	wantErr(t, err, "EnableSoftwareTokenMFAException", "Code mismatch")
	ver := must[*cip.VerifySoftwareTokenOutput](t)(e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{
		AccessToken: token, UserCode: aws.String(code), FriendlyDeviceName: aws.String("phone")}))
	if ver.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		t.Fatalf("Status %s", ver.Status)
	}
	u, f := e.mfaSettings(t, "tia")
	if !slices.Equal(u.UserMFASettingList, []string{"SOFTWARE_TOKEN_MFA"}) || !slices.Equal(f.UserMFASettingList, u.UserMFASettingList) ||
		!slices.Equal(f.ConfiguredUserAuthFactors, []string{"PASSWORD"}) {
		t.Fatalf("after verification: %v %v %v", u.UserMFASettingList, f.UserMFASettingList, f.ConfiguredUserAuthFactors)
	}

	// Sign-in now asks for the code; the code verification used is spent.
	ch := must[*cip.InitiateAuthOutput](t)(e.password(id, "tia", signinPassword))
	if ch.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa || ch.AuthenticationResult != nil || len(ch.ChallengeParameters) != 0 {
		t.Fatalf("challenge %s %v", ch.ChallengeName, ch.ChallengeParameters)
	}
	_, err = e.respond(id, types.ChallengeNameTypeSoftwareTokenMfa, ch.Session, "USERNAME", "tia", "SOFTWARE_TOKEN_MFA_CODE", code)
	wantErr(t, err, "CodeMismatchException", "Invalid code received for user")
	e.clock.Advance(30 * time.Second)
	next := totpCode(t, secret, e.clock.Now())
	out := must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeSoftwareTokenMfa, ch.Session, "USERNAME", "tia", "SOFTWARE_TOKEN_MFA_CODE", next))
	if out.AuthenticationResult == nil {
		t.Fatal("no tokens after SOFTWARE_TOKEN_MFA")
	}
	// The session is spent, and so is the code, in another sign-in.
	_, err = e.respond(id, types.ChallengeNameTypeSoftwareTokenMfa, ch.Session, "USERNAME", "tia", "SOFTWARE_TOKEN_MFA_CODE", next)
	wantErr(t, err, "NotAuthorizedException", "Invalid session")
	ch = must[*cip.InitiateAuthOutput](t)(e.password(id, "tia", signinPassword))
	_, err = e.respond(id, types.ChallengeNameTypeSoftwareTokenMfa, ch.Session, "USERNAME", "tia", "SOFTWARE_TOKEN_MFA_CODE", next)
	wantErr(t, err, "CodeMismatchException", "")
	// One step of clock skew either way is accepted, two are not.
	e.clock.Advance(30 * time.Second)
	_, err = e.respond(id, types.ChallengeNameTypeSoftwareTokenMfa, ch.Session, "USERNAME", "tia", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, secret, e.clock.Now().Add(-60*time.Second)))
	wantErr(t, err, "CodeMismatchException", "")
	must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeSoftwareTokenMfa, ch.Session, "USERNAME", "tia", "SOFTWARE_TOKEN_MFA_CODE", totpCode(t, secret, e.clock.Now().Add(30*time.Second))))

	// Preference, then turning TOTP off: one factor signs in again.
	must[*cip.SetUserMFAPreferenceOutput](t)(e.c.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: token,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}))
	g := must[*cip.GetUserOutput](t)(e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: token}))
	if aws.ToString(g.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" || !slices.Equal(g.UserMFASettingList, []string{"SOFTWARE_TOKEN_MFA"}) {
		t.Fatalf("GetUser: %v %v", g.PreferredMfaSetting, g.UserMFASettingList)
	}
	must[*cip.AdminSetUserMFAPreferenceOutput](t)(e.c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("tia"), SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: false}}))
	if res := must[*cip.InitiateAuthOutput](t)(e.password(id, "tia", signinPassword)); res.AuthenticationResult == nil {
		t.Fatalf("challenge %s with TOTP off", res.ChallengeName)
	}
	u, _ = e.mfaSettings(t, "tia")
	if len(u.UserMFASettingList) != 0 || u.PreferredMfaSetting != nil {
		t.Fatalf("after turning TOTP off: %v %v", u.UserMFASettingList, u.PreferredMfaSetting)
	}
}

func TestSoftwareTokenLockout(t *testing.T) {
	e, id := mfaEnv(t, nil, &cip.SetUserPoolMfaConfigInput{
		MfaConfiguration:              types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
	})
	e.user(t, "lou")
	token := must[*cip.InitiateAuthOutput](t)(e.password(id, "lou", signinPassword)).AuthenticationResult.AccessToken
	secret := aws.ToString(must[*cip.AssociateSoftwareTokenOutput](t)(e.c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: token})).SecretCode)
	must[*cip.VerifySoftwareTokenOutput](t)(e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: token, UserCode: aws.String(totpCode(t, secret, e.clock.Now()))}))
	e.clock.Advance(30 * time.Second)
	ch := must[*cip.InitiateAuthOutput](t)(e.password(id, "lou", signinPassword))
	right := totpCode(t, secret, e.clock.Now())
	for range 5 {
		_, err := e.respond(id, types.ChallengeNameTypeSoftwareTokenMfa, ch.Session, "USERNAME", "lou", "SOFTWARE_TOKEN_MFA_CODE", wrongCode(right))
		wantErr(t, err, "CodeMismatchException", "")
	}
	// Five wrong codes lock the user out as five wrong passwords do.
	_, err := e.respond(id, types.ChallengeNameTypeSoftwareTokenMfa, ch.Session, "USERNAME", "lou", "SOFTWARE_TOKEN_MFA_CODE", right)
	wantErr(t, err, "NotAuthorizedException", "Password attempts exceeded")
	_, err = e.password(id, "lou", signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Password attempts exceeded")
	e.clock.Advance(time.Second)
	must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeSoftwareTokenMfa, ch.Session, "USERNAME", "lou", "SOFTWARE_TOKEN_MFA_CODE", right))
}

func TestMFASetupChallenge(t *testing.T) {
	e, id := mfaEnv(t, nil, &cip.SetUserPoolMfaConfigInput{
		MfaConfiguration:              types.UserPoolMfaTypeOn,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
	})
	e.user(t, "max")
	ch := must[*cip.InitiateAuthOutput](t)(e.password(id, "max", signinPassword))
	if ch.ChallengeName != types.ChallengeNameTypeMfaSetup || ch.ChallengeParameters["MFAS_CAN_SETUP"] != `["SOFTWARE_TOKEN_MFA"]` {
		t.Fatalf("challenge %s %v", ch.ChallengeName, ch.ChallengeParameters)
	}
	_, err := e.respond(id, types.ChallengeNameTypeMfaSetup, ch.Session, "USERNAME", "max")
	wantErr(t, err, "InvalidParameterException", "MFA setup is not complete")
	assoc := must[*cip.AssociateSoftwareTokenOutput](t)(e.c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: ch.Session}))
	if assoc.Session == nil || aws.ToString(assoc.Session) == aws.ToString(ch.Session) {
		t.Fatal("AssociateSoftwareToken with a session gives no new session")
	}
	// The session each step answers is spent.
	_, err = e.c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: ch.Session})
	wantErr(t, err, "NotAuthorizedException", "Invalid session")
	ver := must[*cip.VerifySoftwareTokenOutput](t)(e.c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{
		Session: assoc.Session, UserCode: aws.String(totpCode(t, aws.ToString(assoc.SecretCode), e.clock.Now()))}))
	if ver.Status != types.VerifySoftwareTokenResponseTypeSuccess || ver.Session == nil {
		t.Fatalf("verify: %s %v", ver.Status, ver.Session)
	}
	out := must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeMfaSetup, ver.Session, "USERNAME", "max"))
	if out.AuthenticationResult == nil {
		t.Fatalf("no tokens after MFA_SETUP: %s", out.ChallengeName)
	}
	if ch := must[*cip.InitiateAuthOutput](t)(e.password(id, "max", signinPassword)); ch.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("after setup: %s", ch.ChallengeName)
	}

	// A pool without TOTP has no software tokens to associate.
	e2, id2 := mfaEnv(t, nil, &cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOff})
	e2.user(t, "ned")
	token := must[*cip.InitiateAuthOutput](t)(e2.password(id2, "ned", signinPassword)).AuthenticationResult.AccessToken
	_, err = e2.c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: token})
	wantErr(t, err, "SoftwareTokenMFANotFoundException", "")
}

func TestSMSAndEmailMFA(t *testing.T) {
	e, id := mfaEnv(t, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypeEssentials, EmailConfiguration: sesConfig, SmsAuthenticationMessage: aws.String("Sign-in code {####}")},
		&cip.SetUserPoolMfaConfigInput{
			MfaConfiguration:      types.UserPoolMfaTypeOn,
			SmsMfaConfiguration:   &types.SmsMfaConfigType{SmsConfiguration: smsConfig},
			EmailMfaConfiguration: &types.EmailMfaConfigType{Subject: aws.String("Your code"), Message: aws.String("Code: {####}")},
		})
	const phone, email = "+15550001234", "pat@example.com"
	e.user(t, "pat", attr("phone_number", phone), attr("email", email))
	env := &accountEnv{s: e.s, c: e.c, pool: e.pool, clock: e.clock}

	// MFA on, no factor chosen, a phone number: SMS codes.
	ch := must[*cip.InitiateAuthOutput](t)(e.password(id, "pat", signinPassword))
	if ch.ChallengeName != types.ChallengeNameTypeSmsMfa || ch.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "SMS" ||
		ch.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "+*******1234" {
		t.Fatalf("challenge %s %v", ch.ChallengeName, ch.ChallengeParameters)
	}
	msgs := outbox(t, e.s, e.pool, phone)
	if len(msgs) == 0 || msgs[0].Text != "Sign-in code "+env.lastCode(t, phone) {
		t.Fatalf("SMS %+v", msgs)
	}
	code := env.lastCode(t, phone)
	_, err := e.respond(id, types.ChallengeNameTypeSmsMfa, ch.Session, "USERNAME", "pat", "SMS_MFA_CODE", wrongCode(code))
	wantErr(t, err, "CodeMismatchException", "Invalid code received for user")
	_, err = e.respond(id, types.ChallengeNameTypeEmailOtp, ch.Session, "USERNAME", "pat", "EMAIL_OTP_CODE", code)
	wantErr(t, err, "InvalidParameterException", "expected SMS_MFA")
	out := must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeSmsMfa, ch.Session, "USERNAME", "pat", "SMS_MFA_CODE", code))
	if out.AuthenticationResult == nil {
		t.Fatal("no tokens after SMS_MFA")
	}

	// A code and its session expire.
	ch = must[*cip.InitiateAuthOutput](t)(e.password(id, "pat", signinPassword))
	e.clock.Advance(3 * time.Minute)
	_, err = e.respond(id, types.ChallengeNameTypeSmsMfa, ch.Session, "USERNAME", "pat", "SMS_MFA_CODE", env.lastCode(t, phone))
	wantErr(t, err, "NotAuthorizedException", "session is expired")

	// Both factors on and none preferred: the user chooses.
	must[*cip.AdminSetUserMFAPreferenceOutput](t)(e.c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("pat"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}, EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true}}))
	adm, err := e.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(id),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "pat", "PASSWORD": signinPassword}})
	if err != nil {
		t.Fatal(err)
	}
	var choose []string
	if adm.ChallengeName != types.ChallengeNameTypeSelectMfaType || json.Unmarshal([]byte(adm.ChallengeParameters["MFAS_CAN_CHOOSE"]), &choose) != nil ||
		!slices.Equal(choose, []string{"SMS_MFA", "EMAIL_OTP"}) {
		t.Fatalf("challenge %s %v", adm.ChallengeName, adm.ChallengeParameters)
	}
	adminRespond := func(challenge types.ChallengeNameType, session *string, answers ...string) (*cip.AdminRespondToAuthChallengeOutput, error) {
		r := map[string]string{"USERNAME": "pat"}
		for i := 0; i+1 < len(answers); i += 2 {
			r[answers[i]] = answers[i+1]
		}
		return e.c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(id),
			ChallengeName: challenge, Session: session, ChallengeResponses: r})
	}
	_, err = adminRespond(types.ChallengeNameTypeSelectMfaType, adm.Session, "ANSWER", "SOFTWARE_TOKEN_MFA")
	wantErr(t, err, "InvalidParameterException", "ANSWER")
	sel := must[*cip.AdminRespondToAuthChallengeOutput](t)(adminRespond(types.ChallengeNameTypeSelectMfaType, adm.Session, "ANSWER", "EMAIL_OTP"))
	if sel.ChallengeName != types.ChallengeNameTypeEmailOtp || sel.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "p***@e***" ||
		sel.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" {
		t.Fatalf("after SELECT_MFA_TYPE: %s %v", sel.ChallengeName, sel.ChallengeParameters)
	}
	mail := outbox(t, e.s, e.pool, email)
	if len(mail) == 0 || mail[0].Subject != "Your code" {
		t.Fatalf("email %+v", mail)
	}
	done := must[*cip.AdminRespondToAuthChallengeOutput](t)(adminRespond(types.ChallengeNameTypeEmailOtp, sel.Session, "EMAIL_OTP_CODE", env.lastCode(t, email)))
	if done.AuthenticationResult == nil {
		t.Fatal("no tokens after EMAIL_OTP")
	}

	// The preferred factor is asked for at once.
	must[*cip.AdminSetUserMFAPreferenceOutput](t)(e.c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("pat"), EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}}))
	if ch := must[*cip.InitiateAuthOutput](t)(e.password(id, "pat", signinPassword)); ch.ChallengeName != types.ChallengeNameTypeEmailOtp {
		t.Fatalf("with EMAIL_OTP preferred: %s", ch.ChallengeName)
	}
	u, _ := e.mfaSettings(t, "pat")
	if aws.ToString(u.PreferredMfaSetting) != "EMAIL_OTP" || !slices.Equal(u.UserMFASettingList, []string{"SMS_MFA", "EMAIL_OTP"}) ||
		len(u.MFAOptions) != 1 || u.MFAOptions[0].DeliveryMedium != types.DeliveryMediumTypeSms {
		t.Fatalf("AdminGetUser: %v %v %+v", u.PreferredMfaSetting, u.UserMFASettingList, u.MFAOptions)
	}
}

func TestLegacyMFASettings(t *testing.T) {
	e, id := mfaEnv(t, nil, &cip.SetUserPoolMfaConfigInput{
		MfaConfiguration:    types.UserPoolMfaTypeOptional,
		SmsMfaConfiguration: &types.SmsMfaConfigType{SmsConfiguration: smsConfig},
	})
	e.user(t, "quin", attr("phone_number", "+15550009876"))
	e.user(t, "rex")
	token := must[*cip.InitiateAuthOutput](t)(e.password(id, "quin", signinPassword)).AuthenticationResult.AccessToken
	sms := []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeSms, AttributeName: aws.String("phone_number")}}
	_, err := e.c.SetUserSettings(ctx, &cip.SetUserSettingsInput{AccessToken: token,
		MFAOptions: []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeEmail, AttributeName: aws.String("email")}}})
	wantErr(t, err, "InvalidParameterException", "Only SMS")
	must[*cip.SetUserSettingsOutput](t)(e.c.SetUserSettings(ctx, &cip.SetUserSettingsInput{AccessToken: token, MFAOptions: sms}))
	g := must[*cip.GetUserOutput](t)(e.c.GetUser(ctx, &cip.GetUserInput{AccessToken: token}))
	if !slices.Equal(g.UserMFASettingList, []string{"SMS_MFA"}) || len(g.MFAOptions) != 1 {
		t.Fatalf("GetUser: %v %+v", g.UserMFASettingList, g.MFAOptions)
	}
	if ch := must[*cip.InitiateAuthOutput](t)(e.password(id, "quin", signinPassword)); ch.ChallengeName != types.ChallengeNameTypeSmsMfa {
		t.Fatalf("optional MFA with SMS on: %s", ch.ChallengeName)
	}
	_, err = e.c.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{UserPoolId: aws.String(e.pool), Username: aws.String("rex"), MFAOptions: sms})
	wantErr(t, err, "InvalidParameterException", "User does not have delivery config set to turn on SMS_MFA")
	must[*cip.AdminSetUserSettingsOutput](t)(e.c.AdminSetUserSettings(ctx, &cip.AdminSetUserSettingsInput{UserPoolId: aws.String(e.pool), Username: aws.String("quin"), MFAOptions: []types.MFAOptionType{}}))
	if res := must[*cip.InitiateAuthOutput](t)(e.password(id, "quin", signinPassword)); res.AuthenticationResult == nil {
		t.Fatalf("SMS MFA off: %s", res.ChallengeName)
	}
	f := must[*cip.GetUserAuthFactorsOutput](t)(e.c.GetUserAuthFactors(ctx, &cip.GetUserAuthFactorsInput{AccessToken: token}))
	if aws.ToString(f.Username) != "quin" || len(f.UserMFASettingList) != 0 || !slices.Equal(f.ConfiguredUserAuthFactors, []types.AuthFactorType{types.AuthFactorTypePassword}) {
		t.Fatalf("GetUserAuthFactors: %+v", f)
	}
}

// A PASSWORD_VERIFIER answer without Session (clients such as pycognito
// never send it) finds its challenge by the secret block it sends back.
func TestPasswordVerifierWithoutSession(t *testing.T) {
	e := newSigninEnv(t, nil)
	id := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "pyc")
	cl, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	init := must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeUserSrpAuth,
		AuthParameters: map[string]string{"USERNAME": "pyc", "SRP_A": cl.A()}}))
	init.Session = nil
	out := must[*cip.RespondToAuthChallengeOutput](t)(e.answerSRP(t, id, cl, init, signinPassword))
	if out.AuthenticationResult == nil {
		t.Fatal("no tokens")
	}
	// The challenge is spent.
	_, err = e.answerSRP(t, id, cl, init, signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Invalid session")
	// A block the server never issued finds nothing.
	init.ChallengeParameters["SECRET_BLOCK"] = base64.StdEncoding.EncodeToString(make([]byte, 64))
	_, err = e.answerSRP(t, id, cl, init, signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Invalid session")
}
