// Package e2e drives the real Cognate server on a loopback port through the
// AWS SDK for Go v2, as an application would.
package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognate-idp/cognate/internal/testserver"
)

var ctx = context.Background()

// wantErr fails the test unless err is the API error code, with a message
// containing msg (when msg is not empty).
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got error %v, want %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("got %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if msg != "" && !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("%s message %q does not contain %q", code, ae.ErrorMessage(), msg)
	}
}

func must[T any](t testing.TB) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// newPool creates a pool with the request's settings on a fresh server.
func newPool(t *testing.T, c *cip.Client, in *cip.CreateUserPoolInput) *types.UserPoolType {
	t.Helper()
	if in == nil {
		in = &cip.CreateUserPoolInput{}
	}
	if in.PoolName == nil {
		in.PoolName = aws.String("pool-" + strings.ReplaceAll(t.Name(), "/", "-"))
	}
	out, err := c.CreateUserPool(ctx, in)
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	return out.UserPool
}

func start(t *testing.T) (*testserver.Server, *cip.Client) {
	t.Helper()
	s := testserver.Start(t)
	return s, s.Client
}

func attr(name, value string) types.AttributeType {
	return types.AttributeType{Name: aws.String(name), Value: aws.String(value)}
}

// attrs returns a user's attributes as a map.
func attrs(list []types.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range list {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

func createUser(t *testing.T, c *cip.Client, pool, name string, as ...types.AttributeType) *types.UserType {
	t.Helper()
	out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(pool), Username: aws.String(name), UserAttributes: as,
		MessageAction: types.MessageActionTypeSuppress,
	})
	if err != nil {
		t.Fatalf("AdminCreateUser %s: %v", name, err)
	}
	return out.User
}
