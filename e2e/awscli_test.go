package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// awsCLI runs AWS CLI commands against a test server as an infrastructure
// script would: --endpoint-url, dummy credentials, a region and a
// throwaway configuration, so that nothing of the machine's AWS setup is
// read.
type awsCLI struct {
	t   *testing.T
	url string
	env []string
}

// newAWSCLI finds the aws command. It skips the test when there is none,
// except under CI, where the CLI is installed and its absence is a failure.
func newAWSCLI(t *testing.T, url string) *awsCLI {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the aws command is required under CI (apt-get install awscli): %v", err)
		}
		t.Skipf("the aws command is not installed: %v", err)
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	// cli_follow_urlparam off: CLI v1 would otherwise fetch a parameter
	// that is a URL (a resource server identifier) instead of passing it.
	if err := os.WriteFile(config, []byte("[default]\nregion = us-east-1\noutput = json\ncli_follow_urlparam = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"AWS_ACCESS_KEY_ID=AKIDCOGNATETEST", "AWS_SECRET_ACCESS_KEY=cognate-test-secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
	return &awsCLI{t: t, url: url, env: env}
}

// run runs "aws cognito-idp <args>" and returns its stdout and stderr and
// whether it succeeded.
func (a *awsCLI) run(args ...string) (stdout, stderr string, ok bool) {
	a.t.Helper()
	cmd := exec.Command("aws", append([]string{"cognito-idp", "--endpoint-url", a.url, "--output", "json"}, args...)...)
	cmd.Env = a.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		a.t.Fatalf("aws %s: %v", args[0], err)
	}
	return out.String(), errOut.String(), err == nil
}

// json runs a command that must succeed and decodes its output.
func (a *awsCLI) json(args ...string) map[string]any {
	a.t.Helper()
	stdout, stderr, ok := a.run(args...)
	if !ok {
		a.t.Fatalf("aws cognito-idp %s failed:\n%s", strings.Join(args, " "), stderr)
	}
	m := map[string]any{}
	if strings.TrimSpace(stdout) == "" {
		return m
	}
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		a.t.Fatalf("aws cognito-idp %s: output is not JSON: %v\n%s", args[0], err, stdout)
	}
	return m
}

// fails runs a command that must fail with the error code and message.
func (a *awsCLI) fails(code, msg string, args ...string) {
	a.t.Helper()
	_, stderr, ok := a.run(args...)
	if ok || !strings.Contains(stderr, code) || !strings.Contains(stderr, msg) {
		a.t.Errorf("aws cognito-idp %s: succeeded %v with %q; want %s: %s", args[0], ok, stderr, code, msg)
	}
}

// get walks a decoded JSON document along keys.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// TestAWSCLIProvisioning sets a pool up with the AWS CLI as an
// infrastructure script would: pool with tags, resource server with
// scopes, a machine-to-machine client using them, a prefix and a custom
// domain, then tears it down. The Debian AWS CLI predates the newest
// operations, so terms and tagging are tested through the SDK only.
func TestAWSCLIProvisioning(t *testing.T) {
	s, _ := start(t)
	aws := newAWSCLI(t, s.URL)

	pool := aws.json("create-user-pool", "--pool-name", "infra", "--user-pool-tags", "team=identity,env=ci")
	id, _ := get(pool, "UserPool", "Id").(string)
	if id == "" || get(pool, "UserPool", "UserPoolTags", "team") != "identity" {
		t.Fatalf("create-user-pool: %v", pool)
	}

	rs := aws.json("create-resource-server", "--user-pool-id", id, "--identifier", "https://api.example.com", "--name", "API",
		"--scopes", "ScopeName=read,ScopeDescription=Read things", "ScopeName=write,ScopeDescription=Write things")
	if scopes, _ := get(rs, "ResourceServer", "Scopes").([]any); len(scopes) != 2 || get(scopes[1], "ScopeName") != "write" {
		t.Errorf("create-resource-server: %v", rs)
	}
	aws.json("update-resource-server", "--user-pool-id", id, "--identifier", "https://api.example.com", "--name", "API v2",
		"--scopes", "ScopeName=read,ScopeDescription=Read things", "ScopeName=admin,ScopeDescription=Administer")
	list := aws.json("list-resource-servers", "--user-pool-id", id, "--max-results", "10")
	if servers, _ := list["ResourceServers"].([]any); len(servers) != 1 || get(servers[0], "Name") != "API v2" {
		t.Errorf("list-resource-servers: %v", list)
	}

	client := aws.json("create-user-pool-client", "--user-pool-id", id, "--client-name", "m2m", "--generate-secret",
		"--allowed-o-auth-flows", "client_credentials", "--allowed-o-auth-flows-user-pool-client",
		"--allowed-o-auth-scopes", "https://api.example.com/read", "https://api.example.com/admin")
	clientID, _ := get(client, "UserPoolClient", "ClientId").(string)
	if clientID == "" || get(client, "UserPoolClient", "ClientSecret") == nil {
		t.Fatalf("create-user-pool-client: %v", client)
	}
	aws.fails("ScopeDoesNotExistException", "https://api.example.com/write",
		"update-user-pool-client", "--user-pool-id", id, "--client-id", clientID,
		"--allowed-o-auth-flows", "client_credentials", "--allowed-o-auth-flows-user-pool-client",
		"--allowed-o-auth-scopes", "https://api.example.com/write")

	created := aws.json("create-user-pool-domain", "--user-pool-id", id, "--domain", "infra-login")
	if get(created, "CloudFrontDomain") != nil {
		t.Errorf("create-user-pool-domain (prefix): %v", created)
	}
	created = aws.json("create-user-pool-domain", "--user-pool-id", id, "--domain", "auth.infra.example",
		"--custom-domain-config", "CertificateArn="+certARN)
	if cf, _ := created["CloudFrontDomain"].(string); !cloudFront.MatchString(cf) {
		t.Errorf("create-user-pool-domain (custom): %v", created)
	}
	aws.fails("InvalidParameterException", "Domain cannot contain reserved word: cognito",
		"create-user-pool-domain", "--user-pool-id", id, "--domain", "my-cognito-login")
	desc := aws.json("describe-user-pool-domain", "--domain", "infra-login")
	if get(desc, "DomainDescription", "UserPoolId") != id || get(desc, "DomainDescription", "Status") != "ACTIVE" {
		t.Errorf("describe-user-pool-domain: %v", desc)
	}
	desc = aws.json("describe-user-pool-domain", "--domain", "auth.infra.example")
	if get(desc, "DomainDescription", "CustomDomainConfig", "CertificateArn") != certARN {
		t.Errorf("describe-user-pool-domain (custom): %v", desc)
	}

	idp := aws.json("create-identity-provider", "--user-pool-id", id, "--provider-name", "Google", "--provider-type", "Google",
		"--provider-details", "client_id=google-client,client_secret=google-secret,authorize_scopes=openid",
		"--attribute-mapping", "email=email")
	if get(idp, "IdentityProvider", "ProviderDetails", "client_id") != "google-client" || get(idp, "IdentityProvider", "AttributeMapping", "email") != "email" {
		t.Errorf("create-identity-provider: %v", idp)
	}
	aws.fails("DuplicateProviderException", "", "create-identity-provider", "--user-pool-id", id, "--provider-name", "Google",
		"--provider-type", "Google", "--provider-details", "client_id=x,client_secret=y,authorize_scopes=openid")
	aws.json("update-identity-provider", "--user-pool-id", id, "--provider-name", "Google", "--idp-identifiers", "gmail")
	got := aws.json("describe-identity-provider", "--user-pool-id", id, "--provider-name", "Google")
	if ids, _ := get(got, "IdentityProvider", "IdpIdentifiers").([]any); len(ids) != 1 || ids[0] != "gmail" {
		t.Errorf("describe-identity-provider: %v", got)
	}
	if providers, _ := aws.json("list-identity-providers", "--user-pool-id", id)["Providers"].([]any); len(providers) != 1 {
		t.Errorf("list-identity-providers: %v", providers)
	}
	aws.json("delete-identity-provider", "--user-pool-id", id, "--provider-name", "Google")

	described := aws.json("describe-user-pool", "--user-pool-id", id)
	if get(described, "UserPool", "Domain") != "infra-login" || get(described, "UserPool", "CustomDomain") != "auth.infra.example" ||
		get(described, "UserPool", "UserPoolTags", "env") != "ci" {
		t.Errorf("describe-user-pool: %v", described)
	}

	aws.json("delete-user-pool-domain", "--user-pool-id", id, "--domain", "auth.infra.example")
	aws.json("delete-user-pool-domain", "--user-pool-id", id, "--domain", "infra-login")
	aws.fails("InvalidParameterException", "No such domain or user pool exists.",
		"delete-user-pool-domain", "--user-pool-id", id, "--domain", "infra-login")
	aws.json("delete-resource-server", "--user-pool-id", id, "--identifier", "https://api.example.com")
	aws.json("delete-user-pool-client", "--user-pool-id", id, "--client-id", clientID)
	aws.json("delete-user-pool", "--user-pool-id", id)
	aws.fails("ResourceNotFoundException", id, "describe-user-pool", "--user-pool-id", id)
}
