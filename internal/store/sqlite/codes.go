package sqlite

import (
	"context"
	"fmt"

	"github.com/cognate-idp/cognate/internal/store"
)

// putCode inserts a code, or replaces the user's code of the same purpose.
// It inserts no row if the user does not exist.
const putCode = `INSERT INTO codes (user_id, purpose, pool, sealed, attempts, created_at, expires_at)
	SELECT id, ?, pool, ?, ?, ?, ? FROM users WHERE pool = ` + poolPK + ` AND sub = ?
	ON CONFLICT (user_id, purpose) DO UPDATE SET sealed = excluded.sealed, attempts = excluded.attempts,
		created_at = excluded.created_at, expires_at = excluded.expires_at`

// PutCode implements store.Codes.
func (s *Store) PutCode(ctx context.Context, c *store.Code) error {
	err := affected(s.writer().ExecContext(ctx, putCode,
		c.Purpose, c.Sealed, c.Attempts, micros(c.CreatedAt), micros(c.ExpiresAt), c.PoolID, c.Sub))
	if err != nil {
		return fmt.Errorf("sqlite: put code: %w", err)
	}
	return nil
}

// getCode reads the user id and the code of the user whose pool ID and sub
// are its first arguments, for the purpose that is the third.
const getCode = "SELECT c.user_id, c.sealed, c.attempts, c.created_at, c.expires_at FROM codes c WHERE c.user_id = " + userID + " AND c.purpose = ?"

// scanCode reads a row of getCode into a code of the given user and purpose,
// and returns its user id.
func scanCode(row scanner, poolID, sub, purpose string) (*store.Code, int64, error) {
	c := store.Code{PoolID: poolID, Sub: sub, Purpose: purpose}
	var user, created, expires int64
	if err := row.Scan(&user, &c.Sealed, &c.Attempts, &created, &expires); err != nil {
		return nil, 0, notFound(err)
	}
	c.CreatedAt, c.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &c, user, nil
}

// GetCode implements store.Codes.
func (s *Store) GetCode(ctx context.Context, poolID, sub, purpose string) (*store.Code, error) {
	c, _, err := scanCode(s.reader().QueryRowContext(ctx, getCode, poolID, sub, purpose), poolID, sub, purpose)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get code: %w", err)
	}
	return c, nil
}

// UpdateCode implements store.Codes.
func (s *Store) UpdateCode(ctx context.Context, poolID, sub, purpose string, fn func(c *store.Code) error) (*store.Code, error) {
	var c *store.Code
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, user, err := scanCode(tx.QueryRowContext(ctx, getCode, poolID, sub, purpose), poolID, sub, purpose)
		if err != nil {
			return err
		}
		c = &store.Code{}
		*c = *old
		c.Sealed = append([]byte(nil), old.Sealed...)
		if fnErr = fn(c); fnErr != nil {
			return fnErr
		}
		attempts, expires := c.Attempts, c.ExpiresAt
		*c = *old
		c.Attempts, c.ExpiresAt = attempts, fromMicros(micros(expires))
		_, err = tx.ExecContext(ctx, "UPDATE codes SET attempts = ?, expires_at = ? WHERE user_id = ? AND purpose = ?",
			c.Attempts, micros(c.ExpiresAt), user, purpose)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update code: %w", err)
	}
	return c, nil
}

// DeleteCode implements store.Codes.
func (s *Store) DeleteCode(ctx context.Context, poolID, sub, purpose string) error {
	err := affected(s.writer().ExecContext(ctx, "DELETE FROM codes WHERE user_id = "+userID+" AND purpose = ?", poolID, sub, purpose))
	if err != nil {
		return fmt.Errorf("sqlite: delete code: %w", err)
	}
	return nil
}

// DeleteUserCodes implements store.Codes.
func (s *Store) DeleteUserCodes(ctx context.Context, poolID, sub string) error {
	if _, err := s.writer().ExecContext(ctx, "DELETE FROM codes WHERE user_id = "+userID, poolID, sub); err != nil {
		return fmt.Errorf("sqlite: delete user codes: %w", err)
	}
	return nil
}
