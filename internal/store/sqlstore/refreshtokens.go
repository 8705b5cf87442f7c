package sqlstore

import (
	"context"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// tokenCols are the columns scanToken reads, from tokenFrom.
const tokenCols = "t.id, t.family, p.id, t.client_id, u.sub, t.auth_time, t.created_at, t.expires_at, t.rotated_at, t.revoked"

// tokenFrom joins each refresh token to its pool's ID and its user's sub.
const tokenFrom = " FROM refresh_tokens t JOIN pools p ON p.pk = t.pool JOIN users u ON u.id = t.user_id"

func scanToken(row Row) (*store.RefreshToken, error) {
	var t store.RefreshToken
	if err := row.Scan(&t.ID, &t.Family, &t.PoolID, &t.ClientID, &t.Sub, at(&t.AuthTime), at(&t.CreatedAt), at(&t.ExpiresAt),
		at(&t.RotatedAt), &t.Revoked); err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// CreateRefreshToken implements store.RefreshTokens.
func (s *Store) CreateRefreshToken(ctx context.Context, t *store.RefreshToken) error {
	err := changed(s.c.Exec(ctx, `INSERT INTO refresh_tokens (id, pool, family, user_id, client_id,
			auth_time, created_at, expires_at, rotated_at, revoked)
		SELECT $3, pool, $4, id, $5, $6, $7, $8, $9, $10 FROM users WHERE pool = `+poolPK+` AND sub = $2`,
		t.PoolID, t.Sub, t.ID, t.Family, t.ClientID, s.t(t.AuthTime), s.t(t.CreatedAt), s.t(t.ExpiresAt), s.nullT(t.RotatedAt), t.Revoked))
	if err != nil {
		return s.errorf("create refresh token", s.mapErr(err))
	}
	return nil
}

// GetRefreshToken implements store.RefreshTokens.
func (s *Store) GetRefreshToken(ctx context.Context, id string) (*store.RefreshToken, error) {
	t, err := scanToken(s.c.Read().QueryRow(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE t.id = $1", id))
	if err != nil {
		return nil, s.errorf("get refresh token", err)
	}
	return t, nil
}

// UpdateRefreshToken implements store.RefreshTokens.
func (s *Store) UpdateRefreshToken(ctx context.Context, id string, fn func(t *store.RefreshToken) error) (*store.RefreshToken, error) {
	var t *store.RefreshToken
	err := s.update(ctx, "update refresh token", func(tx Executor) error {
		old, err := scanToken(tx.QueryRow(ctx, "SELECT "+tokenCols+tokenFrom+" WHERE t.id = $1"+s.d.Lock("FOR UPDATE OF t"), id))
		if err != nil {
			return err
		}
		t = &store.RefreshToken{}
		*t = *old
		if err := call(fn(t)); err != nil {
			return err
		}
		rotated, expires, revoked := t.RotatedAt, t.ExpiresAt, t.Revoked
		*t = *old
		t.RotatedAt, t.ExpiresAt, t.Revoked = micro(rotated), micro(expires), revoked
		_, err = tx.Exec(ctx, "UPDATE refresh_tokens SET expires_at = $1, rotated_at = $2, revoked = $3 WHERE id = $4",
			s.t(t.ExpiresAt), s.nullT(t.RotatedAt), t.Revoked, t.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// revokeFamily marks the tokens of family $2 of pool $1 revoked, through
// refresh_tokens_by_family.
const revokeFamily = "UPDATE refresh_tokens SET revoked = true WHERE pool = " + poolPK + " AND family = $2 AND revoked = false"

// RevokeFamily implements store.RefreshTokens.
func (s *Store) RevokeFamily(ctx context.Context, poolID, family string) error {
	if _, err := s.c.Exec(ctx, revokeFamily, poolID, family); err != nil {
		return s.errorf("revoke family", err)
	}
	return nil
}

// revokeUserTokens marks the tokens of the user whose pool ID is $1 and
// whose sub is $2 revoked, through refresh_tokens_by_user.
const revokeUserTokens = "UPDATE refresh_tokens SET revoked = true WHERE user_id = " + userID + " AND revoked = false"

// RevokeUserTokens implements store.RefreshTokens.
func (s *Store) RevokeUserTokens(ctx context.Context, poolID, sub string) error {
	if _, err := s.c.Exec(ctx, revokeUserTokens, poolID, sub); err != nil {
		return s.errorf("revoke user tokens", err)
	}
	return nil
}

// familyRevoked reads whether family $2 of pool $1 is revoked: true if any
// of its tokens is, or if it has none. It reads only the family's entries
// in refresh_tokens_by_family.
const familyRevoked = "SELECT coalesce(max(CASE WHEN revoked THEN 1 ELSE 0 END), 1) = 1 FROM refresh_tokens WHERE pool = " + poolPK + " AND family = $2"

// FamilyRevoked implements store.RefreshTokens.
func (s *Store) FamilyRevoked(ctx context.Context, poolID, family string) (bool, error) {
	var revoked bool
	if err := s.c.Read().QueryRow(ctx, familyRevoked, poolID, family).Scan(&revoked); err != nil {
		return false, s.errorf("family revoked", err)
	}
	return revoked, nil
}

// DeleteExpiredRefreshTokens implements store.RefreshTokens.
func (s *Store) DeleteExpiredRefreshTokens(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.deleteExpired(ctx, "refresh_tokens", now)
	if err != nil {
		return 0, s.errorf("delete expired refresh tokens", err)
	}
	return n, nil
}
