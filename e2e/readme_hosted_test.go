package e2e

import (
	"bytes"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runBash runs a README script in bash with none of the machine's AWS
// setup, extra environment variables added, and returns its output.
func runBash(t *testing.T, script string, extra ...string) string {
	t.Helper()
	dir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true")
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Env = append(env, extra...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the script failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// TestREADMEHosted runs the README's hosted endpoints walk-through after
// the first one, against a cognate binary: a client_credentials token with
// curl, then the authorization code + PKCE flow, the browser's part played
// by a cookie-keeping HTTP client, and the code exchanged with the README's
// curl command.
func TestREADMEHosted(t *testing.T) {
	needCommands(t, "bash", "aws", "curl", "python3")
	base := startBinary(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	hosted := "http://demo.auth.localhost:" + u.Port()
	fix := func(s string) string {
		s = strings.ReplaceAll(s, "http://127.0.0.1:9229", base)
		return strings.ReplaceAll(s, "http://demo.auth.localhost:9229", hosted)
	}
	script := fix(readmeBlocks(t, "walkthrough") + readmeBlocks(t, "hosted") + "printf 'VARS %s %s\\n' \"$web\" \"$verifier\"\n")
	out := runBash(t, script)
	if !strings.Contains(out, `"token_type":"Bearer"`) || !strings.Contains(out, `"access_token":"eyJ`) {
		t.Errorf("no client_credentials token in the output:\n%s", out)
	}
	authURL := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(hosted) + `/oauth2/authorize\?\S+$`).FindString(out)
	vars := regexp.MustCompile(`(?m)^VARS (\S+) (\S+)$`).FindStringSubmatch(out)
	if authURL == "" || vars == nil {
		t.Fatalf("no authorization URL or variables in the output:\n%s", out)
	}

	jar, _ := cookiejar.New(nil)
	e := &hostedEnv{base: hosted, http: loopbackClient(jar)}
	cb := e.signIn(t, authURL, "ann@example.com", "Ann-password-1")
	code := cb.Query().Get("code")
	if code == "" {
		t.Fatalf("callback %s", cb)
	}
	out = runBash(t, fix(strings.ReplaceAll(readmeBlocks(t, "hostedexchange"), "THE_CODE", code)), "web="+vars[1], "verifier="+vars[2])
	for _, want := range []string{`"id_token":"eyJ`, `"refresh_token":"`, `"token_type":"Bearer"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the exchange's output lacks %s:\n%s", want, out)
		}
	}
}
