package authn

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"filippo.io/bigmod"

	"github.com/cognate-idp/cognate/internal/cputime"
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
//
// The -parallel variants also report cpu-ns/op, the CPU time the process
// spent per sign-in: on a machine shared with other work, wall time per
// operation depends on how the scheduler shares the cores, CPU time much
// less.
//
// The password and srp variants run internal/srp as the server does, with
// powers of the fixed generator from a precomputed table; the -generic
// variants do every exponentiation with bigmod's generic constant-time Exp,
// as the server did before, and are the "generic floor" the sign-in targets
// are measured against.
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
	// The generic floor: bigmod's Exp costs the same for any odd modulus of
	// the same size, so 2^3072-1 stands in for the SRP group's prime.
	mod, err := bigmod.NewModulus(bytes.Repeat([]byte{0xff}, srp.VerifierSize))
	if err != nil {
		b.Fatal(err)
	}
	base, err := bigmod.NewNat().SetBytes(bytes.Repeat([]byte{0x5a}, srp.VerifierSize), mod)
	if err != nil {
		b.Fatal(err)
	}
	genericExp := func() {
		e := make([]byte, srp.EphemeralSize) // a SHA-256 x or an ephemeral b: 256 bits
		if _, err := rand.Read(e); err != nil {
			b.Error(err)
		}
		bigmod.NewNat().Exp(base, e, mod)
	}
	passwordGeneric := func(b *testing.B) {
		genericExp()
		signTokens(b)
	}
	srpGeneric := func(b *testing.B) {
		genericExp() // g^b
		genericExp() // v^u
		genericExp() // (A·v^u)^b
		signTokens(b)
	}
	b.Run("password-generic", func(b *testing.B) {
		for b.Loop() {
			passwordGeneric(b)
		}
	})
	b.Run("password-generic-parallel", func(b *testing.B) {
		report := cputime.Report(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				passwordGeneric(b)
			}
		})
		report()
	})
	b.Run("srp-generic", func(b *testing.B) {
		for b.Loop() {
			srpGeneric(b)
		}
	})
	b.Run("srp-generic-parallel", func(b *testing.B) {
		report := cputime.Report(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				srpGeneric(b)
			}
		})
		report()
	})
	b.Run("password", func(b *testing.B) {
		for b.Loop() {
			password(b)
		}
	})
	// On every core at once: the floor of a server's throughput, since
	// cores that share a physical core or its caches do not add up.
	b.Run("password-parallel", func(b *testing.B) {
		report := cputime.Report(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				password(b)
			}
		})
		report()
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
		report := cputime.Report(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				srpSignIn(b)
			}
		})
		report()
	})
}
