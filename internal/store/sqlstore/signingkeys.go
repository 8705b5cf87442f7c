package sqlstore

import (
	"context"

	"github.com/cognate-idp/cognate/internal/store"
)

// CreateSigningKey implements store.SigningKeys.
func (s *Store) CreateSigningKey(ctx context.Context, k *store.SigningKey) error {
	err := changed(s.c.Exec(ctx, `INSERT INTO signing_keys (kid, pool, key_use, sealed, created_at)
		SELECT $2, pk, $3, $4, $5 FROM pools WHERE id = $1`,
		k.PoolID, k.KID, k.Use, k.Sealed, s.t(k.CreatedAt)))
	if err != nil {
		return s.errorf("create signing key", s.mapErr(err))
	}
	return nil
}

// ListSigningKeys implements store.SigningKeys.
func (s *Store) ListSigningKeys(ctx context.Context, poolID string) ([]store.SigningKey, error) {
	rows, err := s.c.Read().Query(ctx, `SELECT k.kid, k.key_use, k.sealed, k.created_at
		FROM signing_keys k WHERE k.pool = `+poolPK+` ORDER BY k.created_at, k.seq`, poolID)
	if err != nil {
		return nil, s.errorf("list signing keys", err)
	}
	defer rows.Close()
	var ks []store.SigningKey
	for rows.Next() {
		k := store.SigningKey{PoolID: poolID}
		if err := rows.Scan(&k.KID, &k.Use, &k.Sealed, at(&k.CreatedAt)); err != nil {
			return nil, s.errorf("list signing keys", err)
		}
		ks = append(ks, k)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("list signing keys", err)
	}
	return ks, nil
}
