package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/cognate-idp/cognate/internal/federation"
	"github.com/cognate-idp/cognate/internal/fetch"
	"github.com/cognate-idp/cognate/internal/ops/idps"
	"github.com/cognate-idp/cognate/internal/samlcert"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
)

// Federation is what the hosted endpoints need to sign users in through
// third-party identity providers: the resolution of external identities to
// users, and the fetcher that talks to the providers (it refuses private
// addresses unless --allow-private-idp-urls).
type Federation struct {
	Users *federation.Service
	Fetch *fetch.Fetcher
	// SocialBase, when set, stands in for the social providers' fixed
	// endpoints (see endpoint); for tests.
	SocialBase string
	// Certificates are the pools' SAML signing certificates, which sign
	// requests to SAML providers that ask for signed requests.
	Certificates *samlcert.Issuer
	// Encryption are the pools' SAML encryption certificates, whose keys
	// decrypt the assertions of providers with EncryptedResponses.
	Encryption *samlcert.Issuer

	// keySets caches each provider JWKS URI's key set, which refreshes
	// itself when a token names a key it does not know.
	keySets sync.Map
}

// nativeProvider is the SupportedIdentityProviders name of the pool's own
// directory.
const nativeProvider = "COGNITO"

// stateCookie names the cookie that binds a sign-in at a provider to the
// browser that started it.
const stateCookie = "cognate-idp-state"

// stateLifetime is how long a browser has to come back from its provider.
const stateLifetime = 10 * time.Minute

// idpState is what the state cookie holds, sealed: the state and nonce
// sent to the provider, which provider, and the app's authorization
// request to answer when the browser comes back.
type idpState struct {
	State    string    `json:"state"`
	Nonce    string    `json:"nonce"`
	Provider string    `json:"provider"`
	Query    string    `json:"query"`
	Expires  time.Time `json:"expires"`
}

var stateAAD = []byte("oauth-idp-state")

// chooseProvider reads the provider an authorization request names
// (identity_provider, or idp_identifier), which must be one of the
// client's SupportedIdentityProviders. Without one, a client that does not
// sign users in with the pool's directory and has a single provider goes
// straight to it; with several, the login page shows their buttons.
func (s *Service) chooseProvider(ctx context.Context, a *authRequest, q url.Values) error {
	supported := a.client.Settings.SupportedIdentityProviders
	name := q.Get("identity_provider")
	if id := q.Get("idp_identifier"); name == "" && id != "" {
		p, err := s.Store.GetIdentityProviderByIdentifier(ctx, a.client.Pool.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			return oauthError("invalid_request", "No identity provider of the user pool has the identifier "+id+".")
		}
		if err != nil {
			return err
		}
		name = p.Name
	}
	if name == "" {
		var others []string
		for _, p := range supported {
			if p != nativeProvider {
				others = append(others, p)
			}
		}
		switch {
		case slices.Contains(supported, nativeProvider):
			return nil
		case len(others) == 1:
			name = others[0]
		case len(others) == 0:
			return oauthError("invalid_request", "The app client has no identity providers to sign users in with.")
		default:
			return nil
		}
	}
	if !slices.Contains(supported, name) {
		return oauthError("invalid_request", "The identity provider "+name+" is not one of the app client's identity providers.")
	}
	if name != nativeProvider {
		a.provider = name
	}
	return nil
}

// providers returns the names of the client's third-party providers.
func (a *authRequest) providers() []string {
	var out []string
	for _, p := range a.client.Settings.SupportedIdentityProviders {
		if p != nativeProvider {
			out = append(out, p)
		}
	}
	return out
}

// loginProviders sorts the client's third-party providers for the login
// page: the SAML providers with IdP identifiers, which users reach by the
// domain of their email address (the page asks for it, as Cognito's does
// once one of the client's SAML providers has identifiers), and the
// others, a button each.
func (s *Service) loginProviders(ctx context.Context, a *authRequest) (buttons []string, byEmail []*store.IdentityProvider, err error) {
	for _, name := range a.providers() {
		p, err := s.Store.GetIdentityProvider(ctx, a.client.Pool.ID, name)
		if errors.Is(err, store.ErrNotFound) {
			buttons = append(buttons, name)
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("identity provider %s: %w", name, err)
		}
		if p.Type == idps.TypeSAML && len(p.Identifiers) > 0 {
			byEmail = append(byEmail, p)
		} else {
			buttons = append(buttons, name)
		}
	}
	return buttons, byEmail, nil
}

// emailDomain returns the domain of an email address: what follows its
// last @, or "" when it has none.
func emailDomain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(email[i+1:])
}

// providerForDomain returns the name of the provider one of whose
// identifiers is domain, compared without regard to case as domain names
// are; "" when none is.
func providerForDomain(byEmail []*store.IdentityProvider, domain string) string {
	if domain == "" {
		return ""
	}
	for _, p := range byEmail {
		for _, id := range p.Identifiers {
			if strings.EqualFold(id, domain) {
				return p.Name
			}
		}
	}
	return ""
}

// idpResponseURL is the redirect URI Cognate gives providers: the site's
// /oauth2/idpresponse.
func idpResponseURL(r *http.Request, st *site) string {
	scheme := "http"
	if st.secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/oauth2/idpresponse"
}

// toProvider sends the browser to the provider the request names, with a
// fresh state and nonce bound to it by the state cookie.
func (s *Service) toProvider(w http.ResponseWriter, r *http.Request, st *site, a *authRequest) {
	ctx := r.Context()
	p, err := idps.Load(ctx, s.Store, s.Keys, a.client.Pool.ID, a.provider)
	if errors.Is(err, store.ErrNotFound) {
		s.answer(w, r, a, oauthError("invalid_request", "The identity provider "+a.provider+" does not exist in the user pool."))
		return
	}
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	if p.Type == idps.TypeSAML {
		s.toSAMLProvider(w, r, st, a, p)
		return
	}
	if !signsIn(p.Type) {
		s.answer(w, r, a, oauthError("invalid_request", "Signing in through "+p.Type+" providers is not supported yet."))
		return
	}
	state, err := s.IDs.Token(43)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	nonce, err := s.IDs.Token(43)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	q := url.Values{}
	for k, v := range a.query {
		if k != "identity_provider" && k != "idp_identifier" {
			q[k] = v
		}
	}
	if err := s.setState(w, st, "/oauth2/idpresponse", p.Type == idps.TypeApple, &idpState{State: state, Nonce: nonce, Provider: p.Name, Query: q.Encode(), Expires: s.Auth.Now().Add(stateLifetime)}); err != nil {
		s.internalError(w, r, true, err)
		return
	}
	u, err := url.Parse(s.Federation.endpoint(p, "authorize_url"))
	if err != nil || u.Scheme == "" {
		s.internalError(w, r, true, fmt.Errorf("identity provider %s: bad authorize_url", p.Name))
		return
	}
	params := u.Query()
	params.Set("response_type", "code")
	params.Set("client_id", p.Details["client_id"])
	params.Set("redirect_uri", idpResponseURL(r, st))
	params.Set("scope", p.Details["authorize_scopes"])
	params.Set("state", state)
	if _, ok := oidcFixed[p.Type]; ok || p.Type == idps.TypeOIDC {
		params.Set("nonce", nonce)
	}
	if p.Type == idps.TypeApple {
		params.Set("response_mode", "form_post")
	}
	u.RawQuery = params.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// stateCookieMode returns the Secure and SameSite attributes of the state
// cookie: Lax, which browsers send with the provider's redirect back; for
// a provider that posts its answer back (SAML's HTTP-POST binding, Sign in
// with Apple's form_post) None, which browsers send with another site's
// post but keep only when Secure, on an origin they trust (https, or a
// loopback name over http).
func stateCookieMode(st *site, formPost bool) (secure bool, mode http.SameSite) {
	if formPost && st.trustworthy {
		return true, http.SameSiteNoneMode
	}
	return st.secure, http.SameSiteLaxMode
}

// setState seals the state into the browser's state cookie.
// path is the endpoint the provider sends the browser back to, which alone
// is sent the cookie.
func (s *Service) setState(w http.ResponseWriter, st *site, path string, formPost bool, d *idpState) error {
	plain, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	sealed, err := s.Keys.Seal(plain, stateAAD)
	if err != nil {
		return fmt.Errorf("seal state: %w", err)
	}
	secure, mode := stateCookieMode(st, formPost)
	http.SetCookie(w, &http.Cookie{
		Name: stateCookie, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: path,
		MaxAge: int(stateLifetime / time.Second), HttpOnly: true, Secure: secure, SameSite: mode,
	})
	return nil
}

// takeState reads and clears the state cookie, and checks that it holds
// state and has not expired; nil when the browser has no such state.
func (s *Service) takeState(w http.ResponseWriter, r *http.Request, st *site, path, state string) *idpState {
	ck, err := r.Cookie(stateCookie)
	if err != nil {
		return nil
	}
	secure, mode := stateCookieMode(st, r.Method == http.MethodPost)
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: path, MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: mode})
	sealed, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return nil
	}
	plain, err := s.Keys.Open(sealed, stateAAD)
	if err != nil {
		return nil
	}
	var d idpState
	if json.Unmarshal(plain, &d) != nil || !s.Auth.Now().Before(d.Expires) {
		return nil
	}
	if state == "" || subtle.ConstantTimeCompare([]byte(d.State), []byte(state)) != 1 {
		return nil
	}
	return &d
}

// idpResponse serves GET /oauth2/idpresponse, where an OIDC or OAuth 2.0
// provider sends the browser back: the state checked against the
// browser's cookie, the provider's error passed on to the app, or its code
// exchanged, the identity verified and signed in.
func (s *Service) idpResponse(w http.ResponseWriter, r *http.Request, st *site) {
	w = &refreshRedirect{ResponseWriter: w}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
		if err := r.ParseForm(); err != nil {
			s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
			return
		}
		q = r.PostForm
	}
	d := s.takeState(w, r, st, "/oauth2/idpresponse", q.Get("state"))
	if d == nil {
		s.errorPage(w, r, http.StatusBadRequest, "The sign-in through your identity provider has expired or was not started in this browser. Go back to the app and sign in again.")
		return
	}
	orig, err := url.ParseQuery(d.Query)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	a, err := s.parseAuthorize(r.Context(), orig, st)
	if !s.answer(w, r, a, err) {
		return
	}
	if e := q.Get("error"); e != "" {
		desc := q.Get("error_description")
		if desc == "" {
			desc = e
		}
		s.answer(w, r, a, oauthError(e, desc))
		return
	}
	p, err := idps.Load(r.Context(), s.Store, s.Keys, a.client.Pool.ID, d.Provider)
	if errors.Is(err, store.ErrNotFound) {
		s.answer(w, r, a, oauthError("invalid_request", "The identity provider "+d.Provider+" no longer exists."))
		return
	}
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	var claims map[string]any
	var raw triggers.ProviderAttributes
	if _, ok := oidcFixed[p.Type]; ok || p.Type == idps.TypeOIDC {
		claims, raw, err = s.Federation.oidcIdentity(r.Context(), p, q.Get("code"), idpResponseURL(r, st), d.Nonce, s.Auth.Now)
	} else {
		claims, raw, err = s.Federation.oauth2Identity(r.Context(), p, q.Get("code"), idpResponseURL(r, st))
	}
	if err != nil {
		s.log().WarnContext(r.Context(), "identity provider sign-in failed", "request_id", requestID(r.Context()), "provider", p.Name, "err", err)
		s.answer(w, r, a, oauthError("invalid_request", "The identity provider's answer could not be verified."))
		return
	}
	s.federatedSignIn(w, r, st, a, &federation.Identity{Provider: p, Claims: claims, Raw: raw}, nil)
}

// refreshRedirect turns the redirect the app's answer is sent by into a
// page that goes on to it by a meta refresh. The browser may have come
// back from its provider by a redirect that answered a form on the
// provider's site (the managed login pages of another pool, or any
// provider whose Content-Security-Policy has a form-action): browsers
// hold that whole redirect chain to the form's form-action, which does not
// name the app. A refresh is a new navigation, held to no form's policy.
type refreshRedirect struct {
	http.ResponseWriter
	done bool
}

var refreshPage = template.Must(template.New("refresh").Parse(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
	`<meta http-equiv="refresh" content="0;url={{.}}"><title>Signing in</title></head>` +
	`<body><p><a id="continue" href="{{.}}">Continue</a></p></body></html>`))

// WriteHeader answers a redirect with the refresh page.
func (m *refreshRedirect) WriteHeader(code int) {
	h := m.Header()
	loc := h.Get("Location")
	if code != http.StatusFound || loc == "" {
		m.ResponseWriter.WriteHeader(code)
		return
	}
	h.Del("Location")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
	m.ResponseWriter.WriteHeader(http.StatusOK)
	refreshPage.Execute(m.ResponseWriter, template.URL(loc))
	m.done = true
}

// Write drops the body of the redirect it replaced.
func (m *refreshRedirect) Write(b []byte) (int, error) {
	if m.done {
		return len(b), nil
	}
	return m.ResponseWriter.Write(b)
}

// federatedSignIn signs in the user an external identity resolves to and
// answers the app's authorization request; sess is the SAML session to end
// at sign-out, if any.
func (s *Service) federatedSignIn(w http.ResponseWriter, r *http.Request, st *site, a *authRequest, id *federation.Identity, sess *samlSession) {
	w = &refreshRedirect{ResponseWriter: w}
	u, err := s.Federation.Users.SignIn(r.Context(), a.client, id)
	if err != nil {
		s.answer(w, r, a, s.pageSafe(r, err))
		return
	}
	now := s.Auth.Now()
	if err := s.startSession(r.Context(), w, st, a.client, u, &hostedData{AuthTime: now, SAML: sess}); err != nil {
		s.internalError(w, r, true, err)
		return
	}
	s.complete(w, r, a, u, now)
}

// providerTokens is a provider's token endpoint answer.
type providerTokens struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	// ExpiresIn and Scope are kept as sent (a number or a string, a
	// string or a list) so that no provider's form fails the sign-in.
	ExpiresIn any `json:"expires_in"`
	Scope     any `json:"scope"`
}

// response is the token answer as the inbound federation trigger's
// tokenResponse carries it: the fields the provider sent.
func (t *providerTokens) response() map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{
		"access_token": t.AccessToken, "id_token": t.IDToken, "token_type": t.TokenType,
		"refresh_token": t.RefreshToken, "expires_in": attributeValue(t.ExpiresIn), "scope": attributeValue(t.Scope),
	} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// attributeValue is a provider's value as a string: strings as they are,
// lists of strings joined with commas, anything else in its JSON form.
func attributeValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []string:
		return strings.Join(v, ",")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// stringMap is a provider's claims with attributeValue's values.
func stringMap(claims map[string]any) map[string]string {
	out := make(map[string]string, len(claims))
	for k, v := range claims {
		out[k] = attributeValue(v)
	}
	return out
}

// oidcIdentity exchanges an OIDC provider's code at its token endpoint
// (client_secret_post, as Cognito always authenticates to providers),
// verifies the ID token (signature against the provider's JWKS, issuer,
// audience, expiry and nonce) and returns its claims with those of the
// provider's userInfo endpoint.
func (f *Federation) oidcIdentity(ctx context.Context, p *idps.Provider, code, redirectURI, nonce string, now func() time.Time) (map[string]any, triggers.ProviderAttributes, error) {
	if code == "" {
		return nil, triggers.ProviderAttributes{}, errors.New("the provider sent no code")
	}
	issuer, jwksURI, secret := p.Details["oidc_issuer"], p.Details["jwks_uri"], p.Details["client_secret"]
	if fixed, ok := oidcFixed[p.Type]; ok {
		issuer, jwksURI = fixed.issuer, f.rewrite(p, fixed.jwksURI)
	}
	if p.Type == idps.TypeApple {
		var err error
		if secret, err = appleClientSecret(p, now()); err != nil {
			return nil, triggers.ProviderAttributes{}, err
		}
	}
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {p.Details["client_id"]}, "client_secret": {secret},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.endpoint(p, "token_url"), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, triggers.ProviderAttributes{}, fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	toks, err := f.exchange(req)
	if err != nil {
		return nil, triggers.ProviderAttributes{}, err
	}
	if toks.IDToken == "" {
		return nil, triggers.ProviderAttributes{}, errors.New("the token answer has no id_token")
	}
	verifier := oidc.NewVerifier(issuer, f.keySet(jwksURI), &oidc.Config{ClientID: p.Details["client_id"], Now: now})
	idt, err := verifier.Verify(ctx, toks.IDToken)
	if err != nil {
		return nil, triggers.ProviderAttributes{}, fmt.Errorf("verify ID token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, triggers.ProviderAttributes{}, errors.New("the ID token's nonce is not the one sent")
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, triggers.ProviderAttributes{}, fmt.Errorf("decode ID token claims: %w", err)
	}
	raw := triggers.ProviderAttributes{TokenResponse: toks.response(), IDToken: stringMap(claims)}
	if p.Type == idps.TypeGoogle {
		if err := f.googlePeople(ctx, p, toks.AccessToken, claims); err != nil {
			return nil, triggers.ProviderAttributes{}, err
		}
		raw.UserInfo = stringMap(claims)
		return claims, raw, nil
	}
	if p.Type != idps.TypeOIDC || p.Details["attributes_url"] == "" || toks.AccessToken == "" {
		return claims, raw, nil
	}
	info, err := f.userInfo(ctx, p, toks.AccessToken)
	if err != nil {
		return nil, triggers.ProviderAttributes{}, err
	}
	if sub, _ := info["sub"].(string); sub != "" && sub != idt.Subject {
		return nil, triggers.ProviderAttributes{}, errors.New("the userInfo sub is not the ID token's")
	}
	raw.UserInfo = stringMap(info)
	for k, v := range info {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return claims, raw, nil
}

// userInfo reads the identity's claims from the provider's attributes_url
// with its access token, by the provider's attributes_request_method.
func (f *Federation) userInfo(ctx context.Context, p *idps.Provider, accessToken string) (map[string]any, error) {
	method := p.Details["attributes_request_method"]
	if method != http.MethodPost {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, p.Details["attributes_url"], nil)
	if err != nil {
		return nil, fmt.Errorf("userInfo request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	body, err := f.Fetch.Do(req)
	if err != nil {
		return nil, fmt.Errorf("userInfo: %w", err)
	}
	var info map[string]any
	if err := json.Unmarshal(body, &info); err != nil {
		return nil, fmt.Errorf("decode userInfo: %w", err)
	}
	return info, nil
}

// keySet returns the cached key set of a JWKS URI.
func (f *Federation) keySet(uri string) oidc.KeySet {
	if ks, ok := f.keySets.Load(uri); ok {
		return ks.(oidc.KeySet)
	}
	ks := oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), f.Fetch.Client()), uri)
	actual, _ := f.keySets.LoadOrStore(uri, ks)
	return actual.(oidc.KeySet)
}

// signsIn reports whether Cognate signs users in through providers of a
// type: OIDC, the social providers that are OIDC with fixed endpoints
// (Google, Sign in with Apple) and those that are plain OAuth 2.0 with a
// profile endpoint (Facebook, Login with Amazon).
func signsIn(typ string) bool {
	switch typ {
	case idps.TypeOIDC, idps.TypeFacebook, idps.TypeAmazon, idps.TypeGoogle, idps.TypeApple:
		return true
	}
	return false
}

// endpoint returns a provider's endpoint detail. A social provider's fixed
// endpoints (https://HOST/PATH) become SocialBase/HOST/PATH when SocialBase
// is set, so that tests can stand in for them.
func (f *Federation) endpoint(p *idps.Provider, key string) string {
	return f.rewrite(p, p.Details[key])
}

// rewrite is endpoint for a URL.
func (f *Federation) rewrite(p *idps.Provider, raw string) string {
	if f.SocialBase == "" || p.Type == idps.TypeOIDC || p.Type == idps.TypeSAML {
		return raw
	}
	rest, ok := strings.CutPrefix(raw, "https://")
	if !ok {
		return raw
	}
	return strings.TrimSuffix(f.SocialBase, "/") + "/" + rest
}

// oauth2Identity signs in through a social provider that is plain OAuth
// 2.0 (Facebook, Login with Amazon): the code exchanged at its token
// endpoint by its token_request_method, then the identity's profile read
// from its attributes_url with the access token. Facebook's Graph API is
// asked for the fields the attribute mapping reads, and id.
func (f *Federation) oauth2Identity(ctx context.Context, p *idps.Provider, code, redirectURI string) (map[string]any, triggers.ProviderAttributes, error) {
	if code == "" {
		return nil, triggers.ProviderAttributes{}, errors.New("the provider sent no code")
	}
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {p.Details["client_id"]}, "client_secret": {p.Details["client_secret"]},
	}
	tokenURL := f.endpoint(p, "token_url")
	var req *http.Request
	var err error
	if p.Details["token_request_method"] == http.MethodGet {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, tokenURL+"?"+form.Encode(), nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return nil, triggers.ProviderAttributes{}, fmt.Errorf("token request: %w", err)
	}
	toks, err := f.exchange(req)
	if err != nil {
		return nil, triggers.ProviderAttributes{}, err
	}
	if toks.AccessToken == "" {
		return nil, triggers.ProviderAttributes{}, errors.New("the token answer has no access_token")
	}
	attrsURL := f.endpoint(p, "attributes_url")
	if p.Details["attributes_url_add_attributes"] == "true" {
		fields := []string{"id"}
		for _, claim := range p.AttributeMapping {
			if !slices.Contains(fields, claim) {
				fields = append(fields, claim)
			}
		}
		slices.Sort(fields)
		attrsURL += url.QueryEscape(strings.Join(fields, ","))
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, attrsURL, nil)
	if err != nil {
		return nil, triggers.ProviderAttributes{}, fmt.Errorf("profile request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+toks.AccessToken)
	req.Header.Set("Accept", "application/json")
	body, err := f.Fetch.Do(req)
	if err != nil {
		return nil, triggers.ProviderAttributes{}, fmt.Errorf("profile: %w", err)
	}
	var profile map[string]any
	if err := json.Unmarshal(body, &profile); err != nil {
		return nil, triggers.ProviderAttributes{}, fmt.Errorf("decode profile: %w", err)
	}
	return profile, triggers.ProviderAttributes{TokenResponse: toks.response(), UserInfo: stringMap(profile)}, nil
}

// oidcFixed are the issuer and key set of the social providers that sign
// users in by OpenID Connect, which are fixed (their ID tokens' claims are
// the identity, with the People API fields a Google mapping names).
var oidcFixed = map[string]struct{ issuer, jwksURI string }{
	idps.TypeGoogle: {"https://accounts.google.com", "https://www.googleapis.com/oauth2/v3/certs"},
	idps.TypeApple:  {"https://appleid.apple.com", "https://appleid.apple.com/auth/keys"},
}

// appleClientSecret is the client secret Sign in with Apple takes: a JWT
// signed ES256 with the provider's private key (a PKCS #8 P-256 key, as
// Apple issues it), issued by the team to Apple for the client, valid five
// minutes.
func appleClientSecret(p *idps.Provider, now time.Time) (string, error) {
	block, _ := pem.Decode([]byte(p.Details["private_key"]))
	if block == nil {
		return "", errors.New("the Sign in with Apple private_key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return "", fmt.Errorf("parse the Sign in with Apple private_key: %w", err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return "", errors.New("the Sign in with Apple private_key is not an ECDSA key")
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", p.Details["key_id"]))
	if err != nil {
		return "", fmt.Errorf("apple client secret signer: %w", err)
	}
	claims := map[string]any{
		"iss": p.Details["team_id"], "sub": p.Details["client_id"], "aud": "https://appleid.apple.com",
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// exchange sends a provider's token request and decodes its answer.
func (f *Federation) exchange(req *http.Request) (*providerTokens, error) {
	req.Header.Set("Accept", "application/json")
	body, err := f.Fetch.Do(req)
	if err != nil {
		return nil, fmt.Errorf("exchange code: %w", err)
	}
	var toks providerTokens
	if err := json.Unmarshal(body, &toks); err != nil {
		return nil, fmt.Errorf("decode token answer: %w", err)
	}
	return &toks, nil
}
