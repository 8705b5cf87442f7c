package postgres

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/storetest"
)

// testURL returns the server the tests use, or skips the test. Under CI a
// missing server is a failure.
func testURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("COGNATE_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("COGNATE_TEST_POSTGRES is not set, and CI is: the PostgreSQL tests must run " +
				"(scripts/pgtest.sh go test ./... starts a throwaway cluster)")
		}
		t.Skip("set COGNATE_TEST_POSTGRES to a PostgreSQL URL, e.g. postgres://cognate@127.0.0.1:5433/cognate?sslmode=disable, " +
			"to run the PostgreSQL tests (make test starts a throwaway cluster through scripts/pgtest.sh)")
	}
	return u
}

// schemaURL creates a schema of its own for the test, dropped at cleanup,
// and returns the URL of a connection that uses it, so that tests never see
// each other's data.
func schemaURL(t testing.TB) string {
	t.Helper()
	base := testURL(t)
	ctx := t.Context()
	schema := "test_" + rand.Text()[:16]
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("COGNATE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("pool_max_conns", "8")
	u.RawQuery = q.Encode()
	return u.String()
}

// open returns a store in a schema of its own.
func open(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.Context(), schemaURL(t))
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
	testURL(t) // skip or fail once, not in every subtest
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
	url := schemaURL(t)
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
