package seal

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Limits of the key file (see the package comment) and the header
// LoadOrCreate writes.
const (
	maxKeyIDLen  = 64
	maxFileSize  = 1 << 16
	insecureMode = 0o027 // group write, any access by others
	fileHeader   = "# Cognate master keys: \"<key ID> <base64 key>\", one a line. The first\n" +
		"# key seals new values; every key opens. To rotate, put a new key first\n" +
		"# and keep the old ones. Anyone with this file can read every secret.\n"
)

// Load reads the key file at path. It is for deployments where the key
// must already exist (PostgreSQL): a new key would not open the secrets
// already in the database.
func Load(path string) (*Keyring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("seal: key file %s is not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&insecureMode != 0 {
		return nil, fmt.Errorf("seal: key file %s has mode %#o: it must not be writable by group or accessible by others (chmod 600)", path, perm)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("seal: read %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("seal: key file %s is over %d bytes", path, maxFileSize)
	}
	entries, err := parseKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	return newKeyring(entries)
}

// LoadOrCreate loads the key file at path or, when there is none, writes a
// new one with one random key, readable by its owner only, and reports that
// it did. The file appears whole or not at all, and of two processes
// creating it at once both end up with the same key.
func LoadOrCreate(path string) (k *Keyring, created bool, err error) {
	k, err = Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	e, err := newEntry()
	if err != nil {
		return nil, false, err
	}
	err = createFile(path, formatKeyFile([]entry{e}))
	if errors.Is(err, fs.ErrExist) {
		k, err = Load(path) // another process created it first
		return k, false, err
	}
	if err != nil {
		return nil, false, err
	}
	k, err = newKeyring([]entry{e})
	return k, err == nil, err
}

// newEntry draws a new key and its ID.
func newEntry() (entry, error) {
	e := entry{key: make([]byte, keySize)}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return entry{}, fmt.Errorf("seal: draw key ID: %w", err)
	}
	if _, err := rand.Read(e.key); err != nil {
		return entry{}, fmt.Errorf("seal: draw key: %w", err)
	}
	e.id = hex.EncodeToString(id)
	return e, nil
}

// Generate writes a new key file at path, mode 0600, with one random key,
// and returns the key's ID; an error wrapping fs.ErrExist if path exists.
func Generate(path string) (string, error) {
	e, err := newEntry()
	if err != nil {
		return "", err
	}
	if err := createFile(path, formatKeyFile([]entry{e})); err != nil {
		return "", err
	}
	return e.id, nil
}

// Rotate puts a new random key first in the key file at path, so that it
// seals from the next start on, and keeps the others, which still open
// what they sealed. It returns the new key's ID. The file is replaced
// whole (mode 0600) or not at all.
func Rotate(path string) (string, error) {
	if _, err := Load(path); err != nil {
		return "", err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	entries, err := parseKeyFile(data)
	if err != nil {
		return "", fmt.Errorf("seal: key file %s: %w", path, err)
	}
	e, err := newEntry()
	if err != nil {
		return "", err
	}
	tmp := path + ".rotate"
	os.Remove(tmp)
	if err := createFile(tmp, formatKeyFile(append([]entry{e}, entries...))); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("seal: replace key file: %w", err)
	}
	return e.id, nil
}

// createFile writes data to a new file at path with mode 0600: to a
// temporary file in the same directory first, then linked into place, which
// fails with fs.ErrExist if path exists.
func createFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		// Name the key file, not the hidden temporary one.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("seal: create key file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("seal: write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("seal: create key file: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("seal: sync key file directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("seal: sync key file directory: %w", err)
	}
	return nil
}

// parseKeyFile reads the key file format. Errors name the line, never a key.
func parseKeyFile(data []byte) ([]entry, error) {
	var entries []entry
	seen := make(map[string]bool)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxFileSize)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("line %d: want \"<key ID> <base64 key>\"", n)
		}
		id := fields[0]
		if !validKeyID(id) {
			return nil, fmt.Errorf("line %d: key ID must be 1 to %d characters of A-Z a-z 0-9 . _ -", n, maxKeyIDLen)
		}
		if seen[id] {
			return nil, fmt.Errorf("line %d: key ID %s repeated", n, id)
		}
		seen[id] = true
		key, err := base64.StdEncoding.Strict().DecodeString(fields[1])
		if err != nil || len(key) != keySize {
			return nil, fmt.Errorf("line %d: key %s is not %d bytes of standard base64", n, id, keySize)
		}
		entries = append(entries, entry{id: id, key: key})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, errors.New("no keys")
	}
	return entries, nil
}

func validKeyID(id string) bool {
	if len(id) == 0 || len(id) > maxKeyIDLen {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// formatKeyFile writes entries in the key file format.
func formatKeyFile(entries []entry) []byte {
	var b bytes.Buffer
	b.WriteString(fileHeader)
	for _, e := range entries {
		fmt.Fprintf(&b, "%s %s\n", e.id, base64.StdEncoding.EncodeToString(e.key))
	}
	return b.Bytes()
}
