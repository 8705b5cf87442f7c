package sqlstore

import (
	"context"

	"github.com/cognate-idp/cognate/internal/store"
)

const groupCols = "g.name, g.description, g.role_arn, g.precedence, g.created_at, g.updated_at"

func scanGroup(row Row, poolID string) (*store.Group, error) {
	g := store.Group{PoolID: poolID}
	if err := row.Scan(&g.Name, &g.Description, &g.RoleArn, &g.Precedence, at(&g.CreatedAt), at(&g.UpdatedAt)); err != nil {
		return nil, notFound(err)
	}
	return &g, nil
}

// CreateGroup implements store.Groups.
func (s *Store) CreateGroup(ctx context.Context, g *store.Group, max int) error {
	err := s.c.Write(ctx, func(tx Executor) error {
		pk, err := s.claimPoolSlot(ctx, tx, g.PoolID, "user_groups", max)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO user_groups (pool, name, description, role_arn, precedence, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			pk, g.Name, g.Description, g.RoleArn, g.Precedence, s.t(g.CreatedAt), s.t(g.UpdatedAt))
		return err
	})
	if err != nil {
		return s.errorf("create group", s.mapErr(err))
	}
	return nil
}

// GetGroup implements store.Groups.
func (s *Store) GetGroup(ctx context.Context, poolID, name string) (*store.Group, error) {
	g, err := scanGroup(s.c.Read().QueryRow(ctx,
		"SELECT "+groupCols+" FROM user_groups g WHERE g.pool = "+poolPK+" AND g.name = $2", poolID, name), poolID)
	if err != nil {
		return nil, s.errorf("get group", err)
	}
	return g, nil
}

// UpdateGroup implements store.Groups.
func (s *Store) UpdateGroup(ctx context.Context, poolID, name string, fn func(g *store.Group) error) (*store.Group, error) {
	var g *store.Group
	err := s.update(ctx, "update group", func(ex Executor) error {
		old, err := scanGroup(ex.QueryRow(ctx,
			"SELECT "+groupCols+" FROM user_groups g WHERE g.pool = "+poolPK+" AND g.name = $2"+s.d.Lock("FOR UPDATE"), poolID, name), poolID)
		if err != nil {
			return err
		}
		g = &store.Group{}
		*g = *old
		if old.Precedence != nil {
			p := *old.Precedence
			g.Precedence = &p
		}
		if err := call(fn(g)); err != nil {
			return err
		}
		g.PoolID, g.Name, g.CreatedAt, g.UpdatedAt = old.PoolID, old.Name, old.CreatedAt, micro(g.UpdatedAt)
		_, err = ex.Exec(ctx, `UPDATE user_groups SET description = $3, role_arn = $4, precedence = $5, updated_at = $6
			WHERE pool = `+poolPK+` AND name = $2`,
			poolID, name, g.Description, g.RoleArn, g.Precedence, s.t(g.UpdatedAt))
		return err
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// DeleteGroup implements store.Groups. Memberships go with the group
// (ON DELETE CASCADE).
func (s *Store) DeleteGroup(ctx context.Context, poolID, name string) error {
	if err := changed(s.c.Exec(ctx, "DELETE FROM user_groups WHERE pool = "+poolPK+" AND name = $2", poolID, name)); err != nil {
		return s.errorf("delete group", err)
	}
	return nil
}

// ListGroups implements store.Groups.
func (s *Store) ListGroups(ctx context.Context, poolID string, page store.Page) ([]store.Group, string, error) {
	groups, next, err := listPage(ctx, s.c.Read(), page, []string{"groups", poolID},
		"SELECT "+groupCols+" FROM user_groups g WHERE g.pool = "+poolPK, []any{poolID}, "g.name",
		groupScanner(poolID), groupName)
	if err != nil {
		return nil, "", s.errorf("list groups", err)
	}
	return groups, next, nil
}

func groupScanner(poolID string) func(Row) (*store.Group, error) {
	return func(row Row) (*store.Group, error) { return scanGroup(row, poolID) }
}

func groupName(g store.Group) string { return g.Name }

// membership returns the pool key if user $2 and group $3 of pool $1 exist,
// or ErrNotFound.
func membership(ctx context.Context, ex Executor, poolID, userKey, group string) (int64, error) {
	var pool int64
	err := ex.QueryRow(ctx, `SELECT u.pool FROM users u JOIN user_groups g ON g.pool = u.pool AND g.name = $3
		WHERE u.pool = `+poolPK+` AND u.key = $2`, poolID, userKey, group).Scan(&pool)
	return pool, notFound(err)
}

// AddUserToGroup implements store.Groups.
func (s *Store) AddUserToGroup(ctx context.Context, poolID, userKey, group string) error {
	err := s.c.Write(ctx, func(ex Executor) error {
		pool, err := membership(ctx, ex, poolID, userKey, group)
		if err != nil {
			return err
		}
		_, err = ex.Exec(ctx, "INSERT INTO memberships (pool, group_name, user_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
			pool, group, userKey)
		return err
	})
	if err != nil {
		return s.errorf("add user to group", s.mapErr(err))
	}
	return nil
}

// RemoveUserFromGroup implements store.Groups.
func (s *Store) RemoveUserFromGroup(ctx context.Context, poolID, userKey, group string) error {
	err := s.c.Write(ctx, func(ex Executor) error {
		pool, err := membership(ctx, ex, poolID, userKey, group)
		if err != nil {
			return err
		}
		_, err = ex.Exec(ctx, "DELETE FROM memberships WHERE pool = $1 AND group_name = $2 AND user_key = $3", pool, group, userKey)
		return err
	})
	if err != nil {
		return s.errorf("remove user from group", err)
	}
	return nil
}

// ListGroupsForUser implements store.Groups.
func (s *Store) ListGroupsForUser(ctx context.Context, poolID, userKey string, page store.Page) ([]store.Group, string, error) {
	groups, next, err := listPage(ctx, s.c.Read(), page, []string{"groupsforuser", poolID, userKey},
		"SELECT "+groupCols+` FROM memberships m JOIN user_groups g ON g.pool = m.pool AND g.name = m.group_name
			WHERE m.pool = `+poolPK+" AND m.user_key = $2", []any{poolID, userKey}, "m.group_name",
		groupScanner(poolID), groupName)
	if err != nil {
		return nil, "", s.errorf("list groups for user", err)
	}
	return groups, next, nil
}

// ListUsersInGroup implements store.Groups.
func (s *Store) ListUsersInGroup(ctx context.Context, poolID, group string, page store.Page) ([]store.User, string, error) {
	users, next, err := listPage(ctx, s.c.Read(), page, []string{"usersingroup", poolID, group},
		"SELECT "+userCols+` FROM memberships m JOIN users u ON u.pool = m.pool AND u.key = m.user_key
			WHERE m.pool = `+poolPK+" AND m.group_name = $2", []any{poolID, group}, "m.user_key",
		func(row Row) (*store.User, error) {
			u, err := s.scanUser(row, poolID)
			if err != nil {
				return nil, err
			}
			return &u.User, nil
		},
		func(u store.User) string { return u.Key })
	if err != nil {
		return nil, "", s.errorf("list users in group", err)
	}
	return users, next, nil
}
