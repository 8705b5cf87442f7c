package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// call makes one API request to a running server and decodes the answer.
func call(t *testing.T, addr, op, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+addr+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %q: %v", op, b, err)
	}
	return resp.StatusCode, m
}

// signInKID signs alice in through the running server and returns the kid
// of her ID token.
func signInKID(t *testing.T, addr string) string {
	t.Helper()
	code, out := call(t, addr, "AdminInitiateAuth", `{"UserPoolId":"us-east-1_Example01","ClientId":"4example0web0client0000000",
		"AuthFlow":"ADMIN_USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"alice@example.com","PASSWORD":"Alice-password-1"}}`)
	res, _ := out["AuthenticationResult"].(map[string]any)
	if code != 200 || res == nil {
		t.Fatalf("AdminInitiateAuth: %d %v", code, out)
	}
	head, _, _ := strings.Cut(res["IdToken"].(string), ".")
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Kid string }
	if err := json.Unmarshal(b, &h); err != nil || h.Kid == "" {
		t.Fatalf("token header %s: %v", b, err)
	}
	return h.Kid
}

// TestSeedCommand runs `cognate seed` against the database of a running
// server (SQLite, which a second process may write in WAL mode) and checks
// that the server sees what it applied.
func TestSeedCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"COGNATE_DB": filepath.Join(dir, "c.db"), "COGNATE_LISTEN": "127.0.0.1:0"}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, io.Discard, &stderr) }()
	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addrRE.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("no listening line in the log:\n%s", stderr.String())
	}
	example := filepath.Join("..", "..", "examples", "cognate.yaml")
	seed := func() string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, []string{"seed", example}, getenv, &out, io.Discard); err != nil {
			t.Fatalf("cognate seed: %v", err)
		}
		return out.String()
	}

	out := seed()
	if !strings.Contains(out, "created user pool us-east-1_Example01\n") || !strings.Contains(out, "created user alice@example.com in us-east-1_Example01\n") {
		t.Errorf("cognate seed printed:\n%s", out)
	}
	code, desc := call(t, addr, "DescribeUserPoolClient", `{"UserPoolId":"us-east-1_Example01","ClientId":"4example0service0client000"}`)
	client, _ := desc["UserPoolClient"].(map[string]any)
	if code != 200 || client["ClientSecret"] != "example0secret0for0the0service0client0000000000000" {
		t.Errorf("DescribeUserPoolClient: %d %v", code, desc)
	}
	kid := signInKID(t, addr)
	if out := seed(); out != "nothing to change\n" {
		t.Errorf("seeding again printed:\n%s", out)
	}

	// A pool deleted through the server and seeded again with its fixed ID
	// gets new signing keys, which the running server uses.
	if code, out := call(t, addr, "DeleteUserPool", `{"UserPoolId":"us-east-1_Example01"}`); code != 200 {
		t.Fatalf("DeleteUserPool: %d %v", code, out)
	}
	seed()
	if signInKID(t, addr) == kid {
		t.Error("the server signs for the pool made again with the deleted pool's key")
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestSeedCommandErrors(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"COGNATE_DB": filepath.Join(dir, "c.db")}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	if err := run(ctx, []string{"seed"}, getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "usage: cognate seed") {
		t.Errorf("no file: %v", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("UserPools:\n  - PoolName: demo\n    MfaConfiguration: MAYBE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(ctx, []string{"seed", bad}, getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), bad+":3: UserPools[0].MfaConfiguration: Member must satisfy enum value set") {
		t.Errorf("bad file: %v", err)
	}
	// The file may come from COGNATE_SEED, as for serve --seed.
	env["COGNATE_SEED"] = bad
	if err := run(ctx, []string{"seed"}, getenv, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), bad+":3:") {
		t.Errorf("COGNATE_SEED: %v", err)
	}
	// A bad file opens no database.
	if _, err := os.Stat(env["COGNATE_DB"]); !os.IsNotExist(err) {
		t.Errorf("the database was made for a bad seed file: %v", err)
	}
}
