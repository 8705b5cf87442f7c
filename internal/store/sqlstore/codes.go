package sqlstore

import (
	"context"
	"slices"

	"github.com/cognate-idp/cognate/internal/store"
)

// putCode inserts a code, or replaces the user's code of the same purpose.
// It inserts no row if the user does not exist.
const putCode = `INSERT INTO codes (user_id, purpose, pool, sealed, attempts, created_at, expires_at)
	SELECT id, $3, pool, $4, $5, $6, $7 FROM users WHERE pool = ` + poolPK + ` AND sub = $2
	ON CONFLICT (user_id, purpose) DO UPDATE SET sealed = excluded.sealed, attempts = excluded.attempts,
		created_at = excluded.created_at, expires_at = excluded.expires_at`

// PutCode implements store.Codes.
func (s *Store) PutCode(ctx context.Context, c *store.Code) error {
	err := changed(s.c.Exec(ctx, putCode,
		c.PoolID, c.Sub, c.Purpose, c.Sealed, c.Attempts, s.t(c.CreatedAt), s.t(c.ExpiresAt)))
	if err != nil {
		return s.errorf("put code", s.mapErr(err))
	}
	return nil
}

// getCode reads the user id and the code of the user whose pool ID is $1
// and whose sub is $2, for the purpose $3.
const getCode = "SELECT c.user_id, c.sealed, c.attempts, c.created_at, c.expires_at FROM codes c WHERE c.user_id = " + userID + " AND c.purpose = $3"

// scanCode reads a row of getCode into a code of the given user and purpose,
// and returns its user id.
func scanCode(row Row, poolID, sub, purpose string) (*store.Code, int64, error) {
	c := store.Code{PoolID: poolID, Sub: sub, Purpose: purpose}
	var user int64
	if err := row.Scan(&user, &c.Sealed, &c.Attempts, at(&c.CreatedAt), at(&c.ExpiresAt)); err != nil {
		return nil, 0, notFound(err)
	}
	return &c, user, nil
}

// GetCode implements store.Codes.
func (s *Store) GetCode(ctx context.Context, poolID, sub, purpose string) (*store.Code, error) {
	c, _, err := scanCode(s.c.Read().QueryRow(ctx, getCode, poolID, sub, purpose), poolID, sub, purpose)
	if err != nil {
		return nil, s.errorf("get code", err)
	}
	return c, nil
}

// UpdateCode implements store.Codes.
func (s *Store) UpdateCode(ctx context.Context, poolID, sub, purpose string, fn func(c *store.Code) error) (*store.Code, error) {
	var c *store.Code
	err := s.update(ctx, "update code", func(tx Executor) error {
		old, user, err := scanCode(tx.QueryRow(ctx, getCode+""+s.d.Lock("FOR UPDATE"), poolID, sub, purpose), poolID, sub, purpose)
		if err != nil {
			return err
		}
		c = &store.Code{}
		*c = *old
		c.Sealed = slices.Clone(old.Sealed)
		if err := call(fn(c)); err != nil {
			return err
		}
		attempts, expires := c.Attempts, c.ExpiresAt
		*c = *old
		c.Attempts, c.ExpiresAt = attempts, micro(expires)
		_, err = tx.Exec(ctx, "UPDATE codes SET attempts = $1, expires_at = $2 WHERE user_id = $3 AND purpose = $4",
			c.Attempts, s.t(c.ExpiresAt), user, purpose)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteCode implements store.Codes.
func (s *Store) DeleteCode(ctx context.Context, poolID, sub, purpose string) error {
	err := changed(s.c.Exec(ctx, "DELETE FROM codes WHERE user_id = "+userID+" AND purpose = $3", poolID, sub, purpose))
	if err != nil {
		return s.errorf("delete code", err)
	}
	return nil
}

// TakeCode implements store.Codes.
func (s *Store) TakeCode(ctx context.Context, poolID, sub, purpose string) (*store.Code, error) {
	c := &store.Code{PoolID: poolID, Sub: sub, Purpose: purpose}
	err := s.c.Write(ctx, func(tx Executor) error {
		return notFound(tx.QueryRow(ctx, "DELETE FROM codes WHERE user_id = "+userID+" AND purpose = $3 RETURNING sealed, attempts, created_at, expires_at",
			poolID, sub, purpose).Scan(&c.Sealed, &c.Attempts, at(&c.CreatedAt), at(&c.ExpiresAt)))
	})
	if err != nil {
		return nil, s.errorf("take code", err)
	}
	return c, nil
}

// DeleteUserCodes implements store.Codes.
func (s *Store) DeleteUserCodes(ctx context.Context, poolID, sub string) error {
	if _, err := s.c.Exec(ctx, "DELETE FROM codes WHERE user_id = "+userID, poolID, sub); err != nil {
		return s.errorf("delete user codes", err)
	}
	return nil
}
