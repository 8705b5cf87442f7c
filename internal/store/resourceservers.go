package store

import (
	"context"
	"time"
)

// ResourceServer is an OAuth 2.0 resource server of a pool and the custom
// scopes it defines, which app clients request as "<Identifier>/<scope>".
type ResourceServer struct {
	PoolID string
	// Identifier is unique within the pool.
	Identifier string
	Name       string
	// Scopes are kept in the order given.
	Scopes    []Scope
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Scope is a custom scope of a resource server.
type Scope struct {
	Name        string
	Description string
}

// ResourceServers stores resource servers.
type ResourceServers interface {
	// CreateResourceServer stores a new resource server: ErrNotFound if the
	// pool does not exist, ErrConflict if the identifier is taken in the
	// pool, ErrLimit if the pool has max resource servers already (checked
	// atomically with the insert).
	CreateResourceServer(ctx context.Context, rs *ResourceServer, max int) error
	// GetResourceServer returns a resource server, or ErrNotFound.
	GetResourceServer(ctx context.Context, poolID, identifier string) (*ResourceServer, error)
	// UpdateResourceServer is the read-modify-write of a resource server, as
	// UpdatePool. PoolID, Identifier and CreatedAt cannot be changed by fn.
	UpdateResourceServer(ctx context.Context, poolID, identifier string, fn func(rs *ResourceServer) error) (*ResourceServer, error)
	// DeleteResourceServer removes a resource server; ErrNotFound if it does
	// not exist.
	DeleteResourceServer(ctx context.Context, poolID, identifier string) error
	// ListResourceServers returns a pool's resource servers ordered by
	// identifier.
	ListResourceServers(ctx context.Context, poolID string, page Page) ([]ResourceServer, string, error)
}
