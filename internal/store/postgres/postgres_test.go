package postgres

import (
	"sync"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/postgres/pgtesting"
	"github.com/cognate-idp/cognate/internal/store/storetest"
)

// open returns a store in a schema of its own.
func open(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.Context(), pgtesting.SchemaURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	pgtesting.URL(t) // skip or fail once, not in every subtest
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.RunBenchmarks(b, open(b))
}

// TestMigrate opens one database from several replicas at once, then checks
// that reopening applies nothing twice and that a database migrated by a
// newer build is refused.
func TestMigrate(t *testing.T) {
	ctx := t.Context()
	url := pgtesting.SchemaURL(t)
	var wg sync.WaitGroup
	stores := make([]*Store, 4)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(ctx, url) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
		s.Close()
	}

	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var n, max int
	if err := s.pool.QueryRow(ctx, "SELECT count(*), max(version) FROM schema_migrations").Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || max != len(ms) {
		t.Fatalf("schema_migrations has %d rows up to version %d, want %d", n, max, len(ms))
	}
	if _, err := s.pool.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, 'future')", len(ms)+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(ctx, url); err == nil {
		s.Close()
		t.Fatal("Open accepted a database with a newer schema")
	}
}
