package e2e

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate-idp/cognate/internal/testserver"
)

// BenchmarkAdminGetUser measures AdminGetUser through the SDK against a real
// server on loopback, with parallel clients.
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
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: id, Username: aws.String(fmt.Sprintf("u%d", rand.IntN(users)))}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
