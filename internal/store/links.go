package store

import (
	"context"
	"time"
)

// SubjectAttribute is the ProviderLink.Attribute of an identity named by its
// subject at the provider (the OIDC sub, the SAML NameID, the Facebook id).
const SubjectAttribute = "Cognito_Subject"

// ProviderLink ties an identity at an external identity provider to a user
// of the pool, who is the user that identity signs in as. The identity is
// named by (Provider, Attribute, Value), unique within the pool: Attribute
// is SubjectAttribute, or the name of a user pool attribute an IdP claim is
// mapped to (the identity is then whoever presents that value).
type ProviderLink struct {
	PoolID string
	// Provider is the identity provider's name.
	Provider  string
	Attribute string
	Value     string
	// Sub is the sub of the user the identity signs in as; the link goes
	// when the user does.
	Sub string
	// Primary is set for the identity a federated user was created by (the
	// user named <Provider>_<Value>); links made by AdminLinkProviderForUser
	// are not primary.
	Primary   bool
	CreatedAt time.Time
}

// ProviderLinks stores the links of external identities to users.
type ProviderLinks interface {
	// CreateLink stores a link: ErrNotFound if the pool or the user (by
	// sub) does not exist, ErrConflict if the identity is linked already
	// (to any user), ErrLimit if l is not primary and the user has max
	// links that are not primary already (checked atomically with the
	// insert).
	CreateLink(ctx context.Context, l *ProviderLink, max int) error
	// GetLink returns the link of an external identity, in one indexed
	// read: the lookup federated sign-in resolves its user by. ErrNotFound
	// if the identity is not linked.
	GetLink(ctx context.Context, poolID, provider, attribute, value string) (*ProviderLink, error)
	// ListUserLinks returns the links of a user (by sub), oldest first (by
	// CreatedAt, then provider, attribute and value).
	ListUserLinks(ctx context.Context, poolID, sub string) ([]ProviderLink, error)
	// DeleteLink removes the link of an external identity; ErrNotFound if
	// there is none.
	DeleteLink(ctx context.Context, poolID, provider, attribute, value string) error
}
