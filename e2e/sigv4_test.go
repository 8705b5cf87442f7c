package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate-idp/cognate/internal/sdkhttp"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// startSigned starts a server whose IAM-authorized operations require
// signatures by the keys of credentials (a credentials file's text).
func startSigned(t *testing.T, credentialsFile string) *testserver.Server {
	t.Helper()
	cfg := testserver.NewConfig(t)
	cfg.IAMCredentials = filepath.Join(t.TempDir(), "iam-credentials")
	if err := os.WriteFile(cfg.IAMCredentials, []byte(credentialsFile), 0o600); err != nil {
		t.Fatal(err)
	}
	return testserver.StartWith(t, cfg, server.Options{})
}

// clientWith is an SDK client of s signing with the given key.
func clientWith(s *testserver.Server, id, secret string) *cip.Client {
	return cip.New(cip.Options{
		Region: s.Config.Region, BaseEndpoint: aws.String(s.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""),
		HTTPClient:  sdkhttp.Client{HTTP: &http.Client{Timeout: 30 * time.Second}},
	})
}

// rawCall posts an operation's body, signed by sign when it is not nil.
func rawCall(t *testing.T, s *testserver.Server, op, body string, sign func(*http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if sign != nil {
		sign(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype") + " " + b.String()
}

// With --iam-credentials, IAM-authorized operations need a valid SigV4
// signature by a known key, as the SDK makes it; public operations stay
// unsigned.
func TestSigV4(t *testing.T) {
	s := startSigned(t, "# test keys\nAKIDADMIN admin-secret\nAKIDREAD read-secret 123456789012 ListUserPools DescribeUserPool\n")
	admin := clientWith(s, "AKIDADMIN", "admin-secret")
	pool := aws.ToString(newPool(t, admin, nil).Id)
	must[*cip.ListUserPoolsOutput](t)(clientWith(s, "AKIDREAD", "read-secret").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)}))

	_, err := clientWith(s, "AKIDADMIN", "wrong-secret").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	wantErr(t, err, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")
	_, err = clientWith(s, "AKIDNOBODY", "admin-secret").ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	wantErr(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")
	_, err = clientWith(s, "AKIDREAD", "read-secret").DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(pool)})
	wantErr(t, err, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/AKIDREAD is not authorized to perform: cognito-idp:DeleteUserPool on resource: arn:aws:cognito-idp:us-east-1:123456789012:userpool/"+pool)

	body := `{"MaxResults":10}`
	sum := sha256.Sum256([]byte(body))
	signAt := func(when time.Time) func(*http.Request) {
		return func(r *http.Request) {
			err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: "AKIDADMIN", SecretAccessKey: "admin-secret"}, r, hex.EncodeToString(sum[:]), "cognito-idp", "us-east-1", when)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if code, out := rawCall(t, s, "ListUserPools", body, signAt(time.Now())); code != 200 {
		t.Fatalf("signed now: %d %s", code, out)
	}
	code, out := rawCall(t, s, "ListUserPools", body, signAt(time.Now().Add(-6*time.Minute)))
	if code != 400 || !strings.HasPrefix(out, "InvalidSignatureException ") || !strings.Contains(out, "Signature expired") {
		t.Fatalf("signed 6 minutes ago: %d %s", code, out)
	}
	code, out = rawCall(t, s, "ListUserPools", body, nil)
	if code != 400 || !strings.HasPrefix(out, "MissingAuthenticationTokenException ") || !strings.Contains(out, "Missing Authentication Token") {
		t.Fatalf("unsigned: %d %s", code, out)
	}
	code, out = rawCall(t, s, "ListUserPools", body, func(r *http.Request) {
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDADMIN/20300101/us-east-1/cognito-idp/aws4_request")
	})
	if code != 400 || !strings.HasPrefix(out, "IncompleteSignatureException ") {
		t.Fatalf("incomplete: %d %s", code, out)
	}
	// A body changed after signing fails.
	code, out = rawCall(t, s, "ListUserPools", body, func(r *http.Request) {
		signAt(time.Now())(r)
		r.Body = http.NoBody
		r.ContentLength = 0
	})
	if code != 400 || !strings.HasPrefix(out, "InvalidSignatureException ") {
		t.Fatalf("body changed after signing: %d %s", code, out)
	}

	// Public operations take no signature.
	code, out = rawCall(t, s, "InitiateAuth", `{"ClientId":"nosuchclient","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"u","PASSWORD":"p"}}`, nil)
	if code != 400 || !strings.HasPrefix(out, "ResourceNotFoundException ") {
		t.Fatalf("unsigned InitiateAuth: %d %s", code, out)
	}
}

// The AWS CLI signs with its credentials and works unchanged.
func TestSigV4AWSCLI(t *testing.T) {
	s := startSigned(t, "AKIDCOGNATETEST cognate-test-secret\n")
	cli := newAWSCLI(t, s.URL)
	out := cli.json("create-user-pool", "--pool-name", "signed")
	if _, ok := out["UserPool"]; !ok {
		t.Fatalf("create-user-pool: %v", out)
	}
	for i, kv := range cli.env {
		if strings.HasPrefix(kv, "AWS_SECRET_ACCESS_KEY=") {
			cli.env[i] = "AWS_SECRET_ACCESS_KEY=not-the-secret"
		}
	}
	_, stderr, ok := cli.run("list-user-pools", "--max-results", "10")
	if ok || !strings.Contains(stderr, "InvalidSignatureException") {
		t.Fatalf("with a wrong secret: ok %v, %s", ok, stderr)
	}
}
