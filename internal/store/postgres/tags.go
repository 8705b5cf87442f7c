package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/cognate-idp/cognate/internal/store"
)

// readTags returns a pool's tags; ErrNotFound when the pool does not exist.
// The outer join gives the pool's row even when it has no tags. With lock
// set it also locks the pool's row against other tag updates (FOR NO KEY
// UPDATE, which leaves the pool's other children free to be written).
func readTags(ctx context.Context, q querier, poolID string, lock bool) (map[string]string, error) {
	sql := "SELECT t.key, t.value FROM pools p LEFT JOIN pool_tags t ON t.pool = p.pk WHERE p.id = $1"
	if lock {
		if _, err := q.Exec(ctx, "SELECT 1 FROM pools WHERE id = $1 FOR NO KEY UPDATE", poolID); err != nil {
			return nil, err
		}
	}
	rows, err := q.Query(ctx, sql, poolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := false
	tags := map[string]string{}
	for rows.Next() {
		found = true
		var k, v *string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		if k != nil {
			tags[*k] = *v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !found {
		return nil, store.ErrNotFound
	}
	return tags, nil
}

// GetTags implements store.Tags.
func (s *Store) GetTags(ctx context.Context, poolID string) (map[string]string, error) {
	tags, err := readTags(ctx, s.q(), poolID, false)
	if err != nil {
		return nil, fmt.Errorf("postgres: get tags: %w", err)
	}
	return tags, nil
}

// UpdateTags implements store.Tags.
func (s *Store) UpdateTags(ctx context.Context, poolID string, fn func(tags map[string]string) error) (map[string]string, error) {
	var tags map[string]string
	var fnErr error
	err := s.write(ctx, func(tx pgx.Tx) error {
		old, err := readTags(ctx, tx, poolID, true)
		if err != nil {
			return err
		}
		tags = maps.Clone(old)
		if fnErr = fn(tags); fnErr != nil {
			return fnErr
		}
		if maps.Equal(old, tags) {
			return nil
		}
		keys := slices.Collect(maps.Keys(tags))
		values := make([]string, len(keys))
		for i, k := range keys {
			values[i] = tags[k]
		}
		if _, err := tx.Exec(ctx, "DELETE FROM pool_tags WHERE pool = "+poolPK, poolID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO pool_tags (pool, key, value)
			SELECT `+poolPK+`, k, v FROM unnest($2::text[], $3::text[]) AS x(k, v)`, poolID, keys, values)
		return err
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: update tags: %w", err)
	}
	return tags, nil
}
