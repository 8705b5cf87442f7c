package srp

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTranscript replays a USER_SRP_AUTH exchange in which the real client,
// amazon-cognito-identity-js's CognitoUser.authenticateUser, answered this
// server's SRP_B (see testdata/gen_vectors.js). The user signed in as
// "Alice@Example.com" and Cognito's internal username was a UUID, so this
// also shows that the signature binds USER_ID_FOR_SRP, not what was typed.
func TestTranscript(t *testing.T) {
	tr := loadVectors(t).Transcript
	poolName := tr.PoolID[strings.IndexByte(tr.PoolID, '_')+1:]
	resp := tr.ChallengeResponses

	v := NewVerifier(poolName, tr.UserIDForSRP, []byte(tr.Password), unhex(t, tr.Salt))
	if diff := cmp.Diff(numHex(t, tr.Verifier), num(v)); diff != "" {
		t.Fatalf("verifier differs (-want +got):\n%s", diff)
	}
	if got, want := num(cognito.exp(cognito.g, unhex(t, tr.A0)).Bytes(cognito.n)), numHex(t, tr.SRPA); got != want {
		t.Fatalf("SRP_A is not g^a for the transcript's a")
	}
	srv, err := NewServer(v, tr.SRPA, unhex(t, tr.B0))
	if err != nil {
		t.Fatal(err)
	}
	if srv.B() != tr.SRPB {
		t.Fatalf("B() = %s…, the client was sent %s…", srv.B()[:16], tr.SRPB[:16])
	}
	if resp["USERNAME"] != tr.UserIDForSRP || resp["PASSWORD_CLAIM_SECRET_BLOCK"] != tr.SecretBlock {
		t.Fatalf("challenge responses %v do not echo the challenge", resp)
	}
	block, err := base64.StdEncoding.DecodeString(resp["PASSWORD_CLAIM_SECRET_BLOCK"])
	if err != nil {
		t.Fatal(err)
	}
	ts, sig := resp["TIMESTAMP"], resp["PASSWORD_CLAIM_SIGNATURE"]

	tests := []struct {
		name, pool, user string
		block            []byte
		ts, sig          string
		want             bool
	}{
		{"as sent", poolName, tr.UserIDForSRP, block, ts, sig, true},
		{"typed username", poolName, tr.Username, block, ts, sig, false},
		{"full pool ID", tr.PoolID, tr.UserIDForSRP, block, ts, sig, false},
		{"other secret block", poolName, tr.UserIDForSRP, append(bytes.Clone(block), 0), ts, sig, false},
		{"other timestamp", poolName, tr.UserIDForSRP, block, strings.Replace(ts, "07:08:09", "07:08:10", 1), sig, false},
		{"signature not base64", poolName, tr.UserIDForSRP, block, ts, "!" + sig, false},
		{"signature truncated", poolName, tr.UserIDForSRP, block, ts, sig[:len(sig)-4], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := srv.Verify(tt.pool, tt.user, tt.block, tt.ts, tt.sig); got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("wrong password", func(t *testing.T) {
		v := NewVerifier(poolName, tr.UserIDForSRP, []byte(tr.Password+"x"), unhex(t, tr.Salt))
		srv, err := NewServer(v, tr.SRPA, unhex(t, tr.B0))
		if err != nil {
			t.Fatal(err)
		}
		if srv.Verify(poolName, tr.UserIDForSRP, block, ts, sig) {
			t.Error("a verifier for another password accepted the signature")
		}
	})
}

// TestKey checks K against the key amazon-cognito-identity-js derived.
func TestKey(t *testing.T) {
	ex := loadVectors(t).Exchange
	srv, err := NewServer(unhex(t, ex.V), ex.A, unhex(t, ex.B0))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(srv.key()); got != ex.Key {
		t.Errorf("K = %s, want %s", got, ex.Key)
	}
}

func TestTimestampLayout(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		// The transcript's: a one-digit day is not padded, hours are.
		{time.Date(2026, 3, 5, 7, 8, 9, 0, time.UTC), loadVectors(t).Transcript.ChallengeResponses["TIMESTAMP"]},
		{time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC), "Wed Dec 31 23:59:00 UTC 2025"},
	}
	for _, tt := range tests {
		if got := tt.t.Format(TimestampLayout); got != tt.want {
			t.Errorf("Format = %q, want %q", got, tt.want)
		}
		if got, err := time.Parse(TimestampLayout, tt.want); err != nil || !got.Equal(tt.t) {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.want, got, err, tt.t)
		}
	}
}

// signature is a Go client's PASSWORD_CLAIM_SIGNATURE for srp_B, with
// secret ephemeral a and public srpA.
func signature(t testing.TB, poolName, userID string, password, salt, a []byte, srpA, srpB string, block []byte, ts string) string {
	t.Helper()
	p := cognito
	A, err := parseA(srpA)
	if err != nil {
		t.Fatal(err)
	}
	B, err := parseA(srpB) // B is in range just like A
	if err != nil {
		t.Fatal(err)
	}
	x := p.x(twosComplement(salt), []byte(poolName+userID), password)
	u := p.scramble(A, B)
	k, err := hkdf.Key(sha256.New, twosComplement(clientSecret(p, B, a, u, x).Bytes(p.n)), twosComplement(u), keyInfo, keySize)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte(poolName + userID))
	mac.Write(block)
	mac.Write([]byte(ts))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// TestRoundTrip runs random exchanges, in parallel, against a Go client,
// resuming the server from (verifier, SRP_A, b) as RespondToAuthChallenge
// will. The salts' first bytes exercise leading zeros and the sign byte.
func TestRoundTrip(t *testing.T) {
	for _, first := range []byte{0x00, 0x01, 0x7f, 0x80, 0xff} {
		t.Run(fmt.Sprintf("salt %02x", first), func(t *testing.T) {
			t.Parallel()
			roundTrip(t, first)
		})
	}
}

func roundTrip(t *testing.T, saltByte byte) {
	user := "user-" + rand.Text()
	password := rand.Text()
	salt, err := NewSalt(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	salt[0] = saltByte
	v := NewVerifier("pool", user, []byte(password), salt)

	a := make([]byte, 128)
	rand.Read(a)
	srpA := new(big.Int).SetBytes(cognito.exp(cognito.g, a).Bytes(cognito.n)).Text(16)
	b, err := NewEphemeral(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	first, err := NewServer(v, srpA, b)
	if err != nil {
		t.Fatal(err)
	}
	block := []byte("secret block")
	ts := time.Now().UTC().Format(TimestampLayout)
	sig := signature(t, "pool", user, []byte(password), salt, a, srpA, first.B(), block, ts)
	wrong := signature(t, "pool", user, []byte(password+"!"), salt, a, srpA, first.B(), block, ts)

	resumed, err := NewServer(v, strings.ToUpper(srpA), b)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.B() != first.B() {
		t.Fatal("resumed server has another B")
	}
	if !resumed.Verify("pool", user, block, ts, sig) {
		t.Error("right password refused")
	}
	if resumed.Verify("pool", user, block, ts, wrong) {
		t.Error("wrong password accepted")
	}
}

func TestNewServerErrors(t *testing.T) {
	v := testCredential(t).Verifier
	b := bytes.Repeat([]byte{1}, EphemeralSize)
	nHex := strings.ToLower(rfc5054Group3072)
	nMinus1 := strings.TrimSuffix(nHex, "ffff") + "fffe"
	tests := []struct {
		name     string
		verifier []byte
		srpA     string
		b        []byte
		invalidA bool // the error wraps ErrInvalidA
		ok       bool
	}{
		{name: "A = 1", verifier: v, srpA: "1", b: b, ok: true},
		{name: "A = N-1", verifier: v, srpA: nMinus1, b: b, ok: true},
		{name: "A odd length with leading zeros", verifier: v, srpA: "000abc", b: b, ok: true},
		{name: "A empty", verifier: v, srpA: "", b: b, invalidA: true},
		{name: "A zero", verifier: v, srpA: "0000", b: b, invalidA: true},
		{name: "A = N", verifier: v, srpA: nHex, b: b, invalidA: true},
		{name: "A = 2N", verifier: v, srpA: new(big.Int).Lsh(new(big.Int).SetBytes(unhex(t, nHex)), 1).Text(16), b: b, invalidA: true},
		{name: "A signed", verifier: v, srpA: "-1", b: b, invalidA: true},
		{name: "A prefixed", verifier: v, srpA: "0x1", b: b, invalidA: true},
		{name: "A with space", verifier: v, srpA: "1 2", b: b, invalidA: true},
		{name: "verifier zero", verifier: make([]byte, VerifierSize), srpA: "1", b: b},
		{name: "verifier N", verifier: unhex(t, nHex), srpA: "1", b: b},
		{name: "verifier missing", srpA: "1", b: b},
		{name: "b short", verifier: v, srpA: "1", b: b[1:]},
		{name: "b zero", verifier: v, srpA: "1", b: make([]byte, EphemeralSize)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewServer(tt.verifier, tt.srpA, tt.b)
			if tt.ok {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, ErrInvalidA); got != tt.invalidA {
				t.Errorf("errors.Is(%v, ErrInvalidA) = %v, want %v", err, got, tt.invalidA)
			}
		})
	}
}

func TestNewEphemeral(t *testing.T) {
	b, err := NewEphemeral(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != EphemeralSize {
		t.Errorf("ephemeral is %d bytes, want %d", len(b), EphemeralSize)
	}
	if _, err := NewEphemeral(bytes.NewReader(make([]byte, EphemeralSize-1))); err == nil {
		t.Error("short reader: no error")
	}
}
