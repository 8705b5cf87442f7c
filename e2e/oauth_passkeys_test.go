package e2e

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// hostedPasswordlessEnv is a hosted environment whose pool (Essentials)
// allows every first factor, with passkeys for its prefix domain (no
// RelyingPartyId: the domain's host, <prefix>.auth.localhost) and user
// verification required, managed login (version 2) on its prefix domain,
// and an app client with ALLOW_USER_AUTH.
func hostedPasswordlessEnv(t *testing.T) (*hostedEnv, string) {
	t.Helper()
	e := newHostedEnv(t)
	must[*cip.UpdateUserPoolOutput](t)(e.c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
		UserPoolId: aws.String(e.pool), UserPoolTier: types.UserPoolTierTypeEssentials,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		EmailConfiguration:     sesConfig, SmsConfiguration: smsConfig,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{
			types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp, types.AuthFactorTypeSmsOtp, types.AuthFactorTypeWebAuthn,
		}}},
	}))
	must[*cip.SetUserPoolMfaConfigOutput](t)(e.c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
		UserPoolId: aws.String(e.pool), MfaConfiguration: types.UserPoolMfaTypeOff,
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{UserVerification: types.UserVerificationTypeRequired},
	}))
	e.managedLogin(t, 2)
	return e, e.webClient(t, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowUserAuth)
	})
}

// managedLogin sets the ManagedLoginVersion of the pool's prefix domain.
func (e *hostedEnv) managedLogin(t *testing.T, version int32) {
	t.Helper()
	must[*cip.UpdateUserPoolDomainOutput](t)(e.c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{
		UserPoolId: aws.String(e.pool), Domain: aws.String(hostedPrefix), ManagedLoginVersion: aws.Int32(version)}))
}

var optionsRE = regexp.MustCompile(`data-options="([^"]*)"`)

// pageOptions returns the WebAuthn options a passkey page gives its script.
func pageOptions(t *testing.T, page string) string {
	t.Helper()
	m := optionsRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no passkey options in the page:\n%s", page)
	}
	return html.UnescapeString(m[1])
}

// factorStep starts a passwordless sign-in on the login form with a fresh
// browser and returns the page that follows.
func (e *hostedEnv) factorStep(t *testing.T, clientID, user, factor string) string {
	t.Helper()
	return e.loginStep(t, clientID, url.Values{"username": {user}, "factor": {factor}})
}

// TestHostedPasswordless signs in on the managed login pages without a
// password: with a code by email and by SMS (through the API's USER_AUTH
// steps: wrong codes stay on the code form), registers a passkey on
// /passkeys/add for the signed-in browser, and signs in with it (then with
// the email MFA the user turns on after it).
func TestHostedPasswordless(t *testing.T) {
	e, clientID := hostedPasswordlessEnv(t)
	plain := e.webClient(t, nil)
	const user, phone = "pia@example.com", "+15550001234"
	e.user(t, user)
	must[*cip.AdminUpdateUserAttributesOutput](t)(e.c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(user),
		UserAttributes: []types.AttributeType{attr("phone_number", phone), attr("phone_number_verified", "true")}}))

	// The login form offers the pool's passwordless factors to a client
	// with ALLOW_USER_AUTH only.
	page := body(t, e.get(t, e.base+"/login?"+codeQuery(clientID)))
	for _, f := range []string{"WEB_AUTHN", "EMAIL_OTP", "SMS_OTP"} {
		if !strings.Contains(page, `id="factor-`+f+`"`) {
			t.Errorf("no %s button on the login form:\n%s", f, page)
		}
	}
	if page := body(t, e.get(t, e.base+"/login?"+codeQuery(plain))); strings.Contains(page, `name="factor"`) {
		t.Errorf("passwordless buttons for a client without ALLOW_USER_AUTH:\n%s", page)
	}

	// One-time codes: the code form, a wrong code shown there, the right
	// one signs in.
	for _, tc := range []struct{ factor, to, says string }{
		{"EMAIL_OTP", user, "by email to p***@e***"},
		{"SMS_OTP", phone, "by text message to +*******1234"},
	} {
		page = e.factorStep(t, clientID, user, tc.factor)
		if !strings.Contains(page, `action="/mfa?`) || !strings.Contains(html.UnescapeString(page), tc.says) || !strings.Contains(page, "Sign in with a code") {
			t.Fatalf("%s: %s", tc.factor, page)
		}
		code := outboxCode(t, e, tc.to)
		resp := e.answer(t, page, "/mfa", url.Values{"code": {wrongCode(code)}})
		if page = body(t, resp); !strings.Contains(page, `id="error"`) || !strings.Contains(page, `action="/mfa?`) || !strings.Contains(page, "Sign in with a code") {
			t.Fatalf("%s wrong code: %s", tc.factor, page)
		}
		if c := claimsOf(t, e.landed(t, e.answer(t, page, "/mfa", url.Values{"code": {code}}), clientID).Extra("id_token").(string)); c["email"] != user {
			t.Errorf("%s: ID token %v", tc.factor, c)
		}
	}

	// A client with a secret: the pages give USER_AUTH its SECRET_HASH.
	secret := e.webClient(t, func(in *cip.CreateUserPoolClientInput) {
		in.GenerateSecret = true
		in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowUserAuth)
	})
	if page = e.factorStep(t, secret, user, "EMAIL_OTP"); !strings.Contains(page, `action="/mfa?`) {
		t.Fatalf("email code with a client secret: %s", page)
	}

	// No passkey yet: the passkey choice is not available.
	if page = e.factorStep(t, clientID, user, "WEB_AUTHN"); !strings.Contains(page, "not available for this account") {
		t.Fatalf("passkey without one: %s", page)
	}

	// /passkeys/add needs the browser's hosted session.
	add := e.base + "/passkeys/add?" + url.Values{"client_id": {clientID}, "redirect_uri": {hostedCallback}}.Encode()
	if resp := e.get(t, add); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/passkeys/add without a session: %d", resp.StatusCode)
	}
	page = e.factorStep(t, clientID, user, "EMAIL_OTP")
	e.landed(t, e.answer(t, page, "/mfa", url.Values{"code": {outboxCode(t, e, user)}}), clientID)
	resp := e.get(t, add)
	page = body(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'nonce-") {
		t.Fatalf("/passkeys/add: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), page)
	}
	var opts map[string]any
	if err := json.Unmarshal([]byte(pageOptions(t, page)), &opts); err != nil {
		t.Fatal(err)
	}
	if rp := opts["rp"].(map[string]any)["id"]; rp != hostedPrefix+".auth.localhost" {
		t.Fatalf("relying party %v", rp)
	}
	auth := newAuthenticator(t)
	cred, _ := json.Marshal(auth.create(t, opts, e.base, ""))
	resp = e.answer(t, page, "/passkeys/add", url.Values{"credential": {string(cred)}})
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != hostedCallback {
		t.Fatalf("register: %d %s %s", resp.StatusCode, resp.Header.Get("Location"), body(t, resp))
	}
	admin := must[*cip.AdminInitiateAuthOutput](t)(e.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": hostedPassword}}))
	list := must[*cip.ListWebAuthnCredentialsOutput](t)(e.c.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: admin.AuthenticationResult.AccessToken}))
	if len(list.Credentials) != 1 || aws.ToString(list.Credentials[0].RelyingPartyId) != hostedPrefix+".auth.localhost" {
		t.Fatalf("passkeys after /passkeys/add: %+v", list.Credentials)
	}

	// Sign in with the passkey: its page carries the challenge's options
	// for the nonce'd script, and the CREDENTIAL signs in.
	page = e.factorStep(t, clientID, user, "WEB_AUTHN")
	if !strings.Contains(page, `action="/passkey?`) || !regexp.MustCompile(`<script nonce="[^"]+">`).MatchString(page) {
		t.Fatalf("passkey page: %s", page)
	}
	assertion := auth.get(t, pageOptions(t, page), e.base)
	e.landed(t, e.answer(t, page, "/passkey", url.Values{"credential": {assertion}}), clientID)
	// The challenge was spent: the same answer again starts over.
	if again := body(t, e.answer(t, page, "/passkey", url.Values{"credential": {assertion}})); !strings.Contains(again, `id="error"`) || !strings.Contains(again, `action="/login?`) {
		t.Fatalf("replayed passkey answer: %s", again)
	}
	// Without JavaScript the passkey form posts no CREDENTIAL: the login
	// form comes back with the reason.
	page = e.factorStep(t, clientID, user, "WEB_AUTHN")
	if none := body(t, e.answer(t, page, "/passkey", nil)); !strings.Contains(none, "The passkey could not be used") || !strings.Contains(none, `action="/login?`) {
		t.Fatalf("passkey form without a credential: %s", none)
	}
	// An assertion for another origin is refused.
	page = e.factorStep(t, clientID, user, "WEB_AUTHN")
	if bad := body(t, e.answer(t, page, "/passkey", url.Values{"credential": {auth.get(t, pageOptions(t, page), "http://evil.localhost")}})); !strings.Contains(bad, `id="error"`) {
		t.Fatalf("passkey of another origin: %s", bad)
	}

	// A passkey that is one factor is followed by the second factor the
	// pool and user call for, on the MFA code form.
	must[*cip.SetUserPoolMfaConfigOutput](t)(e.c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
		UserPoolId: aws.String(e.pool), MfaConfiguration: types.UserPoolMfaTypeOptional,
		EmailMfaConfiguration: &types.EmailMfaConfigType{},
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{UserVerification: types.UserVerificationTypeRequired},
	}))
	must[*cip.AdminSetUserMFAPreferenceOutput](t)(e.c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{
		UserPoolId: aws.String(e.pool), Username: aws.String(user), EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}}))
	page = e.factorStep(t, clientID, user, "WEB_AUTHN")
	page = body(t, e.answer(t, page, "/passkey", url.Values{"credential": {auth.get(t, pageOptions(t, page), e.base)}}))
	if !strings.Contains(page, `action="/mfa?`) || !strings.Contains(page, "Multi-factor authentication") {
		t.Fatalf("passkey with email MFA on: %s", page)
	}
	e.landed(t, e.answer(t, page, "/mfa", url.Values{"code": {outboxCode(t, e, user)}}), clientID)

	// The classic hosted UI offers neither passwordless sign-in nor
	// /passkeys/add, as on Cognito.
	e.managedLogin(t, 1)
	if page := body(t, e.get(t, e.base+"/login?"+codeQuery(clientID))); strings.Contains(page, `name="factor"`) {
		t.Errorf("passwordless buttons on the classic hosted UI:\n%s", page)
	}
	if resp := e.get(t, add); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/passkeys/add on the classic hosted UI: %d", resp.StatusCode)
	}
}
