// Package idps implements the identity provider operations
// (CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider,
// DeleteIdentityProvider, ListIdentityProviders,
// GetIdentityProviderByIdentifier) and the linking of external identities
// to users (AdminLinkProviderForUser, AdminDisableProviderForUser).
//
// A provider's details are checked and completed as Cognito does: social
// providers get their endpoints, an OIDC provider the endpoints its
// issuer's discovery document gives, a SAML provider the single sign-on
// URLs of its metadata. Secrets among them are sealed at rest.
package idps

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/fetch"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/samlcert"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// MaxProviders is how many identity providers a user pool can have.
const MaxProviders = 300

// Service serves the identity provider and linking operations.
type Service struct {
	ops.Deps
	// Fetch retrieves SAML metadata and OIDC discovery documents.
	Fetch *fetch.Fetcher
	// Encryption are the pools' SAML encryption certificates, the newest
	// of which a SAML provider with EncryptedResponses shows as its
	// ActiveEncryptionCertificate.
	Encryption *samlcert.Issuer
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpCreateIdentityProvider, s.CreateIdentityProvider)
	awsjson.Handle(m, model.OpDescribeIdentityProvider, s.DescribeIdentityProvider)
	awsjson.Handle(m, model.OpUpdateIdentityProvider, s.UpdateIdentityProvider)
	awsjson.Handle(m, model.OpDeleteIdentityProvider, s.DeleteIdentityProvider)
	awsjson.Handle(m, model.OpListIdentityProviders, s.ListIdentityProviders)
	awsjson.Handle(m, model.OpGetIdentityProviderByIdentifier, s.GetIdentityProviderByIdentifier)
	awsjson.Handle(m, model.OpAdminLinkProviderForUser, s.AdminLinkProviderForUser)
	awsjson.Handle(m, model.OpAdminDisableProviderForUser, s.AdminDisableProviderForUser)
}

// settings is a provider's settings document, as the store keeps it.
type settings struct {
	// Details are the provider details as Describe shows them, without the
	// secrets.
	Details map[string]string `json:"details"`
	// Secrets are the secret details, each sealed with the master key.
	Secrets          map[string][]byte `json:"secrets,omitzero"`
	AttributeMapping map[string]string `json:"attributeMapping,omitzero"`
	// Issuer is a SAML IdP's entity ID.
	Issuer string `json:"issuer,omitzero"`
	// Metadata is the SAML metadata fetched from MetadataURL.
	Metadata string `json:"metadata,omitzero"`
}

// Provider is an identity provider with its settings opened.
type Provider struct {
	PoolID      string
	Name        string
	Type        string
	Identifiers []string
	// Details are the provider details, secrets included.
	Details          map[string]string
	AttributeMapping map[string]string
	// Issuer is a SAML IdP's entity ID, the issuer of the identities it
	// vouches for; empty for the other types.
	Issuer string
	// Metadata is a SAML IdP's metadata document (MetadataFile, or what was
	// fetched from MetadataURL).
	Metadata  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// secretAAD binds a sealed secret detail to its pool, provider and key.
func secretAAD(poolID, provider, key string) []byte {
	return []byte("idp-secret|" + poolID + "|" + provider + "|" + key)
}

// Open decodes a stored provider and opens its secrets.
func Open(keys *seal.Keyring, rec *store.IdentityProvider) (*Provider, error) {
	var st settings
	if err := json.Unmarshal(rec.Config, &st); err != nil {
		return nil, fmt.Errorf("decode identity provider %s settings: %w", rec.Name, err)
	}
	p := &Provider{
		PoolID: rec.PoolID, Name: rec.Name, Type: rec.Type, Identifiers: rec.Identifiers,
		Details: maps.Clone(st.Details), AttributeMapping: st.AttributeMapping, Issuer: st.Issuer, Metadata: st.Metadata,
		CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt,
	}
	if p.Details == nil {
		p.Details = map[string]string{}
	}
	for k, sealed := range st.Secrets {
		v, err := keys.Open(sealed, secretAAD(rec.PoolID, rec.Name, k))
		if err != nil {
			return nil, fmt.Errorf("open identity provider %s %s: %w", rec.Name, k, err)
		}
		p.Details[k] = string(v)
	}
	if p.Metadata == "" {
		p.Metadata = p.Details["MetadataFile"]
	}
	return p, nil
}

// Load reads a provider of a pool and opens it; store.ErrNotFound when
// there is none.
func Load(ctx context.Context, st store.IdentityProviders, keys *seal.Keyring, poolID, name string) (*Provider, error) {
	rec, err := st.GetIdentityProvider(ctx, poolID, name)
	if err != nil {
		return nil, fmt.Errorf("get identity provider: %w", err)
	}
	return Open(keys, rec)
}

// encode makes the settings document of a provider, sealing its secrets.
func (s *Service) encode(poolID, name string, n *normalized, mapping map[string]string) ([]byte, error) {
	st := settings{Details: map[string]string{}, AttributeMapping: mapping, Issuer: n.issuer, Metadata: n.metadata}
	for k, v := range n.details {
		if !slices.Contains(secretKeys, k) {
			st.Details[k] = v
			continue
		}
		sealed, err := s.Keys.Seal([]byte(v), secretAAD(poolID, name, k))
		if err != nil {
			return nil, fmt.Errorf("seal identity provider %s: %w", k, err)
		}
		if st.Secrets == nil {
			st.Secrets = map[string][]byte{}
		}
		st.Secrets[k] = sealed
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encode identity provider settings: %w", err)
	}
	return b, nil
}

// wire returns a provider as the wire's IdentityProviderType: with its
// client secret, as Cognito shows it, but never its private key; a SAML
// provider with EncryptedResponses shows the pool's newest encryption
// certificate (base64 DER, as GetSigningCertificate's), which its IdP
// encrypts assertions to.
func (s *Service) wire(ctx context.Context, rec *store.IdentityProvider) (*model.IdentityProviderType, error) {
	p, err := Open(s.Keys, rec)
	if err != nil {
		return nil, err
	}
	details := map[string]string{}
	for k, v := range p.Details {
		if !slices.Contains(secretKeys, k) || slices.Contains(describedSecrets, k) {
			details[k] = v
		}
	}
	if p.Type == TypeSAML && p.Details["EncryptedResponses"] == "true" {
		c, err := s.Encryption.Current(ctx, p.PoolID)
		if err != nil {
			return nil, fmt.Errorf("identity provider %s: encryption certificate: %w", p.Name, err)
		}
		details["ActiveEncryptionCertificate"] = base64.StdEncoding.EncodeToString(c.Cert.Raw)
	}
	mapping := maps.Clone(p.AttributeMapping)
	if mapping == nil {
		mapping = map[string]string{}
	}
	ids := slices.Clone(p.Identifiers)
	if ids == nil {
		ids = []string{}
	}
	return &model.IdentityProviderType{
		UserPoolId: p.PoolID, ProviderName: p.Name, ProviderType: p.Type, ProviderDetails: details,
		AttributeMapping: mapping, IdpIdentifiers: ids,
		CreationDate: model.NewTime(p.CreatedAt), LastModifiedDate: model.NewTime(p.UpdatedAt),
	}, nil
}

func notFound(poolID, name string) error {
	return &model.ResourceNotFoundException{Message: fmt.Sprintf("Identity provider %s does not exist in user pool %s.", name, poolID)}
}

func duplicateName(poolID, name string) error {
	return &model.DuplicateProviderException{Message: fmt.Sprintf("%s already exists in user pool %s", name, poolID)}
}

func duplicateIdentifier(poolID, identifier string) error {
	return &model.DuplicateProviderException{Message: fmt.Sprintf("Identifier %s already exists in user pool %s", identifier, poolID)}
}

// reservedName reports whether name is the pool's own directory, which no
// identity provider may be called.
func reservedName(name string) bool { return strings.EqualFold(name, "Cognito") }

// checkName applies Cognito's rules on a new provider's name: not the
// reserved name of the pool's own directory, and the type's name for a
// social provider, which no other type may take.
func checkName(name, typ string) error {
	if reservedName(name) {
		return invalid("The provider name %s is reserved.", name)
	}
	if (social(typ) || social(name)) && name != typ {
		return invalid("Provider %s cannot be of type %s.", name, typ)
	}
	return nil
}

// attributeMapping checks a provider's attribute mapping against the pool's
// schema (keys are user pool attributes, or username) and adds the type's
// default username mapping when the request has none.
func attributeMapping(p *userpool.Pool, typ string, in map[string]string) (map[string]string, error) {
	var bad []string
	for k := range in {
		if k == "username" {
			continue
		}
		if a := p.Attribute(k); a == nil || k == "sub" {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return nil, invalid("AttributeMapping contains invalid mapping: [%s]", strings.Join(bad, ", "))
	}
	out := maps.Clone(in)
	if out == nil {
		out = map[string]string{}
	}
	if def, ok := defaultUsername[typ]; ok && out["username"] == "" {
		out["username"] = def
	}
	return out, nil
}

// checkIdentifiers checks that a provider's IdP identifiers are distinct and
// held by no other provider of the pool.
func (s *Service) checkIdentifiers(ctx context.Context, poolID, name string, ids []string) error {
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			return invalid("Duplicate IdP identifier %s in the request.", id)
		}
		other, err := s.Store.GetIdentityProviderByIdentifier(ctx, poolID, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("get identity provider by identifier: %w", err)
		}
		if other.Name != name {
			return duplicateIdentifier(poolID, id)
		}
	}
	return nil
}

// CreateIdentityProvider adds an identity provider to a pool.
func (s *Service) CreateIdentityProvider(ctx context.Context, in *model.CreateIdentityProviderRequest) (*model.CreateIdentityProviderResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if err := checkName(in.ProviderName, in.ProviderType); err != nil {
		return nil, err
	}
	switch _, err := s.Store.GetIdentityProvider(ctx, p.ID, in.ProviderName); {
	case err == nil:
		return nil, duplicateName(p.ID, in.ProviderName)
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("get identity provider: %w", err)
	}
	if err := s.checkIdentifiers(ctx, p.ID, in.ProviderName, in.IdpIdentifiers); err != nil {
		return nil, err
	}
	mapping, err := attributeMapping(p, in.ProviderType, in.AttributeMapping)
	if err != nil {
		return nil, err
	}
	n, err := s.normalize(ctx, in.ProviderType, in.ProviderDetails)
	if err != nil {
		return nil, err
	}
	cfg, err := s.encode(p.ID, in.ProviderName, n, mapping)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	rec := &store.IdentityProvider{
		PoolID: p.ID, Name: in.ProviderName, Type: in.ProviderType, Identifiers: slices.Clone(in.IdpIdentifiers),
		Config: cfg, CreatedAt: now, UpdatedAt: now,
	}
	switch err := s.Store.CreateIdentityProvider(ctx, rec, MaxProviders); {
	case errors.Is(err, store.ErrConflict):
		return nil, duplicateName(p.ID, in.ProviderName)
	case errors.Is(err, store.ErrIdentifierConflict):
		return nil, &model.DuplicateProviderException{Message: fmt.Sprintf("An IdP identifier of %s already exists in user pool %s", in.ProviderName, p.ID)}
	case errors.Is(err, store.ErrLimit):
		return nil, &model.LimitExceededException{Message: fmt.Sprintf("A user pool can have at most %d identity providers.", MaxProviders)}
	case errors.Is(err, store.ErrNotFound):
		return nil, userpool.NotFound(p.ID)
	case err != nil:
		return nil, fmt.Errorf("create identity provider: %w", err)
	}
	out, err := s.wire(ctx, rec)
	if err != nil {
		return nil, err
	}
	return &model.CreateIdentityProviderResponse{IdentityProvider: out}, nil
}

// get reads a provider; a missing pool or provider is Cognito's
// ResourceNotFoundException.
func (s *Service) get(ctx context.Context, poolID, name string) (*store.IdentityProvider, error) {
	rec, err := s.Store.GetIdentityProvider(ctx, poolID, name)
	if errors.Is(err, store.ErrNotFound) {
		if _, err := s.Pools.Load(ctx, s.Store, poolID); err != nil {
			return nil, err
		}
		return nil, notFound(poolID, name)
	}
	if err != nil {
		return nil, fmt.Errorf("get identity provider: %w", err)
	}
	return rec, nil
}

// DescribeIdentityProvider returns an identity provider.
func (s *Service) DescribeIdentityProvider(ctx context.Context, in *model.DescribeIdentityProviderRequest) (*model.DescribeIdentityProviderResponse, error) {
	rec, err := s.get(ctx, in.UserPoolId, in.ProviderName)
	if err != nil {
		return nil, err
	}
	out, err := s.wire(ctx, rec)
	if err != nil {
		return nil, err
	}
	return &model.DescribeIdentityProviderResponse{IdentityProvider: out}, nil
}

// GetIdentityProviderByIdentifier returns the identity provider that holds
// an IdP identifier.
func (s *Service) GetIdentityProviderByIdentifier(ctx context.Context, in *model.GetIdentityProviderByIdentifierRequest) (*model.GetIdentityProviderByIdentifierResponse, error) {
	rec, err := s.Store.GetIdentityProviderByIdentifier(ctx, in.UserPoolId, in.IdpIdentifier)
	if errors.Is(err, store.ErrNotFound) {
		if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
			return nil, err
		}
		return nil, &model.ResourceNotFoundException{Message: fmt.Sprintf("Identity provider with identifier %s does not exist in user pool %s.", in.IdpIdentifier, in.UserPoolId)}
	}
	if err != nil {
		return nil, fmt.Errorf("get identity provider by identifier: %w", err)
	}
	out, err := s.wire(ctx, rec)
	if err != nil {
		return nil, err
	}
	return &model.GetIdentityProviderByIdentifierResponse{IdentityProvider: out}, nil
}

// UpdateIdentityProvider changes an identity provider: the members the
// request gives replace the stored ones (ProviderDetails as a whole, so its
// required keys must all be there again), and the others are kept.
func (s *Service) UpdateIdentityProvider(ctx context.Context, in *model.UpdateIdentityProviderRequest) (*model.UpdateIdentityProviderResponse, error) {
	if reservedName(in.ProviderName) {
		return nil, &model.UnsupportedIdentityProviderException{Message: fmt.Sprintf("The provider %s cannot be updated.", in.ProviderName)}
	}
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	old, err := s.get(ctx, p.ID, in.ProviderName)
	if err != nil {
		return nil, err
	}
	current, err := Open(s.Keys, old)
	if err != nil {
		return nil, err
	}
	// Slow checks (fetching metadata) run before the update, which then
	// writes only if the provider is still the one they were made against.
	var n *normalized
	if in.ProviderDetails != nil {
		if n, err = s.normalize(ctx, old.Type, in.ProviderDetails); err != nil {
			return nil, err
		}
	}
	mapping := current.AttributeMapping
	if in.AttributeMapping != nil {
		if mapping, err = attributeMapping(p, old.Type, in.AttributeMapping); err != nil {
			return nil, err
		}
	}
	if in.IdpIdentifiers != nil {
		if err := s.checkIdentifiers(ctx, p.ID, in.ProviderName, in.IdpIdentifiers); err != nil {
			return nil, err
		}
	}
	if n == nil {
		n = &normalized{details: current.Details, issuer: current.Issuer}
		if current.Details["MetadataURL"] != "" {
			n.metadata = current.Metadata
		}
	}
	cfg, err := s.encode(p.ID, in.ProviderName, n, mapping)
	if err != nil {
		return nil, err
	}
	rec, err := s.Store.UpdateIdentityProvider(ctx, p.ID, in.ProviderName, func(r *store.IdentityProvider) error {
		if !r.UpdatedAt.Equal(old.UpdatedAt) {
			return &model.ConcurrentModificationException{Message: "The identity provider was changed by another request; try again."}
		}
		if in.IdpIdentifiers != nil {
			r.Identifiers = slices.Clone(in.IdpIdentifiers)
		}
		r.Config, r.UpdatedAt = cfg, s.Now()
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(p.ID, in.ProviderName)
	case errors.Is(err, store.ErrIdentifierConflict):
		return nil, &model.DuplicateProviderException{Message: fmt.Sprintf("An IdP identifier of %s already exists in user pool %s", in.ProviderName, p.ID)}
	case err != nil:
		return nil, fmt.Errorf("update identity provider: %w", err)
	}
	out, err := s.wire(ctx, rec)
	if err != nil {
		return nil, err
	}
	return &model.UpdateIdentityProviderResponse{IdentityProvider: out}, nil
}

// DeleteIdentityProvider deletes an identity provider. Users it made, and
// links of its identities to users, stay.
func (s *Service) DeleteIdentityProvider(ctx context.Context, in *model.DeleteIdentityProviderRequest) (*model.Empty, error) {
	if reservedName(in.ProviderName) {
		return nil, &model.UnsupportedIdentityProviderException{Message: fmt.Sprintf("The provider %s cannot be deleted.", in.ProviderName)}
	}
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	err := s.Store.DeleteIdentityProvider(ctx, in.UserPoolId, in.ProviderName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(in.UserPoolId, in.ProviderName)
	}
	if err != nil {
		return nil, fmt.Errorf("delete identity provider: %w", err)
	}
	return &model.Empty{}, nil
}

// ListIdentityProviders lists a pool's identity providers a page at a time.
func (s *Service) ListIdentityProviders(ctx context.Context, in *model.ListIdentityProvidersRequest) (*model.ListIdentityProvidersResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	list, next, err := s.Store.ListIdentityProviders(ctx, in.UserPoolId, ops.Page(in.NextToken, in.MaxResults, 60))
	if err != nil {
		return nil, ops.ListError(err, ops.InvalidNextToken, "list identity providers")
	}
	out := &model.ListIdentityProvidersResponse{Providers: []model.ProviderDescription{}, NextToken: next}
	for _, rec := range list {
		out.Providers = append(out.Providers, model.ProviderDescription{
			ProviderName: rec.Name, ProviderType: rec.Type,
			CreationDate: model.NewTime(rec.CreatedAt), LastModifiedDate: model.NewTime(rec.UpdatedAt),
		})
	}
	return out, nil
}

// Exists reports whether a pool has an identity provider of that name.
func Exists(ctx context.Context, st store.IdentityProviders, poolID, name string) (bool, error) {
	_, err := st.GetIdentityProvider(ctx, poolID, name)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get identity provider: %w", err)
	}
	return true, nil
}
