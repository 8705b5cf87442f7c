package e2e

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cognate-idp/cognate/internal/testserver"
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

// TestFaultKillMidWrite kills a Cognate process with SIGKILL while eight
// clients create users through it: every user whose creation was
// acknowledged is there for the replica that carries on.
func TestFaultKillMidWrite(t *testing.T) {
	if os.Getenv(FaultsEnv) == "" {
		t.Skipf("set %s and run under scripts/pgtest.sh (make test does)", FaultsEnv)
	}
	survivor := startReplicas(t, 1)[0]
	bin := filepath.Join(t.TempDir(), "cognate")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/cognate").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--listen", addr, "--db", survivor.Config.DB,
		"--key-file", survivor.Config.KeyFile, "--issuer-url", survivor.Config.IssuerURL)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	victim := testserver.NewClient("http://"+addr, survivor.Config.Region, transport)
	var pool string
	eventually(t, "the process to serve", func() bool {
		p, err := victim.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("kill")})
		if err == nil {
			pool = aws.ToString(p.UserPool.Id)
		}
		return err == nil
	})

	var mu sync.Mutex
	var acked []string
	var n atomic.Int64
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				name := fmt.Sprintf("u%d-%d", w, i)
				_, err := victim.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
					UserPoolId: aws.String(pool), Username: aws.String(name), MessageAction: types.MessageActionTypeSuppress,
				})
				if err != nil {
					return // the process is gone
				}
				mu.Lock()
				acked = append(acked, name)
				mu.Unlock()
				n.Add(1)
			}
		}()
	}
	eventually(t, "a hundred acknowledged writes", func() bool { return n.Load() >= 100 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	_ = cmd.Wait()

	for _, name := range acked {
		if _, err := survivor.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(name)}); err != nil {
			t.Fatalf("acknowledged user %s after the kill: %v", name, err)
		}
	}
	t.Logf("%d acknowledged users, all kept", len(acked))
}
