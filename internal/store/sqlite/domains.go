package sqlite

import (
	"context"
	"fmt"
	"slices"

	"github.com/cognate-idp/cognate/internal/store"
)

const domainCols = "d.name, p.id, d.custom, d.config, d.created_at, d.updated_at"

// domainFrom joins each domain to its pool's ID.
const domainFrom = " FROM domains d JOIN pools p ON p.pk = d.pool"

func scanDomain(row scanner) (*store.Domain, error) {
	var d store.Domain
	var created, updated int64
	if err := row.Scan(&d.Name, &d.PoolID, &d.Custom, &d.Config, &created, &updated); err != nil {
		return nil, notFound(err)
	}
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &d, nil
}

// CreateDomain implements store.Domains. The count of custom domains and the
// insert share the single writer's transaction, so no other create slips in
// between.
func (s *Store) CreateDomain(ctx context.Context, d *store.Domain, maxCustom int) error {
	err := s.write(ctx, func(tx *preparer) error {
		if d.Custom {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM domains WHERE custom = 1").Scan(&n); err != nil {
				return err
			}
			if n >= maxCustom {
				return store.ErrLimit
			}
		}
		err := affected(tx.ExecContext(ctx, `INSERT INTO domains (name, pool, custom, config, created_at, updated_at)
			SELECT ?, pk, ?, ?, ?, ? FROM pools WHERE id = ?`,
			d.Name, d.Custom, d.Config, micros(d.CreatedAt), micros(d.UpdatedAt), d.PoolID))
		if isUnique(err) {
			return store.ErrConflict
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create domain: %w", err)
	}
	return nil
}

// GetDomain implements store.Domains.
func (s *Store) GetDomain(ctx context.Context, name string) (*store.Domain, error) {
	d, err := scanDomain(s.reader().QueryRowContext(ctx, "SELECT "+domainCols+domainFrom+" WHERE d.name = ?", name))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get domain: %w", err)
	}
	return d, nil
}

// ListPoolDomains implements store.Domains.
func (s *Store) ListPoolDomains(ctx context.Context, poolID string) ([]store.Domain, error) {
	rows, err := s.reader().QueryContext(ctx,
		"SELECT "+domainCols+domainFrom+" WHERE d.pool = "+poolPK+" ORDER BY d.custom", poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list pool domains: %w", err)
	}
	defer rows.Close()
	var ds []store.Domain
	for rows.Next() {
		d, err := scanDomain(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list pool domains: %w", err)
		}
		ds = append(ds, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list pool domains: %w", err)
	}
	return ds, nil
}

// UpdateDomain implements store.Domains.
func (s *Store) UpdateDomain(ctx context.Context, poolID, name string, fn func(d *store.Domain) error) (*store.Domain, error) {
	var d *store.Domain
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, err := scanDomain(tx.QueryRowContext(ctx,
			"SELECT "+domainCols+domainFrom+" WHERE d.name = ? AND p.id = ?", name, poolID))
		if err != nil {
			return err
		}
		d = &store.Domain{}
		*d = *old
		d.Config = slices.Clone(old.Config)
		if fnErr = fn(d); fnErr != nil {
			return fnErr
		}
		d.Name, d.PoolID, d.Custom, d.CreatedAt = old.Name, old.PoolID, old.Custom, old.CreatedAt
		_, err = tx.ExecContext(ctx, "UPDATE domains SET config = ?, updated_at = ? WHERE name = ?",
			d.Config, micros(d.UpdatedAt), d.Name)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update domain: %w", err)
	}
	d.UpdatedAt = fromMicros(micros(d.UpdatedAt))
	return d, nil
}

// DeleteDomain implements store.Domains.
func (s *Store) DeleteDomain(ctx context.Context, poolID, name string) error {
	err := affected(s.writer().ExecContext(ctx, "DELETE FROM domains WHERE name = ? AND pool = "+poolPK, name, poolID))
	if err != nil {
		return fmt.Errorf("sqlite: delete domain: %w", err)
	}
	return nil
}
