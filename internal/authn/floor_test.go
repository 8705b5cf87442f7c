package authn

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/cognate-idp/cognate/internal/srp"
)

// BenchmarkCryptoFloor measures the cryptography one sign-in cannot avoid,
// the floor that the sign-in workloads of `cognate-bench` are compared
// with (docs/benchmarks.md): for password sign-in the verifier
// exponentiation g^x that checks the password, and for SRP sign-in the
// server's exponentiations (B = kv + g^b, then S = (A·v^u)^b); each then
// signs an ID and an access token with RS256 and a 2048-bit key. In the
// plain variants one iteration is one sign-in on one core; the -parallel
// variants run on every core at once, and their ns/op is the machine's
// floor (1e9/ns_op sign-ins per second), since two vCPUs that share a
// physical core or its caches do not do twice the work of one.
func BenchmarkCryptoFloor(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	claims := make([]byte, 900) // the size of a typical token's header and claims
	signTokens := func(b *testing.B) {
		for range 2 {
			h := sha256.Sum256(claims)
			if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:]); err != nil {
				b.Error(err)
			}
		}
	}
	salt, err := srp.NewSalt(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	cred := srp.Credential{Salt: salt, Verifier: srp.NewVerifier("pool", "user", []byte("Passw0rd!"), salt)}
	password := func(b *testing.B) {
		if !cred.Matches("pool", "user", []byte("Passw0rd!")) {
			b.Error("password does not match")
		}
		signTokens(b)
	}
	b.Run("password", func(b *testing.B) {
		for b.Loop() {
			password(b)
		}
	})
	// On every core at once: the floor of a server's throughput, since
	// cores that share a physical core or its caches do not add up.
	b.Run("password-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				password(b)
			}
		})
	})
	// A is the client's; computing it is the client's cost, not the
	// server's, so it is made once.
	raw := make([]byte, srp.VerifierSize-1)
	if _, err := rand.Read(raw); err != nil {
		b.Fatal(err)
	}
	srpA := hex.EncodeToString(raw)
	srpSignIn := func(b *testing.B) {
		eph, err := srp.NewEphemeral(rand.Reader)
		if err != nil {
			b.Error(err)
			return
		}
		s, err := srp.NewServer(cred.Verifier, srpA, eph)
		if err != nil {
			b.Error(err)
			return
		}
		_ = s.B()
		s.Verify("pool", "user", []byte("block"), "Mon Jan 2 15:04:05 UTC 2006", "c2lnbmF0dXJl")
		signTokens(b)
	}
	b.Run("srp", func(b *testing.B) {
		for b.Loop() {
			srpSignIn(b)
		}
	})
	b.Run("srp-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				srpSignIn(b)
			}
		})
	})
}
