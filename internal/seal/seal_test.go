package seal

import (
	"bytes"
	"errors"
	"testing"
)

func testKeyring(t testing.TB, entries ...entry) *Keyring {
	t.Helper()
	k, err := newKeyring(entries)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var (
	oldKey = entry{id: "old", key: bytes.Repeat([]byte{1}, keySize)}
	newKey = entry{id: "new", key: bytes.Repeat([]byte{2}, keySize)}
)

func TestSealOpen(t *testing.T) {
	k := testKeyring(t, newKey)
	tests := []struct {
		name           string
		plaintext, aad []byte
	}{
		{"typical", []byte("credential bytes"), []byte("password|us-east-1_AbC123xyz|alice")},
		{"empty plaintext", nil, []byte("aad")},
		{"empty aad", []byte("x"), nil},
		{"large", bytes.Repeat([]byte("0123456789"), 10000), []byte("aad")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := k.Seal(tt.plaintext, tt.aad)
			if err != nil {
				t.Fatal(err)
			}
			if want := 2 + len(newKey.id) + nonceSize + len(tt.plaintext) + tagSize; len(sealed) != want {
				t.Errorf("sealed is %d bytes, want %d", len(sealed), want)
			}
			got, err := k.Open(sealed, tt.aad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open = %q, want %q", got, tt.plaintext)
			}
		})
	}
}

func TestSealNonceIsFresh(t *testing.T) {
	k := testKeyring(t, newKey)
	a, _ := k.Seal([]byte("same"), nil)
	b, _ := k.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Error("sealing twice gave the same bytes")
	}
}

func TestOpenRefuses(t *testing.T) {
	k := testKeyring(t, newKey, oldKey)
	aad := []byte("password|pool|alice")
	sealed, err := k.Seal([]byte("secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	otherKey := entry{id: "new", key: bytes.Repeat([]byte{3}, keySize)} // same ID, other key
	tests := []struct {
		name   string
		k      *Keyring
		sealed []byte
		aad    []byte
	}{
		{"other aad", k, sealed, []byte("password|pool|bob")},
		{"aad prefix", k, sealed, aad[:len(aad)-1]},
		{"no aad", k, sealed, nil},
		{"unknown key ID", testKeyring(t, oldKey), sealed, aad},
		{"same ID, other key", testKeyring(t, otherKey), sealed, aad},
		{"empty", k, nil, aad},
		{"truncated", k, sealed[:len(sealed)-1], aad},
		{"header only", k, sealed[:2+len(newKey.id)], aad},
		{"extended", k, append(bytes.Clone(sealed), 0), aad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.k.Open(tt.sealed, tt.aad); !errors.Is(err, ErrOpen) {
				t.Errorf("Open error = %v, want ErrOpen", err)
			}
		})
	}
}

// TestTamper flips every bit of a sealed value, one at a time.
func TestTamper(t *testing.T) {
	k := testKeyring(t, newKey)
	sealed, err := k.Seal([]byte("secret"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range sealed {
		for bit := range 8 {
			bad := bytes.Clone(sealed)
			bad[i] ^= 1 << bit
			if _, err := k.Open(bad, []byte("aad")); !errors.Is(err, ErrOpen) {
				t.Fatalf("byte %d bit %d flipped: Open error = %v, want ErrOpen", i, bit, err)
			}
		}
	}
}

// TestRotation seals with an old keyring and opens after a new key was put
// first.
func TestRotation(t *testing.T) {
	before := testKeyring(t, oldKey)
	after := testKeyring(t, newKey, oldKey)
	sealed, err := before.Seal([]byte("secret"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := after.Open(sealed, []byte("aad")); err != nil || string(got) != "secret" {
		t.Errorf("rotated keyring: Open = %q, %v", got, err)
	}
	resealed, err := after.Seal([]byte("secret"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := after.Open(resealed, []byte("aad")); err != nil {
		t.Errorf("rotated keyring cannot open its own value: %v", err)
	}
	if _, err := before.Open(resealed, []byte("aad")); !errors.Is(err, ErrOpen) {
		t.Errorf("old keyring opened a value sealed with the new key: %v", err)
	}
}

func TestDerive(t *testing.T) {
	k1, err := newKeyring([]entry{{id: "a", key: bytes.Repeat([]byte{1}, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	k2, err := newKeyring([]entry{{id: "b", key: bytes.Repeat([]byte{2}, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1.Derive("x"), k1.Derive("x")) {
		t.Error("Derive is not stable")
	}
	if bytes.Equal(k1.Derive("x"), k1.Derive("y")) || bytes.Equal(k1.Derive("x"), k2.Derive("x")) {
		t.Error("Derive does not depend on its label and key")
	}
	if len(k1.Derive("x")) != 32 {
		t.Error("Derive is not 32 bytes")
	}
}
