package sqlstore

import (
	"context"
	"maps"

	"github.com/cognate-idp/cognate/internal/store"
)

// readTags returns a pool's tags; ErrNotFound when the pool does not exist.
// The outer join gives the pool's row even when it has no tags. With lock
// set it also locks the pool's row against other tag updates (FOR NO KEY
// UPDATE, which leaves the pool's other children free to be written).
func (s *Store) readTags(ctx context.Context, q Executor, poolID string, lock bool) (map[string]string, error) {
	sql := "SELECT t.key, t.value FROM pools p LEFT JOIN pool_tags t ON t.pool = p.pk WHERE p.id = $1"
	if l := s.d.Lock("FOR NO KEY UPDATE"); lock && l != "" {
		if _, err := q.Exec(ctx, "SELECT 1 FROM pools WHERE id = $1"+l, poolID); err != nil {
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
	tags, err := s.readTags(ctx, s.c.Read(), poolID, false)
	if err != nil {
		return nil, s.errorf("get tags", err)
	}
	return tags, nil
}

// UpdateTags implements store.Tags.
func (s *Store) UpdateTags(ctx context.Context, poolID string, fn func(tags map[string]string) error) (map[string]string, error) {
	var tags map[string]string
	err := s.update(ctx, "update tags", func(tx Executor) error {
		old, err := s.readTags(ctx, tx, poolID, true)
		if err != nil {
			return err
		}
		tags = maps.Clone(old)
		if err := call(fn(tags)); err != nil {
			return err
		}
		if maps.Equal(old, tags) {
			return nil
		}
		if _, err := tx.Exec(ctx, "DELETE FROM pool_tags WHERE pool = "+poolPK, poolID); err != nil {
			return err
		}
		if len(tags) == 0 {
			return nil
		}
		args := []any{poolID}
		for k, v := range tags {
			args = append(args, k, v)
		}
		_, err = tx.Exec(ctx, "INSERT INTO pool_tags (pool, key, value) SELECT p.pk, x.column1, x.column2 FROM pools p, (VALUES "+
			valueRows("", 2, 2, len(tags))+") AS x WHERE p.id = $1", args...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return tags, nil
}
