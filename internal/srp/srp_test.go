package srp

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"strings"
	"testing"

	"filippo.io/bigmod"
	"github.com/google/go-cmp/cmp"
)

// rfc5054Group1024 is the 1024-bit group of RFC 5054 appendix A, used by the
// appendix B test vectors.
const rfc5054Group1024 = "" +
	"EEAF0AB9ADB38DD69C33F80AFA8FC5E86072618775FF3C0B9EA2314C" +
	"9C256576D674DF7496EA81D3383B4813D692C6E0E0D5D8E250B98BE4" +
	"8E495C1D6089DAD15DC7D7B46154D6B6CE8EF4AD69B15D4982559B29" +
	"7BCF1885C529F566660E57EC68EDBC3C05726CC02FD4CBF4976EAA9A" +
	"FD5138FE8376435B9FC61D2FC0EB06E3"

// rfc5054 is RFC 5054's own SRP: SHA-1, and integers padded to the size of N
// before hashing. Group elements reach enc already padded, so enc is the
// identity.
var rfc5054 = newParams(rfc5054Group1024, 2, sha1.New, func(b []byte) []byte { return b })

// vectors is testdata/cognito_vectors.json, written by
// testdata/gen_vectors.js from amazon-cognito-identity-js 6.3.21 (see the
// script for how to regenerate it). Hex values are as the library prints
// them: lowercase, without leading zeros.
type vectors struct {
	Generator string
	Verifiers []struct {
		Name, PoolName, Username, Password, Salt, X, V string
	}
	Exchange struct {
		PoolName, Username, Password, Salt string
		A0                                 string `json:"a"`
		B0                                 string `json:"b"`
		K, X, V, A, B, U, S, Key           string
	}
	Transcript struct {
		PoolID, Username, UserIDForSRP, Password, Salt, Verifier string
		A0                                                       string `json:"a"`
		B0                                                       string `json:"b"`
		SRPA                                                     string `json:"SRP_A"`
		SRPB                                                     string `json:"SRP_B"`
		SecretBlock                                              string `json:"SECRET_BLOCK"`
		ChallengeResponses                                       map[string]string
	}
}

func loadVectors(t testing.TB) vectors {
	t.Helper()
	data, err := os.ReadFile("testdata/cognito_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// unhex decodes hex that may have spaces (RFC style) or an odd length (JS
// style).
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.Join(strings.Fields(s), "")
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// num normalizes a big-endian integer, or hex of one, for comparison.
func num(b []byte) string                  { return new(big.Int).SetBytes(b).Text(16) }
func numHex(t testing.TB, s string) string { return num(unhex(t, s)) }

// clientSecret is the client's side of S, (B - k*g^x)^(a + u*x), as an
// independent check of the server's.
func clientSecret(p *params, b *bigmod.Nat, a, u, x []byte) *bigmod.Nat {
	kgx := bigmod.NewNat().Mod(p.k, p.n).Mul(p.gExp(x), p.n)
	base := bigmod.NewNat().Mod(b, p.n).Sub(kgx, p.n)
	e := new(big.Int).Mul(new(big.Int).SetBytes(u), new(big.Int).SetBytes(x))
	e.Add(e, new(big.Int).SetBytes(a))
	return p.exp(base, e.Bytes())
}

// TestVectors runs RFC 5054 appendix B and a Cognito exchange computed by
// amazon-cognito-identity-js through the same SRP-6a code.
func TestVectors(t *testing.T) {
	cv := loadVectors(t).Exchange
	tests := []struct {
		name                     string
		p                        *params
		identity, password, salt []byte
		a, b                     []byte
		k, x, v, A, B, u, S      string
	}{
		{
			name:     "RFC 5054 appendix B",
			p:        rfc5054,
			identity: []byte("alice"),
			password: []byte("password123"),
			salt:     unhex(t, "BEB25379 D1A8581E B5A72767 3A2441EE"),
			a:        unhex(t, "60975527 035CF2AD 1989806F 0407210B C81EDC04 E2762A56 AFD529DD DA2D4393"),
			b:        unhex(t, "E487CB59 D31AC550 471E81F0 0F6928E0 1DDA08E9 74A004F4 9E61F5D1 05284D20"),
			k:        "7556AA04 5AEF2CDD 07ABAF0F 665C3E81 8913186F",
			x:        "94B7555A ABE9127C C58CCF49 93DB6CF8 4D16C124",
			v: `7E273DE8 696FFC4F 4E337D05 B4B375BE B0DDE156 9E8FA00A 9886D812
				9BADA1F1 822223CA 1A605B53 0E379BA4 729FDC59 F105B478 7E5186F5
				C671085A 1447B52A 48CF1970 B4FB6F84 00BBF4CE BFBB1681 52E08AB5
				EA53D15C 1AFF87B2 B9DA6E04 E058AD51 CC72BFC9 033B564E 26480D78
				E955A5E2 9E7AB245 DB2BE315 E2099AFB`,
			A: `61D5E490 F6F1B795 47B0704C 436F523D D0E560F0 C64115BB 72557EC4
				4352E890 3211C046 92272D8B 2D1A5358 A2CF1B6E 0BFCF99F 921530EC
				8E393561 79EAE45E 42BA92AE ACED8251 71E1E8B9 AF6D9C03 E1327F44
				BE087EF0 6530E69F 66615261 EEF54073 CA11CF58 58F0EDFD FE15EFEA
				B349EF5D 76988A36 72FAC47B 0769447B`,
			B: `BD0C6151 2C692C0C B6D041FA 01BB152D 4916A1E7 7AF46AE1 05393011
				BAF38964 DC46A067 0DD125B9 5A981652 236F99D9 B681CBF8 7837EC99
				6C6DA044 53728610 D0C6DDB5 8B318885 D7D82C7F 8DEB75CE 7BD4FBAA
				37089E6F 9C6059F3 88838E7A 00030B33 1EB76840 910440B1 B27AAEAE
				EB4012B7 D7665238 A8E3FB00 4B117B58`,
			u: "CE38B959 3487DA98 554ED47D 70A7AE5F 462EF019",
			S: `B0DC82BA BCF30674 AE450C02 87745E79 90A3381F 63B387AA F271A10D
				233861E3 59B48220 F7C4693C 9AE12B0A 6F67809F 0876E2D0 13800D6C
				41BB59B6 D5979B5C 00A172B4 A2A5903A 0BDCAF8A 709585EB 2AFAFA8F
				3499B200 210DCC1F 10EB3394 3CD67FC8 8A2F39A4 BE5BEC4E C0A3212D
				C346D7E4 74B29EDE 8A469FFE CA686E5A`,
		},
		{
			name:     "Cognito, amazon-cognito-identity-js",
			p:        cognito,
			identity: []byte(cv.PoolName + cv.Username),
			password: []byte(cv.Password),
			salt:     twosComplement(unhex(t, cv.Salt)),
			a:        unhex(t, cv.A0),
			b:        unhex(t, cv.B0),
			k:        cv.K, x: cv.X, v: cv.V, A: cv.A, B: cv.B, u: cv.U, S: cv.S,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			x := p.x(tt.salt, tt.identity, tt.password)
			v := p.gExp(x)
			A := p.gExp(tt.a)
			B := p.publicB(v, tt.b)
			u := p.scramble(A, B)
			got := map[string]string{
				"k":        num(p.k.Bytes(p.n)),
				"x":        num(x),
				"v":        num(v.Bytes(p.n)),
				"A":        num(A.Bytes(p.n)),
				"B":        num(B.Bytes(p.n)),
				"u":        num(u),
				"S server": num(p.serverSecret(A, v, u, tt.b).Bytes(p.n)),
				"S client": num(clientSecret(p, B, tt.a, u, x).Bytes(p.n)),
			}
			want := map[string]string{
				"k": numHex(t, tt.k), "x": numHex(t, tt.x), "v": numHex(t, tt.v),
				"A": numHex(t, tt.A), "B": numHex(t, tt.B), "u": numHex(t, tt.u),
				"S server": numHex(t, tt.S), "S client": numHex(t, tt.S),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("values differ (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewVerifier checks verifiers against amazon-cognito-identity-js for
// salts whose integer form differs from their bytes in each possible way.
func TestNewVerifier(t *testing.T) {
	for _, tt := range loadVectors(t).Verifiers {
		t.Run(tt.Name, func(t *testing.T) {
			v := NewVerifier(tt.PoolName, tt.Username, []byte(tt.Password), unhex(t, tt.Salt))
			if len(v) != VerifierSize {
				t.Errorf("verifier is %d bytes, want %d", len(v), VerifierSize)
			}
			if diff := cmp.Diff(numHex(t, tt.V), num(v)); diff != "" {
				t.Errorf("verifier differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerifierSize(t *testing.T) {
	if got := cognito.n.Size(); got != VerifierSize {
		t.Errorf("N is %d bytes, VerifierSize says %d", got, VerifierSize)
	}
}

func TestTwosComplement(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"zero", "", "00"},
		{"zeros", "0000", "00"},
		{"small", "14", "14"},
		{"top bit set", "ec", "00ec"},
		{"leading zeros dropped", "000014", "14"},
		{"leading zero then top bit", "0080", "0080"},
		{"longer", "7fffffff", "7fffffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hex.EncodeToString(twosComplement(unhex(t, tt.in)))
			if got != tt.want {
				t.Errorf("twosComplement(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestNewSalt(t *testing.T) {
	salt, err := NewSalt(bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	if len(salt) != SaltSize {
		t.Errorf("salt is %d bytes, want %d", len(salt), SaltSize)
	}
	if _, err := NewSalt(bytes.NewReader(nil)); err == nil {
		t.Error("NewSalt with an empty reader: no error")
	}
}

func testCredential(t testing.TB) Credential {
	t.Helper()
	salt := unhex(t, "beb25379d1a8581eb5a727673a2441ee")
	return Credential{Salt: salt, Verifier: NewVerifier("AbC123xyz", "alice", []byte("password123"), salt)}
}

func TestCredentialRoundTrip(t *testing.T) {
	c := testCredential(t)
	data, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Credential
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("round trip differs (-want +got):\n%s", diff)
	}

	// A short verifier, as clients send for devices, is stored full size.
	short := Credential{Salt: []byte{1}, Verifier: []byte{0, 0, 5}}
	data, err = short.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if len(got.Verifier) != VerifierSize || num(got.Verifier) != "5" {
		t.Errorf("short verifier stored as %d bytes, value %s", len(got.Verifier), num(got.Verifier))
	}
}

func TestCredentialErrors(t *testing.T) {
	good := testCredential(t)
	n := unhex(t, rfc5054Group3072)
	marshal := []struct {
		name string
		c    Credential
	}{
		{"no salt", Credential{Verifier: good.Verifier}},
		{"salt too long", Credential{Salt: make([]byte, 256), Verifier: good.Verifier}},
		{"zero verifier", Credential{Salt: good.Salt, Verifier: make([]byte, VerifierSize)}},
		{"verifier N", Credential{Salt: good.Salt, Verifier: n}},
		{"verifier too long", Credential{Salt: good.Salt, Verifier: append([]byte{1}, good.Verifier...)}},
	}
	for _, tt := range marshal {
		t.Run("marshal/"+tt.name, func(t *testing.T) {
			if _, err := tt.c.MarshalBinary(); err == nil {
				t.Error("no error")
			}
		})
	}

	data, err := good.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	corrupt := func(f func(d []byte) []byte) []byte { return f(bytes.Clone(data)) }
	unmarshal := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte{credentialV1}},
		{"version", corrupt(func(d []byte) []byte { d[0] = 2; return d })},
		{"zero salt length", corrupt(func(d []byte) []byte { d[1] = 0; return d })},
		{"salt length too long", corrupt(func(d []byte) []byte { d[1]++; return d })},
		{"truncated", data[:len(data)-1]},
		{"trailing byte", append(bytes.Clone(data), 0)},
		{"verifier N", append(data[:2+len(good.Salt):2+len(good.Salt)], n...)},
	}
	for _, tt := range unmarshal {
		t.Run("unmarshal/"+tt.name, func(t *testing.T) {
			var c Credential
			if err := c.UnmarshalBinary(tt.data); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestMatches(t *testing.T) {
	c := testCredential(t)
	tests := []struct {
		name, pool, user, password string
		want                       bool
	}{
		{"right", "AbC123xyz", "alice", "password123", true},
		{"wrong password", "AbC123xyz", "alice", "password124", false},
		{"wrong user", "AbC123xyz", "Alice", "password123", false},
		{"wrong pool", "AbC123xyZ", "alice", "password123", false},
		{"empty password", "AbC123xyz", "alice", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Matches(tt.pool, tt.user, []byte(tt.password)); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}
