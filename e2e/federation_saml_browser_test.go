package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"
)

// TestBrowserSAMLLink is the linking scenario through a SAML provider in
// headless Chromium: the Corp button on A's managed login page sends the
// browser to the in-process IdP with an AuthnRequest, the IdP posts its
// signed response to A's /saml2/idpresponse, and A sends the browser on
// to the app with a code. An identity linked by NameID, and one linked by
// its mapped email, sign in as the native users they are linked to; after
// AdminDisableProviderForUser a federated user appears instead.
func TestBrowserSAMLLink(t *testing.T) {
	exe := chromium(t)
	e := newSAMLEnv(t, map[string]string{"RequestSigningAlgorithm": "rsa-sha256"})
	e.idp.WantAuthnRequestsSigned = true
	callback, landed, signedOut := e.browserApp(t)
	e.conf.RedirectURL = callback
	run := browserSession(t, exe)
	logout := e.baseA + "/logout?" + url.Values{"client_id": {e.clientA}, "logout_uri": {signedOut}}.Encode()

	alice := createUser(t, e.c, e.poolA, "alice", attr("email", "alice@a.example.com"))
	carol := createUser(t, e.c, e.poolA, "carol", attr("email", "carol@a.example.com"))
	byNameID := &types.ProviderUserIdentifierType{ProviderName: aws.String(samlProvider), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String("alice.corp")}
	byEmail := &types.ProviderUserIdentifierType{ProviderName: aws.String(samlProvider), ProviderAttributeName: aws.String("email"), ProviderAttributeValue: aws.String("carol.corp@corp.example")}
	for dest, source := range map[string]*types.ProviderUserIdentifierType{"alice": byNameID, "carol": byEmail} {
		must[*cip.AdminLinkProviderForUserOutput](t)(e.c.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
			UserPoolId: aws.String(e.poolA), SourceUser: source,
			DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String(dest)},
		}))
	}

	// signIn signs user in at the IdP through the Corp button, then out of
	// A (which ends the hosted session), and returns the ID token's claims.
	signIn := func(user string) map[string]any {
		t.Helper()
		e.user = user
		run("sign in through "+samlProvider,
			chromedp.Navigate(e.conf.AuthCodeURL("app-state")),
			chromedp.WaitVisible(chromedp.ID("idp-"+samlProvider)),
			chromedp.Click(chromedp.ID("idp-"+samlProvider)),
			chromedp.WaitVisible(chromedp.ID("done")),
			chromedp.Navigate(logout),
			chromedp.WaitVisible(chromedp.ID("done")),
		)
		tok, err := e.conf.Exchange(e.ctx, landedCode(t, landed, "app-state"))
		if err != nil {
			t.Fatal(err)
		}
		return claimsOf(t, tok.Extra("id_token").(string))
	}

	// The email link is re-keyed to the NameID at that first sign-in (as
	// e2e/federation_test.go checks); disabling alice's link by NameID
	// makes her a federated user.
	if c := signIn("alice.corp"); c["sub"] != attrs(alice.Attributes)["sub"] || c["cognito:username"] != "alice" {
		t.Fatalf("alice.corp linked by NameID: claims %v", c)
	}
	if c := signIn("carol.corp"); c["sub"] != attrs(carol.Attributes)["sub"] || c["cognito:username"] != "carol" {
		t.Fatalf("carol.corp linked by email: claims %v", c)
	}
	must[*cip.AdminDisableProviderForUserOutput](t)(e.c.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: aws.String(e.poolA), User: byNameID}))
	c := signIn("alice.corp")
	if c["sub"] == attrs(alice.Attributes)["sub"] || c["cognito:username"] != samlProvider+"_alice.corp" {
		t.Fatalf("alice.corp after AdminDisableProviderForUser: claims %v", c)
	}
	if u := e.userA(t, samlProvider+"_alice.corp"); u.UserStatus != types.UserStatusTypeExternalProvider {
		t.Errorf("federated user status %s", u.UserStatus)
	}
}

// TestBrowserSAMLEmailDomain: with IdP identifiers on Corp, A's managed
// login page in Chromium asks for the email address, and its domain sends
// the browser through Corp to the app. Signing out then goes through
// Corp's single logout (IDPSignout) and back to the app's sign-out page.
func TestBrowserSAMLEmailDomain(t *testing.T) {
	exe := chromium(t)
	e := newSAMLEnv(t, map[string]string{"IDPSignout": "true"})
	callback, landed, signedOut := e.browserApp(t)
	must[*cip.UpdateIdentityProviderOutput](t)(e.c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{
		UserPoolId: aws.String(e.poolA), ProviderName: aws.String(samlProvider), IdpIdentifiers: []string{"corp.example"},
	}))
	e.conf.RedirectURL = callback
	e.user = "erin.corp"
	browserSession(t, exe)("sign in by email domain, then out",
		chromedp.Navigate(e.conf.AuthCodeURL("app-state")),
		chromedp.WaitVisible(chromedp.ID("idp_email")),
		chromedp.SendKeys(chromedp.ID("idp_email"), "erin@corp.example"),
		chromedp.Click(chromedp.ID("idp_email_submit")),
		chromedp.WaitVisible(chromedp.ID("done")),
		// Through Corp's single logout to the app's sign-out page.
		chromedp.Navigate(e.baseA+"/logout?"+url.Values{"client_id": {e.clientA}, "logout_uri": {signedOut}}.Encode()),
		chromedp.WaitVisible(chromedp.ID("done")),
	)
	if len(e.loggedOut) != 1 {
		t.Errorf("IdP sessions ended %v, want erin.corp's", e.loggedOut)
	}
	tok, err := e.conf.Exchange(e.ctx, landedCode(t, landed, "app-state"))
	if err != nil {
		t.Fatal(err)
	}
	if c := claimsOf(t, tok.Extra("id_token").(string)); c["cognito:username"] != samlProvider+"_erin.corp" {
		t.Fatalf("claims %v", c)
	}
}

// browserApp starts the app a browser test signs in to and makes A's
// client send the browser there: its callback, the channel that receives
// each landing, and its sign-out page.
func (e *samlEnv) browserApp(t *testing.T) (callback string, landed <-chan url.Values, signedOut string) {
	t.Helper()
	callback, landed = callbackApp(t)
	signedOut = strings.TrimSuffix(callback, "/callback") + "/signed-out"
	must[*cip.UpdateUserPoolClientOutput](t)(e.c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
		UserPoolId: aws.String(e.poolA), ClientId: aws.String(e.clientA),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email"}, CallbackURLs: []string{callback}, LogoutURLs: []string{signedOut},
		SupportedIdentityProviders: []string{"COGNITO", samlProvider},
	}))
	return callback, landed, signedOut
}
