package store

import (
	"context"
	"time"
)

// PoolSetting is one settings document of a pool, or of one app client of
// a pool: MFA factors, threat protection, log delivery, hosted UI
// customization and the like. Kind names the document and Doc is owned by
// the operations layer and stored as given. A pool has at most one document
// of each Kind for itself and one for each of its clients.
type PoolSetting struct {
	PoolID string
	// ClientID is empty for the pool's own document.
	ClientID  string
	Kind      string
	Doc       []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PoolSettings stores settings documents. They go with their pool, and a
// client's documents also go with the client.
type PoolSettings interface {
	// GetPoolSetting returns a document, or ErrNotFound.
	GetPoolSetting(ctx context.Context, poolID, clientID, kind string) (*PoolSetting, error)
	// UpdatePoolSetting reads a document, applies fn and writes the
	// result, in one transaction that holds off concurrent updates of the
	// pool's documents. When there is no document fn is given one with a
	// nil Doc and zero times, and the document is created if fn sets a
	// Doc; setting Doc to nil removes the document. PoolID, ClientID, Kind
	// and the CreatedAt of an existing document cannot be changed by fn. If
	// fn returns an error nothing is written and that error is returned.
	// ErrNotFound if the pool, or the client in that pool, does not exist.
	UpdatePoolSetting(ctx context.Context, poolID, clientID, kind string, fn func(s *PoolSetting) error) (*PoolSetting, error)
}

// ProvisionedLimits stores the request-rate limits provisioned for the
// account, by name. They belong to the account, not to a pool.
type ProvisionedLimits interface {
	// GetProvisionedLimit returns a limit's provisioned value, or
	// ErrNotFound when none was set.
	GetProvisionedLimit(ctx context.Context, name string) (int64, error)
	// SetProvisionedLimit sets a limit's provisioned value.
	SetProvisionedLimit(ctx context.Context, name string, value int64, at time.Time) error
	// CountRequest adds one request to the count of key in the one-second
	// window starting at the Unix second window, and returns that count,
	// atomically however many servers count on the database at once. Counts
	// of key older than RequestCountRetention before window are dropped.
	CountRequest(ctx context.Context, key string, window int64) (int64, error)
}

// RequestCountRetention is how many seconds of request counts a key keeps.
const RequestCountRetention = 60
