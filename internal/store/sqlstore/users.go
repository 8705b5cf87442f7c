package sqlstore

import (
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

// CreateUser implements store.Users.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	err := s.c.Write(ctx, func(ex Executor) error {
		attrs, aliases, err := s.encodeUser(u)
		if err != nil {
			return err
		}
		row := userRow{User: *u}
		err = ex.QueryRow(ctx, `INSERT INTO users (pool, key, username, sub, status, enabled, attributes, aliases,
				password, password_set_at, state, created_at, updated_at)
			SELECT pk, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM pools WHERE id = $1 RETURNING id, pool`,
			u.PoolID, u.Key, u.Username, u.Sub, u.Status, u.Enabled, attrs, aliases, u.Password, s.nullT(u.PasswordSetAt),
			u.State, s.t(u.CreatedAt), s.t(u.UpdatedAt)).Scan(&row.id, &row.pool)
		if s.d.IsUnique(err) {
			return store.ErrConflict
		}
		if err != nil {
			return notFound(err)
		}
		return s.syncIndexes(ctx, ex, nil, &row)
	})
	if err != nil {
		return s.errorf("create user", err)
	}
	return nil
}

// syncIndexes brings user_attrs and aliases from the state of old to that of
// nu; either may be nil (a user created or deleted).
func (s *Store) syncIndexes(ctx context.Context, ex Executor, old, nu *userRow) error {
	var oldAttrs, newAttrs map[string]string
	var oldAliases, newAliases []string
	var pool, id int64
	if old != nil {
		oldAttrs, oldAliases, pool, id = old.Attributes, old.Aliases, old.pool, old.id
	}
	if nu != nil {
		newAttrs, newAliases, pool, id = nu.Attributes, nu.Aliases, nu.pool, nu.id
	}
	var addAttrs []any
	for _, name := range store.IndexedAttributes {
		ov, had := oldAttrs[name]
		nv, has := newAttrs[name]
		if had == has && ov == nv {
			continue
		}
		if had {
			if _, err := ex.Exec(ctx, "DELETE FROM user_attrs WHERE pool = $1 AND name = $2 AND value = $3 AND user_id = $4",
				pool, name, ov, id); err != nil {
				return err
			}
		}
		if has {
			addAttrs = append(addAttrs, name, nv)
		}
	}
	if err := insertRows(ctx, ex, "user_attrs (pool, user_id, name, value)", []any{pool, id}, addAttrs); err != nil {
		return err
	}
	for _, a := range oldAliases {
		if !slices.Contains(newAliases, a) {
			if _, err := ex.Exec(ctx, "DELETE FROM aliases WHERE pool = $1 AND alias = $2 AND user_id = $3", pool, a, id); err != nil {
				return err
			}
		}
	}
	var addAliases []any
	for i, a := range newAliases {
		if !slices.Contains(oldAliases, a) && !slices.Contains(newAliases[:i], a) {
			addAliases = append(addAliases, a)
		}
	}
	err := insertRows(ctx, ex, "aliases (pool, user_id, alias)", []any{pool, id}, addAliases)
	if s.d.IsUnique(err) {
		return store.ErrAliasConflict
	}
	return err
}

// insertRows inserts rows into table, "name (column, ...)", in one
// statement. Each row is the values of fixed followed by the next values of
// args, as many as table has columns after those of fixed.
func insertRows(ctx context.Context, ex Executor, table string, fixed []any, args []any) error {
	if len(args) == 0 {
		return nil
	}
	width := strings.Count(table, ",") + 1 - len(fixed)
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " VALUES ")
	for r := range len(args) / width {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		for c := range fixed {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + strconv.Itoa(c+1))
		}
		for c := range width {
			b.WriteString(", $" + strconv.Itoa(len(fixed)+1+r*width+c))
		}
		b.WriteString(")")
	}
	_, err := ex.Exec(ctx, b.String(), append(slices.Clip(fixed), args...)...)
	return err
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
		attrs, aliases, err := s.encodeUser(&nu.User)
		if err != nil {
			return err
		}
		if _, err := ex.Exec(ctx, `UPDATE users SET status = $1, enabled = $2, attributes = $3, aliases = $4,
				password = $5, password_set_at = $6, state = $7, updated_at = $8 WHERE id = $9`,
			nu.Status, nu.Enabled, attrs, aliases, nu.Password, s.nullT(nu.PasswordSetAt), nu.State, s.t(nu.UpdatedAt), nu.id); err != nil {
			return err
		}
		return s.syncIndexes(ctx, ex, old, nu)
	})
	if err != nil {
		return nil, err
	}
	return &nu.User, nil
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
		return s.syncIndexes(ctx, ex, old, nil)
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
