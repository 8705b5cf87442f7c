// Package appclient holds an app client as the sign-in operations see it:
// its decoded settings, its pool, its sealed secrets, the SECRET_HASH check
// and the token lifetimes it sets.
package appclient

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Client is a stored app client with its settings decoded and its pool
// loaded.
type Client struct {
	Rec      *store.Client
	Settings model.UserPoolClientType
	Pool     *userpool.Pool
}

// NotFound is Cognito's error for an app client that does not exist.
func NotFound(id string) error {
	return &model.ResourceNotFoundException{Message: fmt.Sprintf("User pool client %s does not exist.", id)}
}

// SecretAAD binds a sealed client secret to its client and secret ID.
func SecretAAD(clientID, secretID string) []byte {
	return []byte("client-secret|" + clientID + "|" + secretID)
}

// Load reads a client by its ID alone, as the public operations address
// it, with its pool (loaded through pools, which may be nil; the client is
// read with the pool's revision, so a memoized pool still current costs no
// query). A missing client is a ResourceNotFoundException.
func Load(ctx context.Context, pools *userpool.Memo, st store.Store, clientID string) (*Client, error) {
	rec, rev, err := st.GetClientByIDWithPoolRev(ctx, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound(clientID)
	}
	if err != nil {
		return nil, fmt.Errorf("get client: %w", err)
	}
	p, err := pools.LoadAt(ctx, st, rec.PoolID, rev)
	if err != nil {
		return nil, err
	}
	return Decode(rec, p)
}

// LoadInPool reads a client of a given pool, as the admin operations
// address it: a missing pool or client is a ResourceNotFoundException.
func LoadInPool(ctx context.Context, pools *userpool.Memo, st store.Store, poolID, clientID string) (*Client, error) {
	p, err := pools.Load(ctx, st, poolID)
	if err != nil {
		return nil, err
	}
	rec, err := st.GetClient(ctx, poolID, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound(clientID)
	}
	if err != nil {
		return nil, fmt.Errorf("get client: %w", err)
	}
	return Decode(rec, p)
}

// Decode decodes a stored client's settings.
func Decode(rec *store.Client, p *userpool.Pool) (*Client, error) {
	c := &Client{Rec: rec, Pool: p}
	if err := json.Unmarshal(rec.Config, &c.Settings); err != nil {
		return nil, fmt.Errorf("decode client %s settings: %w", rec.ID, err)
	}
	return c, nil
}

// ID returns the client's ID.
func (c *Client) ID() string { return c.Rec.ID }

// HasSecret reports whether the client has a secret, so that requests must
// carry a SECRET_HASH.
func (c *Client) HasSecret() bool { return len(c.Rec.Secrets) > 0 }

// OpenSecret returns the value of one of the client's stored secrets.
func OpenSecret(keys *seal.Keyring, clientID string, sec store.ClientSecret) (string, error) {
	b, err := keys.Open(sec.Sealed, SecretAAD(clientID, sec.ID))
	if err != nil {
		return "", fmt.Errorf("open client secret: %w", err)
	}
	return string(b), nil
}

// SecretHash is the SECRET_HASH a client with secret computes for a user:
// base64(HMAC-SHA256(secret, username + clientID)).
func SecretHash(secret, username, clientID string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// CheckSecretHash checks the SECRET_HASH sent for username against each of
// the client's secrets; a client without secret accepts any (Cognito
// ignores it). The comparison is constant time.
func (c *Client) CheckSecretHash(keys *seal.Keyring, username, hash string) error {
	if !c.HasSecret() {
		return nil
	}
	if hash == "" {
		return &model.NotAuthorizedException{Message: fmt.Sprintf("Client %s is configured with secret but SECRET_HASH was not received", c.ID())}
	}
	got, err := base64.StdEncoding.DecodeString(hash)
	if err != nil {
		return c.badHash()
	}
	ok := false
	for _, sec := range c.Rec.Secrets {
		secret, err := OpenSecret(keys, c.ID(), sec)
		if err != nil {
			return err
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(username + c.ID()))
		if hmac.Equal(mac.Sum(nil), got) {
			ok = true
		}
	}
	if !ok {
		return c.badHash()
	}
	return nil
}

func (c *Client) badHash() error {
	return &model.NotAuthorizedException{Message: fmt.Sprintf("Unable to verify secret hash for client %s", c.ID())}
}

// AllowsFlow reports whether the client's ExplicitAuthFlows permit an auth
// flow, given as its ALLOW_ ExplicitAuthFlowsType value
// (ALLOW_USER_SRP_AUTH, ...). A client with no explicit flows allows SRP, refresh and custom
// authentication, as Cognito's default; a client with legacy values is
// read as EffectiveFlows says.
func (c *Client) AllowsFlow(flow string) bool {
	return slices.Contains(EffectiveFlows(c.Settings.ExplicitAuthFlows), flow)
}

// EffectiveFlows returns the ALLOW_ flows a client's ExplicitAuthFlows
// permit. ALLOW_ values mean themselves; none means Cognito's default
// (SRP, refresh, custom). Legacy values (no ALLOW_ prefix, never mixed with
// ALLOW_ values) predate the switches for SRP, refresh and custom
// authentication, which such clients keep: USER_PASSWORD_AUTH and
// ADMIN_NO_SRP_AUTH add their password flow to SRP, refresh and custom
// authentication, and CUSTOM_AUTH_FLOW_ONLY leaves custom authentication
// and refresh alone. docs/fidelity.md records the evidence.
func EffectiveFlows(flows []string) []string {
	if len(flows) == 0 {
		return []string{model.ExplicitAuthFlowsTypeAllowUserSrpAuth, model.ExplicitAuthFlowsTypeAllowRefreshTokenAuth, model.ExplicitAuthFlowsTypeAllowCustomAuth}
	}
	legacy := false
	for _, f := range flows {
		legacy = legacy || !strings.HasPrefix(f, "ALLOW_")
	}
	if !legacy {
		return flows
	}
	out := []string{model.ExplicitAuthFlowsTypeAllowRefreshTokenAuth, model.ExplicitAuthFlowsTypeAllowCustomAuth}
	if slices.Contains(flows, model.ExplicitAuthFlowsTypeCustomAuthFlowOnly) {
		return out
	}
	out = append(out, model.ExplicitAuthFlowsTypeAllowUserSrpAuth)
	if slices.Contains(flows, model.ExplicitAuthFlowsTypeUserPasswordAuth) {
		out = append(out, model.ExplicitAuthFlowsTypeAllowUserPasswordAuth)
	}
	if slices.Contains(flows, model.ExplicitAuthFlowsTypeAdminNoSrpAuth) {
		out = append(out, model.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth)
	}
	return out
}

// Duration returns a token validity as a duration, in its unit ("seconds",
// "minutes", "hours" or "days").
func Duration(n int32, unit string) time.Duration {
	d := time.Duration(n)
	switch unit {
	case "seconds":
		return d * time.Second
	case "minutes":
		return d * time.Minute
	case "hours":
		return d * time.Hour
	default:
		return d * 24 * time.Hour
	}
}

func validity(n *int32, unit string, def int32) time.Duration {
	v := def
	if n != nil && *n > 0 {
		v = *n
	}
	return Duration(v, unit)
}

func units(c *Client) model.TokenValidityUnitsType {
	u := model.TokenValidityUnitsType{AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days"}
	if t := c.Settings.TokenValidityUnits; t != nil {
		if t.AccessToken != "" {
			u.AccessToken = t.AccessToken
		}
		if t.IdToken != "" {
			u.IdToken = t.IdToken
		}
		if t.RefreshToken != "" {
			u.RefreshToken = t.RefreshToken
		}
	}
	return u
}

// AccessTokenValidity is how long the client's access tokens live.
func (c *Client) AccessTokenValidity() time.Duration {
	return validity(c.Settings.AccessTokenValidity, units(c).AccessToken, 60)
}

// IDTokenValidity is how long the client's ID tokens live.
func (c *Client) IDTokenValidity() time.Duration {
	return validity(c.Settings.IdTokenValidity, units(c).IdToken, 60)
}

// RefreshTokenValidity is how long the client's refresh tokens live.
func (c *Client) RefreshTokenValidity() time.Duration {
	return validity(c.Settings.RefreshTokenValidity, units(c).RefreshToken, 30)
}

// SessionValidity is how long an authentication session of the client lives
// (AuthSessionValidity, 3 minutes by default).
func (c *Client) SessionValidity() time.Duration {
	return validity(c.Settings.AuthSessionValidity, "minutes", 3)
}

// PreventsUserExistenceErrors reports whether PreventUserExistenceErrors is
// ENABLED, so that errors must not reveal whether a user exists.
func (c *Client) PreventsUserExistenceErrors() bool {
	return c.Settings.PreventUserExistenceErrors == model.PreventUserExistenceErrorTypesEnabled
}

// RevocationEnabled reports whether EnableTokenRevocation is on (the
// default).
func (c *Client) RevocationEnabled() bool {
	return c.Settings.EnableTokenRevocation == nil || *c.Settings.EnableTokenRevocation
}

// CanRead reports whether the client may read an attribute: every attribute
// when ReadAttributes is empty.
func (c *Client) CanRead(attr string) bool {
	return len(c.Settings.ReadAttributes) == 0 || slices.Contains(c.Settings.ReadAttributes, attr)
}

// CanWrite reports whether the client may write an attribute: every
// mutable attribute when WriteAttributes is empty. Developer-only
// attributes (dev:) are read-only to every app client, whatever its
// WriteAttributes: only administrative calls write them.
func (c *Client) CanWrite(attr string) bool {
	if strings.HasPrefix(attr, "dev:") {
		return false
	}
	return len(c.Settings.WriteAttributes) == 0 || slices.Contains(c.Settings.WriteAttributes, attr)
}
