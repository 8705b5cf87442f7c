package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/seal"
)

// readmeBlocks returns the shell of the ```sh blocks of README.md between
// the comments <!-- NAME:begin --> and <!-- NAME:end -->.
func readmeBlocks(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "<!-- "+name+":begin -->")
	section, _, ok2 := strings.Cut(rest, "<!-- "+name+":end -->")
	if !ok || !ok2 {
		t.Fatalf("README.md has no section %s between marker comments", name)
	}
	var script strings.Builder
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1) {
		script.WriteString(m[1])
	}
	if script.Len() == 0 {
		t.Fatalf("README.md section %s has no sh block", name)
	}
	return script.String()
}

// needCommands skips the test when a command is missing, except under CI,
// which installs them all (.ci/run).
func needCommands(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required under CI: %v", n, err)
			}
			t.Skipf("%s is not installed: %v", n, err)
		}
	}
}

var cognateBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "cognate-e2e-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "cognate")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/cognate").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/cognate: %w\n%s", err, out)
	}
	return bin, nil
})

var listenRE = regexp.MustCompile(`msg="cognate listening" addr=(\S+)`)

// startBinary builds cmd/cognate and runs `cognate serve` with args on a
// free loopback port and a fresh SQLite database until the test ends. It
// returns the server's URL.
func startBinary(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := cognateBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--db", filepath.Join(dir, "c.db")}, args...)...)
	var log syncBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		if err := cmd.Wait(); err != nil {
			t.Errorf("cognate serve: %v\n%s", err, log.String())
		}
	})
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := listenRE.FindStringSubmatch(log.String()); m != nil {
			return "http://" + m[1]
		}
	}
	t.Fatalf("cognate serve did not start:\n%s", log.String())
	return ""
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestREADMEWalkthrough runs the README's first walk-through, as pasted
// into bash, against a cognate binary: from an empty server to a signed-in
// user whose ID token carries the verified email.
func TestREADMEWalkthrough(t *testing.T) {
	needCommands(t, "bash", "aws", "curl", "python3")
	script := readmeBlocks(t, "walkthrough")
	url := startBinary(t)
	script = strings.ReplaceAll(script, "http://127.0.0.1:9229", url)

	dir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	// Nothing of the machine's AWS setup is read.
	env = append(env, "AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true")
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the walk-through failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{`"UserConfirmed": false`, `"DeliveryMedium": "EMAIL"`, `"token_use": "id"`, `"email": "ann@example.com"`, `"email_verified": true`, `"iss": "` + url + `/us-east-1_`} {
		if !strings.Contains(out, want) {
			t.Errorf("the walk-through's output lacks %s:\n%s", want, out)
		}
	}
}

// TestREADMEKeyFile runs the README's command that writes a master key file
// for PostgreSQL: the file must load, readable by its owner only.
func TestREADMEKeyFile(t *testing.T) {
	needCommands(t, "bash", "head", "base64")
	dir := t.TempDir()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", readmeBlocks(t, "keyfile"))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	path := filepath.Join(dir, "cognate.key")
	if _, err := seal.Load(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, %v", fi.Mode(), err)
	}
}
