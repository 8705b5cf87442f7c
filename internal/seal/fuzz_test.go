package seal

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzOpen checks that Open fails only with ErrOpen and never opens
// anything but what was sealed, and only with the aad it was sealed with.
func FuzzOpen(f *testing.F) {
	k := testKeyring(f, newKey, oldKey)
	plaintext, aad := []byte("secret"), []byte("password|pool|alice")
	sealed, err := k.Seal(plaintext, aad)
	if err != nil {
		f.Fatal(err)
	}
	oldSealed, err := testKeyring(f, oldKey).Seal(plaintext, aad)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed, aad)
	f.Add(oldSealed, aad)
	f.Add(sealed[:20], aad)
	f.Add([]byte{formatV1, 255}, []byte{})
	f.Fuzz(func(t *testing.T, data, gotAAD []byte) {
		got, err := k.Open(data, gotAAD)
		if err != nil {
			if !errors.Is(err, ErrOpen) {
				t.Fatalf("Open error %v does not wrap ErrOpen", err)
			}
			return
		}
		// Each fuzzing process runs this function anew, so sealed differs
		// between them; but nothing else was ever sealed under these keys.
		if !bytes.Equal(gotAAD, aad) || !bytes.Equal(got, plaintext) {
			t.Fatalf("Open(%x, %q) = %q: a forgery", data, gotAAD, got)
		}
	})
}

// FuzzParseKeyFile checks that what parseKeyFile accepts survives being
// written out and read again unchanged.
func FuzzParseKeyFile(f *testing.F) {
	f.Add([]byte("k1 " + key1 + "\n"))
	f.Add([]byte("# c\n\nk2 " + key2 + "\r\nk1 " + key1))
	f.Add([]byte("k1 " + key1 + "\nk1 " + key2 + "\n"))
	f.Add([]byte("k1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseKeyFile(data)
		if err != nil {
			return
		}
		again, err := parseKeyFile(formatKeyFile(entries))
		if err != nil {
			t.Fatalf("accepted %q but not its own output: %v", data, err)
		}
		if diff := cmp.Diff(entries, again, cmp.AllowUnexported(entry{})); diff != "" {
			t.Fatalf("round trip of %q differs (-first +again):\n%s", data, diff)
		}
	})
}
