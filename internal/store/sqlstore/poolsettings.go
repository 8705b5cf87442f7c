package sqlstore

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

const settingSelect = `SELECT doc, created_at, updated_at FROM pool_settings
	WHERE pool = ` + poolPK + ` AND kind = $2 AND client = $3`

func readSetting(ctx context.Context, q Executor, poolID, clientID, kind string) (*store.PoolSetting, error) {
	s := store.PoolSetting{PoolID: poolID, ClientID: clientID, Kind: kind}
	if err := q.QueryRow(ctx, settingSelect, poolID, kind, clientID).Scan(&s.Doc, at(&s.CreatedAt), at(&s.UpdatedAt)); err != nil {
		return nil, notFound(err)
	}
	return &s, nil
}

// GetPoolSetting implements store.PoolSettings.
func (s *Store) GetPoolSetting(ctx context.Context, poolID, clientID, kind string) (*store.PoolSetting, error) {
	set, err := readSetting(ctx, s.c.Read(), poolID, clientID, kind)
	if err != nil {
		return nil, s.errorf("get pool setting", err)
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
	err := s.update(ctx, "update pool setting", func(tx Executor) error {
		var pk int64
		if err := tx.QueryRow(ctx, "SELECT pk FROM pools WHERE id = $1"+s.d.Lock("FOR NO KEY UPDATE"), poolID).Scan(&pk); err != nil {
			return notFound(err)
		}
		if clientID != "" {
			var one int
			if err := tx.QueryRow(ctx, "SELECT 1 FROM clients WHERE id = $1 AND pool = $2"+s.d.Lock("FOR KEY SHARE"), clientID, pk).Scan(&one); err != nil {
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
		if err := call(fn(set)); err != nil {
			return err
		}
		set.PoolID, set.ClientID, set.Kind = poolID, clientID, kind
		if exists {
			set.CreatedAt = old.CreatedAt
		}
		set.CreatedAt, set.UpdatedAt = micro(set.CreatedAt), micro(set.UpdatedAt)
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
			pk, kind, clientID, owner, set.Doc, s.t(set.CreatedAt), s.t(set.UpdatedAt))
		return err
	})
	if err != nil {
		return nil, err
	}
	return set, nil
}

// GetProvisionedLimit implements store.ProvisionedLimits.
func (s *Store) GetProvisionedLimit(ctx context.Context, name string) (int64, error) {
	var v int64
	if err := s.c.Read().QueryRow(ctx, "SELECT value FROM provisioned_limits WHERE name = $1", name).Scan(&v); err != nil {
		return 0, s.errorf("get provisioned limit", notFound(err))
	}
	return v, nil
}

// SetProvisionedLimit implements store.ProvisionedLimits.
func (s *Store) SetProvisionedLimit(ctx context.Context, name string, value int64, at time.Time) error {
	_, err := s.c.Exec(ctx, `INSERT INTO provisioned_limits (name, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, s.t(at))
	if err != nil {
		return s.errorf("set provisioned limit", err)
	}
	return nil
}

// CountRequest implements store.ProvisionedLimits: one upsert that adds to
// the window's count and returns it; the first request of a window also
// drops the key's windows past the retention.
func (s *Store) CountRequest(ctx context.Context, key string, window int64) (int64, error) {
	var n int64
	err := s.c.Write(ctx, func(ex Executor) error {
		if err := ex.QueryRow(ctx, `INSERT INTO request_counts (name, window_start, hits) VALUES ($1, $2, 1)
			ON CONFLICT (name, window_start) DO UPDATE SET hits = request_counts.hits + 1
			RETURNING hits`, key, window).Scan(&n); err != nil {
			return err
		}
		if n > 1 {
			return nil
		}
		_, err := ex.Exec(ctx, "DELETE FROM request_counts WHERE name = $1 AND window_start < $2", key, window-store.RequestCountRetention)
		return err
	})
	if err != nil {
		return 0, s.errorf("count request", err)
	}
	return n, nil
}
