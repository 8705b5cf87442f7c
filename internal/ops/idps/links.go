package idps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// MaxLinks is how many federated identities can be linked to one user.
const MaxLinks = 5

// NativeProvider is the ProviderName of the pool's own users.
const NativeProvider = "Cognito"

// IdentitiesAttribute is the user attribute that lists the external
// identities a user signs in with.
const IdentitiesAttribute = "identities"

// Identity is one entry of a user's identities attribute, as Cognito writes
// it (and as the ID token's identities claim carries it).
type Identity struct {
	UserID       string `json:"userId"`
	ProviderName string `json:"providerName"`
	ProviderType string `json:"providerType"`
	// Issuer is a SAML IdP's entity ID, null for the other types.
	Issuer  *string `json:"issuer"`
	Primary bool    `json:"primary"`
	// DateCreated is when the identity was linked, in milliseconds since
	// the Unix epoch.
	DateCreated int64 `json:"dateCreated"`
}

// Identities returns the entries of a user's identities attribute.
func Identities(u *store.User) ([]Identity, error) {
	v := u.Attributes[IdentitiesAttribute]
	if v == "" {
		return nil, nil
	}
	var ids []Identity
	if err := json.Unmarshal([]byte(v), &ids); err != nil {
		return nil, fmt.Errorf("decode identities of %s: %w", u.Username, err)
	}
	return ids, nil
}

// SetIdentities writes a user's identities attribute; no entries remove it.
func SetIdentities(u *store.User, ids []Identity) error {
	if len(ids) == 0 {
		delete(u.Attributes, IdentitiesAttribute)
		return nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("encode identities: %w", err)
	}
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	u.Attributes[IdentitiesAttribute] = string(b)
	return nil
}

// FederatedUsername is the username of the user a federated identity signs
// up as: <ProviderName>_<subject>.
func FederatedUsername(provider, subject string) string { return provider + "_" + subject }

func identifierOf(u *model.ProviderUserIdentifierType) model.ProviderUserIdentifierType {
	if u == nil {
		return model.ProviderUserIdentifierType{}
	}
	return *u
}

func noProvider(name, poolID string) error {
	return invalid("The provider %s does not exist for User Pool %s", name, poolID)
}

// linkAttribute checks the ProviderAttributeName an identity of provider p
// is named by: Cognito_Subject for a social provider; for OIDC and SAML,
// Cognito_Subject or a user pool attribute the provider maps a claim to.
func linkAttribute(p *Provider, attr string) error {
	if attr == store.SubjectAttribute {
		return nil
	}
	if social(p.Type) {
		return invalid("The ProviderAttributeName of a %s identity must be %s.", p.Type, store.SubjectAttribute)
	}
	if attr == "" || attr == "username" || p.AttributeMapping[attr] == "" {
		return invalid("ProviderAttributeName must be %s or a user pool attribute that the attribute mapping of %s maps a claim to; %q is neither.",
			store.SubjectAttribute, p.Name, attr)
	}
	return nil
}

// destination finds the user a DestinationUser names: a native user by
// username (ProviderName Cognito), or a federated user by the user ID the
// provider knows them by. Its ProviderAttributeName is ignored.
func destination(ctx context.Context, tx store.Store, p *userpool.Pool, d model.ProviderUserIdentifierType) (*store.User, error) {
	if d.ProviderAttributeValue == "" {
		return nil, invalid("DestinationUser needs a ProviderAttributeValue: the username, or the federated user's ID at the provider.")
	}
	if strings.EqualFold(d.ProviderName, NativeProvider) {
		return p.FindUser(ctx, tx, d.ProviderAttributeValue)
	}
	l, err := tx.GetLink(ctx, p.ID, d.ProviderName, store.SubjectAttribute, d.ProviderAttributeValue)
	switch {
	case err == nil:
		u, err := tx.GetUserBySub(ctx, p.ID, l.Sub)
		if errors.Is(err, store.ErrNotFound) {
			return nil, userpool.ErrUserNotFound()
		}
		if err != nil {
			return nil, fmt.Errorf("get user by sub: %w", err)
		}
		return u, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("get provider link: %w", err)
	}
	u, err := tx.GetUser(ctx, p.ID, p.Key(FederatedUsername(d.ProviderName, d.ProviderAttributeValue)))
	if errors.Is(err, store.ErrNotFound) {
		return nil, userpool.ErrUserNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

// AdminLinkProviderForUser links an external identity that has not signed
// in yet to an existing user, who is then the user that identity signs in
// as.
func (s *Service) AdminLinkProviderForUser(ctx context.Context, in *model.AdminLinkProviderForUserRequest) (*model.AdminLinkProviderForUserResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	src, dst := identifierOf(in.SourceUser), identifierOf(in.DestinationUser)
	if strings.EqualFold(src.ProviderName, NativeProvider) {
		return nil, invalid("Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser")
	}
	provider, err := Load(ctx, s.Store, s.Keys, p.ID, src.ProviderName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noProvider(src.ProviderName, p.ID)
	}
	if err != nil {
		return nil, err
	}
	if err := linkAttribute(provider, src.ProviderAttributeName); err != nil {
		return nil, err
	}
	if src.ProviderAttributeValue == "" {
		return nil, invalid("SourceUser needs a ProviderAttributeValue: the value of %s that names the identity.", src.ProviderAttributeName)
	}
	now := s.Now()
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		u, err := destination(ctx, tx, p, dst)
		if err != nil {
			return err
		}
		if src.ProviderAttributeName == store.SubjectAttribute {
			_, err := tx.GetUser(ctx, p.ID, p.Key(FederatedUsername(provider.Name, src.ProviderAttributeValue)))
			if err == nil {
				return errMerging()
			}
			if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("get user: %w", err)
			}
		}
		switch l, err := tx.GetLink(ctx, p.ID, provider.Name, src.ProviderAttributeName, src.ProviderAttributeValue); {
		case err == nil && l.Primary:
			return errMerging()
		case err == nil:
			return errAlreadyLinked()
		case !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("get provider link: %w", err)
		}
		for name := range u.Attributes {
			if a := p.Attribute(name); strings.HasPrefix(name, "custom:") && a != nil && a.Mutable != nil && !*a.Mutable {
				return invalid("The DestinationUser has the immutable custom attribute %s: a user can be linked only if all of their attributes are mutable.", name)
			}
		}
		l := &store.ProviderLink{PoolID: p.ID, Provider: provider.Name, Attribute: src.ProviderAttributeName,
			Value: src.ProviderAttributeValue, Sub: u.Sub, CreatedAt: now}
		switch err := tx.CreateLink(ctx, l, MaxLinks); {
		case errors.Is(err, store.ErrLimit):
			return &model.LimitExceededException{Message: fmt.Sprintf("A user can have at most %d linked identities.", MaxLinks)}
		case errors.Is(err, store.ErrConflict):
			return errAlreadyLinked()
		case errors.Is(err, store.ErrNotFound):
			return userpool.ErrUserNotFound()
		case err != nil:
			return fmt.Errorf("create provider link: %w", err)
		}
		var issuer *string
		if provider.Issuer != "" {
			issuer = &provider.Issuer
		}
		_, err = tx.UpdateUser(ctx, p.ID, u.Key, func(u *store.User) error {
			ids, err := Identities(u)
			if err != nil {
				return err
			}
			ids = append(ids, Identity{UserID: l.Value, ProviderName: provider.Name, ProviderType: provider.Type,
				Issuer: issuer, DateCreated: now.UnixMilli()})
			u.UpdatedAt = now
			return SetIdentities(u, ids)
		})
		if errors.Is(err, store.ErrNotFound) {
			return userpool.ErrUserNotFound()
		}
		if err != nil {
			return fmt.Errorf("update linked user: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminLinkProviderForUserResponse{}, nil
}

func errMerging() error {
	return invalid("Merging is not currently supported, provide a SourceUser that has not been signed up in order to link")
}

func errAlreadyLinked() error { return invalid("SourceUser is already linked to DestinationUser") }

// AdminDisableProviderForUser removes a linked identity from the user it
// signs in as, after which that identity signs up afresh; or, with
// ProviderName Cognito, stops a native user signing in with their password.
func (s *Service) AdminDisableProviderForUser(ctx context.Context, in *model.AdminDisableProviderForUserRequest) (*model.AdminDisableProviderForUserResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	u := identifierOf(in.User)
	if strings.EqualFold(u.ProviderName, NativeProvider) {
		return s.disablePassword(ctx, p, u)
	}
	// Identities of a provider deleted since they were linked can still be
	// unlinked; for a provider that does not exist, nothing else can be.
	provider, err := Load(ctx, s.Store, s.Keys, p.ID, u.ProviderName)
	gone := errors.Is(err, store.ErrNotFound)
	if err != nil && !gone {
		return nil, err
	}
	if !gone {
		if err := linkAttribute(provider, u.ProviderAttributeName); err != nil {
			return nil, err
		}
	}
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		l, err := tx.GetLink(ctx, p.ID, u.ProviderName, u.ProviderAttributeName, u.ProviderAttributeValue)
		if errors.Is(err, store.ErrNotFound) && gone {
			return noProvider(u.ProviderName, p.ID)
		}
		if errors.Is(err, store.ErrNotFound) {
			return userpool.ErrUserNotFound()
		}
		if err != nil {
			return fmt.Errorf("get provider link: %w", err)
		}
		if err := tx.DeleteLink(ctx, p.ID, l.Provider, l.Attribute, l.Value); err != nil {
			return fmt.Errorf("delete provider link: %w", err)
		}
		owner, err := tx.GetUserBySub(ctx, p.ID, l.Sub)
		if err != nil {
			return fmt.Errorf("get linked user: %w", err)
		}
		_, err = tx.UpdateUser(ctx, p.ID, owner.Key, func(o *store.User) error {
			ids, err := Identities(o)
			if err != nil {
				return err
			}
			kept := slices.DeleteFunc(ids, func(id Identity) bool { return id.ProviderName == l.Provider && id.UserID == l.Value })
			o.UpdatedAt = s.Now()
			return SetIdentities(o, kept)
		})
		if err != nil {
			return fmt.Errorf("update linked user: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminDisableProviderForUserResponse{}, nil
}

// disablePassword stops a native user signing in with their password.
func (s *Service) disablePassword(ctx context.Context, p *userpool.Pool, u model.ProviderUserIdentifierType) (*model.AdminDisableProviderForUserResponse, error) {
	if u.ProviderAttributeName != store.SubjectAttribute {
		return nil, invalid("To disable a native user, ProviderAttributeName must be %s and ProviderAttributeValue the username.", store.SubjectAttribute)
	}
	found, err := p.FindUser(ctx, s.Store, u.ProviderAttributeValue)
	if err != nil {
		return nil, err
	}
	_, err = s.Store.UpdateUser(ctx, p.ID, found.Key, func(u *store.User) error {
		st, err := authn.ReadState(u)
		if err != nil {
			return err
		}
		if st.PasswordDisabled {
			return nil
		}
		st.PasswordDisabled = true
		u.UpdatedAt = s.Now()
		return authn.WriteState(u, st)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, userpool.ErrUserNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("disable password: %w", err)
	}
	return &model.AdminDisableProviderForUserResponse{}, nil
}
