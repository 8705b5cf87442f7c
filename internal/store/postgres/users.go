package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

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
	var pwSet *time.Time
	dest := append(extra, &u.id, &u.pool, &u.Username, &u.Key, &u.Sub, &u.Status, &u.Enabled, &u.Attributes, &u.Aliases,
		&u.Password, &pwSet, &u.State, &u.CreatedAt, &u.UpdatedAt)
	if err := row.Scan(dest...); err != nil {
		return nil, notFound(err)
	}
	u.PasswordSetAt, u.CreatedAt, u.UpdatedAt = fromNullTS(pwSet), u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// columns returns the attributes and aliases of u as stored: never NULL.
func columns(u *store.User) (map[string]string, []string) {
	attrs, aliases := u.Attributes, u.Aliases
	if attrs == nil {
		attrs = map[string]string{}
	}
	if aliases == nil {
		aliases = []string{}
	}
	return attrs, aliases
}

// indexed returns the names and values of u's attributes that user_attrs
// indexes.
func indexed(attrs map[string]string) (names, values []string) {
	for _, n := range store.IndexedAttributes {
		if v, ok := attrs[n]; ok {
			names, values = append(names, n), append(values, v)
		}
	}
	return names, values
}

// createUser inserts the user, its indexed attributes and its aliases in one
// statement. It returns no row if the pool does not exist.
const createUser = `WITH u AS (
	INSERT INTO users (pool, key, username, sub, status, enabled, attributes, aliases,
		password, password_set_at, state, created_at, updated_at)
	SELECT pk, $2, $3, $4, $5, $6, $7, $8, $9, $10, $15, $11, $12 FROM pools WHERE id = $1
	RETURNING id, pool
), a AS (
	INSERT INTO user_attrs (pool, name, value, user_id)
	SELECT u.pool, x.name, x.value, u.id FROM u, unnest($13::text[], $14::text[]) AS x (name, value)
), l AS (
	INSERT INTO aliases (pool, alias, user_id)
	SELECT u.pool, x.alias, u.id FROM u, (SELECT DISTINCT unnest($8::text[]) AS alias) AS x
)
SELECT id FROM u`

// CreateUser implements store.Users.
func (s *Store) CreateUser(ctx context.Context, u *store.User) error {
	attrs, aliases := columns(u)
	names, values := indexed(attrs)
	var id int64
	err := s.queryRow(ctx, []any{&id}, createUser,
		u.PoolID, u.Key, u.Username, u.Sub, u.Status, u.Enabled, attrs, aliases,
		u.Password, nullTS(u.PasswordSetAt), ts(u.CreatedAt), ts(u.UpdatedAt), names, values, u.State)
	if err != nil {
		return fmt.Errorf("postgres: create user: %w", mapErr(err))
	}
	return nil
}

// GetUser implements store.Users.
func (s *Store) GetUser(ctx context.Context, poolID, key string) (*store.User, error) {
	u, err := scanUser(s.q().QueryRow(ctx,
		"SELECT "+userCols+" FROM users u WHERE u.pool = "+poolPK+" AND u.key = $2", poolID, key), poolID)
	if err != nil {
		return nil, fmt.Errorf("postgres: get user: %w", err)
	}
	return &u.User, nil
}

// GetUserByAlias implements store.Users.
func (s *Store) GetUserByAlias(ctx context.Context, poolID, alias string) (*store.User, error) {
	u, err := scanUser(s.q().QueryRow(ctx,
		"SELECT "+userCols+" FROM aliases a JOIN users u ON u.id = a.user_id WHERE a.pool = "+poolPK+" AND a.alias = $2",
		poolID, alias), poolID)
	if err != nil {
		return nil, fmt.Errorf("postgres: get user by alias: %w", err)
	}
	return &u.User, nil
}

// GetUserBySub implements store.Users.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (*store.User, error) {
	u, err := scanUser(s.q().QueryRow(ctx,
		"SELECT "+userCols+" FROM users u WHERE u.pool = "+poolPK+" AND u.sub = $2", poolID, sub), poolID)
	if err != nil {
		return nil, fmt.Errorf("postgres: get user by sub: %w", err)
	}
	return &u.User, nil
}

// UpdateUser implements store.Users.
func (s *Store) UpdateUser(ctx context.Context, poolID, key string, fn func(u *store.User) error) (*store.User, error) {
	var nu *userRow
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		old, err := scanUser(tx.QueryRow(ctx,
			"SELECT "+userCols+" FROM users u WHERE u.pool = "+poolPK+" AND u.key = $2 FOR UPDATE", poolID, key), poolID)
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
		nu.UpdatedAt = ts(nu.UpdatedAt)
		nu.PasswordSetAt = fromNullTS(nullTS(nu.PasswordSetAt))
		return updateUser(ctx, tx, old, nu)
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update user: %w", mapErr(err))
	}
	return &nu.User, nil
}

// updateUser writes nu over old, and brings user_attrs and aliases in step,
// in one round trip.
func updateUser(ctx context.Context, tx pgx.Tx, old, nu *userRow) error {
	attrs, aliases := columns(&nu.User)
	var b pgx.Batch
	b.Queue(`UPDATE users SET status = $1, enabled = $2, attributes = $3, aliases = $4,
		password = $5, password_set_at = $6, state = $7, updated_at = $8 WHERE id = $9`,
		nu.Status, nu.Enabled, attrs, aliases, nu.Password, nullTS(nu.PasswordSetAt), nu.State, nu.UpdatedAt, nu.id)

	var delNames, delValues, addNames, addValues []string
	for _, n := range store.IndexedAttributes {
		ov, had := old.Attributes[n]
		nv, has := nu.Attributes[n]
		if had == has && ov == nv {
			continue
		}
		if had {
			delNames, delValues = append(delNames, n), append(delValues, ov)
		}
		if has {
			addNames, addValues = append(addNames, n), append(addValues, nv)
		}
	}
	if len(delNames) > 0 {
		b.Queue(`DELETE FROM user_attrs WHERE pool = $1 AND user_id = $2
			AND (name, value) IN (SELECT * FROM unnest($3::text[], $4::text[]))`, nu.pool, nu.id, delNames, delValues)
	}
	if len(addNames) > 0 {
		b.Queue(`INSERT INTO user_attrs (pool, name, value, user_id)
			SELECT $1, x.name, x.value, $2 FROM unnest($3::text[], $4::text[]) AS x (name, value)`, nu.pool, nu.id, addNames, addValues)
	}
	var delAliases, addAliases []string
	for _, a := range old.Aliases {
		if !slices.Contains(nu.Aliases, a) {
			delAliases = append(delAliases, a)
		}
	}
	for _, a := range nu.Aliases {
		if !slices.Contains(old.Aliases, a) && !slices.Contains(addAliases, a) {
			addAliases = append(addAliases, a)
		}
	}
	if len(delAliases) > 0 {
		b.Queue("DELETE FROM aliases WHERE pool = $1 AND user_id = $2 AND alias = ANY ($3)", nu.pool, nu.id, delAliases)
	}
	if len(addAliases) > 0 {
		b.Queue("INSERT INTO aliases (pool, alias, user_id) SELECT $1, x, $2 FROM unnest($3::text[]) AS x", nu.pool, nu.id, addAliases)
	}
	return tx.SendBatch(ctx, &b).Close()
}

// deleteUser deletes the user with its indexed attributes and aliases in one
// statement; memberships, sessions, codes and refresh tokens go with it
// (ON DELETE CASCADE). It counts the users deleted.
const deleteUser = `WITH u AS (
	DELETE FROM users WHERE pool = ` + poolPK + ` AND key = $2 RETURNING id, pool, attributes, aliases
), a AS (
	DELETE FROM user_attrs x USING u, jsonb_each_text(u.attributes) AS j
	WHERE x.pool = u.pool AND x.name = j.key AND x.value = j.value AND x.user_id = u.id
), l AS (
	DELETE FROM aliases x USING u WHERE x.pool = u.pool AND x.alias = ANY (u.aliases) AND x.user_id = u.id
)
SELECT count(*) FROM u`

// DeleteUser implements store.Users.
func (s *Store) DeleteUser(ctx context.Context, poolID, key string) error {
	var n int64
	err := s.queryRow(ctx, []any{&n}, deleteUser, poolID, key)
	if err := changed(n, err); err != nil {
		return fmt.Errorf("postgres: delete user: %w", err)
	}
	return nil
}

// CountUsers implements store.Users: the count the pools row keeps (see
// migrations/0002_user_count.sql).
func (s *Store) CountUsers(ctx context.Context, poolID string) (int64, error) {
	var n int64
	if err := s.q().QueryRow(ctx, "SELECT user_count FROM pools WHERE id = $1", poolID).Scan(&n); errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("postgres: count users: %w", err)
	}
	return n, nil
}
