package store

import (
	"context"
	"time"
)

// Branding is a managed login branding style: the look of an app client's
// managed login pages. A client has at most one.
type Branding struct {
	PoolID   string
	ClientID string
	// ID is unique across pools.
	ID string
	// Settings is the style's settings document (JSON), and Assets its
	// images, both owned by the operations layer and stored as given.
	Settings                 []byte
	Assets                   []byte
	UseCognitoProvidedValues bool
	CreatedAt                time.Time
	UpdatedAt                time.Time
}

// Brandings stores managed login branding styles. They go with their
// client and with their pool.
type Brandings interface {
	// CreateBranding stores a new style: ErrNotFound if the pool or the
	// client (in that pool) does not exist, ErrConflict if the ID is taken
	// or the client has a style already.
	CreateBranding(ctx context.Context, b *Branding) error
	// GetBranding returns a style of a pool by ID, or ErrNotFound.
	GetBranding(ctx context.Context, poolID, id string) (*Branding, error)
	// GetClientBranding returns the style of a client of a pool, or
	// ErrNotFound.
	GetClientBranding(ctx context.Context, poolID, clientID string) (*Branding, error)
	// UpdateBranding is the read-modify-write of a style, as UpdatePool.
	// PoolID, ClientID, ID and CreatedAt cannot be changed by fn.
	UpdateBranding(ctx context.Context, poolID, id string, fn func(b *Branding) error) (*Branding, error)
	// DeleteBranding removes a style; ErrNotFound if it does not exist.
	DeleteBranding(ctx context.Context, poolID, id string) error
}
