package sqlstore

import (
	"context"
	"slices"

	"github.com/cognate-idp/cognate/internal/store"
)

const domainCols = "d.name, p.id, d.custom, d.config, d.created_at, d.updated_at"

// domainFrom joins each domain to its pool's ID.
const domainFrom = " FROM domains d JOIN pools p ON p.pk = d.pool"

// customDomainLock is the key that serializes creates
// of custom domains, so that the count against the limit stays true.
const customDomainLock = 0x636f676e2d646f6d // "cogn-dom"

func scanDomain(row Row) (*store.Domain, error) {
	var d store.Domain
	if err := row.Scan(&d.Name, &d.PoolID, &d.Custom, &d.Config, at(&d.CreatedAt), at(&d.UpdatedAt)); err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// CreateDomain implements store.Domains.
func (s *Store) CreateDomain(ctx context.Context, d *store.Domain, maxCustom int) error {
	err := s.c.Write(ctx, func(tx Executor) error {
		if d.Custom {
			if err := s.d.Serialize(ctx, tx, customDomainLock); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM domains WHERE custom").Scan(&n); err != nil {
				return err
			}
			if n >= maxCustom {
				return store.ErrLimit
			}
		}
		return changed(tx.Exec(ctx, `INSERT INTO domains (name, pool, custom, config, created_at, updated_at)
			SELECT $2, pk, $3, $4, $5, $6 FROM pools WHERE id = $1`,
			d.PoolID, d.Name, d.Custom, d.Config, s.t(d.CreatedAt), s.t(d.UpdatedAt)))
	})
	if err != nil {
		return s.errorf("create domain", s.mapErr(err))
	}
	return nil
}

// GetDomain implements store.Domains.
func (s *Store) GetDomain(ctx context.Context, name string) (*store.Domain, error) {
	d, err := scanDomain(s.c.Read().QueryRow(ctx, "SELECT "+domainCols+domainFrom+" WHERE d.name = $1", name))
	if err != nil {
		return nil, s.errorf("get domain", err)
	}
	return d, nil
}

// ListPoolDomains implements store.Domains.
func (s *Store) ListPoolDomains(ctx context.Context, poolID string) ([]store.Domain, error) {
	rows, err := s.c.Read().Query(ctx, "SELECT "+domainCols+domainFrom+" WHERE d.pool = "+poolPK+" ORDER BY d.custom", poolID)
	if err != nil {
		return nil, s.errorf("list pool domains", err)
	}
	defer rows.Close()
	var ds []store.Domain
	for rows.Next() {
		d, err := scanDomain(rows)
		if err != nil {
			return nil, s.errorf("list pool domains", err)
		}
		ds = append(ds, *d)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("list pool domains", err)
	}
	return ds, nil
}

// UpdateDomain implements store.Domains.
func (s *Store) UpdateDomain(ctx context.Context, poolID, name string, fn func(d *store.Domain) error) (*store.Domain, error) {
	var d *store.Domain
	err := s.update(ctx, "update domain", func(tx Executor) error {
		old, err := scanDomain(tx.QueryRow(ctx,
			"SELECT "+domainCols+domainFrom+" WHERE p.id = $1 AND d.name = $2"+s.d.Lock("FOR UPDATE OF d"), poolID, name))
		if err != nil {
			return err
		}
		d = &store.Domain{}
		*d = *old
		d.Config = slices.Clone(old.Config)
		if err := call(fn(d)); err != nil {
			return err
		}
		d.Name, d.PoolID, d.Custom, d.CreatedAt, d.UpdatedAt = old.Name, old.PoolID, old.Custom, old.CreatedAt, micro(d.UpdatedAt)
		_, err = tx.Exec(ctx, "UPDATE domains SET config = $1, updated_at = $2 WHERE name = $3", d.Config, s.t(d.UpdatedAt), d.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DeleteDomain implements store.Domains.
func (s *Store) DeleteDomain(ctx context.Context, poolID, name string) error {
	if err := changed(s.c.Exec(ctx, "DELETE FROM domains WHERE pool = "+poolPK+" AND name = $2", poolID, name)); err != nil {
		return s.errorf("delete domain", err)
	}
	return nil
}
