package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/fxamacker/cbor/v2"

	"github.com/cognate-idp/cognate/internal/srp"
)

var b64 = base64.RawURLEncoding

// authenticator is a software passkey authenticator: one ECDSA P-256
// credential, attestation "none", user presence and verification always
// given, a signature counter that advances at each assertion.
type authenticator struct {
	key    *ecdsa.PrivateKey
	id     []byte
	count  uint32
	handle []byte
	// noUV makes the authenticator skip user verification.
	noUV bool
}

func newAuthenticator(t *testing.T) *authenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	return &authenticator{key: key, id: id}
}

// authData is the authenticator data for rpID with flags, the counter and
// attested (the attested credential data, or nil).
func (a *authenticator) authData(rpID string, flags byte, attested []byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, a.count)
	return append(out, attested...)
}

const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

// create answers CredentialCreationOptions as a browser at origin would,
// for relying party rpID (the options' own when empty).
func (a *authenticator) create(t *testing.T, opts map[string]any, origin, rpID string) map[string]any {
	t.Helper()
	if rpID == "" {
		rpID = opts["rp"].(map[string]any)["id"].(string)
	}
	handle, err := b64.DecodeString(opts["user"].(map[string]any)["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	a.handle = handle
	cd, _ := json.Marshal(map[string]any{"type": "webauthn.create", "challenge": opts["challenge"], "origin": origin, "crossOrigin": false})
	enc, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		t.Fatal(err)
	}
	x, y := make([]byte, 32), make([]byte, 32)
	a.key.X.FillBytes(x)
	a.key.Y.FillBytes(y)
	cose, err := enc.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		t.Fatal(err)
	}
	attested := make([]byte, 16) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(a.id)))
	attested = append(append(attested, a.id...), cose...)
	flags := byte(flagUP | flagUV | flagAT)
	if a.noUV {
		flags &^= flagUV
	}
	att, err := enc.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(rpID, flags, attested)})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(cd), "attestationObject": b64.EncodeToString(att),
			"transports": []string{"internal", "hybrid"},
		},
	}
}

// get answers CREDENTIAL_REQUEST_OPTIONS as a browser at origin would,
// and returns the AuthenticationResponseJSON as CREDENTIAL takes it.
func (a *authenticator) get(t *testing.T, optsJSON, origin string) string {
	t.Helper()
	var opts struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
	}
	if err := json.Unmarshal([]byte(optsJSON), &opts); err != nil {
		t.Fatal(err)
	}
	a.count++
	cd, _ := json.Marshal(map[string]any{"type": "webauthn.get", "challenge": opts.Challenge, "origin": origin, "crossOrigin": false})
	flags := byte(flagUP | flagUV)
	if a.noUV {
		flags &^= flagUV
	}
	ad := a.authData(opts.RPID, flags, nil)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(slices.Clone(ad), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.id), "rawId": b64.EncodeToString(a.id), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(ad),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(a.handle),
		},
	})
	return string(out)
}

// passwordlessPool is a sign-in environment whose pool (Essentials)
// allows every first factor, with passkeys for example.com, and an app
// client with ALLOW_USER_AUTH.
func passwordlessPool(t *testing.T, mfa types.UserPoolMfaType) (*signinEnv, string) {
	t.Helper()
	e := newSigninEnv(t, &cip.CreateUserPoolInput{
		UserPoolTier: types.UserPoolTierTypeEssentials, EmailConfiguration: sesConfig, SmsConfiguration: smsConfig,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{
			types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp, types.AuthFactorTypeSmsOtp, types.AuthFactorTypeWebAuthn,
		}}},
	})
	cfg := &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool), MfaConfiguration: mfa,
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("example.com"), UserVerification: types.UserVerificationTypeRequired}}
	if mfa != types.UserPoolMfaTypeOff {
		cfg.SoftwareTokenMfaConfiguration = &types.SoftwareTokenMfaConfigType{Enabled: true}
	}
	must[*cip.SetUserPoolMfaConfigOutput](t)(e.c.SetUserPoolMfaConfig(ctx, cfg))
	id := aws.ToString(e.client(t, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowUserAuth)
	}).ClientId)
	return e, id
}

func (e *signinEnv) userAuth(clientID, name string, extra ...string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"USERNAME": name}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	return e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserAuth, AuthParameters: params})
}

func (e *signinEnv) accessToken(t *testing.T, clientID, name string) *string {
	t.Helper()
	return must[*cip.InitiateAuthOutput](t)(e.password(clientID, name, signinPassword)).AuthenticationResult.AccessToken
}

// startRegistration returns the creation options StartWebAuthnRegistration
// gives the holder of token.
func (e *signinEnv) startRegistration(t *testing.T, token *string) map[string]any {
	t.Helper()
	out := must[*cip.StartWebAuthnRegistrationOutput](t)(e.c.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: token}))
	m := map[string]any{}
	if err := out.CredentialCreationOptions.UnmarshalSmithyDocument(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *signinEnv) completeRegistration(token *string, cred map[string]any) error {
	_, err := e.c.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{AccessToken: token, Credential: document.NewLazyDocument(cred)})
	return err
}

func TestPasskeys(t *testing.T) {
	e, id := passwordlessPool(t, types.UserPoolMfaTypeOff)
	other := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "kim", attr("email", "kim@example.com"), attr("email_verified", "true"))
	token := e.accessToken(t, id, "kim")
	sub := attrs(must[*cip.AdminGetUserOutput](t)(e.c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("kim")})).UserAttributes)["sub"]
	const origin = "https://app.example.com"

	opts := e.startRegistration(t, token)
	rp, user := opts["rp"].(map[string]any), opts["user"].(map[string]any)
	sel := opts["authenticatorSelection"].(map[string]any)
	if rp["id"] != "example.com" || user["id"] != b64.EncodeToString([]byte(sub)) || user["name"] != "kim" ||
		user["displayName"] != "kim@example.com" || sel["userVerification"] != "required" || sel["residentKey"] != "required" || opts["challenge"] == "" {
		t.Fatalf("CredentialCreationOptions %v", opts)
	}

	// A passkey made at another origin, or for another relying party, is
	// refused, and spends the challenge.
	key := newAuthenticator(t)
	wantErr(t, e.completeRegistration(token, key.create(t, opts, "https://evil.test", "")), "WebAuthnOriginNotAllowedException", "origin")
	wantErr(t, e.completeRegistration(token, key.create(t, opts, origin, "")), "WebAuthnChallengeNotFoundException", "")
	opts = e.startRegistration(t, token)
	wantErr(t, e.completeRegistration(token, key.create(t, opts, origin, "other.example")), "WebAuthnRelyingPartyMismatchException", "")
	// The pool requires user verification.
	opts = e.startRegistration(t, token)
	lax := newAuthenticator(t)
	lax.noUV = true
	wantErr(t, e.completeRegistration(token, lax.create(t, opts, origin, "")), "WebAuthnCredentialNotSupportedException", "user verification")
	// The registration belongs to the app client that started it.
	opts = e.startRegistration(t, token)
	wantErr(t, e.completeRegistration(e.accessToken(t, other, "kim"), key.create(t, opts, origin, "")), "WebAuthnClientMismatchException", "")

	opts = e.startRegistration(t, token)
	reg := key.create(t, opts, origin, "")
	if err := e.completeRegistration(token, reg); err != nil {
		t.Fatal(err)
	}
	wantErr(t, e.completeRegistration(token, reg), "WebAuthnChallengeNotFoundException", "")

	// A second passkey, a minute later (passkeys are listed oldest first);
	// the first is excluded from its options.
	e.clock.Advance(time.Minute)
	second := newAuthenticator(t)
	opts = e.startRegistration(t, token)
	if ex, _ := opts["excludeCredentials"].([]any); len(ex) != 1 || ex[0].(map[string]any)["id"] != b64.EncodeToString(key.id) {
		t.Fatalf("excludeCredentials %v", opts["excludeCredentials"])
	}
	if err := e.completeRegistration(token, second.create(t, opts, "https://example.com", "")); err != nil {
		t.Fatal(err)
	}
	list := must[*cip.ListWebAuthnCredentialsOutput](t)(e.c.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: token, MaxResults: aws.Int32(1)}))
	if len(list.Credentials) != 1 || list.NextToken == nil {
		t.Fatalf("first page %+v", list)
	}
	c := list.Credentials[0]
	if aws.ToString(c.CredentialId) != b64.EncodeToString(key.id) || aws.ToString(c.RelyingPartyId) != "example.com" ||
		aws.ToString(c.AuthenticatorAttachment) != "platform" || !slices.Equal(c.AuthenticatorTransports, []string{"internal", "hybrid"}) ||
		aws.ToString(c.FriendlyCredentialName) == "" || c.CreatedAt == nil {
		t.Fatalf("credential %+v", c)
	}
	list = must[*cip.ListWebAuthnCredentialsOutput](t)(e.c.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: token, NextToken: list.NextToken}))
	if len(list.Credentials) != 1 || aws.ToString(list.Credentials[0].CredentialId) != b64.EncodeToString(second.id) || list.NextToken != nil {
		t.Fatalf("second page %+v", list)
	}

	if _, f := e.mfaSettings(t, "kim"); !slices.Equal(f.ConfiguredUserAuthFactors, []string{"PASSWORD", "EMAIL_OTP", "WEB_AUTHN"}) {
		t.Fatalf("ConfiguredUserAuthFactors %v", f.ConfiguredUserAuthFactors)
	}

	// Sign in with the passkey as the preferred first factor.
	ch := must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "kim", "PREFERRED_CHALLENGE", "WEB_AUTHN"))
	var req struct {
		Challenge        string           `json:"challenge"`
		RPID             string           `json:"rpId"`
		UserVerification string           `json:"userVerification"`
		Allow            []map[string]any `json:"allowCredentials"`
	}
	if ch.ChallengeName != types.ChallengeNameTypeWebAuthn || json.Unmarshal([]byte(ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"]), &req) != nil ||
		req.RPID != "example.com" || req.UserVerification != "required" || len(req.Allow) != 2 || req.Challenge == "" {
		t.Fatalf("WEB_AUTHN challenge %s %v", ch.ChallengeName, ch.ChallengeParameters)
	}
	cred := key.get(t, ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], origin)
	out := must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeWebAuthn, ch.Session, "USERNAME", "kim", "CREDENTIAL", cred))
	if out.AuthenticationResult == nil || out.AuthenticationResult.AccessToken == nil {
		t.Fatalf("no tokens after WEB_AUTHN: %+v", out)
	}
	// The challenge is single use, and an assertion answers only its own
	// challenge.
	_, err := e.respond(id, types.ChallengeNameTypeWebAuthn, ch.Session, "USERNAME", "kim", "CREDENTIAL", cred)
	wantErr(t, err, "NotAuthorizedException", "Invalid session")
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "kim", "PREFERRED_CHALLENGE", "WEB_AUTHN"))
	_, err = e.respond(id, types.ChallengeNameTypeWebAuthn, ch.Session, "USERNAME", "kim", "CREDENTIAL", cred)
	wantErr(t, err, "NotAuthorizedException", "Incorrect passkey")
	// An assertion made at another origin is refused.
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "kim", "PREFERRED_CHALLENGE", "WEB_AUTHN"))
	_, err = e.respond(id, types.ChallengeNameTypeWebAuthn, ch.Session, "USERNAME", "kim", "CREDENTIAL", key.get(t, ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], "https://example.org"))
	wantErr(t, err, "NotAuthorizedException", "origin")
	// The pool requires user verification at sign-in too.
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "kim", "PREFERRED_CHALLENGE", "WEB_AUTHN"))
	unverified := *key
	unverified.noUV = true
	_, err = e.respond(id, types.ChallengeNameTypeWebAuthn, ch.Session, "USERNAME", "kim", "CREDENTIAL", unverified.get(t, ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], origin))
	wantErr(t, err, "NotAuthorizedException", "Incorrect passkey")
	// A cloned authenticator, whose counter falls behind, is refused.
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "kim", "PREFERRED_CHALLENGE", "WEB_AUTHN"))
	clone := *key
	clone.count = 0
	_, err = e.respond(id, types.ChallengeNameTypeWebAuthn, ch.Session, "USERNAME", "kim", "CREDENTIAL", clone.get(t, ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], origin))
	wantErr(t, err, "NotAuthorizedException", "counter")

	// Without a preference the user chooses, among the factors they have.
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "kim"))
	if ch.ChallengeName != types.ChallengeNameTypeSelectChallenge ||
		!slices.Equal(ch.AvailableChallenges, []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"}) {
		t.Fatalf("SELECT_CHALLENGE %s %v", ch.ChallengeName, ch.AvailableChallenges)
	}
	next := must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeSelectChallenge, ch.Session, "USERNAME", "kim", "ANSWER", "WEB_AUTHN"))
	if next.ChallengeName != types.ChallengeNameTypeWebAuthn {
		t.Fatalf("after SELECT_CHALLENGE: %s", next.ChallengeName)
	}
	out = must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeWebAuthn, next.Session, "USERNAME", "kim",
		"CREDENTIAL", second.get(t, next.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], origin)))
	if out.AuthenticationResult == nil {
		t.Fatal("no tokens after SELECT_CHALLENGE and WEB_AUTHN")
	}

	// The admin forms.
	adm := must[*cip.AdminInitiateAuthOutput](t)(e.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(id),
		AuthFlow: types.AuthFlowTypeUserAuth, AuthParameters: map[string]string{"USERNAME": "kim", "PREFERRED_CHALLENGE": "WEB_AUTHN"}}))
	done := must[*cip.AdminRespondToAuthChallengeOutput](t)(e.c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(id), ChallengeName: types.ChallengeNameTypeWebAuthn, Session: adm.Session,
		ChallengeResponses: map[string]string{"USERNAME": "kim", "CREDENTIAL": key.get(t, adm.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], origin)}}))
	if done.AuthenticationResult == nil {
		t.Fatal("no tokens after AdminRespondToAuthChallenge WEB_AUTHN")
	}

	// A deleted passkey signs in no more.
	must[*cip.DeleteWebAuthnCredentialOutput](t)(e.c.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: token, CredentialId: aws.String(b64.EncodeToString(key.id))}))
	_, err = e.c.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: token, CredentialId: aws.String(b64.EncodeToString(key.id))})
	wantErr(t, err, "ResourceNotFoundException", "")
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "kim", "PREFERRED_CHALLENGE", "WEB_AUTHN"))
	_, err = e.respond(id, types.ChallengeNameTypeWebAuthn, ch.Session, "USERNAME", "kim", "CREDENTIAL", key.get(t, ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], origin))
	wantErr(t, err, "NotAuthorizedException", "Incorrect passkey")
	list = must[*cip.ListWebAuthnCredentialsOutput](t)(e.c.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: token}))
	if len(list.Credentials) != 1 {
		t.Fatalf("after the delete: %+v", list.Credentials)
	}
}

func TestPasskeysNotEnabled(t *testing.T) {
	e := newSigninEnv(t, nil)
	id := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "lee")
	_, err := e.c.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: e.accessToken(t, id, "lee")})
	wantErr(t, err, "WebAuthnNotEnabledException", "")

	// Allowed, but with no relying party: no domain and none configured.
	e = newSigninEnv(t, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypeEssentials,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn}}}})
	id = aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "lee")
	_, err = e.c.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: e.accessToken(t, id, "lee")})
	wantErr(t, err, "WebAuthnConfigurationMissingException", "")
}

func TestPasswordlessCodes(t *testing.T) {
	e, id := passwordlessPool(t, types.UserPoolMfaTypeOff)
	const email, phone = "ola@example.com", "+15550009876"
	e.user(t, "ola", attr("email", email), attr("email_verified", "true"), attr("phone_number", phone), attr("phone_number_verified", "true"))
	env := &accountEnv{s: e.s, c: e.c, pool: e.pool, clock: e.clock}

	// EMAIL_OTP preferred: a code by email, with the pool's template.
	ch := must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "ola", "PREFERRED_CHALLENGE", "EMAIL_OTP"))
	if ch.ChallengeName != types.ChallengeNameTypeEmailOtp || ch.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" ||
		ch.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "o***@e***" {
		t.Fatalf("EMAIL_OTP challenge %s %v", ch.ChallengeName, ch.ChallengeParameters)
	}
	code := env.lastCode(t, email)
	_, err := e.respond(id, types.ChallengeNameTypeEmailOtp, ch.Session, "USERNAME", "ola", "EMAIL_OTP_CODE", wrongCode(code))
	wantErr(t, err, "CodeMismatchException", "")
	out := must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeEmailOtp, ch.Session, "USERNAME", "ola", "EMAIL_OTP_CODE", code))
	if out.AuthenticationResult == nil {
		t.Fatal("no tokens after EMAIL_OTP")
	}
	// The code and its session are spent.
	_, err = e.respond(id, types.ChallengeNameTypeEmailOtp, ch.Session, "USERNAME", "ola", "EMAIL_OTP_CODE", code)
	wantErr(t, err, "NotAuthorizedException", "")

	// SMS_OTP chosen from SELECT_CHALLENGE, with the admin operations.
	adm := must[*cip.AdminInitiateAuthOutput](t)(e.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(id),
		AuthFlow: types.AuthFlowTypeUserAuth, AuthParameters: map[string]string{"USERNAME": "ola"}}))
	if adm.ChallengeName != types.ChallengeNameTypeSelectChallenge ||
		!slices.Equal(adm.AvailableChallenges, []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}) {
		t.Fatalf("SELECT_CHALLENGE %s %v", adm.ChallengeName, adm.AvailableChallenges)
	}
	adminRespond := func(challenge types.ChallengeNameType, session *string, answers ...string) (*cip.AdminRespondToAuthChallengeOutput, error) {
		r := map[string]string{"USERNAME": "ola"}
		for i := 0; i+1 < len(answers); i += 2 {
			r[answers[i]] = answers[i+1]
		}
		return e.c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(id),
			ChallengeName: challenge, Session: session, ChallengeResponses: r})
	}
	_, err = adminRespond(types.ChallengeNameTypeSelectChallenge, adm.Session, "ANSWER", "WEB_AUTHN")
	wantErr(t, err, "InvalidParameterException", "AvailableChallenges")
	sms := must[*cip.AdminRespondToAuthChallengeOutput](t)(adminRespond(types.ChallengeNameTypeSelectChallenge, adm.Session, "ANSWER", "SMS_OTP"))
	if sms.ChallengeName != types.ChallengeNameTypeSmsOtp || sms.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "+*******9876" {
		t.Fatalf("SMS_OTP challenge %s %v", sms.ChallengeName, sms.ChallengeParameters)
	}
	done := must[*cip.AdminRespondToAuthChallengeOutput](t)(adminRespond(types.ChallengeNameTypeSmsOtp, sms.Session, "SMS_OTP_CODE", env.lastCode(t, phone)))
	if done.AuthenticationResult == nil {
		t.Fatal("no tokens after SMS_OTP")
	}

	// A code expires with its session.
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "ola", "PREFERRED_CHALLENGE", "EMAIL_OTP"))
	e.clock.Advance(3 * time.Minute)
	_, err = e.respond(id, types.ChallengeNameTypeEmailOtp, ch.Session, "USERNAME", "ola", "EMAIL_OTP_CODE", env.lastCode(t, email))
	wantErr(t, err, "NotAuthorizedException", "expired")

	// A password through SELECT_CHALLENGE.
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "ola"))
	out = must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeSelectChallenge, ch.Session, "USERNAME", "ola", "ANSWER", "PASSWORD", "PASSWORD", signinPassword))
	if out.AuthenticationResult == nil {
		t.Fatal("no tokens after SELECT_CHALLENGE PASSWORD")
	}

	// PREFERRED_CHALLENGE PASSWORD without the password: the PASSWORD
	// challenge asks for it.
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "ola", "PREFERRED_CHALLENGE", "PASSWORD"))
	if ch.ChallengeName != types.ChallengeNameTypePassword {
		t.Fatalf("PREFERRED_CHALLENGE PASSWORD: %s", ch.ChallengeName)
	}
	_, err = e.respond(id, types.ChallengeNameTypePassword, ch.Session, "USERNAME", "ola", "PASSWORD", "Wrong-passw0rd!")
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password")
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "ola", "PREFERRED_CHALLENGE", "PASSWORD"))
	out = must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypePassword, ch.Session, "USERNAME", "ola", "PASSWORD", signinPassword))
	if out.AuthenticationResult == nil {
		t.Fatal("no tokens after the PASSWORD challenge")
	}

	// PASSWORD_SRP through SELECT_CHALLENGE leads to PASSWORD_VERIFIER.
	cl, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "ola"))
	pv := must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeSelectChallenge, ch.Session, "USERNAME", "ola", "ANSWER", "PASSWORD_SRP", "SRP_A", cl.A()))
	if pv.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("after SELECT_CHALLENGE PASSWORD_SRP: %s", pv.ChallengeName)
	}
	srpDone := must[*cip.RespondToAuthChallengeOutput](t)(e.answerSRP(t, id, cl, &cip.InitiateAuthOutput{ChallengeParameters: pv.ChallengeParameters, Session: pv.Session}, signinPassword))
	if srpDone.AuthenticationResult == nil {
		t.Fatal("no tokens after PASSWORD_SRP")
	}

	// Wrong codes count toward the lockout, as wrong passwords do.
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "ola", "PREFERRED_CHALLENGE", "EMAIL_OTP"))
	code = env.lastCode(t, email)
	for range 5 {
		_, err = e.respond(id, types.ChallengeNameTypeEmailOtp, ch.Session, "USERNAME", "ola", "EMAIL_OTP_CODE", wrongCode(code))
		wantErr(t, err, "CodeMismatchException", "")
	}
	_, err = e.respond(id, types.ChallengeNameTypeEmailOtp, ch.Session, "USERNAME", "ola", "EMAIL_OTP_CODE", code)
	wantErr(t, err, "NotAuthorizedException", "attempts exceeded")

	// An unverified address gets no codes; an unknown user, without
	// PreventUserExistenceErrors, is UserNotFoundException.
	e.user(t, "ned", attr("email", "ned@example.com"))
	if ch := must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "ned", "PREFERRED_CHALLENGE", "EMAIL_OTP")); ch.ChallengeName != types.ChallengeNameTypeSelectChallenge ||
		!slices.Equal(ch.AvailableChallenges, []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP"}) {
		t.Fatalf("unverified email: %s %v", ch.ChallengeName, ch.AvailableChallenges)
	}
	_, err = e.userAuth(id, "nobody")
	wantErr(t, err, "UserNotFoundException", "")

	// With PreventUserExistenceErrors an unknown user looks like one with
	// a password only, and fails as a wrong password does.
	hidden := aws.ToString(e.client(t, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserAuth}
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	}).ClientId)
	ch = must[*cip.InitiateAuthOutput](t)(e.userAuth(hidden, "nobody"))
	if ch.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(ch.AvailableChallenges, []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP"}) {
		t.Fatalf("unknown user: %s %v", ch.ChallengeName, ch.AvailableChallenges)
	}
	_, err = e.respond(hidden, types.ChallengeNameTypeSelectChallenge, ch.Session, "USERNAME", "nobody", "ANSWER", "PASSWORD", "PASSWORD", signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password")
}

// With MFA required, one-time codes are not a way in: a password (and its
// second factor) is.
func TestPasswordlessWithRequiredMFA(t *testing.T) {
	e, id := passwordlessPool(t, types.UserPoolMfaTypeOn)
	e.user(t, "mo", attr("email", "mo@example.com"), attr("email_verified", "true"))
	ch := must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "mo", "PREFERRED_CHALLENGE", "EMAIL_OTP"))
	if ch.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(ch.AvailableChallenges, []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP"}) {
		t.Fatalf("with MFA on: %s %v", ch.ChallengeName, ch.AvailableChallenges)
	}
	next := must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeSelectChallenge, ch.Session, "USERNAME", "mo", "ANSWER", "PASSWORD", "PASSWORD", signinPassword))
	if next.ChallengeName != types.ChallengeNameTypeMfaSetup {
		t.Fatalf("after the password with MFA on: %s", next.ChallengeName)
	}
}

// A passkey with user verification stands for both factors for a user
// with passkey MFA on, in a pool that says so
// (MULTI_FACTOR_WITH_USER_VERIFICATION); otherwise a pool that requires
// MFA does not offer passkeys.
func TestPasskeyAsMultiFactor(t *testing.T) {
	e, id := passwordlessPool(t, types.UserPoolMfaTypeOff)
	e.user(t, "vi", attr("phone_number", "+15550004444"))
	token := e.accessToken(t, id, "vi")
	key := newAuthenticator(t)
	if err := e.completeRegistration(token, key.create(t, e.startRegistration(t, token), "https://example.com", "")); err != nil {
		t.Fatal(err)
	}
	mfa := func(factor types.WebAuthnFactorConfigurationType) {
		must[*cip.SetUserPoolMfaConfigOutput](t)(e.c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool),
			MfaConfiguration: types.UserPoolMfaTypeOn, SmsMfaConfiguration: &types.SmsMfaConfigType{SmsConfiguration: smsConfig},
			WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("example.com"), FactorConfiguration: factor}}))
	}
	prefs := func(sms bool) error {
		_, err := e.c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(e.pool), Username: aws.String("vi"),
			SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: sms}, WebAuthnMfaSettings: &types.WebAuthnMfaSettingsType{Enabled: true}})
		return err
	}
	offered := func() bool {
		return slices.Contains(must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "vi")).AvailableChallenges, types.ChallengeNameTypeWebAuthn)
	}
	mfa(types.WebAuthnFactorConfigurationTypeSingleFactor)
	wantErr(t, prefs(true), "InvalidParameterException", "MULTI_FACTOR_WITH_USER_VERIFICATION")
	if offered() {
		t.Fatal("single-factor passkeys offered with MFA on")
	}
	mfa(types.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification)
	if offered() {
		t.Fatal("passkeys offered with MFA on to a user without passkey MFA")
	}
	wantErr(t, prefs(false), "InvalidParameterException", "another MFA factor")
	if err := prefs(true); err != nil {
		t.Fatal(err)
	}
	ch := must[*cip.InitiateAuthOutput](t)(e.userAuth(id, "vi", "PREFERRED_CHALLENGE", "WEB_AUTHN"))
	if ch.ChallengeName != types.ChallengeNameTypeWebAuthn || !strings.Contains(ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], `"userVerification":"required"`) {
		t.Fatalf("multi-factor passkey challenge %s %v", ch.ChallengeName, ch.ChallengeParameters)
	}
	out := must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeWebAuthn, ch.Session, "USERNAME", "vi",
		"CREDENTIAL", key.get(t, ch.ChallengeParameters["CREDENTIAL_REQUEST_OPTIONS"], "https://example.com")))
	if out.AuthenticationResult == nil {
		t.Fatalf("a multi-factor passkey did not complete the sign-in: %s", out.ChallengeName)
	}
}

// Without a configured RelyingPartyId the relying party is the pool's
// prefix domain's host; a custom domain, once the pool has one, is the
// relying party whatever is configured, as Cognito requires for managed
// login.
func TestPasskeyRelyingParty(t *testing.T) {
	e := newSigninEnv(t, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypeEssentials,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn}}}})
	id := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "rae")
	token := e.accessToken(t, id, "rae")
	must[*cip.CreateUserPoolDomainOutput](t)(e.c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(e.pool), Domain: aws.String("rae-login")}))
	if rp := e.startRegistration(t, token)["rp"].(map[string]any)["id"]; rp != "rae-login.auth.localhost" {
		t.Fatalf("relying party of a prefix domain: %v", rp)
	}
	must[*cip.SetUserPoolMfaConfigOutput](t)(e.c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(e.pool),
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("example.com")}}))
	if rp := e.startRegistration(t, token)["rp"].(map[string]any)["id"]; rp != "example.com" {
		t.Fatalf("configured relying party: %v", rp)
	}
	must[*cip.CreateUserPoolDomainOutput](t)(e.c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(e.pool),
		Domain: aws.String("login.example.com"), ManagedLoginVersion: aws.Int32(2), CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String(certARN)}}))
	opts := e.startRegistration(t, token)
	if rp := opts["rp"].(map[string]any)["id"]; rp != "login.example.com" {
		t.Fatalf("relying party with a custom domain: %v", rp)
	}
	// Its managed login pages, at the custom domain, may register.
	if err := e.completeRegistration(token, newAuthenticator(t).create(t, opts, "https://login.example.com", "")); err != nil {
		t.Fatal(err)
	}
}
