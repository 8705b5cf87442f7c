package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

// tokenCols are the columns scanToken reads, from tokenFrom.
const tokenCols = "t.id, t.family, p.id, t.client_id, u.sub, t.auth_time, t.created_at, t.expires_at, t.rotated_at, t.revoked"

// tokenFrom joins each refresh token to its pool's ID and its user's sub.
const tokenFrom = " FROM refresh_tokens t JOIN pools p ON p.pk = t.pool JOIN users u ON u.id = t.user_id"

func scanToken(row scanner) (*store.RefreshToken, error) {
	var t store.RefreshToken
	var rotated *time.Time
	if err := row.Scan(&t.ID, &t.Family, &t.PoolID, &t.ClientID, &t.Sub, &t.AuthTime, &t.CreatedAt, &t.ExpiresAt,
		&rotated, &t.Revoked); err != nil {
		return nil, notFound(err)
	}
	t.AuthTime, t.CreatedAt, t.ExpiresAt, t.RotatedAt = t.AuthTime.UTC(), t.CreatedAt.UTC(), t.ExpiresAt.UTC(), fromNullTS(rotated)
	return &t, nil
}

// CreateRefreshToken implements store.RefreshTokens.
func (s *Store) CreateRefreshToken(ctx context.Context, t *store.RefreshToken) error {
	err := changed(s.exec(ctx, `INSERT INTO refresh_tokens (id, pool, family, user_id, client_id,
			auth_time, created_at, expires_at, rotated_at, revoked)
		SELECT $3, pool, $4, id, $5, $6, $7, $8, $9, $10 FROM users WHERE pool = `+poolPK+` AND sub = $2`,
		t.PoolID, t.Sub, t.ID, t.Family, t.ClientID, ts(t.AuthTime), ts(t.CreatedAt), ts(t.ExpiresAt), nullTS(t.RotatedAt), t.Revoked))
	if err != nil {
		return fmt.Errorf("postgres: create refresh token: %w", mapErr(err))
	}
	return nil
}

// GetRefreshToken implements store.RefreshTokens.
func (s *Store) GetRefreshToken(ctx context.Context, id string) (*store.RefreshToken, error) {
	t, err := scanToken(s.q().QueryRow(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE t.id = $1", id))
	if err != nil {
		return nil, fmt.Errorf("postgres: get refresh token: %w", err)
	}
	return t, nil
}

// UpdateRefreshToken implements store.RefreshTokens.
func (s *Store) UpdateRefreshToken(ctx context.Context, id string, fn func(t *store.RefreshToken) error) (*store.RefreshToken, error) {
	var t *store.RefreshToken
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		old, err := scanToken(tx.QueryRow(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE t.id = $1 FOR UPDATE OF t", id))
		if err != nil {
			return err
		}
		t = &store.RefreshToken{}
		*t = *old
		if fnErr = fn(t); fnErr != nil {
			return fnErr
		}
		rotated, expires, revoked := t.RotatedAt, t.ExpiresAt, t.Revoked
		*t = *old
		t.RotatedAt, t.ExpiresAt, t.Revoked = fromNullTS(nullTS(rotated)), ts(expires), revoked
		_, err = tx.Exec(ctx, "UPDATE refresh_tokens SET expires_at = $1, rotated_at = $2, revoked = $3 WHERE id = $4",
			t.ExpiresAt, nullTS(t.RotatedAt), t.Revoked, t.ID)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update refresh token: %w", err)
	}
	return t, nil
}

// revokeFamily marks the tokens of family $2 of pool $1 revoked, through
// refresh_tokens_by_family.
const revokeFamily = "UPDATE refresh_tokens SET revoked = true WHERE pool = " + poolPK + " AND family = $2 AND NOT revoked"

// RevokeFamily implements store.RefreshTokens.
func (s *Store) RevokeFamily(ctx context.Context, poolID, family string) error {
	if _, err := s.exec(ctx, revokeFamily, poolID, family); err != nil {
		return fmt.Errorf("postgres: revoke family: %w", err)
	}
	return nil
}

// revokeUserTokens marks the tokens of the user whose pool ID is $1 and
// whose sub is $2 revoked, through refresh_tokens_by_user.
const revokeUserTokens = "UPDATE refresh_tokens SET revoked = true WHERE user_id = " + userID + " AND NOT revoked"

// RevokeUserTokens implements store.RefreshTokens.
func (s *Store) RevokeUserTokens(ctx context.Context, poolID, sub string) error {
	if _, err := s.exec(ctx, revokeUserTokens, poolID, sub); err != nil {
		return fmt.Errorf("postgres: revoke user tokens: %w", err)
	}
	return nil
}

// familyRevoked reads whether family $2 of pool $1 is revoked: true if any
// of its tokens is, or if it has none. It reads only the family's entries
// in refresh_tokens_by_family.
const familyRevoked = "SELECT coalesce(bool_or(revoked), true) FROM refresh_tokens WHERE pool = " + poolPK + " AND family = $2"

// FamilyRevoked implements store.RefreshTokens.
func (s *Store) FamilyRevoked(ctx context.Context, poolID, family string) (bool, error) {
	var revoked bool
	if err := s.q().QueryRow(ctx, familyRevoked, poolID, family).Scan(&revoked); err != nil {
		return false, fmt.Errorf("postgres: family revoked: %w", err)
	}
	return revoked, nil
}

// deleteExpiredTokens removes the refresh tokens that expired before $1.
const deleteExpiredTokens = "DELETE FROM refresh_tokens WHERE expires_at < $1"

// DeleteExpiredRefreshTokens implements store.RefreshTokens.
func (s *Store) DeleteExpiredRefreshTokens(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.exec(ctx, deleteExpiredTokens, ts(now))
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired refresh tokens: %w", err)
	}
	return n, nil
}
