package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlstore"
)

// TestFindUsersPlans checks, on a pool of 5,000 users, that every FindUsers
// query reads an index in order (no sequential scan of users or user_attrs,
// no sort), on the first page and on later ones, and that a cursor seeks
// into the index rather than filtering what precedes it.
func TestFindUsersPlans(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	if err := s.CreatePool(ctx, &store.Pool{ID: "p"}); err != nil {
		t.Fatal(err)
	}
	// Rows made by SQL, not CreateUser, to keep the test fast.
	for _, q := range []string{
		`INSERT INTO users (pool, key, username, sub, status, enabled, attributes, aliases, created_at, updated_at)
			SELECT (SELECT pk FROM pools), 'user' || i, 'user' || i, md5(i::text),
				(ARRAY['CONFIRMED', 'UNCONFIRMED', 'FORCE_CHANGE_PASSWORD', 'RESET_REQUIRED'])[i % 4 + 1], i % 10 <> 0,
				jsonb_build_object('email', 'user' || i || '@example.com'), ARRAY[]::text[], now(), now()
			FROM generate_series(1, 5000) AS i`,
		`INSERT INTO user_attrs (pool, name, value, user_id) SELECT pool, n, 'v' || id || n, id FROM users,
			unnest(ARRAY['email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username']) AS n`,
		"ANALYZE",
	} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	filters := []store.UserFilter{
		{},
		{Field: store.FieldUsername, Value: "user42"},
		{Field: store.FieldUsername, Value: "user4", Prefix: true},
		{Field: store.FieldSub, Value: "0c5e"},
		{Field: store.FieldSub, Value: "0c", Prefix: true},
		{Field: store.FieldStatus, Value: "CONFIRMED"},
		{Field: store.FieldStatus, Value: "UN", Prefix: true},
		{Field: store.FieldEnabled, Value: "false"},
		{Field: store.FieldEnabled, Value: "true"},
	}
	for _, name := range store.IndexedAttributes {
		filters = append(filters,
			store.UserFilter{Field: name, Value: "v42" + name},
			store.UserFilter{Field: name, Value: "v4", Prefix: true},
			store.UserFilter{Field: name, Value: "", Prefix: true})
	}
	for _, f := range filters {
		first, err := sqlstore.BuildFind("p", f, store.Page{Limit: 60})
		if err != nil {
			t.Fatal(err)
		}
		pos := make([]string, len(first.Order))
		for i, c := range first.Order {
			pos[i] = f.Value + "5"
			if c.IsInt {
				pos[i] = "5000"
			}
		}
		next, err := sqlstore.BuildFind("p", f, store.Page{Limit: 60, Cursor: store.Cursor{Scope: first.Scope, Pos: pos}.String()})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []*sqlstore.FindQuery{first, next} {
			plan := explain(t, s, q.SQL, q.Args...)
			if !strings.Contains(plan, "Index") || strings.Contains(plan, "Seq Scan on users") ||
				strings.Contains(plan, "Seq Scan on user_attrs") || strings.Contains(plan, "Sort") {
				t.Errorf("filter %+v: the plan is not an ordered index scan:\n%s\n%s", f, q.SQL, plan)
			}
		}
		if !f.Prefix && (f.Field == store.FieldUsername || f.Field == store.FieldSub) {
			continue // one user at most: there is no next page
		}
		seeks := false
		for line := range strings.Lines(explain(t, s, next.SQL, next.Args...)) {
			seeks = seeks || strings.Contains(line, "Index Cond:") && strings.Contains(line, " > ")
		}
		if !seeks {
			t.Errorf("filter %+v: the cursor is not an index condition:\n%s", f, next.SQL)
		}
	}
}

// TestSignInPlans checks, on a pool of 5,000 users with a session, a code
// and two refresh tokens each, that the statements on sessions, codes and
// refresh tokens, and the cascades of deleting a user or a pool, read an
// index: FamilyRevoked in particular reads only the family's index entries.
func TestSignInPlans(t *testing.T) {
	s := open(t)
	sql := sqlstore.PlanStatements()
	ctx := t.Context()
	if err := s.CreatePool(ctx, &store.Pool{ID: "p"}); err != nil {
		t.Fatal(err)
	}
	// Rows made by SQL, not the store's methods, to keep the test fast.
	for _, q := range []string{
		`INSERT INTO users (pool, key, username, sub, status, enabled, attributes, aliases, created_at, updated_at)
			SELECT (SELECT pk FROM pools), 'user' || i, 'user' || i, md5(i::text), 'CONFIRMED', true,
				'{}', ARRAY[]::text[], now(), now()
			FROM generate_series(1, 5000) AS i`,
		`INSERT INTO sessions (id, pool, user_id, client_id, created_at, expires_at)
			SELECT 'session' || id, pool, id, 'c', now(), now() + id * interval '1 second' FROM users`,
		`INSERT INTO codes (user_id, purpose, pool, attempts, created_at, expires_at)
			SELECT id, 'confirm', pool, 0, now(), now() FROM users`,
		`INSERT INTO refresh_tokens (id, pool, family, user_id, client_id, auth_time, created_at, expires_at, revoked)
			SELECT 'rt' || id || '-' || k, pool, 'family' || id, id, 'c', now(), now(), now() + (2 * id + k) * interval '1 second', false
			FROM users, generate_series(1, 2) AS k`,
		"ANALYZE",
	} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	sub := "a1d0c6e83f027327d8461063f4ac58a6" // md5("42")
	past := time.Now().Add(-time.Hour)
	for _, tc := range []struct {
		name, query string
		args        []any
		index       string // what the plan must read
	}{
		{"GetSession", sql["GetSession"], []any{"session42"}, "sessions_pkey"},
		{"DeleteUserSessions", sql["DeleteUserSessions"], []any{"p", sub}, "sessions_by_user"},
		{"DeleteExpiredSessions", sqlstore.ExpiredBatchStatement(dialect{}, "sessions"), []any{past, 1000}, "sessions_by_expiry"},
		{"GetCode", sql["GetCode"], []any{"p", sub, "confirm"}, "codes_pkey"},
		{"GetRefreshToken", sql["GetRefreshToken"], []any{"rt42-1"}, "refresh_tokens_pkey"},
		{"FamilyRevoked", sql["FamilyRevoked"], []any{"p", "family42"}, "refresh_tokens_by_family"},
		{"RevokeFamily", sql["RevokeFamily"], []any{"p", "family42"}, "refresh_tokens_by_family"},
		{"RevokeUserTokens", sql["RevokeUserTokens"], []any{"p", sub}, "refresh_tokens_by_user"},
		{"DeleteExpiredRefreshTokens", sqlstore.ExpiredBatchStatement(dialect{}, "refresh_tokens"), []any{past, 1000}, "refresh_tokens_by_expiry"},
		// What the foreign keys' ON DELETE CASCADE looks up.
		{"user cascade to sessions", "DELETE FROM sessions WHERE user_id = $1", []any{42}, "sessions_by_user"},
		{"pool cascade to sessions", "DELETE FROM sessions WHERE pool = $1", []any{2}, "sessions_by_pool"},
		{"user cascade to codes", "DELETE FROM codes WHERE user_id = $1", []any{42}, "codes_pkey"},
		{"pool cascade to codes", "DELETE FROM codes WHERE pool = $1", []any{2}, "codes_by_pool"},
		{"user cascade to refresh tokens", "DELETE FROM refresh_tokens WHERE user_id = $1", []any{42}, "refresh_tokens_by_user"},
		{"pool cascade to refresh tokens", "DELETE FROM refresh_tokens WHERE pool = $1", []any{2}, "refresh_tokens_by_family"},
	} {
		plan := explain(t, s, tc.query, tc.args...)
		if !strings.Contains(plan, tc.index) || strings.Contains(plan, "Seq Scan") {
			t.Errorf("%s: the plan does not read %s:\n%s\n%s", tc.name, tc.index, tc.query, plan)
		}
		if tc.name == "FamilyRevoked" && !strings.Contains(plan, "Index Only Scan") {
			t.Errorf("FamilyRevoked reads more than refresh_tokens_by_family:\n%s", plan)
		}
	}
}

// explain returns PostgreSQL's plan for query.
func explain(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
