package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// tokenCols are the columns scanToken reads, from tokenFrom.
const tokenCols = "t.id, t.family, p.id, t.client_id, u.sub, t.auth_time, t.created_at, t.expires_at, t.rotated_at, t.revoked"

// tokenFrom joins each refresh token to its pool's ID and its user's sub.
const tokenFrom = " FROM refresh_tokens t JOIN pools p ON p.pk = t.pool JOIN users u ON u.id = t.user_id"

func scanToken(row scanner) (*store.RefreshToken, error) {
	var t store.RefreshToken
	var auth, created, expires int64
	var rotated sql.NullInt64
	if err := row.Scan(&t.ID, &t.Family, &t.PoolID, &t.ClientID, &t.Sub, &auth, &created, &expires, &rotated, &t.Revoked); err != nil {
		return nil, notFound(err)
	}
	t.AuthTime, t.CreatedAt, t.ExpiresAt, t.RotatedAt = fromMicros(auth), fromMicros(created), fromMicros(expires), fromNullMicros(rotated)
	return &t, nil
}

// CreateRefreshToken implements store.RefreshTokens.
func (s *Store) CreateRefreshToken(ctx context.Context, t *store.RefreshToken) error {
	err := affected(s.writer().ExecContext(ctx, `INSERT INTO refresh_tokens (id, pool, family, user_id, client_id,
			auth_time, created_at, expires_at, rotated_at, revoked)
		SELECT ?, pool, ?, id, ?, ?, ?, ?, ?, ? FROM users WHERE pool = `+poolPK+` AND sub = ?`,
		t.ID, t.Family, t.ClientID, micros(t.AuthTime), micros(t.CreatedAt), micros(t.ExpiresAt), nullMicros(t.RotatedAt),
		t.Revoked, t.PoolID, t.Sub))
	if isUnique(err) {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create refresh token: %w", err)
	}
	return nil
}

// GetRefreshToken implements store.RefreshTokens.
func (s *Store) GetRefreshToken(ctx context.Context, id string) (*store.RefreshToken, error) {
	t, err := scanToken(s.reader().QueryRowContext(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE t.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get refresh token: %w", err)
	}
	return t, nil
}

// UpdateRefreshToken implements store.RefreshTokens. The single writer
// connection serializes concurrent updates.
func (s *Store) UpdateRefreshToken(ctx context.Context, id string, fn func(t *store.RefreshToken) error) (*store.RefreshToken, error) {
	var t *store.RefreshToken
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, err := scanToken(tx.QueryRowContext(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE t.id = ?", id))
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
		t.RotatedAt, t.ExpiresAt, t.Revoked = fromNullMicros(nullMicros(rotated)), fromMicros(micros(expires)), revoked
		_, err = tx.ExecContext(ctx, "UPDATE refresh_tokens SET expires_at = ?, rotated_at = ?, revoked = ? WHERE id = ?",
			micros(t.ExpiresAt), nullMicros(t.RotatedAt), t.Revoked, t.ID)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update refresh token: %w", err)
	}
	return t, nil
}

// revokeFamily marks the tokens of the family whose pool ID and family are
// its arguments revoked, through refresh_tokens_by_family.
const revokeFamily = "UPDATE refresh_tokens SET revoked = 1 WHERE pool = " + poolPK + " AND family = ? AND revoked = 0"

// RevokeFamily implements store.RefreshTokens.
func (s *Store) RevokeFamily(ctx context.Context, poolID, family string) error {
	if _, err := s.writer().ExecContext(ctx, revokeFamily, poolID, family); err != nil {
		return fmt.Errorf("sqlite: revoke family: %w", err)
	}
	return nil
}

// revokeUserTokens marks the tokens of the user whose pool ID and sub are
// its arguments revoked, through refresh_tokens_by_user.
const revokeUserTokens = "UPDATE refresh_tokens SET revoked = 1 WHERE user_id = " + userID + " AND revoked = 0"

// RevokeUserTokens implements store.RefreshTokens.
func (s *Store) RevokeUserTokens(ctx context.Context, poolID, sub string) error {
	if _, err := s.writer().ExecContext(ctx, revokeUserTokens, poolID, sub); err != nil {
		return fmt.Errorf("sqlite: revoke user tokens: %w", err)
	}
	return nil
}

// familyRevoked reads whether the family whose pool ID and family are its
// arguments is revoked: true if any of its tokens is, or if it has none.
// It reads only the family's entries in refresh_tokens_by_family.
const familyRevoked = "SELECT coalesce(max(revoked), 1) FROM refresh_tokens WHERE pool = " + poolPK + " AND family = ?"

// FamilyRevoked implements store.RefreshTokens.
func (s *Store) FamilyRevoked(ctx context.Context, poolID, family string) (bool, error) {
	var revoked bool
	if err := s.reader().QueryRowContext(ctx, familyRevoked, poolID, family).Scan(&revoked); err != nil {
		return false, fmt.Errorf("sqlite: family revoked: %w", err)
	}
	return revoked, nil
}

// DeleteExpiredRefreshTokens implements store.RefreshTokens.
func (s *Store) DeleteExpiredRefreshTokens(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.deleteExpired(ctx, "refresh_tokens", now)
	if err != nil {
		return n, fmt.Errorf("sqlite: delete expired refresh tokens: %w", err)
	}
	return n, nil
}
