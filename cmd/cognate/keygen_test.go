package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/seal"
)

// cognate keygen writes a 0600 key file the server loads, refuses to
// overwrite it, and --rotate puts a new key first: what the old key sealed
// still opens, and new values are sealed with the new key.
func TestKeygen(t *testing.T) {
	file := filepath.Join(t.TempDir(), "master.key")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"keygen", file}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "--rotate") {
		t.Errorf("output does not explain rotation: %s", out.String())
	}
	info, err := os.Stat(file)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, info.Mode())
	}
	old, err := seal.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := old.Seal([]byte("secret"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"keygen", file}, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
		t.Fatal("keygen overwrote an existing key file")
	}
	if err := run(context.Background(), []string{"keygen", "--rotate", file}, func(string) string { return "" }, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	info, _ = os.Stat(file)
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("rotated key file mode %v", info.Mode())
	}
	rotated, err := seal.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := rotated.Open(sealed, []byte("aad")); err != nil || string(plain) != "secret" {
		t.Fatalf("the rotated file does not open what the old key sealed: %v", err)
	}
	fresh, err := rotated.Seal([]byte("new"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Open(fresh, []byte("aad")); err == nil {
		t.Fatal("a value sealed after rotation opens with the old key alone")
	}
}
