package bench

import (
	"context"
	crand "crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/srp"
)

// benchPassword is the password of every user a sign-in workload seeds.
// It satisfies Cognito's default password policy.
const benchPassword = "Bench-Passw0rd!"

// signInWorkload reports whether workload signs users in, which needs a
// pool the bench creates (it must know the users' passwords) and an app
// client that allows the password, SRP and refresh flows.
func signInWorkload(workload string) bool {
	switch workload {
	case workloadSignInPassword, workloadSignInSRP, workloadRefresh:
		return true
	}
	return false
}

// createClient creates the app client the sign-in workloads use.
func createClient(ctx context.Context, c *cip.Client, poolID string) (string, error) {
	out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID),
		ClientName: aws.String("cognate-bench"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	})
	if err != nil {
		return "", fmt.Errorf("bench: create app client: %w", err)
	}
	if out.UserPoolClient == nil || aws.ToString(out.UserPoolClient.ClientId) == "" {
		return "", errors.New("bench: create app client: response has no ClientId")
	}
	return aws.ToString(out.UserPoolClient.ClientId), nil
}

// setPassword gives a seeded user benchPassword as a permanent password.
func setPassword(ctx context.Context, c *cip.Client, poolID, username string) error {
	_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username),
		Password: aws.String(benchPassword), Permanent: true,
	})
	return err
}

// passwordSignIn signs username in with USER_PASSWORD_AUTH and returns
// the refresh token.
func passwordSignIn(ctx context.Context, c *rawClient, clientID, username string) (string, error) {
	out, err := c.initiateAuth(ctx, clientID, "USER_PASSWORD_AUTH", map[string]string{"USERNAME": username, "PASSWORD": benchPassword})
	if err != nil {
		return "", err
	}
	if out.AuthenticationResult == nil {
		return "", fmt.Errorf("sign-in of %s returned challenge %q instead of tokens", username, out.ChallengeName)
	}
	return out.AuthenticationResult.RefreshToken, nil
}

// srpSignIn signs username in with USER_SRP_AUTH: InitiateAuth, then the
// PASSWORD_VERIFIER challenge answered as amazon-cognito-identity-js does.
// The bench made the password up, so the client's side uses the faster,
// variable-time arithmetic of srp.NewLoadClient, and known, shared by the
// run's sign-ins, saves it computing a user's verifier every time.
func srpSignIn(ctx context.Context, c *rawClient, known *srp.KnownVerifiers, poolID, clientID, username string) error {
	cl, err := srp.NewLoadClient(crand.Reader, known)
	if err != nil {
		return err
	}
	out, err := c.initiateAuth(ctx, clientID, "USER_SRP_AUTH", map[string]string{"USERNAME": username, "SRP_A": cl.A()})
	if err != nil {
		return err
	}
	if out.ChallengeName != string(types.ChallengeNameTypePasswordVerifier) {
		return fmt.Errorf("USER_SRP_AUTH of %s returned challenge %q, want PASSWORD_VERIFIER", username, out.ChallengeName)
	}
	p := out.ChallengeParameters
	block, err := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
	if err != nil {
		return fmt.Errorf("SECRET_BLOCK: %w", err)
	}
	ts := time.Now().UTC().Format(srp.TimestampLayout)
	_, name, _ := strings.Cut(poolID, "_")
	sig, err := cl.Sign(name, p["USER_ID_FOR_SRP"], benchPassword, p["SALT"], p["SRP_B"], block, ts)
	if err != nil {
		return err
	}
	var resp authResult
	err = c.call(ctx, "RespondToAuthChallenge", struct {
		ClientId           string
		ChallengeName      string
		Session            string
		ChallengeResponses map[string]string
	}{clientID, string(types.ChallengeNameTypePasswordVerifier), out.Session, map[string]string{
		"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts,
	}}, &resp)
	if err != nil {
		return err
	}
	if resp.AuthenticationResult == nil {
		return fmt.Errorf("SRP sign-in of %s returned challenge %q instead of tokens", username, resp.ChallengeName)
	}
	return nil
}

// refreshTokens signs every user in once and returns their refresh tokens,
// for the refresh workload.
func refreshTokens(ctx context.Context, c *rawClient, clientID string, users []user, concurrency int) ([]string, error) {
	out := make([]string, len(users))
	var (
		next     atomic.Int64
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	for range min(concurrency, len(users)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(users) || firstErr != nil {
					return
				}
				tok, err := passwordSignIn(ctx, c, clientID, users[i].Username)
				if err != nil {
					once.Do(func() { firstErr = fmt.Errorf("bench: sign %s in: %w", users[i].Username, err) })
					return
				}
				out[i] = tok
			}
		})
	}
	wg.Wait()
	return out, firstErr
}

// signInOp returns the request loop body of a sign-in workload.
func signInOp(ctx context.Context, workload string, c *rawClient, poolID, clientID string, users []user, concurrency int) (op, error) {
	if len(users) == 0 {
		return nil, fmt.Errorf("bench: %s: no users to sign in", workload)
	}
	switch workload {
	case workloadSignInPassword:
		return func(ctx context.Context, _, _ int) error {
			_, err := passwordSignIn(ctx, c, clientID, users[rand.IntN(len(users))].Username)
			return err
		}, nil
	case workloadSignInSRP:
		known := &srp.KnownVerifiers{}
		return func(ctx context.Context, _, _ int) error {
			return srpSignIn(ctx, c, known, poolID, clientID, users[rand.IntN(len(users))].Username)
		}, nil
	case workloadRefresh:
		toks, err := refreshTokens(ctx, c, clientID, users, concurrency)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, _, _ int) error {
			out, err := c.initiateAuth(ctx, clientID, "REFRESH_TOKEN_AUTH", map[string]string{"REFRESH_TOKEN": toks[rand.IntN(len(toks))]})
			if err == nil && out.AuthenticationResult == nil {
				err = errors.New("refresh returned no tokens")
			}
			return err
		}, nil
	}
	return nil, fmt.Errorf("bench: unknown workload %q", workload)
}

// prepareSignIn readies a sign-in workload: an app client, and a
// permanent password for every seeded user (set on concurrency workers).
func prepareSignIn(ctx context.Context, cfg config, c *rawClient, setup *cip.Client, poolID string, users []user, log *slog.Logger) (op, error) {
	clientID, err := createClient(ctx, setup, poolID)
	if err != nil {
		return nil, err
	}
	log.Info("setting passwords", "users", len(users))
	var (
		next     atomic.Int64
		firstErr error
		once     sync.Once
		wg       sync.WaitGroup
	)
	for range min(cfg.Concurrency, len(users)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(users) {
					return
				}
				if err := setPassword(ctx, setup, poolID, users[i].Username); err != nil {
					once.Do(func() { firstErr = fmt.Errorf("bench: set password of %s: %w", users[i].Username, err) })
					return
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return signInOp(ctx, cfg.Workload, c, poolID, clientID, users, cfg.Concurrency)
}
