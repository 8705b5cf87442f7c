package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

const groupCols = "g.name, g.description, g.role_arn, g.precedence, g.created_at, g.updated_at"

func scanGroup(row scanner, poolID string) (*store.Group, error) {
	g := store.Group{PoolID: poolID}
	if err := row.Scan(&g.Name, &g.Description, &g.RoleArn, &g.Precedence, &g.CreatedAt, &g.UpdatedAt); err != nil {
		return nil, notFound(err)
	}
	g.CreatedAt, g.UpdatedAt = g.CreatedAt.UTC(), g.UpdatedAt.UTC()
	return &g, nil
}

// CreateGroup implements store.Groups.
func (s *Store) CreateGroup(ctx context.Context, g *store.Group) error {
	err := changed(s.exec(ctx, `INSERT INTO user_groups (pool, name, description, role_arn, precedence, created_at, updated_at)
		SELECT pk, $2, $3, $4, $5, $6, $7 FROM pools WHERE id = $1`,
		g.PoolID, g.Name, g.Description, g.RoleArn, g.Precedence, ts(g.CreatedAt), ts(g.UpdatedAt)))
	if err != nil {
		return fmt.Errorf("postgres: create group: %w", mapErr(err))
	}
	return nil
}

// GetGroup implements store.Groups.
func (s *Store) GetGroup(ctx context.Context, poolID, name string) (*store.Group, error) {
	g, err := scanGroup(s.q().QueryRow(ctx,
		"SELECT "+groupCols+" FROM user_groups g WHERE g.pool = "+poolPK+" AND g.name = $2", poolID, name), poolID)
	if err != nil {
		return nil, fmt.Errorf("postgres: get group: %w", err)
	}
	return g, nil
}

// UpdateGroup implements store.Groups.
func (s *Store) UpdateGroup(ctx context.Context, poolID, name string, fn func(g *store.Group) error) (*store.Group, error) {
	var g *store.Group
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		old, err := scanGroup(tx.QueryRow(ctx,
			"SELECT "+groupCols+" FROM user_groups g WHERE g.pool = "+poolPK+" AND g.name = $2 FOR UPDATE", poolID, name), poolID)
		if err != nil {
			return err
		}
		g = &store.Group{}
		*g = *old
		if old.Precedence != nil {
			p := *old.Precedence
			g.Precedence = &p
		}
		if fnErr = fn(g); fnErr != nil {
			return fnErr
		}
		g.PoolID, g.Name, g.CreatedAt, g.UpdatedAt = old.PoolID, old.Name, old.CreatedAt, ts(g.UpdatedAt)
		_, err = tx.Exec(ctx, `UPDATE user_groups SET description = $3, role_arn = $4, precedence = $5, updated_at = $6
			WHERE pool = `+poolPK+` AND name = $2`,
			poolID, name, g.Description, g.RoleArn, g.Precedence, g.UpdatedAt)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update group: %w", err)
	}
	return g, nil
}

// DeleteGroup implements store.Groups. Memberships go with the group
// (ON DELETE CASCADE).
func (s *Store) DeleteGroup(ctx context.Context, poolID, name string) error {
	if err := changed(s.exec(ctx, "DELETE FROM user_groups WHERE pool = "+poolPK+" AND name = $2", poolID, name)); err != nil {
		return fmt.Errorf("postgres: delete group: %w", err)
	}
	return nil
}

// ListGroups implements store.Groups.
func (s *Store) ListGroups(ctx context.Context, poolID string, page store.Page) ([]store.Group, string, error) {
	groups, next, err := listPage(ctx, s.q(), page, []string{"groups", poolID},
		"SELECT "+groupCols+" FROM user_groups g WHERE g.pool = "+poolPK, []any{poolID}, "g.name",
		groupScanner(poolID), groupName)
	if err != nil {
		return nil, "", fmt.Errorf("postgres: list groups: %w", err)
	}
	return groups, next, nil
}

func groupScanner(poolID string) func(scanner) (store.Group, error) {
	return func(row scanner) (store.Group, error) {
		g, err := scanGroup(row, poolID)
		if err != nil {
			return store.Group{}, err
		}
		return *g, nil
	}
}

func groupName(g store.Group) string { return g.Name }

// member selects the pool key if user $2 and group $3 of pool $1 exist.
const member = `WITH m AS (
	SELECT u.pool FROM users u JOIN user_groups g ON g.pool = u.pool AND g.name = $3
	WHERE u.pool = ` + poolPK + ` AND u.key = $2
)`

// AddUserToGroup implements store.Groups.
func (s *Store) AddUserToGroup(ctx context.Context, poolID, userKey, group string) error {
	var n int64
	err := s.queryRow(ctx, []any{&n}, member+`, i AS (
		INSERT INTO memberships (pool, group_name, user_key) SELECT pool, $3, $2 FROM m ON CONFLICT DO NOTHING
	) SELECT count(*) FROM m`, poolID, userKey, group)
	if err := changed(n, mapErr(err)); err != nil {
		return fmt.Errorf("postgres: add user to group: %w", err)
	}
	return nil
}

// RemoveUserFromGroup implements store.Groups.
func (s *Store) RemoveUserFromGroup(ctx context.Context, poolID, userKey, group string) error {
	var n int64
	err := s.queryRow(ctx, []any{&n}, member+`, d AS (
		DELETE FROM memberships x USING m WHERE x.pool = m.pool AND x.group_name = $3 AND x.user_key = $2
	) SELECT count(*) FROM m`, poolID, userKey, group)
	if err := changed(n, err); err != nil {
		return fmt.Errorf("postgres: remove user from group: %w", err)
	}
	return nil
}

// ListGroupsForUser implements store.Groups.
func (s *Store) ListGroupsForUser(ctx context.Context, poolID, userKey string, page store.Page) ([]store.Group, string, error) {
	groups, next, err := listPage(ctx, s.q(), page, []string{"groupsforuser", poolID, userKey},
		"SELECT "+groupCols+` FROM memberships m JOIN user_groups g ON g.pool = m.pool AND g.name = m.group_name
			WHERE m.pool = `+poolPK+" AND m.user_key = $2", []any{poolID, userKey}, "m.group_name",
		groupScanner(poolID), groupName)
	if err != nil {
		return nil, "", fmt.Errorf("postgres: list groups for user: %w", err)
	}
	return groups, next, nil
}

// ListUsersInGroup implements store.Groups.
func (s *Store) ListUsersInGroup(ctx context.Context, poolID, group string, page store.Page) ([]store.User, string, error) {
	users, next, err := listPage(ctx, s.q(), page, []string{"usersingroup", poolID, group},
		"SELECT "+userCols+` FROM memberships m JOIN users u ON u.pool = m.pool AND u.key = m.user_key
			WHERE m.pool = `+poolPK+" AND m.group_name = $2", []any{poolID, group}, "m.user_key",
		func(row scanner) (store.User, error) {
			u, err := scanUser(row, poolID)
			if err != nil {
				return store.User{}, err
			}
			return u.User, nil
		},
		func(u store.User) string { return u.Key })
	if err != nil {
		return nil, "", fmt.Errorf("postgres: list users in group: %w", err)
	}
	return users, next, nil
}
