package e2e

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestHostedJanitor checks that the janitor deletes what has expired, on
// the fake clock: an unused authorization code and the hosted session
// after their lifetimes, a grant and its refresh token after the client's
// refresh token validity, and nothing before.
func TestHostedJanitor(t *testing.T) {
	clock := testserver.NewClock(time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC))
	e := newHostedEnvWith(t, server.Options{Now: clock.Now, SweepEvery: time.Hour})
	clientID := e.webClient(t, nil)
	e.user(t, "jan@example.com")
	authURL := e.base + "/oauth2/authorize?" + codeQuery(clientID)
	if cb := e.signIn(t, authURL, "jan@example.com", hostedPassword); cb.Query().Get("code") == "" {
		t.Fatalf("callback %s", cb)
	}
	// The hosted session answers a second request; its code is redeemed.
	cb := e.signIn(t, authURL, "jan@example.com", hostedPassword)
	resp, err := e.http.PostForm(e.base+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID},
		"code": {cb.Query().Get("code")}, "redirect_uri": {hostedCallback}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %d", resp.StatusCode)
	}

	sweep := func() (int64, int64) {
		t.Helper()
		n, err := e.s.Server.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n.Sessions, n.RefreshTokens
	}
	if s, r := sweep(); s != 0 || r != 0 {
		t.Fatalf("swept %d sessions and %d refresh tokens before anything expired", s, r)
	}
	clock.Advance(2 * time.Hour)
	if s, r := sweep(); s != 2 || r != 0 {
		t.Fatalf("after two hours swept %d sessions and %d refresh tokens, want the unused code and the hosted session", s, r)
	}
	clock.Advance(31 * 24 * time.Hour)
	if s, r := sweep(); s != 1 || r != 1 {
		t.Fatalf("after 31 days swept %d sessions and %d refresh tokens, want the grant and its refresh token", s, r)
	}
	if s, r := sweep(); s != 0 || r != 0 {
		t.Fatalf("a second sweep removed %d sessions and %d refresh tokens", s, r)
	}
}
