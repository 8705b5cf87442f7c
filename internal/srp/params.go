package srp

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"hash"
	"sync"

	"filippo.io/bigmod"
)

// params is one SRP-6a parameter set. The arithmetic is RFC 5054's
// (k = H(N | g), x = H(s | H(I | ":" | P)), v = g^x, B = k*v + g^b,
// u = H(A | B), S = (A * v^u)^b, all mod N); what varies is the group, the
// hash, and how an integer is encoded before it is hashed, which is where
// Cognito departs from the RFC.
//
// Every modular exponentiation goes through bigmod, which is constant time in
// the exponent and the base: x, b and v are secret. Powers of the fixed g
// (the verifier g^x, the g^b of B, a client's g^a) use a precomputed table
// (fixedBase), several times cheaper than a generic exponentiation and
// constant time as well.
type params struct {
	n    *bigmod.Modulus
	g    *bigmod.Nat
	k    *bigmod.Nat
	hash func() hash.Hash
	// gTable builds the table of g on first use, so that a process that
	// never touches a password does not pay for it at start-up.
	gTable func() *fixedBase
	// enc encodes a big-endian integer for hashing. Its input is left-padded
	// with zeros to the size of N when it is an element of the group.
	enc func([]byte) []byte
}

// newParams builds a parameter set from the hex of the prime N and the
// generator g. It panics on a bad N: the groups are constants.
func newParams(nHex string, g byte, h func() hash.Hash, enc func([]byte) []byte) *params {
	nBytes, err := hex.DecodeString(nHex)
	if err != nil {
		panic(fmt.Sprintf("srp: bad group prime: %v", err))
	}
	n, err := bigmod.NewModulus(nBytes)
	if err != nil {
		panic(fmt.Sprintf("srp: bad group prime: %v", err))
	}
	p := &params{n: n, hash: h, enc: enc}
	p.g = p.mustNat([]byte{g})
	p.k = p.mustNat(p.h(enc(nBytes), enc(p.g.Bytes(n))))
	p.gTable = sync.OnceValue(func() *fixedBase { return newFixedBase(p.n, p.g, fixedBits) })
	return p
}

func (p *params) mustNat(b []byte) *bigmod.Nat {
	x, err := p.nat(b)
	if err != nil {
		panic(err)
	}
	return x
}

// nat reads a big-endian integer, which may carry leading zeros, as an
// element of [0, N-1].
func (p *params) nat(b []byte) (*bigmod.Nat, error) {
	x, err := bigmod.NewNat().SetBytes(bytes.TrimLeft(b, "\x00"), p.n)
	if err != nil {
		return nil, fmt.Errorf("srp: integer out of range: %w", err)
	}
	return x, nil
}

// h hashes the concatenation of parts.
func (p *params) h(parts ...[]byte) []byte {
	d := p.hash()
	for _, b := range parts {
		d.Write(b)
	}
	return d.Sum(nil)
}

// x is the private key H(salt | H(identity | ":" | password)). salt is
// hashed as given: encoding it is the caller's business.
func (p *params) x(salt, identity, password []byte) []byte {
	return p.h(salt, p.h(identity, []byte(":"), password))
}

// exp returns base^e mod N for a big-endian exponent e.
func (p *params) exp(base *bigmod.Nat, e []byte) *bigmod.Nat {
	return bigmod.NewNat().Exp(base, e, p.n)
}

// fixedBits is the longest exponent of g the table covers: the 256 bits of
// a SHA-256 x and of an ephemeral (EphemeralSize bytes).
const fixedBits = 256

// gExp returns g^e mod N for a big-endian exponent e, in constant time.
func (p *params) gExp(e []byte) *bigmod.Nat {
	return p.gTable().exp(e)
}

// publicB returns the server's public value B = k*v + g^b.
func (p *params) publicB(v *bigmod.Nat, b []byte) *bigmod.Nat {
	kv := bigmod.NewNat().Mod(p.k, p.n).Mul(v, p.n)
	return kv.Add(p.gExp(b), p.n)
}

// scramble returns u = H(A | B).
func (p *params) scramble(a, b *bigmod.Nat) []byte {
	return p.h(p.enc(a.Bytes(p.n)), p.enc(b.Bytes(p.n)))
}

// serverSecret returns the server's premaster secret S = (A * v^u)^b.
func (p *params) serverSecret(a, v *bigmod.Nat, u, b []byte) *bigmod.Nat {
	return p.exp(p.exp(v, u).Mul(a, p.n), b)
}

// twosComplement is Cognito's integer encoding (padHex in
// amazon-cognito-identity-js, after Java's BigInteger.toByteArray): the
// shortest big-endian form of a non-negative integer with a 0x00 in front
// when its top bit is set. Zero is one 0x00 byte.
//
// The length of the result depends on the value, so hashing it leaks a few
// bits of timing about S; that is the protocol's doing, not fixable here.
func twosComplement(b []byte) []byte {
	b = bytes.TrimLeft(b, "\x00")
	if len(b) == 0 || b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}
