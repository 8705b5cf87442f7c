package postgres

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

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

// TestMigrateFromVersion3 seeds a database at schema version 3 and checks
// that opening it applies 0004: users keep their rows with no state, and
// take sessions, codes and refresh tokens that go with them.
func TestMigrateFromVersion3(t *testing.T) {
	ctx := t.Context()
	url := pgtesting.SchemaURL(t)
	conn, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	seed := []string{`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL)`}
	for _, m := range ms[:3] {
		seed = append(seed, m.SQL, fmt.Sprintf("INSERT INTO schema_migrations VALUES (%d, '%s')", m.Version, m.Name))
	}
	seed = append(seed,
		`INSERT INTO pools (id, name, created_at, updated_at) VALUES ('us-east-1_old', 'old', now(), now())`,
		`INSERT INTO users (pool, key, username, sub, status, enabled, attributes, aliases, created_at, updated_at)
		 SELECT pk, 'a', 'a', 's-a', 'CONFIRMED', true, '{}', '{}', now(), now() FROM pools`)
	for _, q := range seed {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("seed version 3: %v", err)
		}
	}
	conn.Close()

	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.GetUser(ctx, "us-east-1_old", "a")
	if err != nil || u.State != nil || u.Sub != "s-a" {
		t.Fatalf("GetUser after migration = %+v, %v; want the user with no state", u, err)
	}
	now := time.Now()
	if err := s.CreateSession(ctx, &store.Session{ID: "s", PoolID: "us-east-1_old", Sub: "s-a", CreatedAt: now, ExpiresAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCode(ctx, &store.Code{PoolID: "us-east-1_old", Sub: "s-a", Purpose: "confirm", CreatedAt: now, ExpiresAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRefreshToken(ctx, &store.RefreshToken{ID: "rt", Family: "f", PoolID: "us-east-1_old", Sub: "s-a",
		AuthTime: now, CreatedAt: now, ExpiresAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, "us-east-1_old", "a"); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"sessions", "codes", "refresh_tokens"} {
		var n int
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s after DeleteUser: %d rows, %v; want none", table, n, err)
		}
	}
}
