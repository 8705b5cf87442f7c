package store

import (
	"context"
	"time"
)

// AuthEvent is one entry of a user's authentication event history (sign-in,
// sign-up, password change ...), as threat protection records it. ID is
// unique across the store; Data is the rest of the event, a document owned
// by the operations layer.
type AuthEvent struct {
	PoolID    string
	Sub       string
	ID        string
	CreatedAt time.Time
	Data      []byte
}

// AuthEvents stores users' authentication events.
type AuthEvents interface {
	// AddAuthEvent stores an event and then keeps only the user's keep
	// newest events: ErrNotFound if the user does not exist, ErrConflict if
	// the ID is taken. keep is at least 1.
	AddAuthEvent(ctx context.Context, e *AuthEvent, keep int) error
	// ListAuthEvents returns a user's events newest first (by CreatedAt,
	// then by ID) and the cursor of the next page. The events of a user
	// that does not exist are none.
	ListAuthEvents(ctx context.Context, poolID, sub string, page Page) ([]AuthEvent, string, error)
	// UpdateAuthEvent is the read-modify-write of an event, as UpdatePool.
	// Only Data may be changed by fn. ErrNotFound if the user has no event
	// with that ID.
	UpdateAuthEvent(ctx context.Context, poolID, sub, id string, fn func(e *AuthEvent) error) (*AuthEvent, error)
}
