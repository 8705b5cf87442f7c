package srp

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"strings"
	"sync"

	"filippo.io/bigmod"
)

// Client is the client side of one Cognito SRP exchange, as
// amazon-cognito-identity-js's AuthenticationHelper computes it: Cognate's
// load tool and tests sign in with it. Use a Client for one exchange.
type Client struct {
	a    []byte
	pubA *bigmod.Nat
	// varTime raises S with math/big (NewLoadClient).
	varTime bool
	// known memoizes k·g^x across a load generator's clients.
	known *KnownVerifiers
}

// KnownVerifiers memoizes k·g^x by x for load clients that sign the same
// users in again and again: g^x is the user's verifier, the same at every
// sign-in, and a real client computes it afresh each time only because it
// keeps nothing. Safe for concurrent use.
type KnownVerifiers struct {
	m sync.Map // string(x) → *bigmod.Nat
}

// NewClient draws the client's secret ephemeral a from r and computes
// A = g^a. a has EphemeralSize bytes (256 bits, what RFC 5054 asks for);
// amazon-cognito-identity-js draws 128 bytes, which the server cannot tell
// apart, but each exponentiation with a then costs four times as much, and
// the load tool's client shares the server's cores.
func NewClient(r io.Reader) (*Client, error) {
	a := make([]byte, EphemeralSize)
	if _, err := io.ReadFull(r, a); err != nil {
		return nil, fmt.Errorf("srp: draw client ephemeral: %w", err)
	}
	return &Client{a: a, pubA: cognito.gExp(a)}, nil
}

// NewLoadClient is NewClient for a load generator, which signs in users
// whose passwords it made up itself: Sign raises S = (B - k·g^x)^(a+u·x),
// the client's one exponentiation with a base nobody can precompute and a
// 512-bit exponent, with math/big instead of constant-time arithmetic, which
// is about twice as fast at this size and leaves more of the cores the load
// tool shares with the server to the server. math/big's timing depends on
// the exponent, and so on a and the password; and known, unless nil, keeps
// k·g^x, which a password can be guessed against, for as long as it lives:
// never use this client for a password that matters.
func NewLoadClient(r io.Reader, known *KnownVerifiers) (*Client, error) {
	c, err := NewClient(r)
	if err != nil {
		return nil, err
	}
	c.varTime, c.known = true, known
	return c, nil
}

// kgx returns k·g^x, from c.known when it has it.
func (c *Client) kgx(x []byte) *bigmod.Nat {
	if c.known != nil {
		if v, ok := c.known.m.Load(string(x)); ok {
			return v.(*bigmod.Nat)
		}
	}
	p := cognito
	kgx := bigmod.NewNat().Mod(p.k, p.n).Mul(p.gExp(x), p.n)
	if c.known != nil {
		c.known.m.Store(string(x), kgx)
	}
	return kgx
}

// A returns SRP_A in lowercase hex without leading zeros.
func (c *Client) A() string {
	return new(big.Int).SetBytes(c.pubA.Bytes(cognito.n)).Text(16)
}

// Sign returns the PASSWORD_CLAIM_SIGNATURE (standard base64) that answers
// a PASSWORD_VERIFIER challenge: poolName is the part of the pool ID after
// the underscore, userID the challenge's USER_ID_FOR_SRP, saltHex and srpB
// its SALT and SRP_B, secretBlock its decoded SECRET_BLOCK and timestamp
// the TIMESTAMP the client will send (srp.TimestampLayout).
func (c *Client) Sign(poolName, userID, password, saltHex, srpB string, secretBlock []byte, timestamp string) (string, error) {
	b, err := parseA(srpB) // B is an element of the group, checked like A
	if err != nil {
		return "", fmt.Errorf("srp: SRP_B: %w", err)
	}
	h := strings.TrimLeft(saltHex, "0")
	if len(h)%2 == 1 {
		h = "0" + h
	}
	salt, err := hex.DecodeString(h)
	if err != nil {
		return "", fmt.Errorf("srp: SALT is not hex: %w", err)
	}
	p := cognito
	x := p.x(twosComplement(salt), []byte(poolName+userID), []byte(password))
	u := p.scramble(c.pubA, b)
	// S = (B - k*g^x)^(a + u*x)
	kgx := c.kgx(x)
	base := bigmod.NewNat().Mod(b, p.n).Sub(kgx, p.n)
	e := new(big.Int).Mul(new(big.Int).SetBytes(u), new(big.Int).SetBytes(x))
	e.Add(e, new(big.Int).SetBytes(c.a))
	var s []byte
	if c.varTime {
		n := new(big.Int).SetBytes(p.n.Nat().Bytes(p.n))
		s = new(big.Int).Exp(new(big.Int).SetBytes(base.Bytes(p.n)), e, n).Bytes()
	} else {
		s = p.exp(base, e.Bytes()).Bytes(p.n)
	}
	k, err := hkdf.Key(sha256.New, twosComplement(s), twosComplement(u), keyInfo, keySize)
	if err != nil {
		return "", fmt.Errorf("srp: derive key: %w", err)
	}
	mac := hmac.New(sha256.New, k)
	io.WriteString(mac, poolName+userID)
	mac.Write(secretBlock)
	io.WriteString(mac, timestamp)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}
