package srp

import (
	"bytes"
	"errors"
	"math/big"
	"strings"
	"testing"
)

// FuzzCredential checks that UnmarshalBinary accepts only the canonical
// encoding: whatever it accepts encodes back to the same bytes.
func FuzzCredential(f *testing.F) {
	good, err := testCredential(f).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{credentialV1, 1, 0})
	f.Add(append([]byte{credentialV1, 1, 0xff}, make([]byte, VerifierSize)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Credential
		if err := c.UnmarshalBinary(data); err != nil {
			return
		}
		again, err := c.MarshalBinary()
		if err != nil {
			t.Fatalf("accepted %x but cannot encode it: %v", data, err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("accepted %x, encodes back as %x", data, again)
		}
	})
}

// FuzzParseA checks parseA against math/big: it accepts exactly the strings
// of hex digits whose value is in [1, N-1], and reads them right.
func FuzzParseA(f *testing.F) {
	for _, s := range []string{"", "0", "1", "abc", "ABC", "-1", "+1", "0x1", "1_0", " 1", "g",
		strings.ToLower(rfc5054Group3072), "0" + rfc5054Group3072} {
		f.Add(s)
	}
	n, _ := new(big.Int).SetString(rfc5054Group3072, 16)
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseA(s)
		want, isHex := new(big.Int), s != "" && strings.Trim(s, "0123456789abcdefABCDEF") == ""
		if isHex {
			want.SetString(s, 16)
		}
		valid := isHex && want.Sign() > 0 && want.Cmp(n) < 0
		if err != nil {
			if valid {
				t.Fatalf("parseA(%q) refused a valid A: %v", s, err)
			}
			if !errors.Is(err, ErrInvalidA) {
				t.Fatalf("parseA(%q) error %v does not wrap ErrInvalidA", s, err)
			}
			return
		}
		if !valid {
			t.Fatalf("parseA(%q) accepted an invalid A", s)
		}
		if got := new(big.Int).SetBytes(a.Bytes(cognito.n)); got.Cmp(want) != 0 {
			t.Fatalf("parseA(%q) = %x", s, got)
		}
	})
}
