package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/cognate-idp/cognate/internal/store"
)

const replicaCols = "r.region, r.status, r.tags, r.created_at, r.updated_at"

func scanReplica(row Row, poolID string) (*store.Replica, error) {
	r := store.Replica{PoolID: poolID}
	if err := row.Scan(&r.Region, &r.Status, JSONDest(&r.Tags), at(&r.CreatedAt), at(&r.UpdatedAt)); err != nil {
		return nil, notFound(err)
	}
	if r.Tags == nil {
		r.Tags = map[string]string{}
	}
	return &r, nil
}

// replicaTags returns what pool_replicas.tags holds for m: an object,
// never null.
func replicaTags(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// CreateReplica implements store.Replicas.
func (s *Store) CreateReplica(ctx context.Context, r *store.Replica, max int) error {
	err := s.c.Write(ctx, func(tx Executor) error {
		pk, err := s.claimPoolSlot(ctx, tx, r.PoolID, "pool_replicas", max)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO pool_replicas (pool, region, status, tags, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			pk, r.Region, r.Status, jsonArg(replicaTags(r.Tags)), s.t(r.CreatedAt), s.t(r.UpdatedAt))
		return err
	})
	if err != nil {
		return s.errorf("create replica", s.mapErr(err))
	}
	return nil
}

// readReplica reads a replica on ex, locking its row when lock is set.
func (s *Store) readReplica(ctx context.Context, ex Executor, poolID, region string, lock bool) (*store.Replica, error) {
	l := ""
	if lock {
		l = s.d.Lock("FOR UPDATE")
	}
	return scanReplica(ex.QueryRow(ctx,
		"SELECT "+replicaCols+" FROM pool_replicas r WHERE r.pool = "+poolPK+" AND r.region = $2"+l, poolID, region), poolID)
}

// GetReplica implements store.Replicas.
func (s *Store) GetReplica(ctx context.Context, poolID, region string) (*store.Replica, error) {
	r, err := s.readReplica(ctx, s.c.Read(), poolID, region, false)
	if err != nil {
		return nil, s.errorf("get replica", err)
	}
	return r, nil
}

// UpdateReplica implements store.Replicas.
func (s *Store) UpdateReplica(ctx context.Context, poolID, region string, fn func(r *store.Replica) error) (*store.Replica, error) {
	var r *store.Replica
	err := s.update(ctx, "update replica", func(tx Executor) error {
		old, err := s.readReplica(ctx, tx, poolID, region, true)
		if err != nil {
			return err
		}
		r = &store.Replica{}
		*r = *old
		r.Tags = maps.Clone(old.Tags)
		if err := call(fn(r)); err != nil {
			return err
		}
		r.PoolID, r.Region, r.CreatedAt, r.UpdatedAt = old.PoolID, old.Region, old.CreatedAt, micro(r.UpdatedAt)
		_, err = tx.Exec(ctx, "UPDATE pool_replicas SET status = $3, tags = $4, updated_at = $5 WHERE pool = "+poolPK+" AND region = $2",
			poolID, region, r.Status, jsonArg(replicaTags(r.Tags)), s.t(r.UpdatedAt))
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// DeleteReplica implements store.Replicas.
func (s *Store) DeleteReplica(ctx context.Context, poolID, region string, check func(r *store.Replica) error) (*store.Replica, error) {
	var r *store.Replica
	err := s.update(ctx, "delete replica", func(tx Executor) error {
		var err error
		if r, err = s.readReplica(ctx, tx, poolID, region, true); err != nil {
			return err
		}
		if err := call(check(r)); err != nil {
			return err
		}
		return changed(tx.Exec(ctx, "DELETE FROM pool_replicas WHERE pool = "+poolPK+" AND region = $2", poolID, region))
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// ListReplicas implements store.Replicas.
func (s *Store) ListReplicas(ctx context.Context, poolID string, page store.Page) ([]store.Replica, string, error) {
	list, next, err := listPage(ctx, s.c.Read(), page, []string{"replicas", poolID},
		"SELECT "+replicaCols+" FROM pool_replicas r WHERE r.pool = "+poolPK, []any{poolID}, "r.region",
		func(row Row) (*store.Replica, error) { return scanReplica(row, poolID) },
		func(r store.Replica) string { return r.Region })
	if err != nil {
		return nil, "", s.errorf("list replicas", err)
	}
	return list, next, nil
}

// ReplicaRegions implements store.Replicas.
func (s *Store) ReplicaRegions(ctx context.Context, pools []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(pools) == 0 {
		return out, nil
	}
	marks := make([]string, len(pools))
	args := make([]any, len(pools))
	for i, id := range pools {
		marks[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	rows, err := s.c.Read().Query(ctx, "SELECT p.id, r.region FROM pool_replicas r JOIN pools p ON p.pk = r.pool WHERE p.id IN ("+
		strings.Join(marks, ", ")+") ORDER BY p.id, r.region", args...)
	if err != nil {
		return nil, s.errorf("replica regions", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, region string
		if err := rows.Scan(&id, &region); err != nil {
			return nil, s.errorf("replica regions", err)
		}
		out[id] = append(out[id], region)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("replica regions", err)
	}
	return out, nil
}
