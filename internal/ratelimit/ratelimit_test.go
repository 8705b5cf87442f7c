package ratelimit

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
)

// Every operation the quota page lists is an operation of the model, in a
// known category.
func TestOperationsInModel(t *testing.T) {
	for op, cat := range operations {
		if _, ok := model.OperationByName(op); !ok {
			t.Errorf("%s (%s) is not an operation of the model", op, cat)
		}
		if _, ok := categories[cat]; !ok {
			t.Errorf("%s is in the unknown category %s", op, cat)
		}
	}
}

func newLimiter(t *testing.T) *Limiter {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Unix(1_900_000_000, 0)
	return &Limiter{Store: st, Account: "123456789012", Now: func() time.Time { return now }}
}

// allowed counts how many of n requests pass.
func allowed(t *testing.T, l *Limiter, op string, in model.Input, n int) int {
	t.Helper()
	ok := 0
	for range n {
		err := l.Allow(t.Context(), op, "us-east-1_pool", in)
		if tm, is := errors.AsType[*model.TooManyRequestsException](err); is && tm.Message == Message {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ok++
	}
	return ok
}

// Challenge responses get three times UserAuthentication's rate before
// they count against it; NEW_PASSWORD_REQUIRED counts against
// UserAccountRecovery.
func TestChallengeResponses(t *testing.T) {
	l := newLimiter(t)
	respond := &model.RespondToAuthChallengeRequest{ChallengeName: model.ChallengeNameTypePasswordVerifier}
	if n := allowed(t, l, "RespondToAuthChallenge", respond, 360); n != 360 {
		t.Fatalf("%d of 360 challenge responses passed, want all", n)
	}
	// The next 120 spill over into UserAuthentication, which is then full.
	if n := allowed(t, l, "AdminRespondToAuthChallenge", &model.AdminRespondToAuthChallengeRequest{}, 121); n != 120 {
		t.Fatalf("%d of 121 spilled-over responses passed, want 120", n)
	}
	if n := allowed(t, l, "InitiateAuth", &model.InitiateAuthRequest{}, 1); n != 0 {
		t.Fatal("InitiateAuth passed with UserAuthentication full")
	}
	newPassword := &model.RespondToAuthChallengeRequest{ChallengeName: model.ChallengeNameTypeNewPasswordRequired}
	if n := allowed(t, l, "RespondToAuthChallenge", newPassword, 31); n != 30 {
		t.Fatalf("%d of 31 NEW_PASSWORD_REQUIRED responses passed, want UserAccountRecovery's 30", n)
	}
}

// Operations no category lists are not limited.
func TestUnlistedOperations(t *testing.T) {
	l := newLimiter(t)
	if n := allowed(t, l, "CreateTerms", &model.CreateTermsRequest{}, 50); n != 50 {
		t.Fatalf("%d of 50 CreateTerms passed", n)
	}
}

// The user read and user write operations allow PerUserRate requests a
// second for each user, apart, on top of their categories: admin
// operations name the user, a user's own operations their access token.
func TestPerUserQuotas(t *testing.T) {
	l := newLimiter(t)
	ana := &model.AdminGetUserRequest{UserPoolId: "us-east-1_pool", Username: "ana"}
	if n := allowed(t, l, "AdminGetUser", ana, 11); n != PerUserRate {
		t.Fatalf("%d of 11 reads of one user passed, want %d", n, PerUserRate)
	}
	// Names are case-folded; another user, and writes, have their own.
	if n := allowed(t, l, "AdminGetUser", &model.AdminGetUserRequest{UserPoolId: "us-east-1_pool", Username: "ANA"}, 1); n != 0 {
		t.Fatal("ANA read past ana's quota")
	}
	if n := allowed(t, l, "AdminGetUser", &model.AdminGetUserRequest{UserPoolId: "us-east-1_pool", Username: "bo"}, 10); n != 10 {
		t.Fatalf("%d of 10 reads of another user passed", n)
	}
	write := &model.AdminUpdateUserAttributesRequest{UserPoolId: "us-east-1_pool", Username: "ana"}
	if n := allowed(t, l, "AdminUpdateUserAttributes", write, 11); n != PerUserRate {
		t.Fatalf("%d of 11 writes of one user passed, want %d", n, PerUserRate)
	}
	token := &model.GetUserRequest{AccessToken: "a.b.c"}
	if n := allowed(t, l, "GetUser", token, 11); n != PerUserRate {
		t.Fatalf("%d of 11 GetUser with one token passed, want %d", n, PerUserRate)
	}
	if n := allowed(t, l, "GetUser", &model.GetUserRequest{AccessToken: "d.e.f"}, 1); n != 1 {
		t.Fatal("another token's GetUser was throttled")
	}
}

// Hosted endpoints count against the categories Cognito counts them in;
// the authorization_code grant has UserAuthentication's rate without
// consuming it.
func TestHostedEndpoints(t *testing.T) {
	l := newLimiter(t)
	hostedAllowed := func(endpoint string, n int) int {
		ok := 0
		for range n {
			err := l.AllowHosted(t.Context(), endpoint)
			if _, is := errors.AsType[*model.TooManyRequestsException](err); is {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			ok++
		}
		return ok
	}
	if n := hostedAllowed(HostedToken+"client_credentials", 151); n != 150 {
		t.Fatalf("%d of 151 client_credentials grants passed, want ClientAuthentication's 150", n)
	}
	if n := hostedAllowed(HostedToken+"authorization_code", 121); n != 120 {
		t.Fatalf("%d of 121 authorization_code grants passed, want 120", n)
	}
	// UserAuthentication is untouched by the code grants, then filled by
	// sign-ins on the pages and refresh grants together.
	if n := hostedAllowed("login", 100) + hostedAllowed(HostedToken+"refresh_token", 21); n != 120 {
		t.Fatalf("%d of 121 page sign-ins and refresh grants passed, want 120", n)
	}
	if n := allowed(t, l, "InitiateAuth", &model.InitiateAuthRequest{}, 1); n != 0 {
		t.Fatal("InitiateAuth passed with UserAuthentication full")
	}
	if n := hostedAllowed("idpresponse", 26); n != 25 {
		t.Fatalf("%d of 26 federation callbacks passed, want UserFederation's 25", n)
	}
	if n := hostedAllowed("authorize", 500); n != 500 {
		t.Fatalf("%d of 500 requests to an endpoint in no category passed", n)
	}
}
