package store

import (
	"context"
	"time"
)

// WebAuthnCredential is a passkey a user registered. ID is the credential
// ID (base64url, no padding), unique in its pool; SignCount is the
// authenticator's signature counter as last seen; Data is the rest of the
// credential (public key, flags, transports ...), a document owned by the
// operations layer.
type WebAuthnCredential struct {
	PoolID    string
	Sub       string
	ID        string
	SignCount int64
	CreatedAt time.Time
	// LastUsedAt is when the credential last signed in; zero before that.
	LastUsedAt time.Time
	Data       []byte
}

// WebAuthnCredentials stores users' passkeys.
type WebAuthnCredentials interface {
	// AddWebAuthnCredential stores a credential if the user has fewer than
	// max, counted in the same transaction: ErrNotFound if the user does
	// not exist, ErrLimit if they have max, ErrConflict if the pool has a
	// credential with that ID.
	AddWebAuthnCredential(ctx context.Context, c *WebAuthnCredential, max int) error
	// GetWebAuthnCredential returns one of a user's credentials, or
	// ErrNotFound.
	GetWebAuthnCredential(ctx context.Context, poolID, sub, id string) (*WebAuthnCredential, error)
	// ListWebAuthnCredentials returns a user's credentials oldest first (by
	// CreatedAt, then ID) and the cursor of the next page.
	ListWebAuthnCredentials(ctx context.Context, poolID, sub string, page Page) ([]WebAuthnCredential, string, error)
	// CountWebAuthnCredentials returns how many credentials a user has.
	CountWebAuthnCredentials(ctx context.Context, poolID, sub string) (int, error)
	// DeleteWebAuthnCredential removes one of a user's credentials, or
	// returns ErrNotFound.
	DeleteWebAuthnCredential(ctx context.Context, poolID, sub, id string) error
	// UseWebAuthnCredential records a sign-in with a credential in one
	// conditional update: the stored counter becomes count and LastUsedAt
	// becomes at only if count is above the stored counter, or both are 0
	// (an authenticator without a counter). Otherwise, or if the credential
	// is not there, nothing changes and it returns ErrConflict (a replayed
	// or cloned authenticator) or ErrNotFound.
	UseWebAuthnCredential(ctx context.Context, poolID, sub, id string, count int64, at time.Time) error
}
