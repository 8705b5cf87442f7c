// Package srp implements the SRP-6a variant Cognito uses for USER_SRP_AUTH
// and DEVICE_SRP_AUTH: the password verifier Cognate stores instead of a
// password, and the server side of the PASSWORD_VERIFIER challenge.
//
// Cognito's SRP is RFC 5054's arithmetic over the RFC 5054 3072-bit group
// (g = 2) with SHA-256, and these differences, all taken from the reference
// client amazon-cognito-identity-js (AuthenticationHelper.js):
//
//   - integers are hashed in their shortest two's-complement form (a 0x00
//     in front when the top bit is set), not padded to the size of N, so
//     k = H(00|N | 02) and u = H(A | B) in that form;
//   - the salt is an integer too: x = H(salt | H(poolName | userID | ":" |
//     password)) with the salt in that form, poolName being the part of the
//     pool ID after the underscore and userID Cognito's internal username
//     (USER_ID_FOR_SRP); for devices, the device group key and device key;
//   - the session key is K = HKDF-SHA256(ikm S, salt u, both in that form,
//     info "Caldera Derived Key"), 16 bytes;
//   - the client proves K with PASSWORD_CLAIM_SIGNATURE, the base64 of
//     HMAC-SHA256(K, poolName | userID | secret block | timestamp).
//
// The tests run RFC 5054's own vectors through the same code, and check the
// Cognito variant against values computed by amazon-cognito-identity-js
// (testdata/gen_vectors.js).
package srp

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
)

// rfc5054Group3072 is the 3072-bit prime of RFC 5054 appendix A (also RFC
// 3526's group 15), the one Cognito uses with g = 2.
const rfc5054Group3072 = "" +
	"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

// cognito is the parameter set of Cognito's SRP.
var cognito = newParams(rfc5054Group3072, 2, sha256.New, twosComplement)

// SaltSize is the size in bytes of the salts NewSalt draws, as Cognito's
// clients draw for device verifiers.
const SaltSize = 16

// VerifierSize is the size in bytes of a verifier: the size of N.
const VerifierSize = 384

// NewSalt draws a new salt from r (normally crypto/rand.Reader).
func NewSalt(r io.Reader) ([]byte, error) {
	salt := make([]byte, SaltSize)
	if _, err := io.ReadFull(r, salt); err != nil {
		return nil, fmt.Errorf("srp: draw salt: %w", err)
	}
	return salt, nil
}

// NewVerifier returns the password verifier v = g^x mod N, VerifierSize
// bytes big-endian, that a Cognito client proves knowledge of. poolName is
// the part of the pool ID after the underscore and username is the user's
// internal username (what Cognito returns as USER_ID_FOR_SRP), exactly as
// the client will hash them. The salt is read as a big-endian integer, so
// leading zero bytes do not count; send it to clients in hex as SALT.
func NewVerifier(poolName, username string, password, salt []byte) []byte {
	x := cognito.x(twosComplement(salt), []byte(poolName+username), password)
	return cognito.gExp(x).Bytes(cognito.n)
}

// Credential is what Cognate stores instead of a password: a salt and the
// verifier computed from it. Store it sealed (internal/seal): the verifier
// allows an offline guessing attack on the password.
type Credential struct {
	Salt     []byte
	Verifier []byte
}

// credentialV1 tags the encoding: the byte itself, the salt length (one
// byte), the salt, then the verifier as VerifierSize bytes big-endian, for
// Cognito's group and hash.
const credentialV1 = 1

// MarshalBinary encodes c for storage. The salt must be 1 to 255 bytes and
// the verifier an integer in [1, N-1]; it is written VerifierSize bytes long
// whatever its input length.
func (c Credential) MarshalBinary() ([]byte, error) {
	if len(c.Salt) == 0 || len(c.Salt) > 255 {
		return nil, fmt.Errorf("srp: credential salt of %d bytes", len(c.Salt))
	}
	v, err := cognito.nat(c.Verifier)
	if err != nil || v.IsZero() == 1 {
		return nil, errors.New("srp: credential verifier out of range")
	}
	out := make([]byte, 0, 2+len(c.Salt)+VerifierSize)
	out = append(out, credentialV1, byte(len(c.Salt)))
	out = append(out, c.Salt...)
	return append(out, v.Bytes(cognito.n)...), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote. It accepts only that
// canonical form, so encoding the result again gives back data.
func (c *Credential) UnmarshalBinary(data []byte) error {
	if len(data) < 2 {
		return errors.New("srp: credential too short")
	}
	if data[0] != credentialV1 {
		return fmt.Errorf("srp: credential version %d not supported", data[0])
	}
	n := int(data[1])
	rest := data[2:]
	if n == 0 || len(rest) != n+VerifierSize {
		return fmt.Errorf("srp: credential of %d bytes with a %d-byte salt", len(data), n)
	}
	v, err := cognito.nat(rest[n:])
	if err != nil || v.IsZero() == 1 {
		return errors.New("srp: credential verifier out of range")
	}
	c.Salt = append([]byte(nil), rest[:n]...)
	c.Verifier = append([]byte(nil), rest[n:]...)
	return nil
}

// Matches reports whether password is the one c was made from, for flows
// that receive the password itself (USER_PASSWORD_AUTH, ChangePassword). The
// comparison is constant time. c.Verifier must be VerifierSize bytes, as
// NewVerifier and UnmarshalBinary make it.
func (c Credential) Matches(poolName, username string, password []byte) bool {
	v := NewVerifier(poolName, username, password, c.Salt)
	return subtle.ConstantTimeCompare(v, c.Verifier) == 1
}
