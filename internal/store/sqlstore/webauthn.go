package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// credentialOrder is the sort key of a credential: its creation time, then
// its ID.
func credentialOrder(created time.Time, id string) string {
	u := uint64(micro(created).UnixMicro()) ^ (1 << 63)
	return fmt.Sprintf("%016x|%s", u, id)
}

// credentialCols are the columns scanCredential reads.
const credentialCols = "w.id, w.sign_count, w.created_at, w.last_used_at, w.data"

func scanCredential(row Row, poolID, sub string) (*store.WebAuthnCredential, error) {
	c := store.WebAuthnCredential{PoolID: poolID, Sub: sub}
	if err := row.Scan(&c.ID, &c.SignCount, at(&c.CreatedAt), at(&c.LastUsedAt), &c.Data); err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// AddWebAuthnCredential implements store.WebAuthnCredentials. It locks the
// user's row against other adds (FOR NO KEY UPDATE) so that the count
// against max stays true until the insert commits.
func (s *Store) AddWebAuthnCredential(ctx context.Context, c *store.WebAuthnCredential, max int) error {
	err := s.c.Write(ctx, func(tx Executor) error {
		var pk, userRow int64
		if err := tx.QueryRow(ctx, "SELECT pool, id FROM users WHERE pool = "+poolPK+" AND sub = $2"+s.d.Lock("FOR NO KEY UPDATE"),
			c.PoolID, c.Sub).Scan(&pk, &userRow); err != nil {
			return notFound(err)
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM webauthn_credentials WHERE user_id = $1", userRow).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return store.ErrLimit
		}
		_, err := tx.Exec(ctx, `INSERT INTO webauthn_credentials (user_id, pool, id, sort_key, sign_count, created_at, last_used_at, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			userRow, pk, c.ID, credentialOrder(c.CreatedAt, c.ID), c.SignCount, s.t(c.CreatedAt), s.nullT(c.LastUsedAt), c.Data)
		if s.d.IsUnique(err) {
			return store.ErrConflict
		}
		return err
	})
	if err != nil {
		return s.errorf("add webauthn credential", err)
	}
	return nil
}

// GetWebAuthnCredential implements store.WebAuthnCredentials.
func (s *Store) GetWebAuthnCredential(ctx context.Context, poolID, sub, id string) (*store.WebAuthnCredential, error) {
	c, err := scanCredential(s.c.Read().QueryRow(ctx, "SELECT "+credentialCols+" FROM webauthn_credentials w WHERE w.user_id = "+userID+" AND w.id = $3",
		poolID, sub, id), poolID, sub)
	if err != nil {
		return nil, s.errorf("get webauthn credential", err)
	}
	return c, nil
}

// ListWebAuthnCredentials implements store.WebAuthnCredentials.
func (s *Store) ListWebAuthnCredentials(ctx context.Context, poolID, sub string, page store.Page) ([]store.WebAuthnCredential, string, error) {
	out, next, err := listPage(ctx, s.c.Read(), page, []string{"webauthn", poolID, sub},
		"SELECT "+credentialCols+" FROM webauthn_credentials w WHERE w.user_id = "+userID, []any{poolID, sub}, "w.sort_key",
		func(row Row) (*store.WebAuthnCredential, error) { return scanCredential(row, poolID, sub) },
		func(c store.WebAuthnCredential) string { return credentialOrder(c.CreatedAt, c.ID) })
	if err != nil {
		return nil, "", s.errorf("list webauthn credentials", err)
	}
	return out, next, nil
}

// CountWebAuthnCredentials implements store.WebAuthnCredentials.
func (s *Store) CountWebAuthnCredentials(ctx context.Context, poolID, sub string) (int, error) {
	var n int
	if err := s.c.Read().QueryRow(ctx, "SELECT count(*) FROM webauthn_credentials WHERE user_id = "+userID, poolID, sub).Scan(&n); err != nil {
		return 0, s.errorf("count webauthn credentials", err)
	}
	return n, nil
}

// DeleteWebAuthnCredential implements store.WebAuthnCredentials.
func (s *Store) DeleteWebAuthnCredential(ctx context.Context, poolID, sub, id string) error {
	err := changed(s.c.Exec(ctx, "DELETE FROM webauthn_credentials WHERE user_id = "+userID+" AND id = $3", poolID, sub, id))
	if err != nil {
		return s.errorf("delete webauthn credential", err)
	}
	return nil
}

// UseWebAuthnCredential implements store.WebAuthnCredentials: the counter
// is compared and advanced by the one UPDATE, so two sign-ins racing with
// the same assertion cannot both pass.
func (s *Store) UseWebAuthnCredential(ctx context.Context, poolID, sub, id string, count int64, at time.Time) error {
	err := s.c.Write(ctx, func(tx Executor) error {
		n, err := tx.Exec(ctx, `UPDATE webauthn_credentials SET sign_count = $4, last_used_at = $5
			WHERE user_id = `+userID+` AND id = $3 AND (sign_count < $4 OR (sign_count = 0 AND $4 = 0))`,
			poolID, sub, id, count, s.t(at))
		if err != nil || n > 0 {
			return err
		}
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM webauthn_credentials WHERE user_id = "+userID+" AND id = $3", poolID, sub, id).Scan(&one); err != nil {
			return notFound(err)
		}
		return store.ErrConflict
	})
	if err != nil {
		return s.errorf("use webauthn credential", err)
	}
	return nil
}
