package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/cognate-idp/cognate/internal/ops/idps"
	"github.com/cognate-idp/cognate/internal/store"
)

// samlLogoutPath is where SAML providers send the browser back with their
// LogoutResponse (HTTP-POST binding).
const samlLogoutPath = "/saml2/logout"

// samlSLO is the site's single logout service URL.
func samlSLO(r *http.Request, st *site) *url.URL {
	u := samlACS(r, st)
	u.Path = samlLogoutPath
	return u
}

// toSAMLLogout sends the browser of a session signed in through a SAML
// provider with IDPSignout to the provider's single logout service with a
// LogoutRequest by the HTTP-Redirect binding, signed with the pool's
// signing certificate as Cognito signs it, naming the assertion's subject
// and session. The request's ID and the RelayState are bound to the
// browser by the state cookie, with target, where /saml2/logout sends the
// browser once the provider answers. It reports false, having answered
// nothing, when the provider no longer exists, no longer takes single
// logout or has no single logout service: the sign-out then ends here.
func (s *Service) toSAMLLogout(w http.ResponseWriter, r *http.Request, st *site, poolID string, sess *samlSession, target string) (bool, error) {
	ctx := r.Context()
	p, err := idps.Load(ctx, s.Store, s.Keys, poolID, sess.Provider)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if p.Type != idps.TypeSAML || p.Details["IDPSignout"] != "true" {
		return false, nil
	}
	now := s.Auth.Now()
	sp, err := s.Federation.serviceProvider(p, samlACS(r, st), now)
	if err != nil {
		return false, err
	}
	slo := sp.GetSLOBindingLocation(saml.HTTPRedirectBinding)
	if slo == "" {
		return false, nil
	}
	c, err := s.Federation.Certificates.Current(ctx, poolID)
	if err != nil {
		return false, err
	}
	sp.Key, sp.Certificate, sp.SignatureMethod = c.Key, c.Cert, dsig.RSASHA256SignatureMethod
	sp.SloURL = *samlSLO(r, st)
	req, err := sp.MakeLogoutRequest(slo, sess.NameID, saml.WithSessionIndex(sess.SessionIndex))
	if err != nil {
		return false, fmt.Errorf("identity provider %s: LogoutRequest: %w", p.Name, err)
	}
	if sess.NameIDFormat != "" && req.NameID != nil {
		req.NameID.Format = sess.NameIDFormat
	}
	relay, err := s.IDs.Token(43)
	if err != nil {
		return false, err
	}
	u, err := sp.RedirectLogoutRequestURL(req, relay)
	if err != nil {
		return false, fmt.Errorf("identity provider %s: LogoutRequest redirect: %w", p.Name, err)
	}
	if err := s.setState(w, st, samlLogoutPath, true, &idpState{State: relay, Nonce: req.ID, Provider: p.Name, Query: target, Expires: now.Add(stateLifetime)}); err != nil {
		return false, err
	}
	http.Redirect(w, r, u.String(), http.StatusFound)
	return true, nil
}

// samlLogout serves POST /saml2/logout, where a SAML provider sends the
// browser back with its LogoutResponse: signed by the provider, answering
// the LogoutRequest the browser's state cookie names, with a success
// status. The browser then goes on to where its sign-out was headed (the
// app's logout_uri, or the login page), by a refresh as after sign-in.
func (s *Service) samlLogout(w http.ResponseWriter, r *http.Request, st *site) {
	w = &refreshRedirect{ResponseWriter: w}
	r.Body = http.MaxBytesReader(w, r.Body, maxSAMLForm)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	d := s.takeState(w, r, st, samlLogoutPath, r.PostForm.Get("RelayState"))
	if d == nil {
		s.errorPage(w, r, http.StatusBadRequest, "The sign-out through your identity provider has expired or was not started in this browser.")
		return
	}
	ctx := r.Context()
	p, err := idps.Load(ctx, s.Store, s.Keys, st.domain.PoolID, d.Provider)
	if err == nil && p.Type != idps.TypeSAML {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusBadRequest, "The identity provider "+d.Provider+" no longer exists.")
		return
	}
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	sp, err := s.Federation.serviceProvider(p, samlACS(r, st), s.Auth.Now())
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	sp.SloURL = *samlSLO(r, st)
	if _, err := sp.ParseLogoutResponse(r, []string{d.Nonce}); err != nil {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) && ire.PrivateErr != nil {
			err = fmt.Errorf("%w: %w", err, ire.PrivateErr)
		}
		s.log().WarnContext(ctx, "SAML sign-out refused", "request_id", requestID(ctx), "provider", p.Name, "err", err)
		s.errorPage(w, r, http.StatusBadRequest, "The sign-out response from your identity provider could not be verified.")
		return
	}
	http.Redirect(w, r, d.Query, http.StatusFound)
}
