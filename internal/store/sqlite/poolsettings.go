package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

const settingSelect = `SELECT s.doc, s.created_at, s.updated_at FROM pool_settings s
	WHERE s.pool = ` + poolPK + ` AND s.kind = ? AND s.client = ?`

func readSetting(ctx context.Context, q querier, poolID, clientID, kind string) (*store.PoolSetting, error) {
	s := store.PoolSetting{PoolID: poolID, ClientID: clientID, Kind: kind}
	var created, updated int64
	err := q.QueryRowContext(ctx, settingSelect, poolID, kind, clientID).Scan(&s.Doc, &created, &updated)
	if err != nil {
		return nil, notFound(err)
	}
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &s, nil
}

// GetPoolSetting implements store.PoolSettings.
func (s *Store) GetPoolSetting(ctx context.Context, poolID, clientID, kind string) (*store.PoolSetting, error) {
	set, err := readSetting(ctx, s.reader(), poolID, clientID, kind)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get pool setting: %w", err)
	}
	return set, nil
}

// ownerExists reports whether the pool, and the client in that pool when
// clientID is set, exist.
func ownerExists(ctx context.Context, q querier, poolID, clientID string) (bool, error) {
	var n int
	var err error
	if clientID == "" {
		err = q.QueryRowContext(ctx, "SELECT count(*) FROM pools WHERE id = ?", poolID).Scan(&n)
	} else {
		err = q.QueryRowContext(ctx, "SELECT count(*) FROM clients c JOIN pools p ON p.pk = c.pool WHERE p.id = ? AND c.id = ?",
			poolID, clientID).Scan(&n)
	}
	return n > 0, err
}

// UpdatePoolSetting implements store.PoolSettings. Writes are serialized
// by the single writer connection.
func (s *Store) UpdatePoolSetting(ctx context.Context, poolID, clientID, kind string, fn func(s *store.PoolSetting) error) (*store.PoolSetting, error) {
	var set *store.PoolSetting
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		ok, err := ownerExists(ctx, tx, poolID, clientID)
		if err != nil {
			return err
		}
		if !ok {
			return store.ErrNotFound
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
		if set.Doc == nil {
			if !exists {
				return nil
			}
			_, err := tx.ExecContext(ctx, "DELETE FROM pool_settings WHERE pool = "+poolPK+" AND kind = ? AND client = ?", poolID, kind, clientID)
			return err
		}
		owner := sql.NullString{String: clientID, Valid: clientID != ""}
		_, err = tx.ExecContext(ctx, `INSERT INTO pool_settings (pool, kind, client, client_id, doc, created_at, updated_at)
			SELECT pk, ?, ?, ?, ?, ?, ? FROM pools WHERE id = ?
			ON CONFLICT (pool, kind, client) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
			kind, clientID, owner, set.Doc, micros(set.CreatedAt), micros(set.UpdatedAt), poolID)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update pool setting: %w", err)
	}
	set.CreatedAt, set.UpdatedAt = fromMicros(micros(set.CreatedAt)), fromMicros(micros(set.UpdatedAt))
	return set, nil
}

// GetProvisionedLimit implements store.ProvisionedLimits.
func (s *Store) GetProvisionedLimit(ctx context.Context, name string) (int64, error) {
	var v int64
	if err := s.reader().QueryRowContext(ctx, "SELECT value FROM provisioned_limits WHERE name = ?", name).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: get provisioned limit: %w", notFound(err))
	}
	return v, nil
}

// SetProvisionedLimit implements store.ProvisionedLimits.
func (s *Store) SetProvisionedLimit(ctx context.Context, name string, value int64, at time.Time) error {
	_, err := s.writer().ExecContext(ctx, `INSERT INTO provisioned_limits (name, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, micros(at))
	if err != nil {
		return fmt.Errorf("sqlite: set provisioned limit: %w", err)
	}
	return nil
}
