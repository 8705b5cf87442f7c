package authn

import (
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// rfc6238Secret is the SHA-1 seed of RFC 6238 appendix B, "12345678901234567890",
// in base32.
const rfc6238Secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// TestRFC6238Vectors checks the TOTP codes against the SHA-1 test vectors
// of RFC 6238 appendix B (eight digits), and matchTOTP against their last
// six digits, which are the six-digit codes of the same steps.
func TestRFC6238Vectors(t *testing.T) {
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		step := v.unix / 30
		got, err := hotp.GenerateCodeCustom(rfc6238Secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsEight, Algorithm: otp.AlgorithmSHA1})
		if err != nil || got != v.code {
			t.Errorf("T=%d: %q %v, want %q", v.unix, got, err, v.code)
		}
		at := time.Unix(v.unix, 0)
		six := v.code[2:]
		if m, err := matchTOTP(rfc6238Secret, six, at); err != nil || m != step {
			t.Errorf("T=%d: matchTOTP(%s) = %d %v, want step %d", v.unix, six, m, err, step)
		}
		// One step of skew either way, not two.
		for d, want := range map[time.Duration]int64{-30 * time.Second: step, 30 * time.Second: step, 60 * time.Second: -1, -60 * time.Second: -1} {
			if at.Add(d).Unix() < 0 {
				continue // before the epoch there are no steps
			}
			if m, _ := matchTOTP(rfc6238Secret, six, at.Add(d)); m != want {
				t.Errorf("T=%d%+v: matchTOTP = %d, want %d", v.unix, d, m, want)
			}
		}
	}
	if m, _ := matchTOTP(rfc6238Secret, "12345", time.Unix(59, 0)); m != -1 {
		t.Errorf("a five-digit code matched step %d", m)
	}
}
