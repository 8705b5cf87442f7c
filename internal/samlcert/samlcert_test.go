package samlcert

import (
	"context"
	"crypto/x509"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
)

// TestUses: a pool's signing and encryption certificates are kept apart,
// each with its key usage and its own renewal; a key sealed for one use
// does not open as the other's.
func TestUses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, _, err := seal.LoadOrCreate(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	const pool = "us-east-1_certs"
	if err := st.CreatePool(ctx, &store.Pool{ID: pool, Name: "p", Config: []byte("{}"), CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	sign := &Issuer{Store: st, Keys: keys, Now: clock}
	enc := &Issuer{Use: Encryption, Store: st, Keys: keys, Now: clock}

	s1, err := sign.Current(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	e1, err := enc.Current(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if s1.Cert.Equal(e1.Cert) || s1.Key.Equal(e1.Key) {
		t.Fatal("the signing and encryption certificates are the same")
	}
	if s1.Cert.KeyUsage != x509.KeyUsageDigitalSignature || e1.Cert.KeyUsage&x509.KeyUsageKeyEncipherment == 0 {
		t.Errorf("key usages %v, %v", s1.Cert.KeyUsage, e1.Cert.KeyUsage)
	}
	if again, err := enc.Current(ctx, pool); err != nil || !again.Cert.Equal(e1.Cert) {
		t.Errorf("a second Current made another certificate: %v", err)
	}

	// A year on, a new encryption certificate; the old one stays.
	now = now.Add(Renewal + time.Hour)
	e2, err := enc.Current(ctx, pool)
	if err != nil || e2.Cert.Equal(e1.Cert) {
		t.Fatalf("renewal: %v", err)
	}
	all, err := enc.All(ctx, pool)
	if err != nil || len(all) != 2 || !all[0].Cert.Equal(e1.Cert) || !all[1].Cert.Equal(e2.Cert) {
		t.Fatalf("All: %d certificates, %v", len(all), err)
	}

	// The encryption document's keys, read as signing ones, do not open.
	rec, err := st.GetPoolSetting(ctx, pool, "", Encryption.Kind())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdatePoolSetting(ctx, pool, "", Signing.Kind(), func(r *store.PoolSetting) error {
		r.Doc = rec.Doc
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := sign.All(ctx, pool); err == nil {
		t.Error("an encryption key opened as a signing key")
	}
}
