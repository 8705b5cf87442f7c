package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// TestMigrateFromVersion1 seeds a database at schema version 1 and checks
// that opening it applies 0002, whose backfill counts the users already there.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT`,
		ms[0].SQL,
		`INSERT INTO schema_migrations VALUES (1, 'directory')`,
		`INSERT INTO pools (pk, id, name, created_at, updated_at) VALUES (1, 'us-east-1_old', 'old', 0, 0), (2, 'us-east-1_empty', 'empty', 0, 0)`,
		`INSERT INTO users (pool, key, username, sub, status, enabled, attributes, aliases, created_at, updated_at)
		 VALUES (1, 'a', 'a', 's-a', 'CONFIRMED', 1, '{}', '[]', 0, 0), (1, 'b', 'b', 's-b', 'CONFIRMED', 1, '{}', '[]', 0, 0)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("seed version 1: %v", err)
		}
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for pool, want := range map[string]int64{"us-east-1_old": 2, "us-east-1_empty": 0} {
		if n, err := s.CountUsers(ctx, pool); err != nil || n != want {
			t.Errorf("CountUsers(%s) after migration = %d, %v; want %d", pool, n, err, want)
		}
	}
	// The triggers keep counting from there.
	now := time.Now()
	if err := s.CreateUser(ctx, &store.User{PoolID: "us-east-1_old", Username: "c", Key: "c", Sub: "s-c", Status: "CONFIRMED", Enabled: true,
		Attributes: map[string]string{}, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountUsers(ctx, "us-east-1_old"); n != 3 {
		t.Errorf("CountUsers after a new user = %d, want 3", n)
	}
}

// TestMigrateFromVersion3 seeds a database at schema version 3 and checks
// that opening it applies 0004: users keep their rows with no state, and
// take sessions, codes and refresh tokens that go with them.
func TestMigrateFromVersion3(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	seed := []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT`}
	for _, m := range ms[:3] {
		seed = append(seed, m.SQL, fmt.Sprintf("INSERT INTO schema_migrations VALUES (%d, '%s')", m.Version, m.Name))
	}
	seed = append(seed,
		`INSERT INTO pools (pk, id, name, created_at, updated_at) VALUES (1, 'us-east-1_old', 'old', 0, 0)`,
		`INSERT INTO users (pool, key, username, sub, status, enabled, attributes, aliases, created_at, updated_at)
		 VALUES (1, 'a', 'a', 's-a', 'CONFIRMED', 1, '{}', '[]', 0, 0)`)
	for _, q := range seed {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("seed version 3: %v", err)
		}
	}
	db.Close()

	s, err := Open(ctx, path)
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
		if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s after DeleteUser: %d rows, %v; want none", table, n, err)
		}
	}
}
