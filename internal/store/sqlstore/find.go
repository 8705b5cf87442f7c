package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cognate-idp/cognate/internal/store"
)

// FindQuery is the statement that reads one page of FindUsers; the
// backends' plan tests read it too.
type FindQuery struct {
	SQL   string
	Args  []any
	Order []SortColumn // the sort key, which the cursor records
	Scope []string     // what the cursor belongs to
	None  bool         // the filter matches no user; SQL is empty
}

// SortColumn is a column of FindUsers' sort key.
type SortColumn struct {
	Name  string // qualified: u.key, x.value
	IsInt bool   // an integer column, which the cursor holds in decimal
}

// params collects the arguments of a statement.
type params []any

// add appends v and returns its placeholder.
func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// BuildFind returns the statement for one page of FindUsers. Every filter
// reads a range of one index in index order, and a cursor seeks into it:
// users (pool, key), (pool, sub), (pool, status, key) or (pool, enabled,
// key), or user_attrs (pool, name, value, user_id). Prefixes are ranges over
// COLLATE "C" columns (SQLite's text compares bytes too), never LIKE.
func BuildFind(poolID string, f store.UserFilter, page store.Page) (*FindQuery, error) {
	q := &FindQuery{Scope: []string{"users", poolID, f.Field, strconv.FormatBool(f.Prefix), f.Value}}
	args := params{poolID} // $1, for poolPK
	from := "FROM users u WHERE u.pool = " + poolPK
	var col, tie SortColumn // the filtered column, and what orders rows with equal values
	switch f.Field {
	case "":
		tie = SortColumn{Name: "u.key"}
	case store.FieldUsername:
		col = SortColumn{Name: "u.key"}
	case store.FieldSub:
		col = SortColumn{Name: "u.sub"}
	case store.FieldStatus:
		col, tie = SortColumn{Name: "u.status"}, SortColumn{Name: "u.key"}
	case store.FieldEnabled:
		var match []bool
		for _, b := range []bool{false, true} {
			if v := strconv.FormatBool(b); v == f.Value || f.Prefix && strings.HasPrefix(v, f.Value) {
				match = append(match, b)
			}
		}
		q.None = len(match) == 0
		if len(match) == 1 {
			from += " AND u.enabled = " + args.add(match[0])
		}
		tie = SortColumn{Name: "u.key"}
	default:
		if !slices.Contains(store.IndexedAttributes, f.Field) {
			return nil, fmt.Errorf("users cannot be found by %q", f.Field)
		}
		from = "FROM user_attrs x JOIN users u ON u.id = x.user_id WHERE x.pool = " + poolPK + " AND x.name = " + args.add(f.Field)
		col, tie = SortColumn{Name: "x.value"}, SortColumn{Name: "x.user_id", IsInt: true}
	}
	ranged := col.Name != "" && f.Prefix
	switch {
	case ranged && tie.Name != "":
		q.Order = []SortColumn{col, tie}
	case ranged || tie.Name == "":
		q.Order = []SortColumn{col}
	default:
		q.Order = []SortColumn{tie}
	}

	pos, err := store.Position(page, len(q.Order), q.Scope...)
	if err != nil {
		return nil, err
	}
	if err := checkLimit(page); err != nil {
		return nil, err
	}
	if col.Name != "" && !f.Prefix {
		from += " AND " + col.Name + " = " + args.add(f.Value)
	}
	if ranged {
		// On later pages the cursor is the lower bound.
		if pos == nil {
			from += " AND " + col.Name + " >= " + args.add(f.Value)
		} else if !strings.HasPrefix(pos[0], f.Value) {
			return nil, store.ErrBadCursor
		}
		if end, ok := store.PrefixEnd(f.Value); ok {
			from += " AND " + col.Name + " < " + args.add(end)
		}
	}
	names := make([]string, len(q.Order))
	marks := make([]string, len(q.Order))
	for i, c := range q.Order {
		names[i] = c.Name
		if pos == nil {
			continue
		}
		if !c.IsInt {
			marks[i] = args.add(pos[i])
			continue
		}
		n, err := strconv.ParseInt(pos[i], 10, 64)
		if err != nil {
			return nil, store.ErrBadCursor
		}
		marks[i] = args.add(n)
	}
	if pos != nil {
		from += " AND (" + strings.Join(names, ", ") + ") > (" + strings.Join(marks, ", ") + ")"
	}
	order := strings.Join(names, ", ")
	q.SQL = "SELECT " + order + ", " + userCols + " " + from + " ORDER BY " + order + " LIMIT " + args.add(page.Limit+1)
	q.Args = args
	return q, nil
}

// FindUsers implements store.Users.
func (s *Store) FindUsers(ctx context.Context, poolID string, f store.UserFilter, page store.Page) ([]store.User, string, error) {
	users, next, err := s.findUsers(ctx, poolID, f, page, nil)
	if err != nil {
		return nil, "", s.errorf("find users", err)
	}
	return users, next, nil
}

// FindUsersWithPoolRev implements store.Users.
func (s *Store) FindUsersWithPoolRev(ctx context.Context, poolID string, f store.UserFilter, page store.Page) ([]store.User, string, int64, error) {
	var rev int64
	users, next, err := s.findUsers(ctx, poolID, f, page, &rev)
	if err != nil {
		return nil, "", 0, s.errorf("find users with pool rev", err)
	}
	return users, next, rev, nil
}

// findUsers runs FindUsers' statement; with rev, the statement also reads
// the pool's revision into it, on every row.
func (s *Store) findUsers(ctx context.Context, poolID string, f store.UserFilter, page store.Page, rev *int64) ([]store.User, string, error) {
	q, err := BuildFind(poolID, f, page)
	if err != nil || q.None {
		return nil, "", err
	}
	query := q.SQL
	if rev != nil { // $1 is the pool's ID in every FindQuery
		query = "SELECT (SELECT rev FROM pools WHERE id = $1), " + strings.TrimPrefix(query, "SELECT ")
	}
	rows, err := s.c.Read().Query(ctx, query, q.Args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	return s.scanPage(rows, poolID, q, page.Limit, rev)
}

// scanPage reads up to limit users and, when there are more, the cursor of
// the next page; with rev, each row starts with the pool's revision.
func (s *Store) scanPage(rows Rows, poolID string, q *FindQuery, limit int, rev *int64) ([]store.User, string, error) {
	var users []store.User
	var last []string
	for rows.Next() {
		var dest []any
		if rev != nil {
			dest = append(dest, rev)
		}
		key := make([]any, len(q.Order))
		for i, c := range q.Order {
			if c.IsInt {
				key[i] = new(int64)
			} else {
				key[i] = new(string)
			}
		}
		u, err := s.scanUser(rows, poolID, append(dest, key...)...)
		if err != nil {
			return nil, "", err
		}
		if len(users) == limit {
			return users, store.Cursor{Scope: q.Scope, Pos: last}.String(), nil
		}
		users = append(users, u.User)
		last = make([]string, 0, len(key))
		for _, k := range key {
			switch k := k.(type) {
			case *int64:
				last = append(last, strconv.FormatInt(*k, 10))
			case *string:
				last = append(last, *k)
			}
		}
	}
	return users, "", rows.Err()
}
