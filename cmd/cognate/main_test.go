package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/version"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
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

var addrRE = regexp.MustCompile(`msg="cognate listening" addr=(\S+) store=sqlite`)

// TestServeAndStop runs `cognate serve` as main does, configured through the
// environment, serves one request, and stops it as a signal would.
func TestServeAndStop(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	env := map[string]string{"COGNATE_DB": db, "COGNATE_LISTEN": "127.0.0.1:0", "COGNATE_REGION": "eu-west-1"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, io.Discard, &stderr)
	}()

	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addrRE.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("no listening line in the log:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "generated a new master key") {
		t.Errorf("the log does not say a key was generated:\n%s", stderr.String())
	}
	fi, err := os.Stat(db + ".key")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, fi.Mode())
	}

	req, _ := http.NewRequest("POST", "http://"+addr+"/", strings.NewReader(`{"PoolName":"p"}`))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.CreateUserPool")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"Id":"eu-west-1_`) {
		t.Fatalf("CreateUserPool: %d %s", resp.StatusCode, body)
	}

	// GET / is a page naming the version.
	resp, err = http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<h1>Cognate "+version.String()+"</h1>") {
		t.Errorf("GET /: %d %s", resp.StatusCode, body)
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
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no shutdown line:\n%s", stderr.String())
	}
	// A clean close checkpoints the WAL: nothing is left in it.
	if fi, err := os.Stat(db + "-wal"); err == nil && fi.Size() > 0 {
		t.Errorf("WAL holds %d bytes after shutdown: the database was not closed cleanly", fi.Size())
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"nope"}} {
		if err := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("run(%v) = %v, want the usage", args, err)
		}
	}
	err := run(context.Background(), []string{"serve", "--region", "nowhere"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--region") {
		t.Errorf("bad flag: %v", err)
	}
	// An unknown flag is reported once: by the error main prints.
	var stderr bytes.Buffer
	err = run(context.Background(), []string{"serve", "--bogus"}, func(string) string { return "" }, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "-bogus") || stderr.Len() > 0 {
		t.Errorf("unknown flag: %v, and printed %q", err, stderr.String())
	}
	// Help goes to stdout and lists the variables.
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, func(string) string { return "" }, &stdout, io.Discard); err != nil || !strings.Contains(stdout.String(), "COGNATE_DB") {
		t.Errorf("--help: %v\n%s", err, stdout.String())
	}
}

func TestVersion(t *testing.T) {
	for _, arg := range []string{"version", "--version", "-version"} {
		var out bytes.Buffer
		if err := run(context.Background(), []string{arg}, func(string) string { return "" }, &out, io.Discard); err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		if out.String() != "cognate "+version.String()+"\n" {
			t.Errorf("%s printed %q", arg, out.String())
		}
	}
}
