package e2e

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognate-idp/cognate/internal/authn"
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

const (
	raceMismatch = "CodeMismatchException: Invalid verification code provided, please try again."
	raceLimit    = "LimitExceededException: Attempt limit exceeded, please try after some time."
)

// Concurrent wrong guesses of one code are counted one by one: however
// the requests interleave, at most five are compared before the code is
// used up, for every kind of code, and the right code is refused after.
func TestCodeGuessesRace(t *testing.T) {
	e := newSignupEnv(t, emailAutoVerified(), &cip.CreateUserPoolClientInput{
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	guesses := func(t *testing.T, code string, try func(code string) error) {
		t.Helper()
		counts := race(raceRequests, func(int) error { return try(wrong(code)) })
		wantAtMost(t, counts, raceMismatch, 5, raceLimit)
		wantErr(t, try(code), "LimitExceededException", "Attempt limit exceeded")
	}
	t.Run("ConfirmSignUp", func(t *testing.T) {
		must[*cip.SignUpOutput](t)(e.signUp("sam", signupPassword, attr("email", "sam@example.com")))
		guesses(t, e.code(t, "sam@example.com"), func(code string) error { return e.confirm("sam", code, false) })
		e.wantStatus(t, "sam", types.UserStatusTypeUnconfirmed)
	})
	t.Run("ConfirmForgotPassword", func(t *testing.T) {
		createUser(t, e.c, e.pool, "ria", attr("email", "ria@example.com"), attr("email_verified", "true"))
		e.setPassword(t, "ria", signupPassword, true)
		must[*cip.ForgotPasswordOutput](t)(e.forgot("ria"))
		guesses(t, e.code(t, "ria@example.com"), func(code string) error { return e.confirmForgot("ria", code, "Taken=Passw0rd!") })
		if !e.passwordIs(t, "ria", signupPassword) {
			t.Fatal("the password was reset")
		}
	})
	t.Run("VerifyUserAttribute", func(t *testing.T) {
		createUser(t, e.c, e.pool, "vic", attr("email", "vic@example.com"))
		e.setPassword(t, "vic", signupPassword, true)
		out := must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "vic", "PASSWORD": signupPassword},
		}))
		token := out.AuthenticationResult.AccessToken
		must[*cip.GetUserAttributeVerificationCodeOutput](t)(e.c.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: token, AttributeName: aws.String("email")}))
		guesses(t, e.code(t, "vic@example.com"), func(code string) error {
			_, err := e.c.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: token, AttributeName: aws.String("email"), Code: aws.String(code)})
			return err
		})
		if attrs(e.user(t, "vic").UserAttributes)["email_verified"] == "true" {
			t.Fatal("the email was verified")
		}
	})
}

// Of many concurrent uses of the right code, exactly one succeeds.
func TestCodeUseRace(t *testing.T) {
	e := newSignupEnv(t, nil, nil)
	createUser(t, e.c, e.pool, "una", attr("email", "una@example.com"), attr("email_verified", "true"))
	e.setPassword(t, "una", signupPassword, true)
	must[*cip.ForgotPasswordOutput](t)(e.forgot("una"))
	code := e.code(t, "una@example.com")
	counts := race(raceRequests, func(int) error { return e.confirmForgot("una", code, "Reset=Passw0rd!") })
	if counts[""] != 1 {
		t.Fatalf("%d successes, want 1: %v", counts[""], counts)
	}
	wantAtMost(t, counts, "", 1, "ExpiredCodeException: Invalid code provided, please request a code again.")
}

// Concurrent wrong passwords for one user: at most five are checked before
// the lockout applies, whatever the flow.
func TestLockoutRace(t *testing.T) {
	e := newSigninEnv(t, nil)
	id := aws.ToString(e.client(t, nil).ClientId)
	const incorrect = "NotAuthorizedException: Incorrect username or password."
	const locked = "NotAuthorizedException: Password attempts exceeded"
	e.user(t, "pat")
	counts := race(raceRequests, func(int) error {
		_, err := e.password(id, "pat", "Wrong-Passw0rd!")
		return err
	})
	wantAtMost(t, counts, incorrect, 5, locked)
	_, err := e.password(id, "pat", signinPassword)
	wantErr(t, err, "NotAuthorizedException", "Password attempts exceeded")

	// The lockout over, a right password still works and clears it.
	e.clock.Advance(time.Second)
	must[*cip.InitiateAuthOutput](t)(e.password(id, "pat", signinPassword))
	for range 4 {
		_, err := e.password(id, "pat", "Wrong-Passw0rd!")
		wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	}
	must[*cip.InitiateAuthOutput](t)(e.password(id, "pat", signinPassword))
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

// Requesting codes is limited per user and kind of code, as Cognito
// limits it, so that new codes cannot renew the five guesses without end.
func TestCodeRequestLimit(t *testing.T) {
	e := newSignupEnv(t, emailAutoVerified(), nil)
	createUser(t, e.c, e.pool, "lin", attr("email", "lin@example.com"), attr("email_verified", "true"))
	e.setPassword(t, "lin", signupPassword, true)
	for range authn.MaxCodeRequests {
		must[*cip.ForgotPasswordOutput](t)(e.forgot("lin"))
	}
	code := e.code(t, "lin@example.com")
	_, err := e.forgot("lin")
	wantErr(t, err, "LimitExceededException", "Attempt limit exceeded, please try after some time.")
	signupOK(t, e.confirmForgot("lin", code, "Reset=Passw0rd!")) // the last code still works
	e.clock.Advance(authn.CodeRequestWindow)
	must[*cip.ForgotPasswordOutput](t)(e.forgot("lin"))

	must[*cip.SignUpOutput](t)(e.signUp("kai", signupPassword, attr("email", "kai@example.com")))
	for range authn.MaxCodeRequests - 1 {
		must[*cip.ResendConfirmationCodeOutput](t)(e.resend("kai"))
	}
	_, err = e.resend("kai")
	wantErr(t, err, "LimitExceededException", "Attempt limit exceeded, please try after some time.")
	if n := len(e.messages(t, "kai@example.com")); n != authn.MaxCodeRequests {
		t.Fatalf("%d messages, want %d", n, authn.MaxCodeRequests)
	}
}
