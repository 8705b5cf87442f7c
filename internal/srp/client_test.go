package srp

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/cputime"
)

// TestClientServer signs in with Client, made by NewClient and by
// NewLoadClient (with and without KnownVerifiers, shared by every sign-in
// of the test), against Server, with the right and a wrong password, and
// checks Client against the independent signature computation of the server
// tests.
func TestClientServer(t *testing.T) {
	known := &KnownVerifiers{}
	for name, newClient := range map[string]func(io.Reader) (*Client, error){
		"NewClient":                NewClient,
		"NewLoadClient":            func(r io.Reader) (*Client, error) { return NewLoadClient(r, nil) },
		"NewLoadClient with known": func(r io.Reader) (*Client, error) { return NewLoadClient(r, known) },
	} {
		t.Run(name, func(t *testing.T) {
			for range 20 {
				testClientServer(t, newClient)
			}
		})
	}
}

func testClientServer(t *testing.T, newClient func(io.Reader) (*Client, error)) {
	salt, err := NewSalt(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	v := NewVerifier("pool", "user-1", []byte("Passw0rd!"), salt)
	c, err := newClient(rand.Reader)
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

// BenchmarkClient measures a client's whole side of one exchange (A, then
// the signature) with NewClient, and with NewLoadClient as the load tool
// computes it, signing one user in again and again.
func BenchmarkClient(b *testing.B) {
	salt, err := NewSalt(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	v := NewVerifier("pool", "user-1", []byte("Passw0rd!"), salt)
	eph, err := NewEphemeral(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	c, err := NewClient(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewServer(v, c.A(), eph)
	if err != nil {
		b.Fatal(err)
	}
	known := &KnownVerifiers{}
	block, ts, saltHex, srpB := []byte("secret block"), time.Now().UTC().Format(TimestampLayout), hex.EncodeToString(salt), s.B()
	for _, bc := range []struct {
		name      string
		newClient func(io.Reader) (*Client, error)
	}{{"constant-time", NewClient}, {"load", func(r io.Reader) (*Client, error) { return NewLoadClient(r, known) }}} {
		b.Run(bc.name, func(b *testing.B) {
			defer cputime.Report(b)()
			for b.Loop() {
				c, err := bc.newClient(rand.Reader)
				if err != nil {
					b.Fatal(err)
				}
				c.A()
				if _, err := c.Sign("pool", "user-1", "Passw0rd!", saltHex, srpB, block, ts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
