package sqlite

import (
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlstore"
)

// TestFindUsersPlans checks that every FindUsers query is an index search in
// index order (no full scan of a table or index, and no sort), and that a
// cursor seeks into the index rather than filtering what precedes it.
func TestFindUsersPlans(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	if err := s.CreatePool(ctx, &store.Pool{ID: "p"}); err != nil {
		t.Fatal(err)
	}
	filters := []store.UserFilter{
		{},
		{Field: store.FieldUsername, Value: "bob"},
		{Field: store.FieldUsername, Value: "b", Prefix: true},
		{Field: store.FieldSub, Value: "0c5e"},
		{Field: store.FieldSub, Value: "0c", Prefix: true},
		{Field: store.FieldStatus, Value: "CONFIRMED"},
		{Field: store.FieldStatus, Value: "CON", Prefix: true},
		{Field: store.FieldEnabled, Value: "false"},
	}
	for _, name := range store.IndexedAttributes {
		filters = append(filters,
			store.UserFilter{Field: name, Value: "bob@example.com"},
			store.UserFilter{Field: name, Value: "bo", Prefix: true},
			store.UserFilter{Field: name, Value: "", Prefix: true})
	}
	for _, f := range filters {
		first, err := sqlstore.BuildFind("p", f, store.Page{Limit: 60})
		if err != nil {
			t.Fatal(err)
		}
		pos := make([]string, len(first.Order))
		for i, c := range first.Order {
			pos[i] = f.Value + "x"
			if c.IsInt {
				pos[i] = "42"
			}
		}
		next, err := sqlstore.BuildFind("p", f, store.Page{Limit: 60, Cursor: store.Cursor{Scope: first.Scope, Pos: pos}.String()})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []*sqlstore.FindQuery{first, next} {
			plan := explain(t, s, q.SQL, q.Args...)
			if !strings.Contains(plan, "SEARCH u USING") && !strings.Contains(plan, "SEARCH x USING") ||
				strings.Contains(plan, "SCAN ") || strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("filter %+v: the plan is not an ordered index search:\n%s\n%s", f, q.SQL, plan)
			}
		}
		if !f.Prefix && (f.Field == store.FieldUsername || f.Field == store.FieldSub) {
			continue // one user at most: there is no next page
		}
		last := first.Order[len(first.Order)-1].Name[2:]
		if plan := explain(t, s, next.SQL, next.Args...); !strings.Contains(plan, last+">?") && !strings.Contains(plan, last+")>(") {
			t.Errorf("filter %+v: the cursor does not seek:\n%s\n%s", f, next.SQL, plan)
		}
	}
}

// explain returns the detail lines of SQLite's query plan for query.
func explain(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestSignInPlans checks that the statements on sessions, codes and refresh
// tokens, and the cascades of deleting a user or a pool, are index searches:
// FamilyRevoked in particular reads only the family's index entries.
func TestSignInPlans(t *testing.T) {
	s := open(t)
	sql := sqlstore.PlanStatements()
	for _, tc := range []struct {
		name, query string
		args        []any
		index       string // what the plan must use
	}{
		{"GetSession", sql["GetSession"], []any{"x"}, "INDEX sqlite_autoindex_sessions_1 (id=?)"},
		{"DeleteUserSessions", sql["DeleteUserSessions"], []any{"p", "sub"}, "INDEX sessions_by_user (user_id=?)"},
		{"DeleteExpiredSessions", sqlstore.ExpiredBatchStatement(dialect{}, "sessions"), []any{0, 1000}, "INDEX sessions_by_expiry (expires_at<?)"},
		{"GetCode", sql["GetCode"], []any{"p", "sub", "confirm"}, "PRIMARY KEY (user_id=? AND purpose=?)"},
		{"PutCode", sql["PutCode"], []any{"p", "sub", "confirm", nil, 0, 0, 0}, "INDEX sqlite_autoindex_users_2 (pool=? AND sub=?)"},
		{"GetRefreshToken", sql["GetRefreshToken"], []any{"x"},
			"INDEX sqlite_autoindex_refresh_tokens_1 (id=?)"},
		{"FamilyRevoked", sql["FamilyRevoked"], []any{"p", "f"}, "COVERING INDEX refresh_tokens_by_family (pool=? AND family=?)"},
		{"RevokeFamily", sql["RevokeFamily"], []any{"p", "f"}, "INDEX refresh_tokens_by_family (pool=? AND family=? AND revoked=?)"},
		{"RevokeUserTokens", sql["RevokeUserTokens"], []any{"p", "sub"}, "INDEX refresh_tokens_by_user (user_id=?)"},
		{"DeleteExpiredRefreshTokens", sqlstore.ExpiredBatchStatement(dialect{}, "refresh_tokens"), []any{0, 1000},
			"INDEX refresh_tokens_by_expiry (expires_at<?)"},
		// What the foreign keys' ON DELETE CASCADE looks up.
		{"user cascade to sessions", "DELETE FROM sessions WHERE user_id = ?", []any{1}, "INDEX sessions_by_user (user_id=?)"},
		{"pool cascade to sessions", "DELETE FROM sessions WHERE pool = ?", []any{1}, "INDEX sessions_by_pool (pool=?)"},
		{"user cascade to codes", "DELETE FROM codes WHERE user_id = ?", []any{1}, "PRIMARY KEY (user_id=?)"},
		{"pool cascade to codes", "DELETE FROM codes WHERE pool = ?", []any{1}, "INDEX codes_by_pool (pool=?)"},
		{"user cascade to refresh tokens", "DELETE FROM refresh_tokens WHERE user_id = ?", []any{1}, "INDEX refresh_tokens_by_user (user_id=?)"},
		{"pool cascade to refresh tokens", "DELETE FROM refresh_tokens WHERE pool = ?", []any{1}, "INDEX refresh_tokens_by_family (pool=?)"},
	} {
		plan := explain(t, s, tc.query, tc.args...)
		if !strings.Contains(plan, tc.index) || strings.Contains(plan, "SCAN ") {
			t.Errorf("%s: the plan is not a search of %s:\n%s\n%s", tc.name, tc.index, tc.query, plan)
		}
	}
}
