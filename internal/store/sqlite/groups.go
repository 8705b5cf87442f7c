package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/cognate-idp/cognate/internal/store"
)

const groupCols = "g.name, g.description, g.role_arn, g.precedence, g.created_at, g.updated_at"

func scanGroup(row scanner, poolID string) (*store.Group, error) {
	g := store.Group{PoolID: poolID}
	var prec sql.NullInt32
	var created, updated int64
	if err := row.Scan(&g.Name, &g.Description, &g.RoleArn, &prec, &created, &updated); err != nil {
		return nil, notFound(err)
	}
	if prec.Valid {
		g.Precedence = &prec.Int32
	}
	g.CreatedAt, g.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &g, nil
}

// CreateGroup implements store.Groups.
func (s *Store) CreateGroup(ctx context.Context, g *store.Group) error {
	err := affected(s.writer().ExecContext(ctx, `INSERT INTO user_groups (pool, name, description, role_arn, precedence, created_at, updated_at)
		SELECT pk, ?, ?, ?, ?, ?, ? FROM pools WHERE id = ?`,
		g.Name, g.Description, g.RoleArn, g.Precedence, micros(g.CreatedAt), micros(g.UpdatedAt), g.PoolID))
	if isUnique(err) {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create group: %w", err)
	}
	return nil
}

// GetGroup implements store.Groups.
func (s *Store) GetGroup(ctx context.Context, poolID, name string) (*store.Group, error) {
	g, err := scanGroup(s.reader().QueryRowContext(ctx,
		"SELECT "+groupCols+" FROM user_groups g WHERE g.pool = "+poolPK+" AND g.name = ?", poolID, name), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get group: %w", err)
	}
	return g, nil
}

// UpdateGroup implements store.Groups.
func (s *Store) UpdateGroup(ctx context.Context, poolID, name string, fn func(g *store.Group) error) (*store.Group, error) {
	var g *store.Group
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, err := scanGroup(tx.QueryRowContext(ctx,
			"SELECT "+groupCols+" FROM user_groups g WHERE g.pool = "+poolPK+" AND g.name = ?", poolID, name), poolID)
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
		g.PoolID, g.Name, g.CreatedAt = old.PoolID, old.Name, old.CreatedAt
		_, err = tx.ExecContext(ctx, `UPDATE user_groups SET description = ?, role_arn = ?, precedence = ?, updated_at = ?
			WHERE pool = `+poolPK+` AND name = ?`,
			g.Description, g.RoleArn, g.Precedence, micros(g.UpdatedAt), poolID, name)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update group: %w", err)
	}
	g.UpdatedAt = fromMicros(micros(g.UpdatedAt))
	return g, nil
}

// DeleteGroup implements store.Groups. Memberships go with the group
// (ON DELETE CASCADE).
func (s *Store) DeleteGroup(ctx context.Context, poolID, name string) error {
	err := affected(s.writer().ExecContext(ctx, "DELETE FROM user_groups WHERE pool = "+poolPK+" AND name = ?", poolID, name))
	if err != nil {
		return fmt.Errorf("sqlite: delete group: %w", err)
	}
	return nil
}

// ListGroups implements store.Groups.
func (s *Store) ListGroups(ctx context.Context, poolID string, page store.Page) ([]store.Group, string, error) {
	groups, next, err := listPage(ctx, s.reader(), page, []string{"groups", poolID},
		"SELECT "+groupCols+" FROM user_groups g WHERE g.pool = "+poolPK, []any{poolID}, "g.name",
		groupScanner(poolID), groupName)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list groups: %w", err)
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

// membership checks that the user and the group exist and returns the
// pool's key.
func membership(ctx context.Context, tx querier, poolID, userKey, group string) (int64, error) {
	var pool int64
	err := tx.QueryRowContext(ctx, `SELECT u.pool FROM users u JOIN user_groups g ON g.pool = u.pool AND g.name = ?
		WHERE u.pool = `+poolPK+` AND u.key = ?`, group, poolID, userKey).Scan(&pool)
	return pool, notFound(err)
}

// AddUserToGroup implements store.Groups.
func (s *Store) AddUserToGroup(ctx context.Context, poolID, userKey, group string) error {
	err := s.write(ctx, func(tx *preparer) error {
		pool, err := membership(ctx, tx, poolID, userKey, group)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO memberships (pool, group_name, user_key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			pool, group, userKey)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: add user to group: %w", err)
	}
	return nil
}

// RemoveUserFromGroup implements store.Groups.
func (s *Store) RemoveUserFromGroup(ctx context.Context, poolID, userKey, group string) error {
	err := s.write(ctx, func(tx *preparer) error {
		pool, err := membership(ctx, tx, poolID, userKey, group)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM memberships WHERE pool = ? AND group_name = ? AND user_key = ?", pool, group, userKey)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: remove user from group: %w", err)
	}
	return nil
}

// ListGroupsForUser implements store.Groups.
func (s *Store) ListGroupsForUser(ctx context.Context, poolID, userKey string, page store.Page) ([]store.Group, string, error) {
	groups, next, err := listPage(ctx, s.reader(), page, []string{"groupsforuser", poolID, userKey},
		"SELECT "+groupCols+` FROM memberships m JOIN user_groups g ON g.pool = m.pool AND g.name = m.group_name
			WHERE m.pool = `+poolPK+" AND m.user_key = ?", []any{poolID, userKey}, "m.group_name",
		groupScanner(poolID), groupName)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list groups for user: %w", err)
	}
	return groups, next, nil
}

// ListUsersInGroup implements store.Groups.
func (s *Store) ListUsersInGroup(ctx context.Context, poolID, group string, page store.Page) ([]store.User, string, error) {
	users, next, err := listPage(ctx, s.reader(), page, []string{"usersingroup", poolID, group},
		"SELECT "+userCols+` FROM memberships m JOIN users u ON u.pool = m.pool AND u.key = m.user_key
			WHERE m.pool = `+poolPK+" AND m.group_name = ?", []any{poolID, group}, "m.user_key",
		func(row scanner) (store.User, error) {
			u, err := scanUser(row, poolID)
			if err != nil {
				return store.User{}, err
			}
			return u.User, nil
		},
		func(u store.User) string { return u.Key })
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list users in group: %w", err)
	}
	return users, next, nil
}
