package store

import (
	"context"
	"time"
)

// Domain is a user pool domain: a prefix domain (the first label of
// <prefix>.auth.<region>.amazoncognito.com) or a custom domain (a fully
// qualified name with a certificate). Names are unique across pools, and a
// pool has at most one domain of each kind. Config is the domain's settings
// document, owned by the operations layer.
type Domain struct {
	// Name is the prefix or the custom domain's name, as the hosted
	// endpoints look it up.
	Name   string
	PoolID string
	// Custom is set for a custom domain, clear for a prefix domain.
	Custom    bool
	Config    []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Domains stores user pool domains.
type Domains interface {
	// CreateDomain stores a new domain: ErrNotFound if the pool does not
	// exist; ErrConflict if the name is taken (in any pool) or the pool
	// already has a domain of the same kind; ErrLimit if d is a custom
	// domain and maxCustom custom domains exist already (across all pools),
	// a check made atomically with the insert.
	CreateDomain(ctx context.Context, d *Domain, maxCustom int) error
	// GetDomain returns a domain by name, in one indexed read: the lookup
	// the hosted endpoints route requests by. ErrNotFound if there is none.
	GetDomain(ctx context.Context, name string) (*Domain, error)
	// ListPoolDomains returns a pool's domains (at most one of each kind),
	// the prefix domain first.
	ListPoolDomains(ctx context.Context, poolID string) ([]Domain, error)
	// UpdateDomain is the read-modify-write of a pool's domain, as
	// UpdatePool. Only Config and UpdatedAt may be changed by fn.
	// ErrNotFound if the pool has no domain of that name.
	UpdateDomain(ctx context.Context, poolID, name string, fn func(d *Domain) error) (*Domain, error)
	// DeleteDomain removes a pool's domain; ErrNotFound if the pool has no
	// domain of that name.
	DeleteDomain(ctx context.Context, poolID, name string) error
}
