package main

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets a test run the command itself as a child process: with
// COGNATE_TEST_MAIN=1 the test binary is cognate.
func TestMain(m *testing.M) {
	if os.Getenv("COGNATE_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestTakenPort: a port already in use stops serve before it makes a
// database or a master key.
func TestTakenPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	db := filepath.Join(t.TempDir(), "c.db")
	env := map[string]string{"COGNATE_DB": db, "COGNATE_LISTEN": l.Addr().String()}
	err = run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "listen") || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("serve on a taken port: %v", err)
	}
	for _, f := range []string{db, db + ".key"} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s exists after the listen failed (%v)", f, err)
		}
	}
}

// TestUnwritableDB runs cognate serve and cognate seed on a database in a
// directory they may not write: the error names the --db path and says
// "permission denied", and nothing is left behind. As root, which may write
// anywhere, the child runs as nobody.
func TestUnwritableDB(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.MkdirTemp("", "cognate-unwritable")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(base, "ro"), 0o755); os.RemoveAll(base) })
	// The test binary's own directory may be closed to nobody: copy it.
	bin := filepath.Join(base, "cognate")
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(base, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(ro, "c.db")
	seedFile := filepath.Join("..", "..", "examples", "cognate.yaml")
	seedAbs, err := filepath.Abs(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "seed.yaml"), mustRead(t, seedAbs), 0o644); err != nil {
		t.Fatal(err)
	}
	rw := filepath.Join(base, "rw")
	if err := os.Mkdir(rw, 0o777); err != nil || os.Chmod(rw, 0o777) != nil {
		t.Fatal(err)
	}
	key := filepath.Join(ro, "c.key")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--listen", "127.0.0.1:0", "--db", db}, "cognate: --db " + db + ": permission denied"},
		{[]string{"seed", "--db", db, filepath.Join(base, "seed.yaml")}, "cognate: --db " + db + ": permission denied"},
		// A key file in an unwritable directory is named as given, not by
		// the temporary file it is written through.
		{[]string{"serve", "--listen", "127.0.0.1:0", "--db", filepath.Join(rw, "c.db"), "--key-file", key}, "cognate: master key: seal: create key file " + key + ": permission denied"},
	} {
		args := tc.args
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "COGNATE_TEST_MAIN=1")
		if os.Geteuid() == 0 {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		}
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("cognate %s succeeded on an unwritable directory:\n%s", args[0], out)
		}
		want := tc.want
		if !strings.HasPrefix(string(out), want) || strings.Count(string(out), "\n") != 1 {
			t.Errorf("cognate %s printed %q, want one line starting %q", args[0], out, want)
		}
	}
	entries, err := os.ReadDir(ro)
	if err != nil || len(entries) > 0 {
		t.Errorf("the unwritable directory holds %v (%v)", entries, err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
