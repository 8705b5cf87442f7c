package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

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
	err := changed(s.exec(ctx, putCode,
		c.PoolID, c.Sub, c.Purpose, c.Sealed, c.Attempts, ts(c.CreatedAt), ts(c.ExpiresAt)))
	if err != nil {
		return fmt.Errorf("postgres: put code: %w", mapErr(err))
	}
	return nil
}

// getCode reads the user id and the code of the user whose pool ID is $1
// and whose sub is $2, for the purpose $3.
const getCode = "SELECT c.user_id, c.sealed, c.attempts, c.created_at, c.expires_at FROM codes c WHERE c.user_id = " + userID + " AND c.purpose = $3"

// scanCode reads a row of getCode into a code of the given user and purpose,
// and returns its user id.
func scanCode(row scanner, poolID, sub, purpose string) (*store.Code, int64, error) {
	c := store.Code{PoolID: poolID, Sub: sub, Purpose: purpose}
	var user int64
	if err := row.Scan(&user, &c.Sealed, &c.Attempts, &c.CreatedAt, &c.ExpiresAt); err != nil {
		return nil, 0, notFound(err)
	}
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	return &c, user, nil
}

// GetCode implements store.Codes.
func (s *Store) GetCode(ctx context.Context, poolID, sub, purpose string) (*store.Code, error) {
	c, _, err := scanCode(s.q().QueryRow(ctx, getCode, poolID, sub, purpose), poolID, sub, purpose)
	if err != nil {
		return nil, fmt.Errorf("postgres: get code: %w", err)
	}
	return c, nil
}

// UpdateCode implements store.Codes.
func (s *Store) UpdateCode(ctx context.Context, poolID, sub, purpose string, fn func(c *store.Code) error) (*store.Code, error) {
	var c *store.Code
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		old, user, err := scanCode(tx.QueryRow(ctx, getCode+" FOR UPDATE", poolID, sub, purpose), poolID, sub, purpose)
		if err != nil {
			return err
		}
		c = &store.Code{}
		*c = *old
		c.Sealed = slices.Clone(old.Sealed)
		if fnErr = fn(c); fnErr != nil {
			return fnErr
		}
		attempts, expires := c.Attempts, c.ExpiresAt
		*c = *old
		c.Attempts, c.ExpiresAt = attempts, ts(expires)
		_, err = tx.Exec(ctx, "UPDATE codes SET attempts = $1, expires_at = $2 WHERE user_id = $3 AND purpose = $4",
			c.Attempts, c.ExpiresAt, user, purpose)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update code: %w", err)
	}
	return c, nil
}

// DeleteCode implements store.Codes.
func (s *Store) DeleteCode(ctx context.Context, poolID, sub, purpose string) error {
	err := changed(s.exec(ctx, "DELETE FROM codes WHERE user_id = "+userID+" AND purpose = $3", poolID, sub, purpose))
	if err != nil {
		return fmt.Errorf("postgres: delete code: %w", err)
	}
	return nil
}

// DeleteUserCodes implements store.Codes.
func (s *Store) DeleteUserCodes(ctx context.Context, poolID, sub string) error {
	if _, err := s.exec(ctx, "DELETE FROM codes WHERE user_id = "+userID, poolID, sub); err != nil {
		return fmt.Errorf("postgres: delete user codes: %w", err)
	}
	return nil
}
