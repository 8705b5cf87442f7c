package sqlite

import (
	"context"
	"fmt"

	"github.com/cognate-idp/cognate/internal/store"
)

// CreateSigningKey implements store.SigningKeys.
func (s *Store) CreateSigningKey(ctx context.Context, k *store.SigningKey) error {
	err := affected(s.writer().ExecContext(ctx, `INSERT INTO signing_keys (kid, pool, key_use, sealed, created_at)
		SELECT ?, pk, ?, ?, ? FROM pools WHERE id = ?`,
		k.KID, k.Use, k.Sealed, micros(k.CreatedAt), k.PoolID))
	if isUnique(err) {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create signing key: %w", err)
	}
	return nil
}

// ListSigningKeys implements store.SigningKeys.
func (s *Store) ListSigningKeys(ctx context.Context, poolID string) ([]store.SigningKey, error) {
	rows, err := s.reader().QueryContext(ctx, `SELECT k.kid, k.key_use, k.sealed, k.created_at
		FROM signing_keys k WHERE k.pool = `+poolPK+` ORDER BY k.created_at, k.seq`, poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list signing keys: %w", err)
	}
	defer rows.Close()
	var ks []store.SigningKey
	for rows.Next() {
		k := store.SigningKey{PoolID: poolID}
		var created int64
		if err := rows.Scan(&k.KID, &k.Use, &k.Sealed, &created); err != nil {
			return nil, fmt.Errorf("sqlite: list signing keys: %w", err)
		}
		k.CreatedAt = fromMicros(created)
		ks = append(ks, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list signing keys: %w", err)
	}
	return ks, nil
}
