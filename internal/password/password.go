// Package password checks passwords against a pool's password policy, makes
// temporary passwords that satisfy it, and turns a password into the sealed
// SRP credential Cognate stores instead of the password itself.
package password

import (
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"strings"
	"unicode"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/srp"
)

// Symbols are the special characters Cognito's password policy counts as
// symbols.
const Symbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// Check returns an *InvalidPasswordException when pw does not satisfy the
// policy, with Cognito's message for the first rule it breaks.
func Check(pp *model.PasswordPolicyType, pw string) error {
	fail := func(why string) error {
		return &model.InvalidPasswordException{Message: "Password does not conform to policy: " + why}
	}
	if pp == nil {
		return nil
	}
	if pp.MinimumLength != nil && len([]rune(pw)) < int(*pp.MinimumLength) {
		return fail("Password not long enough")
	}
	has := func(f func(rune) bool) bool { return strings.IndexFunc(pw, f) >= 0 }
	if on(pp.RequireLowercase) && !has(unicode.IsLower) {
		return fail("Password must have lowercase characters")
	}
	if on(pp.RequireUppercase) && !has(unicode.IsUpper) {
		return fail("Password must have uppercase characters")
	}
	if on(pp.RequireNumbers) && !has(unicode.IsDigit) {
		return fail("Password must have numeric characters")
	}
	if on(pp.RequireSymbols) && !has(func(r rune) bool { return strings.ContainsRune(Symbols, r) && r != ' ' }) {
		return fail("Password must have symbol characters")
	}
	return nil
}

func on(b *bool) bool { return b != nil && *b }

// Generate returns a random temporary password that satisfies the policy:
// at least one character of every class, at least the minimum length (and
// never fewer than 12 characters).
func Generate(pp *model.PasswordPolicyType, r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	const (
		lower   = "abcdefghijkmnopqrstuvwxyz"
		upper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits  = "23456789"
		symbols = "^$*.[]{}()?!@#%&/,><:;|_~=+-"
	)
	n := 12
	if pp != nil && pp.MinimumLength != nil && int(*pp.MinimumLength) > n {
		n = int(*pp.MinimumLength)
	}
	classes := []string{lower, upper, digits, symbols}
	all := strings.Join(classes, "")
	out := make([]byte, 0, n)
	pick := func(set string) error {
		i, err := rand.Int(r, big.NewInt(int64(len(set))))
		if err != nil {
			return fmt.Errorf("generate password: %w", err)
		}
		out = append(out, set[i.Int64()])
		return nil
	}
	for _, c := range classes {
		if err := pick(c); err != nil {
			return "", err
		}
	}
	for len(out) < n {
		if err := pick(all); err != nil {
			return "", err
		}
	}
	// Shuffle so the class order does not show.
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(r, big.NewInt(int64(i+1)))
		if err != nil {
			return "", fmt.Errorf("generate password: %w", err)
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

// aad binds a sealed credential to its user, so a sealed value cannot be
// moved to another user's row.
func aad(poolID, username string) []byte {
	return []byte("password|" + poolID + "|" + username)
}

// PoolName is the part of a pool ID after the underscore, which Cognito's
// SRP hashes with the username.
func PoolName(poolID string) string {
	_, name, _ := strings.Cut(poolID, "_")
	return name
}

// Seal makes the SRP credential (salt and verifier) of a user's password and
// seals it with the master key. username is the internal username.
func Seal(keys *seal.Keyring, r io.Reader, poolID, username, pw string) ([]byte, error) {
	salt, err := srp.NewSalt(r)
	if err != nil {
		return nil, err
	}
	cred := srp.Credential{Salt: salt, Verifier: srp.NewVerifier(PoolName(poolID), username, []byte(pw), salt)}
	plain, err := cred.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encode credential: %w", err)
	}
	sealed, err := keys.Seal(plain, aad(poolID, username))
	if err != nil {
		return nil, fmt.Errorf("seal credential: %w", err)
	}
	return sealed, nil
}

// Open unseals a stored credential.
func Open(keys *seal.Keyring, poolID, username string, sealed []byte) (*srp.Credential, error) {
	plain, err := keys.Open(sealed, aad(poolID, username))
	if err != nil {
		return nil, fmt.Errorf("open credential: %w", err)
	}
	var c srp.Credential
	if err := c.UnmarshalBinary(plain); err != nil {
		return nil, fmt.Errorf("decode credential: %w", err)
	}
	return &c, nil
}
