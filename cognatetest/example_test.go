package cognatetest_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate-idp/cognate/cognatetest"
)

// A server outside a test: New and Close. In a test, cognatetest.Start(t)
// does both.
func Example() {
	srv, err := cognatetest.New()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	client := cip.NewFromConfig(srv.AWSConfig())
	out, err := client.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("demo")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(*out.UserPool.Id, "us-east-1_"), *out.UserPool.Name)
	// Output: true demo
}
