package srp

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"
)

// TestClientServer signs in with Client against Server, with the right and
// a wrong password, and checks Client against the independent signature
// computation of the server tests.
func TestClientServer(t *testing.T) {
	salt, err := NewSalt(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	v := NewVerifier("pool", "user-1", []byte("Passw0rd!"), salt)
	c, err := NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewEphemeral(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(v, c.A(), b)
	if err != nil {
		t.Fatal(err)
	}
	block := []byte("secret block")
	ts := time.Now().UTC().Format(TimestampLayout)
	sig, err := c.Sign("pool", "user-1", "Passw0rd!", hex.EncodeToString(salt), s.B(), block, ts)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Verify("pool", "user-1", block, ts, sig) {
		t.Error("server refused the client's signature")
	}
	resumed, err := Resume(v, c.A(), b, s.B())
	if err != nil {
		t.Fatal(err)
	}
	if !resumed.Verify("pool", "user-1", block, ts, sig) {
		t.Error("resumed server refused the client's signature")
	}
	if want := signature(t, "pool", "user-1", []byte("Passw0rd!"), salt, c.a, c.A(), s.B(), block, ts); sig != want {
		t.Errorf("client signature %s, independent computation %s", sig, want)
	}
	wrong, err := c.Sign("pool", "user-1", "Passw0rd?", hex.EncodeToString(salt), s.B(), block, ts)
	if err != nil {
		t.Fatal(err)
	}
	if s.Verify("pool", "user-1", block, ts, wrong) {
		t.Error("server accepted a wrong password")
	}
	if _, err := c.Sign("pool", "user-1", "x", "zz", s.B(), block, ts); err == nil {
		t.Error("a SALT that is not hex was accepted")
	}
	if _, err := c.Sign("pool", "user-1", "x", "01", "0", block, ts); err == nil {
		t.Error("SRP_B = 0 was accepted")
	}
}
