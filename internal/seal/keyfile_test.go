package seal

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	key1 = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=" // 32 bytes of 1
	key2 = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=" // 32 bytes of 2
)

func writeFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // not masked by umask
		t.Fatal(err)
	}
	return path
}

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	k, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("LoadOrCreate = %v, %v; want created", created, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode %#o, want 0600", perm)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("directory holds %d files, want only the key file", len(entries))
	}
	sealed, err := k.Seal([]byte("secret"), nil)
	if err != nil {
		t.Fatal(err)
	}

	again, created, err := LoadOrCreate(path)
	if err != nil || created {
		t.Fatalf("second LoadOrCreate = %v, %v; want loaded", created, err)
	}
	if got, err := again.Open(sealed, nil); err != nil || string(got) != "secret" {
		t.Errorf("reloaded keyring: Open = %q, %v", got, err)
	}
}

// TestLoadOrCreateRace starts several creators at once: one creates, all
// share its key.
func TestLoadOrCreateRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	const n = 8
	var (
		wg      sync.WaitGroup
		rings   [n]*Keyring
		created [n]bool
		errs    [n]error
	)
	for i := range n {
		wg.Go(func() { rings[i], created[i], errs[i] = LoadOrCreate(path) })
	}
	wg.Wait()
	creators := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if created[i] {
			creators++
		}
	}
	if creators != 1 {
		t.Errorf("%d callers created the file, want 1", creators)
	}
	sealed, err := rings[0].Seal([]byte("secret"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := rings[i].Open(sealed, nil); err != nil {
			t.Errorf("caller %d has another key: %v", i, err)
		}
	}
}

func TestLoadOrCreateNoDirectory(t *testing.T) {
	if _, _, err := LoadOrCreate(filepath.Join(t.TempDir(), "missing", "master.key")); err == nil {
		t.Error("no error")
	}
}

func TestLoadMissing(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "master.key")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load error = %v, want fs.ErrNotExist", err)
	}
}

func TestLoadMode(t *testing.T) {
	tests := []struct {
		mode os.FileMode
		ok   bool
	}{
		{0o600, true},
		{0o400, true},
		{0o640, true},
		{0o440, true},
		{0o644, false},
		{0o444, false},
		{0o660, false},
		{0o604, false},
		{0o602, false},
		{0o601, false},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			_, err := Load(writeFile(t, "k1 "+key1+"\n", tt.mode))
			if (err == nil) != tt.ok {
				t.Errorf("Load error = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "mode") {
				t.Errorf("error %q does not mention the mode", err)
			}
		})
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Error("Load of a directory: no error")
	}
}

func TestLoad(t *testing.T) {
	content := "# comment\n\n  new " + key2 + "  \r\nold\t" + key1 + "\n"
	k, err := Load(writeFile(t, content, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := k.Seal([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := testKeyring(t, newKey).Open(sealed, nil); err != nil {
		t.Errorf("the first key does not seal: %v", err)
	}
	old, err := testKeyring(t, oldKey).Seal([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Open(old, nil); err != nil {
		t.Errorf("the second key does not open: %v", err)
	}
}

func TestParseKeyFile(t *testing.T) {
	tests := []struct {
		name, content string
		want          []entry // nil: an error containing errText
		errText       string
	}{
		{"one key", "k1 " + key1 + "\n", []entry{{"k1", oldKey.key}}, ""},
		{"no final newline", "k1 " + key1, []entry{{"k1", oldKey.key}}, ""},
		{"two keys, comments", "#a\nk2 " + key2 + "\n # b\nk1 " + key1 + "\n", []entry{{"k2", newKey.key}, {"k1", oldKey.key}}, ""},
		{"empty", "", nil, "no keys"},
		{"comments only", "# k1 " + key1 + "\n", nil, "no keys"},
		{"key missing", "k1\n", nil, "line 1: want"},
		{"extra field", "k1 " + key1 + " x\n", nil, "line 1: want"},
		{"bad ID", "\nk/1 " + key1 + "\n", nil, "line 2: key ID"},
		{"long ID", strings.Repeat("k", 65) + " " + key1 + "\n", nil, "line 1: key ID"},
		{"repeated ID", "k1 " + key1 + "\nk1 " + key2 + "\n", nil, "line 2: key ID k1 repeated"},
		{"not base64", "k1 " + strings.Replace(key1, "A", "*", 1) + "\n", nil, "line 1: key k1 is not 32 bytes"},
		{"URL base64", "k1 " + strings.Repeat("_", 43) + "=\n", nil, "line 1: key k1 is not 32 bytes"},
		{"unpadded", "k1 " + strings.TrimSuffix(key1, "=") + "\n", nil, "line 1: key k1 is not 32 bytes"},
		{"16-byte key", "k1 AQEBAQEBAQEBAQEBAQEBAQ==\n", nil, "line 1: key k1 is not 32 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseKeyFile([]byte(tt.content))
			if tt.want == nil {
				if err == nil || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("error = %v, want one containing %q", err, tt.errText)
				}
				if strings.Contains(err.Error(), key1[:10]) {
					t.Errorf("error %q shows key material", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(entry{})); diff != "" {
				t.Errorf("entries differ (-want +got):\n%s", diff)
			}
		})
	}
}
