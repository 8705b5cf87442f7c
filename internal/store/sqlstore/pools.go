package sqlstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/cognate-idp/cognate/internal/store"
)

const poolCols = "pk, id, name, config, created_at, updated_at, rev"

func scanPool(row Row) (*store.Pool, int64, error) {
	var p store.Pool
	var pk int64
	if err := row.Scan(&pk, &p.ID, &p.Name, &p.Config, at(&p.CreatedAt), at(&p.UpdatedAt), &p.Rev); err != nil {
		return nil, 0, notFound(err)
	}
	return &p, pk, nil
}

// CreatePool implements store.Pools.
func (s *Store) CreatePool(ctx context.Context, p *store.Pool) error {
	rev := newRev()
	_, err := s.c.Exec(ctx, "INSERT INTO pools (id, name, config, created_at, updated_at, rev) VALUES ($1, $2, $3, $4, $5, $6)",
		p.ID, p.Name, p.Config, s.t(p.CreatedAt), s.t(p.UpdatedAt), rev)
	if err != nil {
		return s.errorf("create pool", s.mapErr(err))
	}
	p.Rev = rev
	return nil
}

// newRev returns a new random pool revision, never zero (the revision of
// pools stored before revisions existed).
func newRev() int64 { return rand.Int64N(1<<63-1) + 1 }

// GetPool implements store.Pools.
func (s *Store) GetPool(ctx context.Context, id string) (*store.Pool, error) {
	p, _, err := scanPool(s.c.Read().QueryRow(ctx, "SELECT "+poolCols+" FROM pools WHERE id = $1", id))
	if err != nil {
		return nil, s.errorf("get pool", err)
	}
	return p, nil
}

// UpdatePool implements store.Pools.
func (s *Store) UpdatePool(ctx context.Context, id string, fn func(p *store.Pool) error) (*store.Pool, error) {
	var p *store.Pool
	err := s.update(ctx, "update pool", func(ex Executor) error {
		old, pk, err := scanPool(ex.QueryRow(ctx, "SELECT "+poolCols+" FROM pools WHERE id = $1"+s.d.Lock("FOR UPDATE"), id))
		if err != nil {
			return err
		}
		p = &store.Pool{}
		*p = *old
		p.Config = slices.Clone(old.Config)
		if err := call(fn(p)); err != nil {
			return err
		}
		p.ID, p.CreatedAt, p.UpdatedAt, p.Rev = old.ID, old.CreatedAt, micro(p.UpdatedAt), newRev()
		_, err = ex.Exec(ctx, "UPDATE pools SET name = $1, config = $2, updated_at = $3, rev = $4 WHERE pk = $5",
			p.Name, p.Config, s.t(p.UpdatedAt), p.Rev, pk)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// DeletePool implements store.Pools. Everything in the pool goes with it
// (ON DELETE CASCADE).
func (s *Store) DeletePool(ctx context.Context, id string) error {
	if err := changed(s.c.Exec(ctx, "DELETE FROM pools WHERE id = $1", id)); err != nil {
		return s.errorf("delete pool", err)
	}
	return nil
}

// ListPools implements store.Pools.
func (s *Store) ListPools(ctx context.Context, page store.Page) ([]store.Pool, string, error) {
	pools, next, err := listPage(ctx, s.c.Read(), page, []string{"pools"},
		"SELECT "+poolCols+" FROM pools WHERE true", nil, "id",
		func(row Row) (*store.Pool, error) {
			p, _, err := scanPool(row)
			return p, err
		},
		func(p store.Pool) string { return p.ID })
	if err != nil {
		return nil, "", s.errorf("list pools", err)
	}
	return pools, next, nil
}

// listPage returns one page of a listing ordered by the text column keyCol,
// and the cursor of the next. query selects the rows with args and ends in a
// WHERE clause; the keyset condition, order and limit are added here.
func listPage[T any](ctx context.Context, q Executor, page store.Page, scope []string,
	query string, args []any, keyCol string, scan func(Row) (*T, error), key func(T) string,
) ([]T, string, error) {
	pos, err := store.Position(page, 1, scope...)
	if err != nil {
		return nil, "", err
	}
	if err := checkLimit(page); err != nil {
		return nil, "", err
	}
	args = slices.Clip(args)
	if pos != nil {
		args = append(args, pos[0])
		query += fmt.Sprintf(" AND %s > $%d", keyCol, len(args))
	}
	args = append(args, page.Limit+1)
	rows, err := q.Query(ctx, fmt.Sprintf("%s ORDER BY %s LIMIT $%d", query, keyCol, len(args)), args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var items []T
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return nil, "", err
		}
		items = append(items, *item)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if len(items) <= page.Limit {
		return items, "", nil
	}
	items = items[:page.Limit]
	return items, store.Cursor{Scope: scope, Pos: []string{key(items[page.Limit-1])}}.String(), nil
}

// claimPoolSlot returns the key of pool poolID if it has fewer than max rows
// in table; ErrNotFound if it does not exist, ErrLimit if it has max. It
// locks the pool's row against other creates (FOR NO KEY UPDATE, which
// leaves the pool's other children free to be written) so that the count
// stays true until the transaction of ex commits.
func (s *Store) claimPoolSlot(ctx context.Context, ex Executor, poolID, table string, max int) (int64, error) {
	var pk int64
	if err := ex.QueryRow(ctx, "SELECT pk FROM pools WHERE id = $1"+s.d.Lock("FOR NO KEY UPDATE"), poolID).Scan(&pk); err != nil {
		return 0, notFound(err)
	}
	var n int
	if err := ex.QueryRow(ctx, "SELECT count(*) FROM "+table+" WHERE pool = $1", pk).Scan(&n); err != nil {
		return 0, err
	}
	if n >= max {
		return 0, store.ErrLimit
	}
	return pk, nil
}

// poolQuotaLock is the key that serializes claims of the pool quota, so
// that the count against it stays true.
const poolQuotaLock = 0x636f676e2d706f6f // "cogn-poo"

// ClaimPoolQuota implements store.Pools.
func (s *Store) ClaimPoolQuota(ctx context.Context, prefix string, max int) error {
	err := s.c.Write(ctx, func(tx Executor) error {
		if err := s.d.Serialize(ctx, tx, poolQuotaLock); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM pools WHERE substr(id, 1, $1) = $2", len(prefix), prefix).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return store.ErrLimit
		}
		return nil
	})
	if err != nil {
		return s.errorf("claim pool quota", err)
	}
	return nil
}
