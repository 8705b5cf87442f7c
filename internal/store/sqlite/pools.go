package sqlite

import (
	"context"
	"fmt"
	"slices"

	"github.com/cognate-idp/cognate/internal/store"
)

const poolCols = "pk, id, name, config, created_at, updated_at"

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

func scanPool(row scanner) (*store.Pool, int64, error) {
	var p store.Pool
	var pk, created, updated int64
	if err := row.Scan(&pk, &p.ID, &p.Name, &p.Config, &created, &updated); err != nil {
		return nil, 0, notFound(err)
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &p, pk, nil
}

// CreatePool implements store.Pools.
func (s *Store) CreatePool(ctx context.Context, p *store.Pool) error {
	_, err := s.writer().ExecContext(ctx,
		"INSERT INTO pools (id, name, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
		p.ID, p.Name, p.Config, micros(p.CreatedAt), micros(p.UpdatedAt))
	if isUnique(err) {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("sqlite: create pool: %w", err)
	}
	return nil
}

// GetPool implements store.Pools.
func (s *Store) GetPool(ctx context.Context, id string) (*store.Pool, error) {
	p, _, err := scanPool(s.reader().QueryRowContext(ctx, "SELECT "+poolCols+" FROM pools WHERE id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get pool: %w", err)
	}
	return p, nil
}

// UpdatePool implements store.Pools.
func (s *Store) UpdatePool(ctx context.Context, id string, fn func(p *store.Pool) error) (*store.Pool, error) {
	var p *store.Pool
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, pk, err := scanPool(tx.QueryRowContext(ctx, "SELECT "+poolCols+" FROM pools WHERE id = ?", id))
		if err != nil {
			return err
		}
		p = &store.Pool{}
		*p = *old
		p.Config = append([]byte(nil), old.Config...)
		if fnErr = fn(p); fnErr != nil {
			return fnErr
		}
		p.ID, p.CreatedAt = old.ID, old.CreatedAt
		_, err = tx.ExecContext(ctx, "UPDATE pools SET name = ?, config = ?, updated_at = ? WHERE pk = ?",
			p.Name, p.Config, micros(p.UpdatedAt), pk)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update pool: %w", err)
	}
	p.UpdatedAt = fromMicros(micros(p.UpdatedAt))
	return p, nil
}

// DeletePool implements store.Pools. Everything in the pool goes with it
// (ON DELETE CASCADE).
func (s *Store) DeletePool(ctx context.Context, id string) error {
	if err := affected(s.writer().ExecContext(ctx, "DELETE FROM pools WHERE id = ?", id)); err != nil {
		return fmt.Errorf("sqlite: delete pool: %w", err)
	}
	return nil
}

// ListPools implements store.Pools.
func (s *Store) ListPools(ctx context.Context, page store.Page) ([]store.Pool, string, error) {
	pools, next, err := listPage(ctx, s.reader(), page, []string{"pools"},
		"SELECT "+poolCols+" FROM pools WHERE true", nil, "id",
		func(row scanner) (store.Pool, error) {
			p, _, err := scanPool(row)
			if err != nil {
				return store.Pool{}, err
			}
			return *p, nil
		},
		func(p store.Pool) string { return p.ID })
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list pools: %w", err)
	}
	return pools, next, nil
}

// listPage returns one page of a listing ordered by the text column keyCol,
// and the cursor of the next. query selects the rows and ends in a WHERE
// clause; the keyset condition, order and limit are added here.
func listPage[T any](ctx context.Context, q querier, page store.Page, scope []string,
	query string, args []any, keyCol string, scan func(scanner) (T, error), key func(T) string,
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
		query, args = query+" AND "+keyCol+" > ?", append(args, pos[0])
	}
	rows, err := q.QueryContext(ctx, query+" ORDER BY "+keyCol+" LIMIT ?", append(args, page.Limit+1)...)
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
		items = append(items, item)
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
