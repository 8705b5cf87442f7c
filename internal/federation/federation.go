// Package federation decides who signs in when an external identity (an
// OIDC or SAML identity, or one of a social provider) comes back from its
// provider, as Cognito does:
//
//   - an identity linked by AdminLinkProviderForUser signs in as the user it
//     is linked to (same sub, groups and attributes), found by one indexed
//     read of the link store by (pool, provider, Cognito_Subject, subject);
//   - for OIDC and SAML, a link that names a user pool attribute (for
//     example email) matches the identity whose mapped attribute has that
//     value, and is re-keyed to the identity's subject at that first
//     sign-in, as AdminDisableProviderForUser then names it;
//   - otherwise the identity signs in as its federated user
//     <ProviderName>_<subject>, created at its first sign-in with the
//     EXTERNAL_PROVIDER status and the identities attribute, after the pre
//     sign-up trigger (PreSignUp_ExternalProvider).
//
// Before any of this, the inbound federation trigger
// (InboundFederation_ExternalProvider) may replace the identity's
// attributes with its userAttributesToMap, for new and returning users.
// The provider's attribute mapping is applied at every sign-in, onto
// whichever user signs in. The Lambda triggers run as Cognito documents
// them for federated users: the first sign-in of a new federated user runs
// pre sign-up and then post confirmation (PostConfirmation_ConfirmSignUp);
// every later sign-in (and any sign-in as a linked user) runs pre
// authentication and post authentication (PreAuthentication_Authentication,
// PostAuthentication_Authentication). Pre token generation runs when the
// hosted endpoints issue the tokens (TokenGeneration_HostedAuth).
package federation

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/ops/idps"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Trigger sources of federated sign-ins.
const (
	// SourcePreSignUp is the pre sign-up trigger source of a federated
	// user's first sign-in.
	SourcePreSignUp          = "PreSignUp_ExternalProvider"
	sourcePostConfirmation   = "PostConfirmation_ConfirmSignUp"
	sourcePreAuthentication  = "PreAuthentication_Authentication"
	sourcePostAuthentication = "PostAuthentication_Authentication"
	sourceInboundFederation  = "InboundFederation_ExternalProvider"
)

// Service resolves external identities to users.
type Service struct {
	ops.Deps
}

// Identity is an external identity as its provider vouched for it.
type Identity struct {
	Provider *idps.Provider
	// Claims are the identity's claims (OIDC ID token and userInfo claims,
	// SAML attributes, a social provider's profile), which the attribute
	// mapping reads. Values are strings, or lists of strings for SAML
	// attributes with several values.
	Claims map[string]any
	// Subject names the identity at the provider when the claims do not
	// (the SAML NameID); otherwise the claim the mapping gives the
	// username, else sub, names it.
	Subject string
	// Raw are the provider's answers kept apart (token response, ID token
	// claims, userInfo, SAML attributes) for the inbound federation
	// trigger. The token response holds secrets: never log it.
	Raw triggers.ProviderAttributes
}

// subject returns the value the identity is named by: its federated
// username is <ProviderName>_<subject> and its links are keyed by it.
func (id *Identity) subject() string {
	if id.Subject != "" {
		return id.Subject
	}
	if claim := id.Provider.AttributeMapping["username"]; claim != "" {
		if v := claimString(id.Claims[claim]); v != "" {
			return v
		}
	}
	return claimString(id.Claims["sub"])
}

// claimString turns a claim value into an attribute value: strings as
// they are, numbers and Booleans in their JSON form, lists joined with
// commas (as Cognito maps multi-valued SAML attributes).
func claimString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case []string:
		return strings.Join(v, ",")
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			parts = append(parts, claimString(e))
		}
		return strings.Join(parts, ",")
	}
	return ""
}

// mapped applies the provider's attribute mapping to the identity's
// claims: the user pool attributes it gives, username excepted.
func (id *Identity) mapped(p *userpool.Pool) map[string]string {
	out := map[string]string{}
	for attr, claim := range id.Provider.AttributeMapping {
		if attr == "username" || attr == "sub" || p.Attribute(attr) == nil {
			continue
		}
		if v := claimString(id.Claims[claim]); v != "" {
			out[attr] = v
		}
	}
	return out
}

func errNoSubject(provider string) error {
	return &model.InvalidParameterException{Message: "The identity from " + provider + " has no subject to sign in with."}
}

// SignIn returns the user an external identity signs in as for client c,
// creating its federated user at its first sign-in, and writes the mapped
// attributes onto that user. A disabled user is refused with
// NotAuthorizedException, as a password sign-in is.
func (s *Service) SignIn(ctx context.Context, c *appclient.Client, id *Identity) (*store.User, error) {
	p := c.Pool
	subject := id.subject()
	if subject == "" {
		return nil, errNoSubject(id.Provider.Name)
	}
	id, err := s.inbound(ctx, c, id, subject)
	if err != nil {
		return nil, err
	}
	attrs := id.mapped(p)
	u, err := s.linked(ctx, p, id, subject, attrs)
	if err != nil {
		return nil, err
	}
	created := false
	if u == nil {
		u, created, err = s.federatedUser(ctx, c, id, subject, attrs)
		if err != nil {
			return nil, err
		}
	}
	if !u.Enabled {
		return nil, authn.ErrUserDisabled()
	}
	h := s.Auth.Triggers()
	if !created {
		if err := h.PreAuthentication(ctx, event(c, u, sourcePreAuthentication)); err != nil {
			return nil, err
		}
	}
	if u, err = s.applyMapping(ctx, p, u, attrs); err != nil {
		return nil, err
	}
	if created {
		err = h.PostConfirmation(ctx, event(c, u, sourcePostConfirmation))
	} else {
		err = h.PostAuthentication(ctx, event(c, u, sourcePostAuthentication))
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// inbound runs the inbound federation trigger (InboundFederation_ExternalProvider)
// on the identity, before its user is created or updated, and returns the
// identity with the attributes the function answered in userAttributesToMap
// in place of its claims: provider attribute names, which the provider's
// attribute mapping then maps as it maps the provider's own. An empty
// answer keeps the claims. The identity keeps the subject its provider
// named it by, so the function cannot make it sign in as another user.
func (s *Service) inbound(ctx context.Context, c *appclient.Client, id *Identity, subject string) (*Identity, error) {
	e := &triggers.Event{
		PoolID: c.Pool.ID, ClientID: c.ID(), Username: idps.FederatedUsername(id.Provider.Name, subject),
		Source: sourceInboundFederation, Config: c.Pool.Settings.LambdaConfig,
	}
	m, err := s.Auth.Triggers().InboundFederation(ctx, e, id.Provider.Name, id.Provider.Type, id.Raw)
	if err != nil || m == nil {
		return id, err
	}
	out := *id
	out.Claims = make(map[string]any, len(m))
	for k, v := range m {
		out.Claims[k] = v
	}
	return &out, nil
}

// event is the trigger event of a federated sign-in.
func event(c *appclient.Client, u *store.User, source string) *triggers.Event {
	return &triggers.Event{
		PoolID: c.Pool.ID, ClientID: c.ID(), Username: u.Username, Attributes: u.Attributes, Source: source,
		Config: c.Pool.Settings.LambdaConfig, Status: u.Status,
	}
}

// linked returns the user a link names the identity's user, re-keying an
// attribute-matched link to the subject; nil when no link names it.
func (s *Service) linked(ctx context.Context, p *userpool.Pool, id *Identity, subject string, attrs map[string]string) (*store.User, error) {
	var found *store.User
	err := s.Store.Tx(ctx, func(tx store.Store) error {
		found = nil
		l, err := tx.GetLink(ctx, p.ID, id.Provider.Name, store.SubjectAttribute, subject)
		switch {
		case err == nil:
			found, err = linkOwner(ctx, tx, l)
			return err
		case !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("get provider link: %w", err)
		}
		if id.Provider.Type != idps.TypeOIDC && id.Provider.Type != idps.TypeSAML {
			return nil
		}
		for attr, v := range attrs {
			l, err := tx.GetLink(ctx, p.ID, id.Provider.Name, attr, v)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("get provider link: %w", err)
			}
			found, err = s.rekey(ctx, tx, id, l, subject)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return found, nil
}

// linkOwner returns the user a link signs in as.
func linkOwner(ctx context.Context, tx store.Store, l *store.ProviderLink) (*store.User, error) {
	u, err := tx.GetUserBySub(ctx, l.PoolID, l.Sub)
	if err != nil {
		return nil, fmt.Errorf("get linked user: %w", err)
	}
	return u, nil
}

// rekey turns a link that matched by attribute into a link by subject, and
// names the identity by its subject in the user's identities attribute.
func (s *Service) rekey(ctx context.Context, tx store.Store, id *Identity, l *store.ProviderLink, subject string) (*store.User, error) {
	if err := tx.DeleteLink(ctx, l.PoolID, l.Provider, l.Attribute, l.Value); err != nil {
		return nil, fmt.Errorf("delete provider link: %w", err)
	}
	nl := *l
	nl.Attribute, nl.Value = store.SubjectAttribute, subject
	if err := tx.CreateLink(ctx, &nl, idps.MaxLinks); err != nil {
		return nil, fmt.Errorf("re-key provider link: %w", err)
	}
	owner, err := linkOwner(ctx, tx, l)
	if err != nil {
		return nil, err
	}
	return tx.UpdateUser(ctx, owner.PoolID, owner.Key, func(u *store.User) error {
		ids, err := idps.Identities(u)
		if err != nil {
			return err
		}
		for i := range ids {
			if ids[i].ProviderName == l.Provider && ids[i].UserID == l.Value {
				ids[i].UserID = subject
			}
		}
		u.UpdatedAt = s.Now()
		return idps.SetIdentities(u, ids)
	})
}

// federatedUser returns the identity's own user, creating it (and its
// primary link) at the first sign-in; created says it did.
func (s *Service) federatedUser(ctx context.Context, c *appclient.Client, id *Identity, subject string, attrs map[string]string) (u *store.User, created bool, err error) {
	p := c.Pool
	username := idps.FederatedUsername(id.Provider.Name, subject)
	u, err = s.Store.GetUser(ctx, p.ID, p.Key(username))
	if err == nil {
		return u, false, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, false, fmt.Errorf("get federated user: %w", err)
	}
	sub, err := s.IDs.UUID()
	if err != nil {
		return nil, false, err
	}
	attrs = maps.Clone(attrs)
	attrs["sub"] = sub
	if err := p.CheckRequired(attrs, false); err != nil {
		return nil, false, err
	}
	for _, v := range []string{"email", "phone_number"} {
		if attrs[v] != "" && attrs[v+"_verified"] == "" {
			attrs[v+"_verified"] = "false"
		}
	}
	decision, err := s.Auth.Triggers().PreSignUp(ctx, &triggers.Event{
		PoolID: p.ID, ClientID: c.ID(), Username: username, Attributes: maps.Clone(attrs), Source: SourcePreSignUp,
		Config: p.Settings.LambdaConfig,
	})
	if err != nil {
		return nil, false, err
	}
	if decision.AutoVerifyEmail && attrs["email"] != "" {
		attrs["email_verified"] = "true"
	}
	if decision.AutoVerifyPhone && attrs["phone_number"] != "" {
		attrs["phone_number_verified"] = "true"
	}
	now := s.Now()
	var issuer *string
	if id.Provider.Issuer != "" {
		issuer = &id.Provider.Issuer
	}
	u = &store.User{
		PoolID: p.ID, Username: username, Key: p.Key(username), Sub: sub, Status: model.UserStatusTypeExternalProvider,
		Enabled: true, Attributes: attrs, CreatedAt: now, UpdatedAt: now,
	}
	if err := idps.SetIdentities(u, []idps.Identity{{UserID: subject, ProviderName: id.Provider.Name,
		ProviderType: id.Provider.Type, Issuer: issuer, Primary: true, DateCreated: now.UnixMilli()}}); err != nil {
		return nil, false, err
	}
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("create federated user: %w", err)
		}
		l := &store.ProviderLink{PoolID: p.ID, Provider: id.Provider.Name, Attribute: store.SubjectAttribute,
			Value: subject, Sub: sub, Primary: true, CreatedAt: now}
		if err := tx.CreateLink(ctx, l, idps.MaxLinks); err != nil {
			return fmt.Errorf("create primary link: %w", err)
		}
		return nil
	})
	if errors.Is(err, store.ErrConflict) {
		// Two first sign-ins of one identity at once: the other one made it.
		u, err = s.Store.GetUser(ctx, p.ID, p.Key(username))
		return u, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return u, true, nil
}

// applyMapping writes the mapped attributes onto the user, as Cognito does
// at every federated sign-in; immutable attributes are written only when
// the user has none yet.
func (s *Service) applyMapping(ctx context.Context, p *userpool.Pool, u *store.User, attrs map[string]string) (*store.User, error) {
	changed := false
	for k, v := range attrs {
		if u.Attributes[k] != v && (mutable(p, k) || u.Attributes[k] == "") {
			changed = true
		}
	}
	if !changed {
		return u, nil
	}
	out, err := s.Store.UpdateUser(ctx, p.ID, u.Key, func(u *store.User) error {
		for k, v := range attrs {
			if mutable(p, k) || u.Attributes[k] == "" {
				u.Attributes[k] = v
			}
		}
		if u.Status != model.UserStatusTypeExternalProvider {
			u.Aliases = p.Aliases(u.Attributes)
		}
		u.UpdatedAt = s.Now()
		return nil
	})
	if errors.Is(err, store.ErrAliasConflict) {
		return nil, &model.AliasExistsException{Message: "An account with the mapped email or phone number already exists."}
	}
	if err != nil {
		return nil, fmt.Errorf("apply attribute mapping: %w", err)
	}
	return out, nil
}

func mutable(p *userpool.Pool, name string) bool {
	a := p.Attribute(name)
	return a == nil || a.Mutable == nil || *a.Mutable
}
