package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

// findQuery is the statement that reads one page of FindUsers.
type findQuery struct {
	sql   string
	args  []any
	order []sortColumn // the sort key, which the cursor records
	scope []string     // what the cursor belongs to
	none  bool         // the filter matches no user; sql is empty
}

// sortColumn is a column of the sort key.
type sortColumn struct {
	name  string
	isInt bool
}

// params collects the arguments of a statement.
type params []any

// add appends v and returns its placeholder.
func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// buildFind returns the statement for one page of FindUsers. Every filter
// reads a range of one index in index order, and a cursor seeks into it:
// users (pool, key), (pool, sub), (pool, status, key) or (pool, enabled,
// key), or user_attrs (pool, name, value, user_id). Prefixes are ranges over
// COLLATE "C" columns, never LIKE.
func buildFind(poolID string, f store.UserFilter, page store.Page) (*findQuery, error) {
	q := &findQuery{scope: []string{"users", poolID, f.Field, strconv.FormatBool(f.Prefix), f.Value}}
	args := params{poolID} // $1, for poolPK
	from := "FROM users u WHERE u.pool = " + poolPK
	var col, tie sortColumn // the filtered column, and what orders rows with equal values
	switch f.Field {
	case "":
		tie = sortColumn{name: "u.key"}
	case store.FieldUsername:
		col = sortColumn{name: "u.key"}
	case store.FieldSub:
		col = sortColumn{name: "u.sub"}
	case store.FieldStatus:
		col, tie = sortColumn{name: "u.status"}, sortColumn{name: "u.key"}
	case store.FieldEnabled:
		var match []bool
		for _, b := range []bool{false, true} {
			if v := strconv.FormatBool(b); v == f.Value || f.Prefix && strings.HasPrefix(v, f.Value) {
				match = append(match, b)
			}
		}
		q.none = len(match) == 0
		if len(match) == 1 {
			from += " AND u.enabled = " + args.add(match[0])
		}
		tie = sortColumn{name: "u.key"}
	default:
		if !slices.Contains(store.IndexedAttributes, f.Field) {
			return nil, fmt.Errorf("users cannot be found by %q", f.Field)
		}
		from = "FROM user_attrs x JOIN users u ON u.id = x.user_id WHERE x.pool = " + poolPK + " AND x.name = " + args.add(f.Field)
		col, tie = sortColumn{name: "x.value"}, sortColumn{name: "x.user_id", isInt: true}
	}
	ranged := col.name != "" && f.Prefix
	switch {
	case ranged && tie.name != "":
		q.order = []sortColumn{col, tie}
	case ranged || tie.name == "":
		q.order = []sortColumn{col}
	default:
		q.order = []sortColumn{tie}
	}

	pos, err := store.Position(page, len(q.order), q.scope...)
	if err != nil {
		return nil, err
	}
	if err := checkLimit(page); err != nil {
		return nil, err
	}
	if col.name != "" && !f.Prefix {
		from += " AND " + col.name + " = " + args.add(f.Value)
	}
	if ranged {
		// On later pages the cursor is the lower bound.
		if pos == nil {
			from += " AND " + col.name + " >= " + args.add(f.Value)
		} else if !strings.HasPrefix(pos[0], f.Value) {
			return nil, store.ErrBadCursor
		}
		if end, ok := store.PrefixEnd(f.Value); ok {
			from += " AND " + col.name + " < " + args.add(end)
		}
	}
	names := make([]string, len(q.order))
	marks := make([]string, len(q.order))
	for i, c := range q.order {
		names[i] = c.name
		if pos == nil {
			continue
		}
		if !c.isInt {
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
	q.sql = "SELECT " + order + ", " + userCols + " " + from + " ORDER BY " + order + " LIMIT " + args.add(page.Limit+1)
	q.args = args
	return q, nil
}

// FindUsers implements store.Users.
func (s *Store) FindUsers(ctx context.Context, poolID string, f store.UserFilter, page store.Page) ([]store.User, string, error) {
	users, next, err := s.findUsers(ctx, poolID, f, page)
	if err != nil {
		return nil, "", fmt.Errorf("postgres: find users: %w", err)
	}
	return users, next, nil
}

func (s *Store) findUsers(ctx context.Context, poolID string, f store.UserFilter, page store.Page) ([]store.User, string, error) {
	q, err := buildFind(poolID, f, page)
	if err != nil || q.none {
		return nil, "", err
	}
	rows, err := s.q().Query(ctx, q.sql, q.args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	return scanPage(rows, poolID, q, page.Limit)
}

// scanPage reads up to limit users and, when there are more, the cursor of
// the next page.
func scanPage(rows pgx.Rows, poolID string, q *findQuery, limit int) ([]store.User, string, error) {
	var users []store.User
	var last []string
	for rows.Next() {
		key := make([]any, len(q.order))
		for i, c := range q.order {
			if c.isInt {
				key[i] = new(int64)
			} else {
				key[i] = new(string)
			}
		}
		u, err := scanUser(rows, poolID, key...)
		if err != nil {
			return nil, "", err
		}
		if len(users) == limit {
			return users, store.Cursor{Scope: q.scope, Pos: last}.String(), nil
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
