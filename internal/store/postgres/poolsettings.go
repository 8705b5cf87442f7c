package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

const settingSelect = `SELECT doc, created_at, updated_at FROM pool_settings
	WHERE pool = ` + poolPK + ` AND kind = $2 AND client = $3`

func readSetting(ctx context.Context, q querier, poolID, clientID, kind string) (*store.PoolSetting, error) {
	s := store.PoolSetting{PoolID: poolID, ClientID: clientID, Kind: kind}
	if err := q.QueryRow(ctx, settingSelect, poolID, kind, clientID).Scan(&s.Doc, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return nil, notFound(err)
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return &s, nil
}

// GetPoolSetting implements store.PoolSettings.
func (s *Store) GetPoolSetting(ctx context.Context, poolID, clientID, kind string) (*store.PoolSetting, error) {
	set, err := readSetting(ctx, s.q(), poolID, clientID, kind)
	if err != nil {
		return nil, fmt.Errorf("postgres: get pool setting: %w", err)
	}
	return set, nil
}

// UpdatePoolSetting implements store.PoolSettings. The pool's row is
// locked FOR NO KEY UPDATE, which holds off other updates of its documents
// (and of the pool) but leaves its other children free to be written; a
// client's row is locked FOR KEY SHARE, so that it stays while its document
// is written.
func (s *Store) UpdatePoolSetting(ctx context.Context, poolID, clientID, kind string, fn func(s *store.PoolSetting) error) (*store.PoolSetting, error) {
	var set *store.PoolSetting
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		var pk int64
		if err := tx.QueryRow(ctx, "SELECT pk FROM pools WHERE id = $1 FOR NO KEY UPDATE", poolID).Scan(&pk); err != nil {
			return notFound(err)
		}
		if clientID != "" {
			var one int
			if err := tx.QueryRow(ctx, "SELECT 1 FROM clients WHERE id = $1 AND pool = $2 FOR KEY SHARE", clientID, pk).Scan(&one); err != nil {
				return notFound(err)
			}
		}
		old, err := readSetting(ctx, tx, poolID, clientID, kind)
		exists := err == nil
		if errors.Is(err, store.ErrNotFound) {
			old, err = &store.PoolSetting{PoolID: poolID, ClientID: clientID, Kind: kind}, nil
		}
		if err != nil {
			return err
		}
		set = &store.PoolSetting{}
		*set = *old
		set.Doc = slices.Clone(old.Doc)
		if fnErr = fn(set); fnErr != nil {
			return fnErr
		}
		set.PoolID, set.ClientID, set.Kind = poolID, clientID, kind
		if exists {
			set.CreatedAt = old.CreatedAt
		}
		set.CreatedAt, set.UpdatedAt = ts(set.CreatedAt), ts(set.UpdatedAt)
		if set.Doc == nil {
			if !exists {
				return nil
			}
			_, err := tx.Exec(ctx, "DELETE FROM pool_settings WHERE pool = $1 AND kind = $2 AND client = $3", pk, kind, clientID)
			return err
		}
		var owner *string
		if clientID != "" {
			owner = &clientID
		}
		_, err = tx.Exec(ctx, `INSERT INTO pool_settings (pool, kind, client, client_id, doc, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (pool, kind, client) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
			pk, kind, clientID, owner, set.Doc, set.CreatedAt, set.UpdatedAt)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update pool setting: %w", mapErr(err))
	}
	return set, nil
}

// GetProvisionedLimit implements store.ProvisionedLimits.
func (s *Store) GetProvisionedLimit(ctx context.Context, name string) (int64, error) {
	var v int64
	if err := s.queryRow(ctx, []any{&v}, "SELECT value FROM provisioned_limits WHERE name = $1", name); err != nil {
		return 0, fmt.Errorf("postgres: get provisioned limit: %w", err)
	}
	return v, nil
}

// SetProvisionedLimit implements store.ProvisionedLimits.
func (s *Store) SetProvisionedLimit(ctx context.Context, name string, value int64, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO provisioned_limits (name, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, ts(at))
	if err != nil {
		return fmt.Errorf("postgres: set provisioned limit: %w", err)
	}
	return nil
}
