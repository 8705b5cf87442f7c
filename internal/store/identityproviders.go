package store

import (
	"context"
	"errors"
	"time"
)

// ErrIdentifierConflict means one of an identity provider's Identifiers is
// held by another provider of the pool.
var ErrIdentifierConflict = errors.New("identity provider identifier already exists")

// IdentityProvider is a third-party identity provider of a pool: a SAML or
// OIDC provider, or a social one (Google, Facebook, LoginWithAmazon,
// SignInWithApple). Config is the provider's settings document (its
// details, with secrets sealed, and its attribute mapping), owned by the
// operations layer.
type IdentityProvider struct {
	PoolID string
	// Name is unique within the pool and cannot change.
	Name string
	Type string
	// Identifiers are the provider's IdP identifiers, kept in the order
	// given. Each is unique across the pool's providers.
	Identifiers []string
	Config      []byte
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// IdentityProviders stores identity providers.
type IdentityProviders interface {
	// CreateIdentityProvider stores a new provider: ErrNotFound if the pool
	// does not exist, ErrConflict if the name is taken in the pool,
	// ErrIdentifierConflict if one of its identifiers is another
	// provider's, ErrLimit if the pool has max providers already (checked
	// atomically with the insert).
	CreateIdentityProvider(ctx context.Context, p *IdentityProvider, max int) error
	// GetIdentityProvider returns a provider by name, or ErrNotFound.
	GetIdentityProvider(ctx context.Context, poolID, name string) (*IdentityProvider, error)
	// GetIdentityProviderByIdentifier returns the provider holding an IdP
	// identifier, in one indexed read, or ErrNotFound.
	GetIdentityProviderByIdentifier(ctx context.Context, poolID, identifier string) (*IdentityProvider, error)
	// UpdateIdentityProvider is the read-modify-write of a provider, as
	// UpdatePool. PoolID, Name, Type and CreatedAt cannot be changed by fn;
	// ErrIdentifierConflict if the new Identifiers collide with another
	// provider's.
	UpdateIdentityProvider(ctx context.Context, poolID, name string, fn func(p *IdentityProvider) error) (*IdentityProvider, error)
	// DeleteIdentityProvider removes a provider with its identifiers;
	// ErrNotFound if it does not exist. Links to users made through the
	// provider stay (see ProviderLinks).
	DeleteIdentityProvider(ctx context.Context, poolID, name string) error
	// ListIdentityProviders returns a pool's providers ordered by name.
	ListIdentityProviders(ctx context.Context, poolID string, page Page) ([]IdentityProvider, string, error)
}
