package e2e

import (
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// FaultsEnv names the environment variable that turns on the tests that
// stop the shared PostgreSQL: make test runs them on their own, after the
// rest, as they would break the tests running beside them.
const FaultsEnv = "COGNATE_TEST_FAULTS"

// pgctl stops or starts the throwaway cluster of scripts/pgtest.sh.
func pgctl(t *testing.T, action string) {
	t.Helper()
	out, err := exec.Command(os.Getenv("COGNATE_TEST_POSTGRES_CTL"), action).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_ctl %s: %v\n%s", action, err, out)
	}
}

// TestFaultPostgresRestart stops PostgreSQL under two serving replicas:
// requests then fail cleanly with a 500 InternalErrorException, and once
// PostgreSQL is back the same processes serve again, with nothing
// acknowledged before the stop lost.
func TestFaultPostgresRestart(t *testing.T) {
	if os.Getenv(FaultsEnv) == "" || os.Getenv("COGNATE_TEST_POSTGRES_CTL") == "" {
		t.Skipf("set %s and run under scripts/pgtest.sh (make test does) to stop and start PostgreSQL", FaultsEnv)
	}
	reps := startReplicas(t, 2)
	a, b := reps[0].Client, reps[1].Client
	pool := aws.ToString(newPool(t, a, nil).Id)
	createUser(t, a, pool, "before")

	pgctl(t, "stop")
	stopped := true
	t.Cleanup(func() {
		if stopped {
			pgctl(t, "start")
		}
	})
	for _, c := range []*cip.Client{a, b} {
		_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("before")})
		wantErr(t, err, "InternalErrorException", "")
		var re *smithyhttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
			t.Fatalf("with PostgreSQL down: %v, want HTTP 500", err)
		}
	}
	pgctl(t, "start")
	stopped = false

	// The pools' dead connections are dropped as they fail; the replicas
	// serve again without a restart.
	for i, c := range []*cip.Client{a, b} {
		eventually(t, "the replica to serve again", func() bool {
			_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("before")})
			var ae smithy.APIError
			if err != nil && !(errors.As(err, &ae) && ae.ErrorCode() == "InternalErrorException") {
				t.Fatalf("replica %d after the restart: %v", i+1, err)
			}
			return err == nil
		})
	}
	createUser(t, b, pool, "after")
	u := must[*cip.AdminGetUserOutput](t)(a.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("after")}))
	if u.UserStatus != types.UserStatusTypeForceChangePassword {
		t.Fatalf("user made after the restart: status %s", u.UserStatus)
	}
}
