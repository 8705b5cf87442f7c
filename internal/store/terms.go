package store

import (
	"context"
	"time"
)

// Terms are the terms documents (terms of use or privacy policy) of an app
// client: links to them by language. A client has at most one of each Name.
type Terms struct {
	PoolID   string
	ClientID string
	// ID is unique across pools.
	ID          string
	Name        string
	Source      string
	Enforcement string
	Links       map[string]string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TermsDocuments stores terms documents. They go with their client and with
// their pool.
type TermsDocuments interface {
	// CreateTerms stores new terms: ErrNotFound if the pool or the client
	// (in that pool) does not exist, ErrConflict if the ID is taken or the
	// client has terms of that name already.
	CreateTerms(ctx context.Context, t *Terms) error
	// GetTerms returns terms of a pool by ID, or ErrNotFound.
	GetTerms(ctx context.Context, poolID, id string) (*Terms, error)
	// UpdateTerms is the read-modify-write of terms, as UpdatePool. PoolID,
	// ClientID, ID and CreatedAt cannot be changed by fn. ErrConflict if the
	// new Name is the name of other terms of the client.
	UpdateTerms(ctx context.Context, poolID, id string, fn func(t *Terms) error) (*Terms, error)
	// DeleteTerms removes terms; ErrNotFound if they do not exist.
	DeleteTerms(ctx context.Context, poolID, id string) error
	// ListTerms returns a pool's terms ordered by ID.
	ListTerms(ctx context.Context, poolID string, page Page) ([]Terms, string, error)
}
