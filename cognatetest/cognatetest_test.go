package cognatetest_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/cognatetest"
)

// TestStart signs a user up and in through a server Start made, reading the
// confirmation code with Messages; the server is gone once the test's
// cleanup has run.
func TestStart(t *testing.T) {
	ctx := context.Background()
	var url string
	t.Run("server", func(t *testing.T) {
		srv := cognatetest.Start(t, cognatetest.WithRegion("eu-west-1"))
		url = srv.URL
		c := cip.NewFromConfig(srv.AWSConfig())
		pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"),
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^eu-west-1_`).MatchString(*pool.UserPool.Id) {
			t.Errorf("pool ID %s is not of eu-west-1", *pool.UserPool.Id)
		}
		client, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("app"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
		if err != nil {
			t.Fatal(err)
		}
		id := client.UserPoolClient.ClientId
		if _, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: id, Username: aws.String("ann"), Password: aws.String("Ann-password-1"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("ann@example.com")}}}); err != nil {
			t.Fatal(err)
		}
		msgs, err := srv.Messages("ann@example.com")
		if err != nil || len(msgs) != 1 || msgs[0].Username != "ann" || msgs[0].Medium != "EMAIL" {
			t.Fatalf("Messages = %+v, %v", msgs, err)
		}
		code := regexp.MustCompile(`\d{6}`).FindString(msgs[0].Text)
		if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: id, Username: aws.String("ann"), ConfirmationCode: &code}); err != nil {
			t.Fatalf("ConfirmSignUp with %q from %q: %v", code, msgs[0].Text, err)
		}
		out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: id, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "ann", "PASSWORD": "Ann-password-1"}})
		if err != nil || out.AuthenticationResult == nil || *out.AuthenticationResult.IdToken == "" {
			t.Fatalf("InitiateAuth: %+v, %v", out, err)
		}
	})
	if _, err := http.Get(url + "/"); err == nil {
		t.Errorf("the server at %s still answers after its test", url)
	}
}

func TestWithSeed(t *testing.T) {
	srv := cognatetest.Start(t, cognatetest.WithSeed("../examples/cognate.yaml"))
	c := cip.NewFromConfig(srv.AWSConfig())
	if _, err := c.DescribeUserPool(context.Background(), &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_Example01")}); err != nil {
		t.Errorf("the seeded pool: %v", err)
	}
}
