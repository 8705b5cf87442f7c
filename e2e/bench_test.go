package e2e

import (
	crand "crypto/rand"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/cputime"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// BenchmarkAdminGetUser measures AdminGetUser through the SDK against a real
// server on loopback, with parallel clients. Its cpu-ns/op, like that of the
// sign-in benchmarks, is the CPU time of the whole process: the server and
// the SDK client.
func BenchmarkAdminGetUser(b *testing.B) {
	s := testserver.Start(b)
	c := s.Client
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	id := out.UserPool.Id
	const users = 200
	for i := range users {
		if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: id, Username: aws.String(fmt.Sprintf("u%d", i)), MessageAction: "SUPPRESS"}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetParallelism(8)
	b.ResetTimer()
	defer cputime.Report(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: id, Username: aws.String(fmt.Sprintf("u%d", rand.IntN(users)))}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSignInPassword measures USER_PASSWORD_AUTH through the SDK
// against a real server on loopback, with parallel clients; with
// -cpuprofile it shows where a sign-in's CPU goes.
func BenchmarkSignInPassword(b *testing.B) {
	c, _, clientID := signInBench(b, types.ExplicitAuthFlowsTypeAllowUserPasswordAuth)
	b.SetParallelism(4)
	b.ResetTimer()
	defer cputime.Report(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": fmt.Sprintf("u%d", rand.IntN(benchUsers)), "PASSWORD": "Bench-Passw0rd!"}})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSignInSRP measures USER_SRP_AUTH (InitiateAuth, then the
// PASSWORD_VERIFIER answer computed by srp.Client) through the SDK against a
// real server on loopback; with -cpuprofile, the server's share is under
// awsjson.(*Mux).ServeHTTP.
func BenchmarkSignInSRP(b *testing.B) {
	c, poolID, clientID := signInBench(b, types.ExplicitAuthFlowsTypeAllowUserSrpAuth)
	_, poolName, _ := strings.Cut(poolID, "_")
	known := &srp.KnownVerifiers{}
	signIn := func() error {
		sc, err := srp.NewLoadClient(crand.Reader, known)
		if err != nil {
			return err
		}
		init, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: clientID, AuthFlow: types.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": fmt.Sprintf("u%d", rand.IntN(benchUsers)), "SRP_A": sc.A()}})
		if err != nil {
			return err
		}
		p := init.ChallengeParameters
		block, err := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
		if err != nil {
			return err
		}
		ts := time.Now().UTC().Format(srp.TimestampLayout)
		sig, err := sc.Sign(poolName, p["USER_ID_FOR_SRP"], "Bench-Passw0rd!", p["SALT"], p["SRP_B"], block, ts)
		if err != nil {
			return err
		}
		_, err = c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: clientID, ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: init.Session,
			ChallengeResponses: map[string]string{
				"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
				"PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts,
			},
		})
		return err
	}
	b.SetParallelism(4)
	b.ResetTimer()
	defer cputime.Report(b)()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := signIn(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchUsers is how many users signInBench makes, u0 to u19, each with the
// password "Bench-Passw0rd!".
const benchUsers = 20

// signInBench starts a server with a pool, its users and a client that
// allows flow and refresh, and returns the client, the pool's ID and the
// app client's ID.
func signInBench(b *testing.B, flow types.ExplicitAuthFlowsType) (*cip.Client, string, *string) {
	c := testserver.Start(b).Client
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	id := out.UserPool.Id
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: id, ClientName: aws.String("bench"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{flow, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range benchUsers {
		name := aws.String(fmt.Sprintf("u%d", i))
		if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: id, Username: name, MessageAction: types.MessageActionTypeSuppress}); err != nil {
			b.Fatal(err)
		}
		if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: id, Username: name, Password: aws.String("Bench-Passw0rd!"), Permanent: true}); err != nil {
			b.Fatal(err)
		}
	}
	return c, aws.ToString(id), cl.UserPoolClient.ClientId
}
