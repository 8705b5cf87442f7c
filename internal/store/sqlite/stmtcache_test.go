package sqlite

import (
	"database/sql"
	"slices"
	"testing"
)

// TestStatementCache checks that a connection keeps a statement prepared
// from its second run, not its first, and that a query run again while its
// own rows are open (inside a transaction) gets a statement of its own
// instead of resetting the open one.
func TestStatementCache(t *testing.T) {
	ctx := t.Context()
	s := open(t)
	const insert = "INSERT INTO cache_test (x) VALUES (?)"
	const query = "SELECT x FROM cache_test WHERE x >= ? ORDER BY x"
	if _, err := s.w.ExecContext(ctx, "CREATE TABLE cache_test (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	if kept, _ := cached(t, s.w, insert); kept {
		t.Error("a statement never run is kept")
	}
	for x := 1; x <= 5; x++ {
		if _, err := s.w.ExecContext(ctx, insert, x); err != nil {
			t.Fatal(err)
		}
		if kept, _ := cached(t, s.w, insert); kept != (x > 1) {
			t.Errorf("after %d runs, kept = %v", x, kept)
		}
	}

	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	scan := func(rows *sql.Rows) []int {
		var got []int
		for rows.Next() {
			var x int
			if err := rows.Scan(&x); err != nil {
				t.Fatal(err)
			}
			got = append(got, x)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	all := func(from int) []int {
		rows, err := tx.QueryContext(ctx, query, from)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		return scan(rows)
	}
	all(1)
	all(1) // kept from here
	rows, err := tx.QueryContext(ctx, query, 1)
	if err != nil {
		t.Fatal(err)
	}
	var outer []int
	for rows.Next() {
		var x int
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		outer = append(outer, x)
		if inner := all(x); len(inner) != 6-x || inner[0] != x {
			t.Errorf("inner run from %d: %v", x, inner)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if !slices.Equal(outer, []int{1, 2, 3, 4, 5}) {
		t.Errorf("outer run: %v, want 1 to 5", outer)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if kept, busy := cached(t, s.w, query); !kept || busy {
		t.Errorf("the query run four times: kept %v, busy %v after its rows closed", kept, busy)
	}
}

// cached reports whether db's connection keeps query prepared, and whether
// rows of it are open. db must have one connection, and it must be free.
func cached(t *testing.T, db *sql.DB, query string) (kept, busy bool) {
	t.Helper()
	c, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		st, ok := dc.(*cachingConn).stmts[query]
		kept, busy = ok, ok && st.busy
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return kept, busy
}
