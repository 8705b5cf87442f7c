// Package seal encrypts secrets at rest (SRP credentials, client secrets,
// queued messages) with a master key kept in a file outside the database,
// and gives secrets a type that cannot leak into logs.
//
// A sealed value is AES-256-GCM ciphertext that names the key that sealed
// it, so keys can be rotated: the key file lists several keys, the first
// seals, and all of them open. Every value is sealed with additional
// authenticated data (aad) saying where it belongs, for example
// "password|us-east-1_AbC123xyz|alice". The aad is not stored in the sealed
// value: the caller rebuilds it from the row it read, and Open with any
// other aad fails, so a sealed value copied into another row (another
// user's password, another pool's client secret) is refused instead of
// trusted.
// No two places may share an aad: join fields that cannot contain the
// separator, with at most one free-form field (a username may contain
// "|"), and put it last.
//
// # Key file
//
// The key file is text, one key a line:
//
//	<key ID> <base64 key>
//
// The key ID is 1 to 64 characters of A-Z a-z 0-9 . _ -; the key is 32
// bytes in standard, padded base64. Blank lines and lines starting with #
// are ignored. The first key seals new values; every key opens. To rotate,
// put a new line first and keep the old ones until nothing sealed with
// them remains.
//
// Whoever reads the file reads every secret, so Load refuses a file that
// its group may write or that others may access at all, as PostgreSQL does
// for its server key: modes 0600, 0400, 0640 and 0440 pass; a container
// secret mounted 0644 or 0444 needs a mode such as 0400 (or 0440 shared
// through a group). Modes are checked as on Unix.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// ErrOpen is wrapped by every error Open returns: the value was not sealed
// by a key of this keyring for this aad, or was altered.
var ErrOpen = errors.New("seal: cannot open sealed value")

// Sealed values are
//
//	version (1 byte, formatV1) | key ID length (1 byte) | key ID |
//	nonce (12 bytes) | AES-256-GCM ciphertext and tag (16 bytes)
//
// and GCM authenticates everything before the nonce along with the aad.
const (
	formatV1  = 1
	keySize   = 32
	nonceSize = 12
	tagSize   = 16
)

// Keyring holds the master keys; Load and LoadOrCreate make one. It is safe
// for concurrent use.
type Keyring struct {
	keys []key // keys[0] seals
}

type key struct {
	id   string
	aead cipher.AEAD
	// derive is the key's derivation secret, for Derive.
	derive []byte
}

// entry is one line of a key file.
type entry struct {
	id  string
	key []byte
}

func newKeyring(entries []entry) (*Keyring, error) {
	k := &Keyring{}
	for _, e := range entries {
		block, err := aes.NewCipher(e.key)
		if err != nil {
			return nil, fmt.Errorf("seal: key %q: %w", e.id, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("seal: key %q: %w", e.id, err)
		}
		derive, err := hkdf.Key(sha256.New, e.key, nil, "cognate derived secrets", 32)
		if err != nil {
			return nil, fmt.Errorf("seal: key %q: %w", e.id, err)
		}
		k.keys = append(k.keys, key{id: e.id, aead: aead, derive: derive})
	}
	return k, nil
}

// Seal encrypts plaintext with the active key, bound to aad. Open needs the
// same aad.
func (k *Keyring) Seal(plaintext, aad []byte) ([]byte, error) {
	active := k.keys[0]
	out := make([]byte, 0, 2+len(active.id)+nonceSize+len(plaintext)+tagSize)
	out = append(out, formatV1, byte(len(active.id)))
	out = append(out, active.id...)
	header := len(out)
	out = out[:header+nonceSize]
	nonce := out[header:]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: draw nonce: %w", err)
	}
	return active.aead.Seal(out, nonce, plaintext, additionalData(out[:header], aad)), nil
}

// Open decrypts a value Seal returned for the same aad, with whichever key
// of the keyring sealed it. Any other input yields an error wrapping ErrOpen.
func (k *Keyring) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 2 || sealed[0] != formatV1 {
		return nil, fmt.Errorf("%w: unknown format", ErrOpen)
	}
	header := 2 + int(sealed[1])
	if len(sealed) < header+nonceSize+tagSize {
		return nil, fmt.Errorf("%w: truncated", ErrOpen)
	}
	id := string(sealed[2:header])
	for _, key := range k.keys {
		if key.id != id {
			continue
		}
		nonce := sealed[header : header+nonceSize]
		plaintext, err := key.aead.Open(nil, nonce, sealed[header+nonceSize:], additionalData(sealed[:header], aad))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrOpen, err)
		}
		return plaintext, nil
	}
	return nil, fmt.Errorf("%w: no key %q in the keyring", ErrOpen, id)
}

// additionalData is what GCM authenticates: the header, which ends where
// its length byte says, then the caller's aad.
func additionalData(header, aad []byte) []byte {
	return append(append(make([]byte, 0, len(header)+len(aad)), header...), aad...)
}

// Derive returns a 32-byte secret for label, computed from the active
// master key: the same on every replica that shares the key file, and
// different for every label. Use it for values that must be stable but
// unguessable, such as the simulated challenges that hide whether a user
// exists.
func (k *Keyring) Derive(label string) []byte {
	mac := hmac.New(sha256.New, k.keys[0].derive)
	mac.Write([]byte(label))
	return mac.Sum(nil)
}
