package e2e

import (
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// raceRequests is how many requests the race tests send at once.
const raceRequests = 100

// race runs fn n times at once and counts the outcomes by error code ("" for
// success, the Go error for an error that is not an API error).
func race(n int, fn func(i int) error) map[string]int {
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := fn(i)
			key := ""
			var ae smithy.APIError
			switch {
			case errors.As(err, &ae):
				key = ae.ErrorCode() + ": " + ae.ErrorMessage()
			case err != nil:
				key = err.Error()
			}
			mu.Lock()
			counts[key]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return counts
}

// wantAtMost fails unless at most max outcomes are key and every other
// outcome is one of others.
func wantAtMost(t *testing.T, counts map[string]int, key string, max int, others ...string) {
	t.Helper()
	if counts[key] > max {
		t.Fatalf("%d outcomes %q, want at most %d: %v", counts[key], key, max, counts)
	}
	for k := range counts {
		ok := k == key
		for _, o := range others {
			ok = ok || k == o
		}
		if !ok {
			t.Fatalf("unexpected outcome %q: %v", k, counts)
		}
	}
}

// A rotated refresh token is redeemed exactly once when the client allows
// no grace period, however many requests race for it.
func TestRefreshRotationRace(t *testing.T) {
	s := testserver.StartWith(t, testserver.NewConfig(t), server.Options{}) // the real clock
	e := &signinEnv{s: s, c: s.Client, pool: aws.ToString(newPool(t, s.Client, nil).Id)}
	id := aws.ToString(e.client(t, func(in *cip.CreateUserPoolClientInput) {
		in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(0)}
	}).ClientId)
	e.user(t, "rob")
	for round := range 20 {
		token := must[*cip.InitiateAuthOutput](t)(e.password(id, "rob", signinPassword)).AuthenticationResult.RefreshToken
		counts := race(8, func(int) error {
			_, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(id), RefreshToken: token})
			return err
		})
		if counts[""] != 1 {
			t.Fatalf("round %d: %d redemptions, want 1: %v", round, counts[""], counts)
		}
		wantAtMost(t, counts, "", 1, "RefreshTokenReuseException: Refresh token has been used after the grace period.")
	}
}
