package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// authRequest is a checked authorization request (/oauth2/authorize, and
// the /login and /signup entry points, which take the same parameters).
type authRequest struct {
	// query is the request's parameters, carried from page to page.
	query        url.Values
	client       *appclient.Client
	redirectURI  string
	responseType string
	state        string
	scopes       []string
	nonce        string
	challenge    string
	prompt       string
	lang         string
	// provider is the third-party identity provider the request goes
	// straight to, if any.
	provider string
}

// pageError is an error shown on the error page rather than sent to the
// redirect URI: the client or the redirect URI cannot be trusted.
type pageError struct {
	status  int
	message string
}

func (e *pageError) Error() string { return e.message }

func badPage(format string) *pageError {
	return &pageError{status: http.StatusBadRequest, message: format}
}

// parseAuthorize checks an authorization request. The client and redirect
// URI come first, and their errors are a *pageError; once the redirect URI
// is known to be one of the client's callback URLs, the other errors are
// an *Error for the redirect URI, with the request returned alongside.
func (s *Service) parseAuthorize(ctx context.Context, q url.Values, st *site) (*authRequest, error) {
	a := &authRequest{query: url.Values{}}
	for _, k := range []string{"response_type", "client_id", "redirect_uri", "state", "scope", "nonce",
		"code_challenge", "code_challenge_method", "identity_provider", "idp_identifier", "prompt", "lang"} {
		if v := q.Get(k); v != "" {
			a.query.Set(k, v)
		}
	}
	id := q.Get("client_id")
	if id == "" {
		return nil, badPage("The request has no client_id.")
	}
	c, err := appclient.Load(ctx, s.Pools, s.Store, id)
	var nf *model.ResourceNotFoundException
	if errors.As(err, &nf) || err == nil && c.Pool.ID != st.domain.PoolID {
		return nil, badPage("Client " + id + " does not exist in this user pool.")
	}
	if err != nil {
		return nil, err
	}
	a.client = c
	a.redirectURI = q.Get("redirect_uri")
	if a.redirectURI == "" {
		return nil, badPage("The request has no redirect_uri.")
	}
	if !slices.Contains(c.Settings.CallbackURLs, a.redirectURI) {
		return nil, badPage("redirect_mismatch: " + a.redirectURI + " is not one of the app client's callback URLs.")
	}
	a.responseType, a.state, a.nonce, a.prompt, a.lang = q.Get("response_type"), q.Get("state"), q.Get("nonce"), q.Get("prompt"), q.Get("lang")
	a.challenge = q.Get("code_challenge")
	switch a.responseType {
	case "code":
		if !oauthEnabled(c, model.OAuthFlowTypeCode) {
			return a, oauthError("unauthorized_client", "The app client is not allowed the authorization code grant.")
		}
	case "token":
		if !oauthEnabled(c, model.OAuthFlowTypeImplicit) {
			return a, oauthError("unauthorized_client", "The app client is not allowed the implicit grant.")
		}
	case "":
		return a, oauthError("invalid_request", "The request has no response_type.")
	default:
		return a, oauthError("unsupported_response_type", "response_type must be code or token.")
	}
	if err := s.chooseProvider(ctx, a, q); err != nil {
		return a, err
	}
	a.scopes = dedupe(strings.Fields(q.Get("scope")))
	for _, sc := range a.scopes {
		if !slices.Contains(c.Settings.AllowedOAuthScopes, sc) {
			return a, oauthError("invalid_scope", "Scope "+sc+" is not allowed for the app client.")
		}
	}
	if len(a.scopes) == 0 {
		a.scopes = slices.Clone(c.Settings.AllowedOAuthScopes)
	}
	method := q.Get("code_challenge_method")
	switch {
	case a.challenge == "" && method != "":
		return a, oauthError("invalid_request", "code_challenge_method without code_challenge.")
	case a.challenge != "" && method != "S256":
		return a, oauthError("invalid_request", "code_challenge_method must be S256.")
	case a.challenge != "" && (len(a.challenge) < 43 || len(a.challenge) > 128):
		return a, oauthError("invalid_request", "code_challenge must be 43 to 128 characters.")
	}
	return a, nil
}

// redirect sends the browser back to the client's redirect URI with
// params: in the query for the code flow, in the fragment for the implicit
// one.
func redirect(w http.ResponseWriter, r *http.Request, a *authRequest, params url.Values) {
	if a.state != "" {
		params.Set("state", a.state)
	}
	u, err := url.Parse(a.redirectURI)
	if err != nil {
		http.Error(w, "bad redirect URI", http.StatusInternalServerError)
		return
	}
	if a.responseType == "token" {
		http.Redirect(w, r, u.String()+"#"+params.Encode(), http.StatusFound)
		return
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// answer handles what parseAuthorize returned: false when it has answered
// with an error (page or redirect).
func (s *Service) answer(w http.ResponseWriter, r *http.Request, a *authRequest, err error) bool {
	if err == nil {
		return true
	}
	var pe *pageError
	var oe *Error
	switch {
	case errors.As(err, &pe):
		s.errorPage(w, r, pe.status, pe.message)
	case errors.As(err, &oe) && a != nil:
		params := url.Values{"error": {oe.Code}}
		if oe.Description != "" {
			params.Set("error_description", oe.Description)
		}
		redirect(w, r, a, params)
	default:
		s.internalError(w, r, true, err)
	}
	return false
}

// authorize serves GET /oauth2/authorize: a signed-in browser gets its code
// or tokens at once (unless prompt=login), others go to the login page.
func (s *Service) authorize(w http.ResponseWriter, r *http.Request, st *site) {
	a, err := s.parseAuthorize(r.Context(), r.URL.Query(), st)
	if !s.answer(w, r, a, err) {
		return
	}
	if s.resume(w, r, st, a) {
		return
	}
	if a.prompt == "none" {
		s.answer(w, r, a, oauthError("login_required", "The user is not signed in."))
		return
	}
	if a.provider != "" {
		s.toProvider(w, r, st, a)
		return
	}
	http.Redirect(w, r, "/login?"+a.query.Encode(), http.StatusFound)
}

// resume completes the request with the browser's hosted session, if it
// has a valid one for the client's pool and prompt is not login, and
// reports whether it did.
func (s *Service) resume(w http.ResponseWriter, r *http.Request, st *site, a *authRequest) bool {
	if a.prompt == "login" {
		return false
	}
	u, d, err := s.hostedUser(r, a.client.Pool.ID)
	if err != nil {
		s.log().WarnContext(r.Context(), "hosted session unreadable", "request_id", requestID(r.Context()), "err", err)
		return false
	}
	if u == nil {
		return false
	}
	s.complete(w, r, a, u, d.AuthTime)
	return true
}

// hostedUser returns the enabled user of the browser's hosted session in
// pool poolID, with the session's data, or nil when the browser has no
// such session.
func (s *Service) hostedUser(r *http.Request, poolID string) (*store.User, *hostedData, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil, nil
	}
	var d hostedData
	rec, err := s.getRecord(r.Context(), kindHosted, ck.Value, &d)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if rec.PoolID != poolID {
		return nil, nil, nil
	}
	u, err := s.Store.GetUserBySub(r.Context(), rec.PoolID, rec.Sub)
	if errors.Is(err, store.ErrNotFound) || err == nil && !u.Enabled {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return u, &d, nil
}

// sessionCookie names the hosted sign-in session's cookie, as Cognito's.
const sessionCookie = "cognito"

// startSession gives the browser a hosted session d for a user who has
// just signed in, so that the next authorization request of the pool skips
// the login form.
func (s *Service) startSession(ctx context.Context, w http.ResponseWriter, st *site, c *appclient.Client, u *store.User, d *hostedData) error {
	raw, err := s.IDs.Token(64)
	if err != nil {
		return err
	}
	if err := s.putRecord(ctx, kindHosted, raw, c.Pool.ID, c.ID(), u.Sub, hostedLifetime, d); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: raw, Path: "/", MaxAge: int(hostedLifetime / time.Second),
		HttpOnly: true, Secure: st.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// complete answers an authorization request for a signed-in user: a code,
// or for the implicit grant the tokens (no refresh token), sent to the
// redirect URI.
func (s *Service) complete(w http.ResponseWriter, r *http.Request, a *authRequest, u *store.User, authTime time.Time) {
	ctx := r.Context()
	if a.responseType == "token" {
		res, err := s.issue(ctx, a.client, u, a.scopes, a.nonce, authTime, false)
		if err != nil {
			s.answer(w, r, a, s.pageSafe(r, err))
			return
		}
		params := url.Values{"access_token": {res.AccessToken}, "token_type": {"Bearer"}, "expires_in": {strconv.Itoa(int(res.ExpiresIn))}}
		if res.IDToken != "" {
			params.Set("id_token", res.IDToken)
		}
		redirect(w, r, a, params)
		return
	}
	raw, err := s.IDs.Token(43)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	d := &codeData{RedirectURI: a.redirectURI, Scopes: a.scopes, Nonce: a.nonce, Challenge: a.challenge, AuthTime: authTime}
	if err := s.putRecord(ctx, kindCode, raw, a.client.Pool.ID, a.client.ID(), u.Sub, codeLifetime, d); err != nil {
		s.internalError(w, r, true, err)
		return
	}
	redirect(w, r, a, url.Values{"code": {raw}})
}

// pageSafe maps an error of issuing to what goes to the redirect URI: a
// Cognito refusal (a trigger's) as an OAuth error, anything else logged and
// sent as server_error.
func (s *Service) pageSafe(r *http.Request, err error) error {
	err = fromCognito(err)
	var oe *Error
	if errors.As(err, &oe) {
		return oe
	}
	s.log().ErrorContext(r.Context(), "issue hosted tokens", "request_id", requestID(r.Context()), "err", err)
	return errServer
}
