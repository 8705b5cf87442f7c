package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// startRated starts a server whose clock stands still (so every request
// falls in one rate window until the test advances it), with rate limits
// on or off.
func startRated(t *testing.T, on bool) (*testserver.Server, *testserver.Clock, string) {
	t.Helper()
	clock := testserver.NewClock(time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC))
	cfg := testserver.NewConfig(t)
	cfg.RateLimits = on
	s := testserver.StartWith(t, cfg, server.Options{Now: clock.Now})
	pool := newPool(t, s.Client, nil)
	return s, clock, *pool.Id
}

// rawCalls makes n requests of op with body and returns how many were
// throttled, checking that each throttled one is answered as Cognito
// answers it.
func rawCalls(t *testing.T, url, op, body string, n int) int {
	t.Helper()
	throttled := 0
	for range n {
		resp, m := post(t, url, op, body)
		if m["__type"] != "TooManyRequestsException" {
			continue
		}
		if resp.StatusCode != http.StatusBadRequest || m["message"] != "Rate exceeded" {
			t.Fatalf("%s throttled with %d %v", op, resp.StatusCode, m)
		}
		throttled++
	}
	return throttled
}

// TestRateLimitsOffByDefault: without --rate-limits, nothing is throttled
// however fast requests come.
func TestRateLimitsOffByDefault(t *testing.T) {
	s, _, pool := startRated(t, false)
	if n := rawCalls(t, s.URL, "DescribeUserPool", fmt.Sprintf(`{"UserPoolId":%q}`, pool), 40); n != 0 {
		t.Errorf("%d of 40 DescribeUserPool calls throttled with rate limits off", n)
	}
	if n := rawCalls(t, s.URL, "GetGroup", fmt.Sprintf(`{"UserPoolId":%q,"GroupName":"g"}`, pool), 10); n != 0 {
		t.Errorf("%d of 10 GetGroup calls throttled with rate limits off", n)
	}
}

// TestRateLimits: with --rate-limits, each category allows its rate per
// second (the provisioned one when raised), each operation of the
// pool-resource categories 5 per second on one pool, and the next request
// of the second gets TooManyRequestsException.
func TestRateLimits(t *testing.T) {
	s, clock, pool := startRated(t, true)
	describe := fmt.Sprintf(`{"UserPoolId":%q}`, pool)

	// UserPoolRead: 15 a second, not adjustable.
	if n := rawCalls(t, s.URL, "DescribeUserPool", describe, 15); n != 0 {
		t.Fatalf("%d of the first 15 DescribeUserPool calls throttled", n)
	}
	if n := rawCalls(t, s.URL, "ListUserPools", `{"MaxResults":10}`, 1); n != 1 {
		t.Fatal("the 16th UserPoolRead request of the second was not throttled")
	}
	clock.Advance(time.Second)
	if n := rawCalls(t, s.URL, "DescribeUserPool", describe, 1); n != 0 {
		t.Fatal("DescribeUserPool throttled in the next second")
	}

	// GetGroup (UserPoolResourceRead): 5 a second on one pool, whatever
	// the answer; another pool has its own 5.
	getGroup := fmt.Sprintf(`{"UserPoolId":%q,"GroupName":"none"}`, pool)
	if n := rawCalls(t, s.URL, "GetGroup", getGroup, 6); n != 1 {
		t.Fatalf("%d of 6 GetGroup calls on one pool throttled, want 1", n)
	}
	other := newPool(t, s.Client, nil)
	if n := rawCalls(t, s.URL, "GetGroup", fmt.Sprintf(`{"UserPoolId":%q,"GroupName":"none"}`, *other.Id), 5); n != 0 {
		t.Fatalf("%d GetGroup calls on another pool throttled", n)
	}

	// UserRead raised to 125: 125 pass, the 126th is throttled. The limit
	// operations themselves (LimitManagement) allow one a second.
	clock.Advance(time.Second)
	def := `{"LimitClass":"API_CATEGORY","Attributes":{"Category":"UserRead"}}`
	if resp, m := post(t, s.URL, "UpdateProvisionedLimit", `{"LimitDefinition":`+def+`,"RequestedLimitValue":125}`); resp.StatusCode != http.StatusOK {
		t.Fatalf("UpdateProvisionedLimit: %d %v", resp.StatusCode, m)
	}
	if n := rawCalls(t, s.URL, "GetProvisionedLimit", `{"LimitDefinition":`+def+`}`, 1); n != 1 {
		t.Fatal("a second LimitManagement request in one second was not throttled")
	}
	// Each call reads another user, so that no user's own quota (10 a
	// second) is reached.
	n := 0
	for i := range 126 {
		n += rawCalls(t, s.URL, "AdminGetUser", fmt.Sprintf(`{"UserPoolId":%q,"Username":"nobody%d"}`, pool, i), 1)
	}
	if n != 1 {
		t.Fatalf("%d of 126 AdminGetUser calls throttled at a provisioned 125, want 1", n)
	}
}
