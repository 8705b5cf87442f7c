package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// chromium returns the path of the system Chromium (Debian's chromium
// package), skipping the test when there is none, or failing it under CI.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install chromium); CI must run the browser test")
	}
	t.Skip("chromium is not installed (apt-get install chromium): skipping the browser test")
	return ""
}

// TestBrowserManagedLogin drives the managed login pages in headless
// Chromium: sign up, confirm with the code from the outbox (which signs the
// user in), land on the redirect URI with a code, and exchange it with its PKCE verifier.
// Chromium resolves <prefix>.auth.localhost to loopback by itself.
func TestBrowserManagedLogin(t *testing.T) {
	exe := chromium(t)
	e := newHostedEnv(t)
	callback, landed := callbackApp(t)
	clientID := aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(e.c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.pool), ClientName: aws.String("spa"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email"}, CallbackURLs: []string{callback}, SupportedIdentityProviders: []string{"COGNITO"},
	})).UserPoolClient.ClientId)

	conf := oauth2.Config{ClientID: clientID, RedirectURL: callback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token"}}
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("br0wser", oauth2.S256ChallengeOption(verifier))

	bctx, cancel := browser(exe, 60*time.Second)
	defer cancel()

	const email = "dave@example.com"
	if err := chromedp.Do(bctx,
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.ID("signup")),
		chromedp.Click(chromedp.ID("signup")),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("username"), email),
		chromedp.SendKeys(chromedp.ID("password"), hostedPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("code")),
	); err != nil {
		t.Fatalf("sign up: %v", err)
	}
	var box struct {
		Messages []struct{ Text string } `json:"messages"`
	}
	getJSON(t, e.s.URL+"/_cognate/outbox?"+url.Values{"pool": {e.pool}, "to": {email}}.Encode(), &box)
	if len(box.Messages) == 0 {
		t.Fatal("no confirmation code in the outbox")
	}
	code := regexp.MustCompile(`\d{6}`).FindString(box.Messages[0].Text)
	// As on Cognito, confirming the sign-up signs the user in and
	// continues the authorization: no second password prompt.
	if err := chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("code"), code),
		chromedp.Submit(chromedp.ID("code")),
		chromedp.WaitVisible(chromedp.ID("done")),
	); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	tok, err := conf.Exchange(e.ctx, landedCode(t, landed, "br0wser"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if c := claimsOf(t, tok.Extra("id_token").(string)); c["email"] != email {
		t.Errorf("ID token %v", c)
	}
}

// browserSession starts a headless Chromium for the test and returns a
// runner of steps in it, each step with its own time limit, that fails
// with the page it stopped at. Cookies persist from one run to the next.
func browserSession(t *testing.T, exe string) func(what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	bctx, cancel := browser(exe, 240*time.Second)
	t.Cleanup(cancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	return func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		for i, step := range steps {
			sctx, scancel := context.WithTimeout(bctx, 30*time.Second)
			err := chromedp.Do(sctx, step)
			scancel()
			if err != nil {
				loc, lerr := chromedp.Run(bctx, chromedp.Location())
				html, herr := chromedp.Run(bctx, chromedp.OuterHTML("html"))
				t.Fatalf("%s, step %d: %v (at %s %v: %s %v)", what, i, err, loc, lerr, html, herr)
			}
		}
	}
}

// landedCode waits for the app's callback, checks that it carries state
// and a code, and returns the code.
func landedCode(t *testing.T, landed <-chan url.Values, state string) string {
	t.Helper()
	var q url.Values
	select {
	case q = <-landed:
	case <-time.After(5 * time.Second):
		t.Fatal("the browser never reached the redirect URI")
	}
	if q.Get("state") != state || q.Get("code") == "" {
		t.Fatalf("callback query %v", q)
	}
	return q.Get("code")
}

// callbackApp serves an app whose /callback page says "signed in" and
// hands the query it was called with to landed; callback is its URL with
// the host localhost, as CallbackURLs take it.
func callbackApp(t *testing.T) (callback string, landed <-chan url.Values) {
	t.Helper()
	ch := make(chan url.Values, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/callback" {
			select {
			case ch <- r.URL.Query():
			default:
			}
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!DOCTYPE html><title>app</title><p id=done>signed in</p>"))
	}))
	t.Cleanup(app.Close)
	return strings.Replace(app.URL, "127.0.0.1", "localhost", 1) + "/callback", ch
}

// browser starts a fresh headless Chromium at exe and returns its context,
// ended after timeout or by cancel.
func browser(exe string, timeout time.Duration) (context.Context, context.CancelFunc) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.Flag("headless", "new"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	bctx, cancelTimeout := context.WithTimeout(bctx, timeout)
	return bctx, func() { cancelTimeout(); cancelBrowser(); cancelAlloc() }
}

// TestBrowserTOTP drives MFA on the managed login pages in headless
// Chromium: a pool that requires an authenticator app, a user who sets one
// up (the code computed from the secret the page shows), lands on the app
// with a code and exchanges it; then signs in again (prompt=login) with
// the app's next code.
func TestBrowserTOTP(t *testing.T) {
	exe := chromium(t)
	e, clock := hostedMFAEnv(t, types.UserPoolMfaTypeOn, &cip.SetUserPoolMfaConfigInput{SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}})
	callback, landed := callbackApp(t)
	clientID := aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(e.c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.pool), ClientName: aws.String("spa"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email"}, CallbackURLs: []string{callback}, SupportedIdentityProviders: []string{"COGNITO"},
	})).UserPoolClient.ClientId)
	const email = "tom@example.com"
	e.user(t, email)
	conf := oauth2.Config{ClientID: clientID, RedirectURL: callback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: e.base + "/oauth2/authorize", TokenURL: e.base + "/oauth2/token"}}

	bctx, cancel := browser(exe, 60*time.Second)
	defer cancel()
	var secret string
	// signIn runs one sign-in from the authorization request to the
	// exchanged code, reading the secret from the page when it sets up the
	// authenticator app.
	signIn := func(state string, setUp bool, opts ...oauth2.AuthCodeOption) {
		t.Helper()
		verifier := oauth2.GenerateVerifier()
		authURL := conf.AuthCodeURL(state, append(opts, oauth2.S256ChallengeOption(verifier))...)
		if err := chromedp.Do(bctx,
			chromedp.Navigate(authURL),
			chromedp.WaitVisible(chromedp.ID("password")),
			chromedp.SendKeys(chromedp.ID("username"), email),
			chromedp.SendKeys(chromedp.ID("password"), hostedPassword),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.ID("code")),
		); err != nil {
			t.Fatalf("password: %v", err)
		}
		if setUp {
			var err error
			if secret, err = chromedp.Run(bctx, chromedp.Value(chromedp.ID("secret"))); err != nil || secret == "" {
				t.Fatalf("no secret on the set-up page: %v", err)
			}
		} else {
			clock.Advance(30 * time.Second)
		}
		if err := chromedp.Do(bctx,
			chromedp.SendKeys(chromedp.ID("code"), totpCode(t, secret, clock.Now())),
			chromedp.Submit(chromedp.ID("code")),
			chromedp.WaitVisible(chromedp.ID("done")),
		); err != nil {
			t.Fatalf("code: %v", err)
		}
		tok, err := conf.Exchange(e.ctx, landedCode(t, landed, state), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if c := claimsOf(t, tok.Extra("id_token").(string)); c["email"] != email {
			t.Errorf("ID token %v", c)
		}
	}
	signIn("set-up", true)
	signIn("again", false, oauth2.SetAuthURLParam("prompt", "login"))
}
