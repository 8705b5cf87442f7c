package store

import (
	"context"
	"time"
)

// Replica is a secondary replica of a user pool in another region
// (multi-Region replication). It keeps its pool's ID and shares its
// directory; what is its own is its status and its tags.
type Replica struct {
	PoolID string
	// Region is the region the replica serves.
	Region string
	// Status is the replica's ReplicaStatusType (ACTIVE, INACTIVE, ...).
	Status    string
	Tags      map[string]string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Replicas stores pools' secondary replicas.
type Replicas interface {
	// CreateReplica stores a new replica; ErrNotFound if the pool does not
	// exist, ErrConflict if it has a replica in that region already,
	// ErrLimit if it has max replicas already (counted under a lock on the
	// pool, so concurrent creates cannot pass max).
	CreateReplica(ctx context.Context, r *Replica, max int) error
	// GetReplica returns a pool's replica in region, or ErrNotFound.
	GetReplica(ctx context.Context, poolID, region string) (*Replica, error)
	// UpdateReplica reads a replica, applies fn and writes the result, in
	// one transaction with the row locked against concurrent updates. If fn
	// returns an error nothing is written and that error is returned.
	// PoolID, Region and CreatedAt cannot be changed by fn. ErrNotFound if
	// there is no such replica.
	UpdateReplica(ctx context.Context, poolID, region string, fn func(r *Replica) error) (*Replica, error)
	// DeleteReplica reads a replica with its row locked, applies check and
	// removes it when check returns nil, in one transaction; check's error
	// is returned as it is and nothing is removed. It returns the replica
	// as it was. ErrNotFound if there is no such replica.
	DeleteReplica(ctx context.Context, poolID, region string, check func(r *Replica) error) (*Replica, error)
	// ListReplicas returns a pool's replicas ordered by region and the
	// cursor of the next page ("" when there is none).
	ListReplicas(ctx context.Context, poolID string, page Page) ([]Replica, string, error)
	// ReplicaRegions returns the regions of the replicas of each of pools
	// that has any, sorted; pools without replicas, or that do not exist,
	// are absent.
	ReplicaRegions(ctx context.Context, pools []string) (map[string][]string, error)
}
