package e2e

import (
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// TestBrowserPasskey drives passkeys on the managed login pages in
// headless Chromium with the DevTools virtual authenticator (CTAP2,
// internal transport, resident keys, user verification): a user signs in
// with a password, registers a passkey on /passkeys/add (the relying party
// being the prefix domain's host, <prefix>.auth.localhost, over http), then
// signs in again (prompt=login) choosing the passkey on /login, lands on
// the app with a code and exchanges it.
func TestBrowserPasskey(t *testing.T) {
	exe := chromium(t)
	e, _ := hostedPasswordlessEnv(t)
	callback, landed := callbackApp(t)
	clientID := aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(e.c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.pool), ClientName: aws.String("spa"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email"}, CallbackURLs: []string{callback}, SupportedIdentityProviders: []string{"COGNITO"},
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})).UserPoolClient.ClientId)
	const email = "kim@example.com"
	e.user(t, email)
	conf := oauth2.Config{ClientID: clientID, RedirectURL: callback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token"}}

	bctx, cancel := browser(exe, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Call(bctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("WebAuthn.enable: %v", err)
	}
	va, err := chromedp.Call(bctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
	}})
	if err != nil {
		t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}
	// arrive waits for the app's page and returns the query it was called
	// with.
	arrive := func(step string) url.Values {
		t.Helper()
		if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.ID("done"))); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		select {
		case q := <-landed:
			return q
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the browser never reached the redirect URI", step)
		}
		return nil
	}

	// A password sign-in gives the browser its hosted session.
	if err := chromedp.Do(bctx,
		chromedp.Navigate(conf.AuthCodeURL("first")),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("username"), email),
		chromedp.SendKeys(chromedp.ID("password"), hostedPassword),
		chromedp.Submit(chromedp.ID("password")),
	); err != nil {
		t.Fatalf("password: %v", err)
	}
	arrive("password")

	// /passkeys/add creates the passkey and returns to the app.
	add := e.base + "/passkeys/add?" + url.Values{"client_id": {clientID}, "redirect_uri": {callback}}.Encode()
	if err := chromedp.Do(bctx,
		chromedp.Navigate(add),
		chromedp.WaitVisible(chromedp.ID("passkey-start")),
		chromedp.Click(chromedp.ID("passkey-start")),
	); err != nil {
		t.Fatalf("add passkey: %v", err)
	}
	arrive("add passkey")
	creds, err := chromedp.Call(bctx, webauthn.GetCredentials, webauthn.GetCredentialsParams(va))
	if err != nil {
		t.Fatal(err)
	}
	if len(creds.Credentials) != 1 || creds.Credentials[0].RpID != hostedPrefix+".auth.localhost" || !creds.Credentials[0].IsResidentCredential {
		t.Fatalf("virtual authenticator's credentials: %+v", creds.Credentials)
	}

	// A new sign-in (prompt=login) with the passkey: the page asks the
	// authenticator at once and posts its answer.
	verifier := oauth2.GenerateVerifier()
	if err := chromedp.Do(bctx,
		chromedp.Navigate(conf.AuthCodeURL("passkey", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("prompt", "login"))),
		chromedp.WaitVisible(chromedp.ID("factor-WEB_AUTHN")),
		chromedp.SendKeys(chromedp.ID("username"), email),
		chromedp.Click(chromedp.ID("factor-WEB_AUTHN")),
	); err != nil {
		t.Fatalf("passkey sign-in: %v", err)
	}
	q := arrive("passkey sign-in")
	if q.Get("state") != "passkey" || q.Get("code") == "" {
		t.Fatalf("callback query %v", q)
	}
	tok, err := conf.Exchange(e.ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if c := claimsOf(t, tok.Extra("id_token").(string)); c["email"] != email {
		t.Errorf("ID token %v", c)
	}
}
