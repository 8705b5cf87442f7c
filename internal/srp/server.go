package srp

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"

	"filippo.io/bigmod"
)

// EphemeralSize is the size in bytes of the server's secret ephemeral value
// b: 256 bits. RFC 5054 asks for at least 256 bits, which puts the generic
// discrete-logarithm attacks on b (about the square root of its range, 2^128
// steps) level with the 3072-bit group itself (about 128-bit security); a
// longer b would cost more in every exponentiation with it and add nothing.
// B = k·v + g^b takes g^b from the fixed-base table, which covers exactly
// this length.
const EphemeralSize = 32

// TimestampLayout is the time layout of the TIMESTAMP challenge response,
// "ddd MMM D HH:mm:ss UTC YYYY" in the client's terms (for example
// "Thu Mar 5 07:08:09 UTC 2026"), for time.Format and time.Parse.
const TimestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// ErrInvalidA reports an SRP_A that is not the hex of an integer in
// [1, N-1]. SRP-6a requires refusing A mod N == 0; a value of N or more is
// refused as well, since no client computing g^a mod N sends one.
var ErrInvalidA = errors.New("srp: invalid SRP_A")

// keySize is the size of K: Cognito's clients keep the first 16 bytes of
// the HKDF output.
const keySize = 16

// keyInfo is the HKDF info Cognito's clients use.
const keyInfo = "Caldera Derived Key"

// NewEphemeral draws the server's secret ephemeral value b from r (normally
// crypto/rand.Reader). Keep it secret (sealed, if it has to outlive the
// request) and use it for one exchange only.
func NewEphemeral(r io.Reader) ([]byte, error) {
	b := make([]byte, EphemeralSize)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("srp: draw ephemeral: %w", err)
	}
	return b, nil
}

// Server is the server side of one SRP exchange: the PASSWORD_VERIFIER
// challenge of USER_SRP_AUTH, or DEVICE_PASSWORD_VERIFIER. It holds no
// state a caller cannot rebuild: the InitiateAuth step creates it to send
// B, and the RespondToAuthChallenge step creates it again from the same
// verifier, SRP_A and b to check the client's signature.
type Server struct {
	v, a, pubB *bigmod.Nat
	b          []byte
}

// NewServer starts or resumes an exchange with the client's SRP_A (hex, as
// sent), the stored verifier (big-endian, leading zeros allowed) and the
// server's ephemeral b from NewEphemeral. An unusable SRP_A yields an error
// wrapping ErrInvalidA; any other error is the caller's fault.
func NewServer(verifier []byte, srpA string, b []byte) (*Server, error) {
	v, err := cognito.nat(verifier)
	if err != nil || v.IsZero() == 1 {
		return nil, errors.New("srp: verifier out of range")
	}
	if len(b) != EphemeralSize || subtle.ConstantTimeCompare(b, make([]byte, EphemeralSize)) == 1 {
		return nil, fmt.Errorf("srp: ephemeral must be %d random bytes", EphemeralSize)
	}
	a, err := parseA(srpA)
	if err != nil {
		return nil, err
	}
	b = bytes.Clone(b)
	return &Server{v: v, a: a, b: b, pubB: cognito.publicB(v, b)}, nil
}

// Resume continues an exchange that NewServer started, from the same
// verifier, SRP_A and b and the SRP_B it sent (kept, like b, sealed in the
// session): it skips recomputing B, which costs an exponentiation. srpB must
// be what B returned for these values; it is not checked.
func Resume(verifier []byte, srpA string, b []byte, srpB string) (*Server, error) {
	v, err := cognito.nat(verifier)
	if err != nil || v.IsZero() == 1 {
		return nil, errors.New("srp: verifier out of range")
	}
	if len(b) != EphemeralSize {
		return nil, fmt.Errorf("srp: ephemeral must be %d random bytes", EphemeralSize)
	}
	a, err := parseA(srpA)
	if err != nil {
		return nil, err
	}
	pubB, err := parseA(srpB)
	if err != nil {
		return nil, fmt.Errorf("srp: SRP_B: %w", err)
	}
	return &Server{v: v, a: a, b: bytes.Clone(b), pubB: pubB}, nil
}

// parseA reads SRP_A: hex digits of either case, any length (clients send
// BigInteger.toString(16), which may be of odd length), no sign or prefix.
func parseA(srpA string) (*bigmod.Nat, error) {
	h := strings.TrimLeft(srpA, "0")
	if len(h) > 2*VerifierSize {
		return nil, fmt.Errorf("%w: longer than N", ErrInvalidA)
	}
	if len(h)%2 == 1 {
		h = "0" + h
	}
	raw, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("%w: not hex", ErrInvalidA)
	}
	a, err := cognito.nat(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: not below N", ErrInvalidA)
	}
	if a.IsZero() == 1 {
		return nil, fmt.Errorf("%w: zero mod N", ErrInvalidA)
	}
	return a, nil
}

// B returns SRP_B, the server's public value, in lowercase hex without
// leading zeros, as Cognito sends it.
func (s *Server) B() string {
	return new(big.Int).SetBytes(s.pubB.Bytes(cognito.n)).Text(16)
}

// Verify reports whether signature, the client's PASSWORD_CLAIM_SIGNATURE
// (standard base64), proves it derived the same session key: whether it is
// HMAC-SHA256(K, poolName | userID | secretBlock | timestamp). poolName and
// userID are those the verifier was made with (for devices, the device group
// key and device key); secretBlock is the decoded SECRET_BLOCK and timestamp
// the TIMESTAMP as sent. Verify does not judge the timestamp's age.
func (s *Server) Verify(poolName, userID string, secretBlock []byte, timestamp, signature string) bool {
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, s.key())
	io.WriteString(mac, poolName)
	io.WriteString(mac, userID)
	mac.Write(secretBlock)
	io.WriteString(mac, timestamp)
	return hmac.Equal(mac.Sum(nil), got)
}

// key derives the session key K = HKDF(S, salt u).
func (s *Server) key() []byte {
	u := cognito.scramble(s.a, s.pubB)
	secret := cognito.serverSecret(s.a, s.v, u, s.b)
	k, err := hkdf.Key(sha256.New, twosComplement(secret.Bytes(cognito.n)), twosComplement(u), keyInfo, keySize)
	if err != nil {
		panic(err) // unreachable: keySize is far below HKDF's limit
	}
	return k
}
