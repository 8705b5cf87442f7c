package oauth

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// invalidToken is the userInfo endpoint's refusal of a token (RFC 6750
// section 3.1): 401 with WWW-Authenticate: Bearer error="invalid_token".
func invalidToken(description string) *Error {
	return &Error{Code: "invalid_token", Description: description, Status: http.StatusUnauthorized, bearer: true}
}

// userInfo serves GET and POST /oauth2/userInfo: the attributes the access
// token's scopes allow, for a valid, unrevoked access token of the site's
// pool with the openid scope whose user is enabled.
func (s *Service) userInfo(w http.ResponseWriter, r *http.Request, st *site) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	tok = strings.TrimSpace(tok)
	if !ok || tok == "" {
		writeError(w, &Error{Code: "invalid_request", Description: "The request has no Bearer access token.", Status: http.StatusBadRequest, bearer: true})
		return
	}
	pr, err := s.Auth.VerifyAccessToken(r.Context(), tok, "openid")
	if err != nil {
		var api model.APIError
		if errors.As(err, &api) {
			writeError(w, invalidToken(api.ErrorMessage()))
		} else {
			s.internalError(w, r, false, err)
		}
		return
	}
	if pr.Pool.ID != st.domain.PoolID {
		writeError(w, invalidToken("The access token was not issued by this user pool."))
		return
	}
	c, err := appclient.Load(r.Context(), s.Pools, s.Store, pr.ClientID)
	if err != nil {
		writeError(w, invalidToken("The access token's app client no longer exists."))
		return
	}
	scope, _ := pr.Claims["scope"].(string)
	scopes := strings.Fields(scope)
	out := map[string]string{"sub": pr.User.Sub, "username": pr.User.Username}
	allowed := func(name string) bool {
		switch {
		case slices.Contains(scopes, "profile"):
			return true
		case name == "email" || name == "email_verified":
			return slices.Contains(scopes, "email")
		case name == "phone_number" || name == "phone_number_verified":
			return slices.Contains(scopes, "phone")
		}
		return false
	}
	for name, v := range pr.User.Attributes {
		if name != "sub" && c.CanRead(name) && allowed(name) {
			out[name] = v
		}
	}
	writeJSON(w, out)
}

// revoke serves POST /oauth2/revoke (RFC 7009 as Cognito implements it):
// refresh tokens only, for clients with token revocation on.
func (s *Service) revoke(w http.ResponseWriter, r *http.Request, st *site) {
	err := s.revokeToken(w, r, st)
	if err == nil {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		return
	}
	if err = fromCognito(err); errors.As(err, new(*Error)) {
		writeError(w, err)
	} else {
		s.internalError(w, r, false, err)
	}
}

func (s *Service) revokeToken(w http.ResponseWriter, r *http.Request, st *site) error {
	if err := readForm(w, r); err != nil {
		return err
	}
	c, err := s.authenticateClient(r.Context(), r, st, http.StatusUnauthorized)
	if err != nil {
		return err
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		return oauthError("invalid_request", "token is missing.")
	}
	if !c.RevocationEnabled() {
		return oauthError("invalid_request", "Token revocation is not enabled for the app client.")
	}
	if strings.Count(tok, ".") == 2 {
		return oauthError("unsupported_token_type", "Only refresh tokens can be revoked.")
	}
	return s.Auth.RevokeRefreshToken(r.Context(), c, tok)
}

// logout serves GET /logout with Cognito's parameters: client_id, and
// logout_uri (one of the client's sign-out URLs) or redirect_uri and
// response_type (back to sign-in). It ends the browser's hosted session;
// a session signed in through a SAML provider with IDPSignout goes on to
// the provider's single logout first (see toSAMLLogout).
func (s *Service) logout(w http.ResponseWriter, r *http.Request, st *site) {
	q := r.URL.Query()
	id := q.Get("client_id")
	if id == "" {
		s.errorPage(w, r, http.StatusBadRequest, "The request has no client_id.")
		return
	}
	c, err := appclient.Load(r.Context(), s.Pools, s.Store, id)
	var nf *model.ResourceNotFoundException
	if errors.As(err, &nf) || err == nil && c.Pool.ID != st.domain.PoolID {
		s.errorPage(w, r, http.StatusBadRequest, "Client "+id+" does not exist in this user pool.")
		return
	}
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	target := ""
	switch lu := q.Get("logout_uri"); {
	case lu != "":
		if !slices.Contains(c.Settings.LogoutURLs, lu) {
			s.errorPage(w, r, http.StatusBadRequest, "logout_uri "+lu+" is not one of the app client's sign-out URLs.")
			return
		}
		target = lu
	case q.Get("redirect_uri") != "" && q.Get("response_type") != "":
		a, err := s.parseAuthorize(r.Context(), q, st)
		if !s.answer(w, r, a, err) {
			return
		}
		target = "/login?" + a.query.Encode()
	default:
		s.errorPage(w, r, http.StatusBadRequest, "The request needs logout_uri, or redirect_uri and response_type.")
		return
	}
	var sess *samlSession
	if ck, err := r.Cookie(sessionCookie); err == nil {
		var d hostedData
		rec, err := s.getRecord(r.Context(), kindHosted, ck.Value, &d)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			s.log().WarnContext(r.Context(), "hosted session unreadable", "request_id", requestID(r.Context()), "err", err)
		case rec.PoolID == st.domain.PoolID:
			sess = d.SAML
		}
		if err := s.dropRecord(r.Context(), kindHosted, ck.Value); err != nil {
			s.internalError(w, r, true, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: st.secure, SameSite: http.SameSiteLaxMode})
	if sess != nil {
		sent, err := s.toSAMLLogout(w, r, st, st.domain.PoolID, sess, target)
		if err != nil {
			s.internalError(w, r, true, err)
			return
		}
		if sent {
			return
		}
	}
	http.Redirect(w, r, target, http.StatusFound)
}
