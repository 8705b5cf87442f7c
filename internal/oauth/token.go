package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/tokens"
	"github.com/cognate-idp/cognate/internal/triggers"
)

// maxFormSize bounds the bodies of the token and revocation endpoints.
const maxFormSize = 64 << 10

// tokenResponse is the token endpoint's answer (RFC 6749 section 5.1).
type tokenResponse struct {
	IDToken      string `json:"id_token,omitempty"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int32  `json:"expires_in"`
	TokenType    string `json:"token_type"`
}

// readForm parses an application/x-www-form-urlencoded body.
func readForm(w http.ResponseWriter, r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return oauthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
	if err := r.ParseForm(); err != nil {
		return oauthError("invalid_request", "The request body is not a valid form.")
	}
	return nil
}

// errInvalidClient is the error of a failed client authentication, with
// the status the endpoint gives it (400 at the token endpoint, 401 at
// revocation, as Cognito answers).
func errInvalidClient(status int, description string) *Error {
	return &Error{Code: "invalid_client", Description: description, Status: status}
}

// authenticateClient identifies and authenticates the client of a token or
// revocation request: HTTP Basic (client_secret_basic) or client_id and
// client_secret in the form (client_secret_post), or client_id alone for a
// client without a secret. The client must be of the site's pool.
func (s *Service) authenticateClient(ctx context.Context, r *http.Request, st *site, status int) (*appclient.Client, error) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, errInvalidClient(status, "The Authorization header is not valid.")
		}
		if formID := r.PostForm.Get("client_id"); formID != "" && formID != id {
			return nil, errInvalidClient(status, "client_id does not match the Authorization header.")
		}
		if r.PostForm.Has("client_secret") {
			return nil, oauthError("invalid_request", "Use one client authentication method.")
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" {
		return nil, errInvalidClient(status, "Client authentication is missing.")
	}
	c, err := appclient.Load(ctx, s.Pools, s.Store, id)
	var nf *model.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, errInvalidClient(status, "Client "+id+" does not exist.")
	}
	if err != nil {
		return nil, err
	}
	if c.Pool.ID != st.domain.PoolID {
		return nil, errInvalidClient(status, "Client "+id+" does not exist.")
	}
	if !c.HasSecret() {
		if secret != "" {
			return nil, errInvalidClient(status, "Client "+id+" has no secret.")
		}
		return c, nil
	}
	if secret == "" {
		return nil, errInvalidClient(status, "Client "+id+" has a secret, which the request does not give.")
	}
	ok, err := s.secretMatches(c, secret)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errInvalidClient(status, "Unable to verify the secret of client "+id+".")
	}
	return c, nil
}

// secretMatches compares secret with each of the client's secrets in
// constant time.
func (s *Service) secretMatches(c *appclient.Client, secret string) (bool, error) {
	ok := false
	for _, sec := range c.Rec.Secrets {
		v, err := appclient.OpenSecret(s.Keys, c.ID(), sec)
		if err != nil {
			return false, err
		}
		if subtle.ConstantTimeCompare([]byte(v), []byte(secret)) == 1 {
			ok = true
		}
	}
	return ok, nil
}

// oauthEnabled reports whether the client may use the OAuth flow (code,
// implicit, client_credentials).
func oauthEnabled(c *appclient.Client, flow string) bool {
	on := c.Settings.AllowedOAuthFlowsUserPoolClient
	return on != nil && *on && slices.Contains(c.Settings.AllowedOAuthFlows, flow)
}

// token serves POST /oauth2/token.
func (s *Service) token(w http.ResponseWriter, r *http.Request, st *site) {
	res, err := s.tokenGrant(w, r, st)
	if err != nil {
		if err = fromCognito(err); errors.As(err, new(*Error)) {
			writeError(w, err)
		} else {
			s.internalError(w, r, false, err)
		}
		return
	}
	writeJSON(w, res)
}

func (s *Service) tokenGrant(w http.ResponseWriter, r *http.Request, st *site) (*tokenResponse, error) {
	if err := readForm(w, r); err != nil {
		return nil, err
	}
	ctx := r.Context()
	grant := r.PostForm.Get("grant_type")
	switch grant {
	case "authorization_code", "refresh_token", "client_credentials":
	case "":
		return nil, oauthError("invalid_request", "grant_type is missing.")
	default:
		return nil, oauthError("unsupported_grant_type", "grant_type must be authorization_code, refresh_token or client_credentials.")
	}
	if err := s.gate(ctx, st, "token:"+grant); err != nil {
		return nil, err
	}
	if err := s.throttle(ctx, "token:"+grant); err != nil {
		if err == errThrottled {
			w.Header().Set("Retry-After", "1")
		}
		return nil, err
	}
	c, err := s.authenticateClient(ctx, r, st, http.StatusBadRequest)
	if err != nil {
		return nil, err
	}
	switch grant {
	case "client_credentials":
		return s.clientCredentials(ctx, r, c)
	case "authorization_code":
		return s.exchangeCode(ctx, r, c)
	}
	return s.refresh(ctx, r, c)
}

// clientCredentials issues an access token to a confidential client for
// its custom scopes: those asked for, or when none are, every custom scope
// the client is allowed.
func (s *Service) clientCredentials(ctx context.Context, r *http.Request, c *appclient.Client) (*tokenResponse, error) {
	if !c.HasSecret() || !oauthEnabled(c, model.OAuthFlowTypeClientCredentials) {
		return nil, oauthError("unauthorized_client", "Client is not allowed the client_credentials grant.")
	}
	var custom []string
	for _, sc := range c.Settings.AllowedOAuthScopes {
		if isCustomScope(sc) {
			custom = append(custom, sc)
		}
	}
	scopes := strings.Fields(r.PostForm.Get("scope"))
	if len(scopes) == 0 {
		scopes = custom
	}
	for _, sc := range scopes {
		if !slices.Contains(custom, sc) {
			return nil, oauthError("invalid_scope", "Scope "+sc+" is not a custom scope the client is allowed.")
		}
	}
	if len(scopes) == 0 {
		return nil, oauthError("invalid_scope", "The client is allowed no custom scope.")
	}
	scopes = dedupe(scopes)
	now := s.Auth.Now()
	jti, err := s.IDs.UUID()
	if err != nil {
		return nil, err
	}
	validity := c.AccessTokenValidity()
	claims := map[string]any{
		"sub": c.ID(), "token_use": string(tokens.AccessToken), "scope": strings.Join(scopes, " "),
		"auth_time": now.Unix(), "iss": s.Signer.Issuer(c.Pool.ID), "exp": now.Add(validity).Unix(),
		"iat": now.Unix(), "version": 2, "jti": jti, "client_id": c.ID(),
	}
	// Cognito calls a version 3 pre token generation trigger for machine
	// tokens (the trigger leaves other versions out).
	ev := &triggers.Event{PoolID: c.Pool.ID, ClientID: c.ID(), Source: "TokenGeneration_ClientCredentials", Config: c.Pool.Settings.LambdaConfig}
	if err := s.Auth.Triggers().PreTokenGeneration(ctx, ev, &triggers.TokenClaims{ID: map[string]any{}, Access: claims}); err != nil {
		return nil, err
	}
	s.Signer.CheckPool(c.Pool.ID, c.Pool.CreatedAt)
	at, err := s.Signer.Sign(ctx, c.Pool.ID, tokens.AccessToken, claims)
	if err != nil {
		return nil, fmt.Errorf("sign access token: %w", err)
	}
	return &tokenResponse{AccessToken: at, ExpiresIn: int32(validity / time.Second), TokenType: "Bearer"}, nil
}

// isCustomScope reports whether a scope is a resource server's
// (<identifier>/<name>) rather than one of Cognito's own.
func isCustomScope(sc string) bool {
	switch sc {
	case "openid", "email", "phone", "profile", authn.AdminScope:
		return false
	}
	return strings.Contains(sc, "/")
}

func dedupe(in []string) []string {
	var out []string
	for _, v := range in {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func errBadCode() error {
	return oauthError("invalid_grant", "The authorization code is not valid: it is unknown, expired or used already.")
}

// exchangeCode redeems an authorization code: once, before it expires, by
// the client it was issued to, with the redirect URI it was issued for and
// the PKCE verifier of its challenge.
func (s *Service) exchangeCode(ctx context.Context, r *http.Request, c *appclient.Client) (*tokenResponse, error) {
	if !oauthEnabled(c, model.OAuthFlowTypeCode) {
		return nil, oauthError("unauthorized_client", "Client is not allowed the authorization code grant.")
	}
	raw := r.PostForm.Get("code")
	if raw == "" {
		return nil, oauthError("invalid_request", "code is missing.")
	}
	var d codeData
	rec, err := s.takeRecord(ctx, kindCode, raw, &d)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBadCode()
	}
	if err != nil {
		return nil, err
	}
	if rec.ClientID != c.ID() || rec.PoolID != c.Pool.ID {
		return nil, errBadCode()
	}
	if r.PostForm.Get("redirect_uri") != d.RedirectURI {
		return nil, oauthError("invalid_grant", "redirect_uri is not the one the code was issued for.")
	}
	if d.Challenge != "" {
		v := r.PostForm.Get("code_verifier")
		if v == "" {
			return nil, oauthError("invalid_grant", "code_verifier is missing.")
		}
		sum := sha256.Sum256([]byte(v))
		if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(d.Challenge)) != 1 {
			return nil, oauthError("invalid_grant", "code_verifier does not match the code challenge.")
		}
	}
	u, err := s.Store.GetUserBySub(ctx, rec.PoolID, rec.Sub)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBadCode()
	}
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	if !u.Enabled {
		return nil, authn.ErrUserDisabled()
	}
	return s.issue(ctx, c, u, d.Scopes, d.Nonce, d.AuthTime, true)
}

// issue signs the tokens of a hosted grant through the sign-in core, and
// remembers the grant's scopes for its refresh tokens. Without refresh (the
// implicit grant), the refresh token is not returned.
func (s *Service) issue(ctx context.Context, c *appclient.Client, u *store.User, scopes []string, nonce string, authTime time.Time, refresh bool) (*tokenResponse, error) {
	openid := slices.Contains(scopes, "openid")
	res, err := s.Auth.Issue(ctx, authn.Grant{
		Client: c, User: u, AuthTime: authTime, Scopes: scopes, Source: "TokenGeneration_HostedAuth",
		OAuth: &authn.OAuthGrant{IDToken: openid, Nonce: nonce},
	})
	if err != nil {
		return nil, err
	}
	t, _, err := s.Auth.RefreshTokenUser(ctx, c, res.RefreshToken)
	if err != nil {
		return nil, err
	}
	raw, err := familyKey(t.Family)
	if err != nil {
		return nil, err
	}
	if err := s.putRecord(ctx, kindGrant, raw, c.Pool.ID, c.ID(), u.Sub, c.RefreshTokenValidity(), &grantData{Scopes: scopes}); err != nil {
		return nil, err
	}
	out := &tokenResponse{IDToken: res.IdToken, AccessToken: res.AccessToken, TokenType: "Bearer"}
	if res.ExpiresIn != nil {
		out.ExpiresIn = *res.ExpiresIn
	}
	if refresh {
		out.RefreshToken = res.RefreshToken
	}
	return out, nil
}

// familyKey is the opaque value a grant record of a refresh token family
// is stored under.
func familyKey(family string) (string, error) {
	if family == "" {
		return "", errors.New("refresh token without a family")
	}
	return "family|" + family, nil
}

// refresh serves the refresh_token grant: new tokens with the scopes of
// the grant the refresh token came from (AdminScope for a token of the
// API's sign-in), rotating it when the client rotates refresh tokens.
func (s *Service) refresh(ctx context.Context, r *http.Request, c *appclient.Client) (*tokenResponse, error) {
	if !c.AllowsFlow(model.ExplicitAuthFlowsTypeAllowRefreshTokenAuth) {
		return nil, oauthError("unauthorized_client", "Client is not allowed to refresh tokens.")
	}
	raw := r.PostForm.Get("refresh_token")
	if raw == "" {
		return nil, oauthError("invalid_request", "refresh_token is missing.")
	}
	t, _, err := s.Auth.RefreshTokenUser(ctx, c, raw)
	if err != nil {
		return nil, err
	}
	opts := authn.RefreshOptions{Rotate: rotates(c)}
	key, err := familyKey(t.Family)
	if err != nil {
		return nil, err
	}
	var g grantData
	_, err = s.getRecord(ctx, kindGrant, key, &g)
	found := err == nil
	switch {
	case found:
		opts.Scopes = g.Scopes
		opts.OAuth = &authn.OAuthGrant{IDToken: slices.Contains(g.Scopes, "openid")}
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	res, u, err := s.Auth.RefreshWith(ctx, c, raw, opts)
	if err != nil {
		return nil, err
	}
	if found && res.RefreshToken != "" {
		// The rotated token outlives the record: renew it for the new one.
		if err := s.dropRecord(ctx, kindGrant, key); err != nil {
			return nil, err
		}
		err := s.putRecord(ctx, kindGrant, key, c.Pool.ID, c.ID(), u.Sub, c.RefreshTokenValidity(), &g)
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return nil, err
		}
	}
	out := &tokenResponse{IDToken: res.IdToken, AccessToken: res.AccessToken, RefreshToken: res.RefreshToken, TokenType: "Bearer"}
	if res.ExpiresIn != nil {
		out.ExpiresIn = *res.ExpiresIn
	}
	return out, nil
}

// rotates reports whether the client rotates refresh tokens.
func rotates(c *appclient.Client) bool {
	rt := c.Settings.RefreshTokenRotation
	return rt != nil && rt.Feature == model.FeatureTypeEnabled
}
