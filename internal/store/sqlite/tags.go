package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"

	"github.com/cognate-idp/cognate/internal/store"
)

// readTags returns a pool's tags; ErrNotFound when the pool does not exist.
// The outer join gives the pool's row even when it has no tags.
func readTags(ctx context.Context, q querier, poolID string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx,
		"SELECT t.key, t.value FROM pools p LEFT JOIN pool_tags t ON t.pool = p.pk WHERE p.id = ?", poolID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := false
	tags := map[string]string{}
	for rows.Next() {
		found = true
		var k, v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		if k.Valid {
			tags[k.String] = v.String
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
	tags, err := readTags(ctx, s.reader(), poolID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get tags: %w", err)
	}
	return tags, nil
}

// UpdateTags implements store.Tags. Writes are serialized by the single
// writer connection.
func (s *Store) UpdateTags(ctx context.Context, poolID string, fn func(tags map[string]string) error) (map[string]string, error) {
	var tags map[string]string
	var fnErr error
	err := s.write(ctx, func(tx *preparer) error {
		old, err := readTags(ctx, tx, poolID)
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
		if _, err := tx.ExecContext(ctx, "DELETE FROM pool_tags WHERE pool = "+poolPK, poolID); err != nil {
			return err
		}
		for k, v := range tags {
			if _, err := tx.ExecContext(ctx, "INSERT INTO pool_tags (pool, key, value) SELECT pk, ?, ? FROM pools WHERE id = ?", k, v, poolID); err != nil {
				return err
			}
		}
		return nil
	})
	if fnErr != nil {
		return nil, fnErr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update tags: %w", err)
	}
	return tags, nil
}
