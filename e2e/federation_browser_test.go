package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"
)

// TestBrowserFederatedLink is the README's linking scenario in headless
// Chromium: pool B's hosted endpoints are pool A's OIDC provider. B's user
// is linked to an existing native user of A before their first sign-in;
// signing in to A's app through the PoolB button on A's managed login page
// gives a token with the native user's sub. After
// AdminDisableProviderForUser, the same sign-in makes a new federated user.
func TestBrowserFederatedLink(t *testing.T) {
	exe := chromium(t)
	e := newFedEnv(t, nil)
	callback, landed := callbackApp(t)
	must[*cip.UpdateUserPoolClientOutput](t)(e.c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
		UserPoolId: aws.String(e.poolA), ClientId: aws.String(e.clientA),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email", "profile"}, CallbackURLs: []string{callback},
		SupportedIdentityProviders: []string{"COGNITO", fedProvider},
	}))
	e.conf.RedirectURL = callback

	subB := e.userB(t, "bob", "bob@b.example.com")
	native := createUser(t, e.c, e.poolA, "alice", attr("email", "alice@a.example.com"))
	source := &types.ProviderUserIdentifierType{ProviderName: aws.String(fedProvider), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String(subB)}
	must[*cip.AdminLinkProviderForUserOutput](t)(e.c.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
		UserPoolId: aws.String(e.poolA), SourceUser: source,
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("alice")},
	}))

	// signIn runs the sign-in in a fresh browser (no cookies of the last
	// one) and returns the ID token's claims.
	signIn := func() map[string]any {
		t.Helper()
		browserSession(t, exe)("sign in through "+fedProvider,
			chromedp.Navigate(e.conf.AuthCodeURL("app-state")),
			chromedp.WaitVisible(chromedp.ID("idp-"+fedProvider)),
			chromedp.Click(chromedp.ID("idp-"+fedProvider)),
			chromedp.WaitVisible(chromedp.ID("password")),
			chromedp.SendKeys(chromedp.ID("username"), "bob"),
			chromedp.SendKeys(chromedp.ID("password"), hostedPassword),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("done")),
		)
		tok, err := e.conf.Exchange(e.ctx, landedCode(t, landed, "app-state"))
		if err != nil {
			t.Fatal(err)
		}
		return claimsOf(t, tok.Extra("id_token").(string))
	}

	nativeSub := attrs(native.Attributes)["sub"]
	if c := signIn(); c["sub"] != nativeSub || c["cognito:username"] != "alice" {
		t.Fatalf("linked sign-in: claims %v, want sub %s", c, nativeSub)
	}
	must[*cip.AdminDisableProviderForUserOutput](t)(e.c.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{UserPoolId: aws.String(e.poolA), User: source}))
	c := signIn()
	if c["sub"] == nativeSub || c["cognito:username"] != fedProvider+"_"+subB {
		t.Fatalf("after AdminDisableProviderForUser: claims %v", c)
	}
	u := e.userA(t, fedProvider+"_"+subB)
	if u.UserStatus != types.UserStatusTypeExternalProvider {
		t.Errorf("federated user status %s", u.UserStatus)
	}
}
