package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cognate-idp/cognate/internal/store"
)

const userCols = "u.id, u.pool, u.username, u.key, u.sub, u.status, u.enabled, u.attributes, u.aliases, u.password, u.password_set_at, u.state, u.created_at, u.updated_at"

// userRow is a user with the surrogate keys of its row.
type userRow struct {
	id, pool int64
	store.User
}

func (s *Store) scanUser(row Row, poolID string, extra ...any) (*userRow, error) {
	u := userRow{User: store.User{PoolID: poolID}}
	var attrs []byte
	dest := append(extra, &u.id, &u.pool, &u.Username, &u.Key, &u.Sub, &u.Status, &u.Enabled, &attrs, s.d.StringsDest(&u.Aliases),
		&u.Password, at(&u.PasswordSetAt), &u.State, at(&u.CreatedAt), at(&u.UpdatedAt))
	if err := row.Scan(dest...); err != nil {
		return nil, notFound(err)
	}
	if err := json.Unmarshal(attrs, &u.Attributes); err != nil {
		return nil, fmt.Errorf("attributes of user %d: %w", u.id, err)
	}
	return &u, nil
}

// encodeUser returns the attributes and aliases columns of u: never NULL.
func (s *Store) encodeUser(u *store.User) (attrs string, aliases any, err error) {
	a := []byte("{}")
	if u.Attributes != nil {
		if a, err = json.Marshal(u.Attributes); err != nil {
			return "", nil, err
		}
	}
	aliases, err = s.d.Strings(u.Aliases)
	return string(a), aliases, err
}

// CreateUser implements store.Users: the user's row, its indexed
// attributes and its aliases in one ExecAll (one round trip on PostgreSQL).
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	attrs, aliases, err := s.encodeUser(u)
	if err != nil {
		return s.errorf("create user", err)
	}
	stmts, aliasesAt := indexStmts(nil, &userRow{User: *u})
	stmts = append([]Stmt{{SQL: `INSERT INTO users (pool, key, username, sub, status, enabled, attributes, aliases,
			password, password_set_at, state, created_at, updated_at)
		SELECT pk, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM pools WHERE id = $1`,
		Args: []any{u.PoolID, u.Key, u.Username, u.Sub, u.Status, u.Enabled, attrs, aliases, u.Password, s.nullT(u.PasswordSetAt),
			u.State, s.t(u.CreatedAt), s.t(u.UpdatedAt)}}}, stmts...)
	n, err := s.c.ExecAll(ctx, stmts)
	switch failed := failedStmt(err); {
	case err == nil && n[0] == 0:
		err = store.ErrNotFound // no such pool
	case failed == 0 && s.d.IsUnique(err):
		err = store.ErrConflict
	case failed == aliasesAt+1 && s.d.IsUnique(err):
		err = store.ErrAliasConflict
	}
	if err != nil {
		return s.errorf("create user", err)
	}
	return nil
}

// indexStmts returns the statements that bring user_attrs and aliases from
// the state of old to that of nu, either of which may be nil (a user
// created or deleted), and the index of the one that inserts aliases (-1
// when none does). A user without a row id (one being created) is found by
// its pool ID and key.
func indexStmts(old, nu *userRow) (stmts []Stmt, aliasesAt int) {
	var oldAttrs, newAttrs map[string]string
	var oldAliases, newAliases []string
	var u *userRow
	if old != nil {
		oldAttrs, oldAliases, u = old.Attributes, old.Aliases, old
	}
	if nu != nil {
		newAttrs, newAliases, u = nu.Attributes, nu.Aliases, nu
	}
	var addAttrs []any
	for _, name := range store.IndexedAttributes {
		ov, had := oldAttrs[name]
		nv, has := newAttrs[name]
		if had == has && ov == nv {
			continue
		}
		if had {
			stmts = append(stmts, Stmt{SQL: "DELETE FROM user_attrs WHERE pool = $1 AND name = $2 AND value = $3 AND user_id = $4",
				Args: []any{u.pool, name, ov, u.id}})
		}
		if has {
			addAttrs = append(addAttrs, name, nv)
		}
	}
	if len(addAttrs) > 0 {
		stmts = append(stmts, u.insertRows("user_attrs (pool, user_id, name, value)", addAttrs))
	}
	for _, a := range oldAliases {
		if !slices.Contains(newAliases, a) {
			stmts = append(stmts, Stmt{SQL: "DELETE FROM aliases WHERE pool = $1 AND alias = $2 AND user_id = $3",
				Args: []any{u.pool, a, u.id}})
		}
	}
	var addAliases []any
	for i, a := range newAliases {
		if !slices.Contains(oldAliases, a) && !slices.Contains(newAliases[:i], a) {
			addAliases = append(addAliases, a)
		}
	}
	aliasesAt = -1
	if len(addAliases) > 0 {
		aliasesAt = len(stmts)
		stmts = append(stmts, u.insertRows("aliases (pool, user_id, alias)", addAliases))
	}
	return stmts, aliasesAt
}

// insertRows returns the statement that inserts rows of u into table,
// "name (pool, user_id, column, ...)": each row is u's pool key and row id
// followed by the next values of vals, one for each further column.
func (u *userRow) insertRows(table string, vals []any) Stmt {
	width := strings.Count(table, ",") - 1
	if u.id == 0 {
		// The user is created by the statement before: find its row.
		cols := make([]string, width)
		for c := range cols {
			cols[c] = "x.column" + strconv.Itoa(c+1)
		}
		return Stmt{SQL: "INSERT INTO " + table + " SELECT u.pool, u.id, " + strings.Join(cols, ", ") +
			" FROM users u, (VALUES " + valueRows("", 3, width, len(vals)/width) + ") AS x WHERE u.pool = " + poolPK + " AND u.key = $2",
			Args: append([]any{u.PoolID, u.Key}, vals...)}
	}
	return Stmt{SQL: "INSERT INTO " + table + " VALUES " + valueRows("$1, $2, ", 3, width, len(vals)/width),
		Args: append([]any{u.pool, u.id}, vals...)}
}

// valueRows returns n rows of a VALUES list, each prefix followed by width
// placeholders numbered on from first: valueRows("$1, ", 2, 2, 2) is
// "($1, $2, $3), ($1, $4, $5)".
func valueRows(prefix string, first, width, n int) string {
	var b strings.Builder
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + prefix)
		for c := range width {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + strconv.Itoa(first+r*width+c))
		}
		b.WriteString(")")
	}
	return b.String()
}

// GetUser implements store.Users.
func (s *Store) GetUser(ctx context.Context, poolID, key string) (*store.User, error) {
	u, err := s.scanUser(s.c.Read().QueryRow(ctx,
		"SELECT "+userCols+" FROM users u WHERE u.pool = "+poolPK+" AND u.key = $2", poolID, key), poolID)
	if err != nil {
		return nil, s.errorf("get user", err)
	}
	return &u.User, nil
}

// GetUserWithPoolRev implements store.Users.
func (s *Store) GetUserWithPoolRev(ctx context.Context, poolID, key string) (*store.User, int64, error) {
	var rev int64
	u, err := s.scanUser(s.c.Read().QueryRow(ctx,
		"SELECT p.rev, "+userCols+" FROM pools p JOIN users u ON u.pool = p.pk WHERE p.id = $1 AND u.key = $2", poolID, key), poolID, &rev)
	if err != nil {
		return nil, 0, s.errorf("get user with pool rev", err)
	}
	return &u.User, rev, nil
}

// GetUserByAlias implements store.Users.
func (s *Store) GetUserByAlias(ctx context.Context, poolID, alias string) (*store.User, error) {
	u, err := s.scanUser(s.c.Read().QueryRow(ctx,
		"SELECT "+userCols+" FROM aliases a JOIN users u ON u.id = a.user_id WHERE a.pool = "+poolPK+" AND a.alias = $2",
		poolID, alias), poolID)
	if err != nil {
		return nil, s.errorf("get user by alias", err)
	}
	return &u.User, nil
}

// GetUserBySub implements store.Users.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (*store.User, error) {
	u, err := s.scanUser(s.c.Read().QueryRow(ctx,
		"SELECT "+userCols+" FROM users u WHERE u.pool = "+poolPK+" AND u.sub = $2", poolID, sub), poolID)
	if err != nil {
		return nil, s.errorf("get user by sub", err)
	}
	return &u.User, nil
}

// UpdateUser implements store.Users.
func (s *Store) UpdateUser(ctx context.Context, poolID, key string, fn func(u *store.User) error) (*store.User, error) {
	var nu *userRow
	err := s.update(ctx, "update user", func(ex Executor) error {
		old, err := s.scanUser(ex.QueryRow(ctx,
			"SELECT "+userCols+" FROM users u WHERE u.pool = "+poolPK+" AND u.key = $2"+s.d.Lock("FOR UPDATE"), poolID, key), poolID)
		if err != nil {
			return err
		}
		nu = &userRow{}
		*nu = *old
		nu.Attributes = maps.Clone(old.Attributes)
		nu.Aliases = slices.Clone(old.Aliases)
		nu.Password = slices.Clone(old.Password)
		nu.State = slices.Clone(old.State)
		if err := call(fn(&nu.User)); err != nil {
			return err
		}
		nu.PoolID, nu.Username, nu.Key, nu.Sub, nu.CreatedAt = old.PoolID, old.Username, old.Key, old.Sub, old.CreatedAt
		nu.UpdatedAt, nu.PasswordSetAt = micro(nu.UpdatedAt), micro(nu.PasswordSetAt)
		update, err := s.userUpdate(old, nu)
		if err != nil {
			return err
		}
		stmts, aliasesAt := indexStmts(old, nu)
		_, err = ex.ExecAll(ctx, append([]Stmt{update}, stmts...))
		if failedStmt(err) == aliasesAt+1 && s.d.IsUnique(err) {
			return store.ErrAliasConflict
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &nu.User, nil
}

// userUpdate is the UPDATE that writes nu over old: the columns that
// changed, and updated_at. Leaving the others out matters: SQLite rewrites
// the index entries of every indexed column an UPDATE sets (status and
// enabled), changed or not, so a sign-in's write of the state alone now
// puts one page in the WAL instead of three.
func (s *Store) userUpdate(old, nu *userRow) (Stmt, error) {
	var set []string
	var args []any
	col := func(changed bool, name string, v any) {
		if changed {
			args = append(args, v)
			set = append(set, name+" = $"+strconv.Itoa(len(args)))
		}
	}
	col(nu.Status != old.Status, "status", nu.Status)
	col(nu.Enabled != old.Enabled, "enabled", nu.Enabled)
	if !maps.Equal(nu.Attributes, old.Attributes) || !slices.Equal(nu.Aliases, old.Aliases) {
		attrs, aliases, err := s.encodeUser(&nu.User)
		if err != nil {
			return Stmt{}, err
		}
		col(true, "attributes", attrs)
		col(true, "aliases", aliases)
	}
	col(!bytes.Equal(nu.Password, old.Password), "password", nu.Password)
	col(!nu.PasswordSetAt.Equal(old.PasswordSetAt), "password_set_at", s.nullT(nu.PasswordSetAt))
	col(!bytes.Equal(nu.State, old.State), "state", nu.State)
	col(true, "updated_at", s.t(nu.UpdatedAt))
	args = append(args, nu.id)
	return Stmt{SQL: "UPDATE users SET " + strings.Join(set, ", ") + " WHERE id = $" + strconv.Itoa(len(args)), Args: args}, nil
}

// DeleteUser implements store.Users. Memberships, sessions, codes and
// refresh tokens go with the user (ON DELETE CASCADE); attributes and
// aliases are removed here.
func (s *Store) DeleteUser(ctx context.Context, poolID, key string) error {
	err := s.c.Write(ctx, func(ex Executor) error {
		old, err := s.scanUser(ex.QueryRow(ctx,
			"DELETE FROM users WHERE pool = "+poolPK+" AND key = $2 RETURNING "+strings.ReplaceAll(userCols, "u.", ""), poolID, key), poolID)
		if err != nil {
			return err
		}
		stmts, _ := indexStmts(old, nil)
		_, err = ex.ExecAll(ctx, stmts)
		return err
	})
	if err != nil {
		return s.errorf("delete user", err)
	}
	return nil
}

// CountUsers implements store.Users: the count the pools row keeps (see
// migrations/0002_user_count.sql).
func (s *Store) CountUsers(ctx context.Context, poolID string) (int64, error) {
	var n int64
	if err := s.c.Read().QueryRow(ctx, "SELECT user_count FROM pools WHERE id = $1", poolID).Scan(&n); errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, s.errorf("count users", err)
	}
	return n, nil
}
