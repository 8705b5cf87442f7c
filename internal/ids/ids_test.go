package ids

import (
	"bytes"
	"crypto/rand"
	"regexp"
	"testing"
)

func TestFormats(t *testing.T) {
	g := Generator{Rand: rand.Reader}
	check := func(name, re string, f func() (string, error)) {
		t.Helper()
		for range 50 {
			v, err := f()
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(re).MatchString(v) {
				t.Errorf("%s %q does not match %s", name, v, re)
			}
		}
	}
	check("pool ID", `^eu-west-1_[0-9A-Za-z]{9}$`, func() (string, error) { return g.PoolID("eu-west-1") })
	check("client ID", `^[0-9a-z]{26}$`, g.ClientID)
	check("client secret", `^[0-9a-z]{51}$`, g.ClientSecret)
	check("sub", `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, g.UUID)
	check("secret ID", `^abc--[0-9a-z]{13}$`, func() (string, error) { return g.SecretID("abc") })
}

func TestDeterministicWithFixedRandomness(t *testing.T) {
	seed := bytes.Repeat([]byte{7, 200, 13, 255, 42}, 100)
	a, _ := Generator{Rand: bytes.NewReader(seed)}.ClientID()
	b, _ := Generator{Rand: bytes.NewReader(seed)}.ClientID()
	if a != b {
		t.Errorf("same randomness gave %q and %q", a, b)
	}
	if _, err := (Generator{Rand: bytes.NewReader(nil)}).ClientID(); err == nil {
		t.Error("exhausted randomness did not fail")
	}
}
