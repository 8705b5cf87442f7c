// Package pgtesting gives tests a PostgreSQL of their own: the server named
// by COGNATE_TEST_POSTGRES (scripts/pgtest.sh starts a throwaway one), and a
// schema per test so that tests never see each other's data. Without the
// variable tests skip, or fail when CI is set.
package pgtesting

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// URL returns the server the tests use, or skips the test. Under CI a
// missing server is a failure.
func URL(t testing.TB) string {
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

// SchemaURL creates a schema of its own for the test, dropped at cleanup,
// and returns the URL of a connection that uses it, so that tests never see
// each other's data.
func SchemaURL(t testing.TB) string {
	t.Helper()
	base := URL(t)
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
