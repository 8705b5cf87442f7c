package authn

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/tokens"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// AdminScope is the scope of access tokens issued by the API sign-in
// flows, which lets the holder call the self-service operations.
const AdminScope = "aws.cognito.signin.user.admin"

// Grant describes tokens to issue.
type Grant struct {
	Client *appclient.Client
	User   *store.User
	// AuthTime is when the user authenticated; now for a new sign-in.
	AuthTime time.Time
	// Scopes of the access token; AdminScope when empty.
	Scopes []string
	// Source is the trigger source for the pre token generation trigger,
	// for example "TokenGeneration_Authentication".
	Source         string
	ClientMetadata map[string]string
	// OAuth is set for tokens the hosted OAuth endpoints issue.
	OAuth *OAuthGrant
	// DeviceKey is the device the sign-in named or was given: the refresh
	// token is bound to it.
	DeviceKey string
}

// OAuthGrant is what tokens of the hosted OAuth endpoints add to a grant:
// the ID token (issued only when the openid scope was granted) carries the
// authorization request's nonce and the at_hash of its access token, and
// the access token Cognito's version claim.
type OAuthGrant struct {
	IDToken bool
	Nonce   string
}

// accessTokenHash is the at_hash of an access token (OpenID Connect Core
// 3.1.3.6): the left half of its SHA-256, base64url-encoded.
func accessTokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(h[:len(h)/2])
}

// Issue signs an ID and an access token for a new sign-in and makes its
// refresh token (a new family).
func (s *Service) Issue(ctx context.Context, g Grant) (*model.AuthenticationResultType, error) {
	family, err := s.IDs.UUID()
	if err != nil {
		return nil, err
	}
	refresh, err := s.newRefreshToken(ctx, g, family)
	if err != nil {
		return nil, err
	}
	res, err := s.sign(ctx, g, family)
	if err != nil {
		return nil, err
	}
	res.RefreshToken = refresh
	return res, nil
}

// newRefreshToken stores a new refresh token of a family and returns it.
func (s *Service) newRefreshToken(ctx context.Context, g Grant, family string) (string, error) {
	raw, err := s.IDs.Token(64)
	if err != nil {
		return "", err
	}
	now := s.Now()
	t := &store.RefreshToken{
		ID: tokenID(raw), Family: family, PoolID: g.User.PoolID, ClientID: g.Client.ID(), Sub: g.User.Sub,
		AuthTime: g.AuthTime, CreatedAt: now, ExpiresAt: now.Add(g.Client.RefreshTokenValidity()), DeviceKey: g.DeviceKey,
	}
	if err := s.Store.CreateRefreshToken(ctx, t); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", userpool.ErrUserNotFound()
		}
		return "", fmt.Errorf("store refresh token: %w", err)
	}
	return raw, nil
}

// noteIssuedAfterSignOut records an access token issued at now, after the
// user's global sign-out but in the same second, so that its iat does not
// make it look revoked. Tokens of clients with revocation carry their
// family instead and need no note.
func (s *Service) noteIssuedAfterSignOut(ctx context.Context, u *store.User, now time.Time, jti string) error {
	st, err := ReadState(u)
	if err != nil {
		return err
	}
	if st.SignedOutAt.IsZero() || st.SignedOutAt.Unix() != now.Unix() {
		return nil
	}
	_, err = s.EditState(ctx, s.Store, u, func(_ *store.User, st *State) error {
		if st.SignedOutAt.Unix() == now.Unix() && !now.Before(st.SignedOutAt) {
			st.IssuedAfterSignOut = append(st.IssuedAfterSignOut, jti)
		}
		return nil
	})
	return err
}

// tokenID is the store's ID of an opaque token: a hash, so that the
// database never holds a usable token.
func tokenID(raw string) string {
	h := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(h[:])
}

// sign makes the ID and access tokens of a grant.
func (s *Service) sign(ctx context.Context, g Grant, family string) (*model.AuthenticationResultType, error) {
	p := g.Client.Pool
	groups, err := s.groups(ctx, g.User)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	eventID, err := s.IDs.UUID()
	if err != nil {
		return nil, err
	}
	idJTI, err := s.IDs.UUID()
	if err != nil {
		return nil, err
	}
	accessJTI, err := s.IDs.UUID()
	if err != nil {
		return nil, err
	}
	common := func(jti string, validity time.Duration) map[string]any {
		c := map[string]any{
			"sub": g.User.Sub, "iss": s.Signer.Issuer(p.ID), "event_id": eventID, "auth_time": g.AuthTime.Unix(),
			"iat": now.Unix(), "exp": now.Add(validity).Unix(), "jti": jti,
		}
		if g.Client.RevocationEnabled() {
			c["origin_jti"] = family
		}
		return c
	}
	id := common(idJTI, g.Client.IDTokenValidity())
	id["token_use"] = string(tokens.IDToken)
	id["aud"] = g.Client.ID()
	id["cognito:username"] = g.User.Username
	for name, v := range idTokenAttributes(g.Client, g.User) {
		id[name] = v
	}
	if !g.Client.RevocationEnabled() {
		if err := s.noteIssuedAfterSignOut(ctx, g.User, now, accessJTI); err != nil {
			return nil, err
		}
	}
	access := common(accessJTI, g.Client.AccessTokenValidity())
	access["token_use"] = string(tokens.AccessToken)
	access["client_id"] = g.Client.ID()
	access["username"] = g.User.Username
	scopes := g.Scopes
	if len(scopes) == 0 {
		scopes = []string{AdminScope}
	}
	access["scope"] = strings.Join(scopes, " ")
	names := make([]string, len(groups))
	for i, gr := range groups {
		names[i] = gr.Name
	}
	roles, preferred := roleClaims(groups, names)
	tc := &triggers.TokenClaims{ID: id, Access: access, Groups: names, Roles: roles, PreferredRole: preferred}
	ev := &triggers.Event{PoolID: p.ID, ClientID: g.Client.ID(), Username: g.User.Username, Attributes: g.User.Attributes, ClientMetadata: g.ClientMetadata, Source: g.Source,
		Config: p.Settings.LambdaConfig, Status: g.User.Status}
	if err := s.Triggers().PreTokenGeneration(ctx, ev, tc); err != nil {
		return nil, err
	}
	if len(tc.Groups) > 0 {
		id["cognito:groups"] = tc.Groups
		access["cognito:groups"] = tc.Groups
	}
	if len(tc.Roles) > 0 {
		id["cognito:roles"] = tc.Roles
	}
	if tc.PreferredRole != "" {
		id["cognito:preferred_role"] = tc.PreferredRole
	}
	s.Signer.CheckPool(p.ID, p.CreatedAt)
	if g.OAuth != nil {
		access["version"] = 2
	}
	accessToken, err := s.Signer.Sign(ctx, p.ID, tokens.AccessToken, access)
	if err != nil {
		return nil, fmt.Errorf("sign access token: %w", err)
	}
	res := &model.AuthenticationResultType{
		AccessToken: accessToken, TokenType: "Bearer",
		ExpiresIn: ptr(int32(g.Client.AccessTokenValidity() / time.Second)),
	}
	if g.OAuth != nil {
		if !g.OAuth.IDToken {
			return res, nil
		}
		id["at_hash"] = accessTokenHash(accessToken)
		if g.OAuth.Nonce != "" {
			id["nonce"] = g.OAuth.Nonce
		}
	}
	if res.IdToken, err = s.Signer.Sign(ctx, p.ID, tokens.IDToken, id); err != nil {
		return nil, fmt.Errorf("sign ID token: %w", err)
	}
	return res, nil
}

// groups returns a user's groups ordered by precedence (groups without one
// last), then name.
func (s *Service) groups(ctx context.Context, u *store.User) ([]store.Group, error) {
	var all []store.Group
	page := store.Page{Limit: 60}
	for {
		gs, next, err := s.Store.ListGroupsForUser(ctx, u.PoolID, u.Key, page)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("list groups: %w", err)
		}
		all = append(all, gs...)
		if next == "" || err != nil {
			break
		}
		page.Cursor = next
	}
	slices.SortStableFunc(all, func(a, b store.Group) int {
		switch {
		case a.Precedence == nil && b.Precedence == nil:
			return strings.Compare(a.Name, b.Name)
		case a.Precedence == nil:
			return 1
		case b.Precedence == nil:
			return -1
		case *a.Precedence != *b.Precedence:
			return int(*a.Precedence - *b.Precedence)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return all, nil
}

// roleClaims returns the role ARNs of the named groups and the preferred
// role: the role of the group with the lowest precedence. When several
// groups share the lowest precedence with different roles, none is
// preferred, as Cognito documents.
func roleClaims(groups []store.Group, names []string) ([]string, string) {
	var roles []string
	var best *int32
	preferred, tie := "", false
	for _, g := range groups {
		if !slices.Contains(names, g.Name) || g.RoleArn == "" {
			continue
		}
		if !slices.Contains(roles, g.RoleArn) {
			roles = append(roles, g.RoleArn)
		}
		if g.Precedence == nil {
			if best == nil && preferred == "" {
				preferred = g.RoleArn
			}
			continue
		}
		switch {
		case best == nil:
			best, preferred, tie = g.Precedence, g.RoleArn, false
		case *g.Precedence == *best && g.RoleArn != preferred:
			tie = true
		}
	}
	if tie {
		preferred = ""
	}
	return roles, preferred
}

// idTokenAttributes returns the user's attributes the client may read, as
// ID token claims: the verified flags as booleans, updated_at as a number,
// address as an object, the rest as strings.
func idTokenAttributes(c *appclient.Client, u *store.User) map[string]any {
	out := map[string]any{}
	for name, v := range u.Attributes {
		if name == "sub" || !c.CanRead(name) {
			continue
		}
		switch name {
		case "email_verified", "phone_number_verified":
			out[name] = userpool.IsTrue(v)
		case "updated_at":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				out[name] = n
			} else {
				out[name] = v
			}
		case "address":
			out[name] = map[string]string{"formatted": v}
		case "identities":
			out[name] = identitiesClaim(v)
		default:
			out[name] = v
		}
	}
	return out
}

// Errors of refresh tokens, as Cognito words them.
func errInvalidRefreshToken() error {
	return &model.NotAuthorizedException{Message: "Invalid Refresh Token"}
}

// RefreshOptions are the settings of RefreshWith.
type RefreshOptions struct {
	Rotate   bool
	Metadata map[string]string
	// Scopes and OAuth are those of the grant the refresh token came from,
	// for tokens of the hosted OAuth endpoints.
	Scopes []string
	OAuth  *OAuthGrant
	// DeviceKey is the device key the request gives (DEVICE_KEY,
	// DeviceKey): a token bound to a device is refreshed only with that
	// device's key, while the device is the user's and confirmed.
	DeviceKey string
}

// RefreshWith issues new ID and access tokens for a refresh token
// presented by client. With o.Rotate (GetTokensFromRefreshToken on a client
// with refresh token rotation), the token is replaced by a new one of its
// family, which the result carries; the old one keeps working for the
// client's grace period and is refused with RefreshTokenReuseException
// after it.
func (s *Service) RefreshWith(ctx context.Context, c *appclient.Client, raw string, o RefreshOptions) (*model.AuthenticationResultType, *store.User, error) {
	rotate, metadata := o.Rotate, o.Metadata
	t, u, err := s.RefreshTokenUser(ctx, c, raw)
	if err != nil {
		return nil, nil, err
	}
	if err := checkTokenDevice(t, u, o.DeviceKey); err != nil {
		return nil, nil, err
	}
	g := Grant{Client: c, User: u, AuthTime: t.AuthTime, Source: "TokenGeneration_RefreshTokens", ClientMetadata: metadata, Scopes: o.Scopes, OAuth: o.OAuth,
		DeviceKey: t.DeviceKey}
	if !rotate {
		res, err := s.sign(ctx, g, t.Family)
		return res, u, err
	}
	grace := time.Duration(0)
	if r := c.Settings.RefreshTokenRotation; r != nil && r.RetryGracePeriodSeconds != nil {
		grace = time.Duration(*r.RetryGracePeriodSeconds) * time.Second
	}
	// Whether the token is still current is decided inside the locked
	// update, with the time read there: a request that read the clock
	// before another rotated the token must not find itself "before" that
	// rotation and inside the grace period.
	_, err = s.Store.UpdateRefreshToken(ctx, t.ID, func(t *store.RefreshToken) error {
		if t.Revoked {
			return errRevokedRefreshToken()
		}
		now := s.Now()
		if t.RotatedAt.IsZero() {
			t.RotatedAt = now
			return nil
		}
		if grace <= 0 || now.Sub(t.RotatedAt) >= grace {
			return &model.RefreshTokenReuseException{Message: "Refresh token has been used after the grace period."}
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errInvalidRefreshToken()
	}
	if err != nil {
		return nil, nil, err
	}
	next, err := s.newRefreshToken(ctx, g, t.Family)
	if err != nil {
		return nil, nil, err
	}
	res, err := s.sign(ctx, g, t.Family)
	if err != nil {
		return nil, nil, err
	}
	res.RefreshToken = next
	return res, u, nil
}

// checkTokenDevice checks the device key given with a refresh token bound
// to a device: it must be that device's, and the device must still be the
// user's and confirmed (ConfirmDevice). Cognito answers "Invalid Refresh
// Token" otherwise, so a forgotten device's tokens no longer refresh.
func checkTokenDevice(t *store.RefreshToken, u *store.User, given string) error {
	if t.DeviceKey == "" {
		return nil
	}
	if given != t.DeviceKey {
		return errInvalidRefreshToken()
	}
	st, err := ReadState(u)
	if err != nil {
		return err
	}
	if d := st.Device(given); d == nil || !d.Confirmed() {
		return errInvalidRefreshToken()
	}
	return nil
}

func errRevokedRefreshToken() error {
	return &model.NotAuthorizedException{Message: "Refresh Token has been revoked"}
}

// RefreshTokenUser checks a refresh token presented by client and returns
// it with its user: NotAuthorizedException for an unknown, expired,
// revoked or foreign token or a disabled user.
func (s *Service) RefreshTokenUser(ctx context.Context, c *appclient.Client, raw string) (*store.RefreshToken, *store.User, error) {
	t, err := s.Store.GetRefreshToken(ctx, tokenID(raw))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errInvalidRefreshToken()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get refresh token: %w", err)
	}
	if t.ClientID != c.ID() || t.PoolID != c.Pool.ID {
		return nil, nil, errInvalidRefreshToken()
	}
	if t.Revoked {
		return nil, nil, errRevokedRefreshToken()
	}
	if !s.Now().Before(t.ExpiresAt) {
		return nil, nil, &model.NotAuthorizedException{Message: "Refresh Token has expired"}
	}
	u, err := s.Store.GetUserBySub(ctx, t.PoolID, t.Sub)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errInvalidRefreshToken()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get user: %w", err)
	}
	if !u.Enabled {
		return nil, nil, ErrUserDisabled()
	}
	return t, u, nil
}

// RevokeRefreshToken revokes the family of a refresh token issued to
// client: the token, its rotations and their access tokens. An unknown
// token is not an error (RFC 7009), a token of another client is.
func (s *Service) RevokeRefreshToken(ctx context.Context, c *appclient.Client, raw string) error {
	t, err := s.Store.GetRefreshToken(ctx, tokenID(raw))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get refresh token: %w", err)
	}
	if t.ClientID != c.ID() {
		return &model.UnauthorizedException{Message: "Refresh token does not belong to this client"}
	}
	if err := s.Store.RevokeFamily(ctx, t.PoolID, t.Family); err != nil {
		return fmt.Errorf("revoke token family: %w", err)
	}
	return nil
}

// SignOut revokes every token of a user (GlobalSignOut,
// AdminUserGlobalSignOut, and the revocations that disabling or changing a
// user implies): their refresh tokens, their access tokens and their
// authentication sessions.
func (s *Service) SignOut(ctx context.Context, u *store.User) error {
	if err := s.Store.RevokeUserTokens(ctx, u.PoolID, u.Sub); err != nil {
		return fmt.Errorf("revoke user tokens: %w", err)
	}
	if err := s.Store.DeleteUserSessions(ctx, u.PoolID, u.Sub); err != nil {
		return fmt.Errorf("drop user sessions: %w", err)
	}
	now := s.Now()
	_, err := s.EditState(ctx, s.Store, u, func(_ *store.User, st *State) error {
		st.SignedOutAt, st.IssuedAfterSignOut = now, nil
		return nil
	})
	return err
}

// ErrUserDisabled is Cognito's error for a disabled user.
func ErrUserDisabled() error {
	return &model.NotAuthorizedException{Message: "User is disabled."}
}

// Principal is the holder of an access token.
type Principal struct {
	Pool     *userpool.Pool
	User     *store.User
	ClientID string
	Claims   tokens.Claims
}

func errInvalidAccessToken() error {
	return &model.NotAuthorizedException{Message: "Invalid Access Token"}
}

// Authorize checks an access token for the self-service operations and
// returns its holder: NotAuthorizedException for a token that is not a
// valid, unexpired, unrevoked access token of this server with the
// aws.cognito.signin.user.admin scope, or whose user is disabled;
// UserNotFoundException when its user is gone.
func (s *Service) Authorize(ctx context.Context, accessToken string) (*Principal, error) {
	return s.VerifyAccessToken(ctx, accessToken, AdminScope)
}

// VerifyAccessToken checks an access token as Authorize does, requiring
// scope (the hosted userInfo endpoint requires openid) instead of
// AdminScope.
func (s *Service) VerifyAccessToken(ctx context.Context, accessToken, scope string) (*Principal, error) {
	poolID, ok := tokenPool(accessToken)
	if !ok {
		return nil, errInvalidAccessToken()
	}
	claims, err := s.Signer.Verify(ctx, poolID, accessToken)
	switch {
	case errors.Is(err, tokens.ErrExpired):
		return nil, &model.NotAuthorizedException{Message: "Access Token has expired"}
	case errors.Is(err, tokens.ErrInvalidToken):
		return nil, errInvalidAccessToken()
	case err != nil:
		return nil, err
	}
	if claims["token_use"] != string(tokens.AccessToken) {
		return nil, errInvalidAccessToken()
	}
	granted, _ := claims["scope"].(string)
	if !slices.Contains(strings.Fields(granted), scope) {
		return nil, &model.NotAuthorizedException{Message: "Access Token does not have required scopes"}
	}
	sub, _ := claims["sub"].(string)
	clientID, _ := claims["client_id"].(string)
	if family, ok := claims["origin_jti"].(string); ok {
		revoked, err := s.Store.FamilyRevoked(ctx, poolID, family)
		if err != nil {
			return nil, fmt.Errorf("check revocation: %w", err)
		}
		if revoked {
			return nil, errRevokedAccessToken()
		}
	}
	p, err := s.Pools.Load(ctx, s.Store, poolID)
	if err != nil {
		var nf *model.ResourceNotFoundException
		if errors.As(err, &nf) {
			return nil, errInvalidAccessToken()
		}
		return nil, err
	}
	u, err := s.Store.GetUserBySub(ctx, poolID, sub)
	if errors.Is(err, store.ErrNotFound) {
		return nil, userpool.ErrUserNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	st, err := ReadState(u)
	if err != nil {
		return nil, err
	}
	if _, ok := claims["origin_jti"]; !ok && !st.SignedOutAt.IsZero() {
		if iat, ok := claims["iat"].(json.Number); ok {
			n, err := iat.Int64()
			jti, _ := claims["jti"].(string)
			if err != nil || n < st.SignedOutAt.Unix() || n == st.SignedOutAt.Unix() && !slices.Contains(st.IssuedAfterSignOut, jti) {
				return nil, errRevokedAccessToken()
			}
		}
	}
	if !u.Enabled {
		return nil, ErrUserDisabled()
	}
	return &Principal{Pool: p, User: u, ClientID: clientID, Claims: claims}, nil
}

func errRevokedAccessToken() error {
	return &model.NotAuthorizedException{Message: "Access Token has been revoked"}
}

// tokenPool reads the pool ID from an unverified token's iss claim (the
// last path segment), to know whose keys verify it.
func tokenPool(token string) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[1]) > 64<<10 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return "", false
	}
	i := strings.LastIndexByte(c.Iss, '/')
	if i < 0 || i == len(c.Iss)-1 {
		return "", false
	}
	return c.Iss[i+1:], true
}

func ptr[T any](v T) *T { return &v }

// RevokeAll ends everything a user holds, for AdminDisableUser and the
// like: their tokens and sessions (SignOut) and their pending codes.
func (s *Service) RevokeAll(ctx context.Context, u *store.User) error {
	if err := s.SignOut(ctx, u); err != nil {
		return err
	}
	if err := s.Store.DeleteUserCodes(ctx, u.PoolID, u.Sub); err != nil {
		return fmt.Errorf("drop user codes: %w", err)
	}
	return nil
}

// identitiesClaim turns the identities attribute (a JSON array whose
// primary and dateCreated members are a boolean and a number) into the ID
// token claim, where Cognito writes both as strings. A value that is not
// such an array stays the string it is.
func identitiesClaim(v string) any {
	var ids []map[string]any
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	if err := dec.Decode(&ids); err != nil {
		return v
	}
	for _, id := range ids {
		for _, k := range []string{"primary", "dateCreated"} {
			switch x := id[k].(type) {
			case bool:
				id[k] = strconv.FormatBool(x)
			case json.Number:
				id[k] = x.String()
			}
		}
	}
	return ids
}
