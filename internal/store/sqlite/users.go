package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/store"
)

const userCols = "u.id, u.pool, u.username, u.key, u.sub, u.status, u.enabled, u.attributes, u.aliases, u.password, u.password_set_at, u.state, u.created_at, u.updated_at"

// userRow is a user with the surrogate keys of its row.
type userRow struct {
	id, pool int64
	store.User
}

func scanUser(row scanner, poolID string, extra ...any) (*userRow, error) {
	u := userRow{User: store.User{PoolID: poolID}}
	var attrs, aliases string
	var pwSet sql.NullInt64
	var created, updated int64
	dest := append(extra, &u.id, &u.pool, &u.Username, &u.Key, &u.Sub, &u.Status, &u.Enabled, &attrs, &aliases,
		&u.Password, &pwSet, &u.State, &created, &updated)
	if err := row.Scan(dest...); err != nil {
		return nil, notFound(err)
	}
	if err := json.Unmarshal([]byte(attrs), &u.Attributes); err != nil {
		return nil, fmt.Errorf("attributes of user %d: %w", u.id, err)
	}
	if err := json.Unmarshal([]byte(aliases), &u.Aliases); err != nil {
		return nil, fmt.Errorf("aliases of user %d: %w", u.id, err)
	}
	u.PasswordSetAt, u.CreatedAt, u.UpdatedAt = fromNullMicros(pwSet), fromMicros(created), fromMicros(updated)
	return &u, nil
}

// encodeUser returns the JSON columns of u.
func encodeUser(u *store.User) (attrs, aliases string, err error) {
	a, err := json.Marshal(u.Attributes)
	if err != nil {
		return "", "", err
	}
	if u.Attributes == nil {
		a = []byte("{}")
	}
	l, err := json.Marshal(u.Aliases)
	if err != nil {
		return "", "", err
	}
	if u.Aliases == nil {
		l = []byte("[]")
	}
	return string(a), string(l), nil
}

// CreateUser implements store.Users.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	err := s.write(ctx, func(tx *preparer) error {
		attrs, aliases, err := encodeUser(u)
		if err != nil {
			return err
		}
		row := userRow{User: *u}
		err = tx.QueryRowContext(ctx, `INSERT INTO users (pool, key, username, sub, status, enabled, attributes, aliases,
				password, password_set_at, state, created_at, updated_at)
			SELECT pk, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM pools WHERE id = ? RETURNING id, pool`,
			u.Key, u.Username, u.Sub, u.Status, u.Enabled, attrs, aliases, u.Password, nullMicros(u.PasswordSetAt),
			u.State, micros(u.CreatedAt), micros(u.UpdatedAt), u.PoolID).Scan(&row.id, &row.pool)
		if isUnique(err) {
			return store.ErrConflict
		}
		if err != nil {
			return notFound(err)
		}
		return syncIndexes(ctx, tx, nil, &row)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create user: %w", err)
	}
	return nil
}

// syncIndexes brings user_attrs and aliases from the state of old to that of
// nu; either may be nil (a user created or deleted).
func syncIndexes(ctx context.Context, tx querier, old, nu *userRow) error {
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
			if _, err := tx.ExecContext(ctx, "DELETE FROM user_attrs WHERE pool = ? AND name = ? AND value = ? AND user_id = ?",
				pool, name, ov, id); err != nil {
				return err
			}
		}
		if has {
			addAttrs = append(addAttrs, pool, name, nv, id)
		}
	}
	if err := insertRows(ctx, tx, "user_attrs (pool, name, value, user_id)", 4, addAttrs); err != nil {
		return err
	}
	for _, a := range oldAliases {
		if !slices.Contains(newAliases, a) {
			if _, err := tx.ExecContext(ctx, "DELETE FROM aliases WHERE pool = ? AND alias = ? AND user_id = ?", pool, a, id); err != nil {
				return err
			}
		}
	}
	var addAliases []any
	for i, a := range newAliases {
		if !slices.Contains(oldAliases, a) && !slices.Contains(newAliases[:i], a) {
			addAliases = append(addAliases, pool, a, id)
		}
	}
	err := insertRows(ctx, tx, "aliases (pool, alias, user_id)", 3, addAliases)
	if isUnique(err) {
		return store.ErrAliasConflict
	}
	return err
}

// insertRows inserts rows of width values each, taken in order from args,
// into table in one statement.
func insertRows(ctx context.Context, tx querier, table string, width int, args []any) error {
	if len(args) == 0 {
		return nil
	}
	row := "(?" + strings.Repeat(", ?", width-1) + ")"
	_, err := tx.ExecContext(ctx, "INSERT INTO "+table+" VALUES "+row+strings.Repeat(", "+row, len(args)/width-1), args...)
	return err
}

// GetUser implements store.Users.
func (s *Store) GetUser(ctx context.Context, poolID, key string) (*store.User, error) {
	u, err := scanUser(s.reader().QueryRowContext(ctx,
		"SELECT "+userCols+" FROM users u WHERE u.pool = "+poolPK+" AND u.key = ?", poolID, key), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get user: %w", err)
	}
	return &u.User, nil
}

// GetUserByAlias implements store.Users.
func (s *Store) GetUserByAlias(ctx context.Context, poolID, alias string) (*store.User, error) {
	u, err := scanUser(s.reader().QueryRowContext(ctx,
		"SELECT "+userCols+" FROM aliases a JOIN users u ON u.id = a.user_id WHERE a.pool = "+poolPK+" AND a.alias = ?",
		poolID, alias), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get user by alias: %w", err)
	}
	return &u.User, nil
}

// GetUserBySub implements store.Users.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (*store.User, error) {
	u, err := scanUser(s.reader().QueryRowContext(ctx,
		"SELECT "+userCols+" FROM users u WHERE u.pool = "+poolPK+" AND u.sub = ?", poolID, sub), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get user by sub: %w", err)
	}
	return &u.User, nil
}

// UpdateUser implements store.Users.
func (s *Store) UpdateUser(ctx context.Context, poolID, key string, fn func(u *store.User) error) (*store.User, error) {
	var nu *userRow
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, err := scanUser(tx.QueryRowContext(ctx,
			"SELECT "+userCols+" FROM users u WHERE u.pool = "+poolPK+" AND u.key = ?", poolID, key), poolID)
		if err != nil {
			return err
		}
		nu = &userRow{}
		*nu = *old
		nu.Attributes = maps.Clone(old.Attributes)
		nu.Aliases = slices.Clone(old.Aliases)
		nu.Password = slices.Clone(old.Password)
		nu.State = slices.Clone(old.State)
		if fnErr = fn(&nu.User); fnErr != nil {
			return fnErr
		}
		nu.PoolID, nu.Username, nu.Key, nu.Sub, nu.CreatedAt = old.PoolID, old.Username, old.Key, old.Sub, old.CreatedAt
		attrs, aliases, err := encodeUser(&nu.User)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET status = ?, enabled = ?, attributes = ?, aliases = ?,
				password = ?, password_set_at = ?, state = ?, updated_at = ? WHERE id = ?`,
			nu.Status, nu.Enabled, attrs, aliases, nu.Password, nullMicros(nu.PasswordSetAt), nu.State, micros(nu.UpdatedAt), nu.id); err != nil {
			return err
		}
		return syncIndexes(ctx, tx, old, nu)
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update user: %w", err)
	}
	nu.PasswordSetAt = fromNullMicros(nullMicros(nu.PasswordSetAt))
	nu.UpdatedAt = fromMicros(micros(nu.UpdatedAt))
	return &nu.User, nil
}

// DeleteUser implements store.Users. Memberships, sessions, codes and
// refresh tokens go with the user (ON DELETE CASCADE); attributes and
// aliases are removed here.
func (s *Store) DeleteUser(ctx context.Context, poolID, key string) error {
	err := s.write(ctx, func(tx *preparer) error {
		old, err := scanUser(tx.QueryRowContext(ctx,
			"DELETE FROM users WHERE pool = "+poolPK+" AND key = ? RETURNING "+strings.ReplaceAll(userCols, "u.", ""), poolID, key), poolID)
		if err != nil {
			return err
		}
		return syncIndexes(ctx, tx, old, nil)
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete user: %w", err)
	}
	return nil
}

// CountUsers implements store.Users: the count the pools row keeps (see
// migrations/0002_user_count.sql).
func (s *Store) CountUsers(ctx context.Context, poolID string) (int64, error) {
	var n int64
	if err := s.reader().QueryRowContext(ctx, "SELECT user_count FROM pools WHERE id = ?", poolID).Scan(&n); errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("sqlite: count users: %w", err)
	}
	return n, nil
}
