package oauth

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// The managed login pages sign users in without a password as Cognito's
// choice-based sign-in does, through the API's own USER_AUTH steps
// (signin.HostedStart, then signin.HostedRespond):
//
//   - the sign-in form offers, besides the password, the passwordless
//     first factors the pool's SignInPolicy allows to a client with
//     ALLOW_USER_AUTH: a passkey, or a one-time code by email or SMS;
//   - a one-time code is asked for on the code form of the second factor
//     (mfa.html);
//   - a passkey is asked for on passkey.html, whose nonce'd script runs
//     navigator.credentials.get with the challenge's
//     CREDENTIAL_REQUEST_OPTIONS and posts the CREDENTIAL back through a
//     CSRF-protected form;
//   - /passkeys/add registers a passkey for the user of the browser's
//     hosted session (passkeyadd.html, navigator.credentials.create), with
//     internal/passkey's registration ceremony, then returns to the app.
//
// Without JavaScript the password form works as before.

// passwordlessLabels are the message keys of the passwordless factors'
// buttons.
var passwordlessLabels = map[string]string{
	model.ChallengeNameTypeWebAuthn: "login.passkey",
	model.ChallengeNameTypeEmailOtp: "login.emailCode",
	model.ChallengeNameTypeSmsOtp:   "login.smsCode",
}

// passwordlessOptions returns the passwordless factors the sign-in form
// offers for the page's client.
func (s *Service) passwordlessOptions(p *page) []mfaOption {
	if p.req == nil || !p.Native || !p.managedLogin {
		return nil
	}
	var out []mfaOption
	for _, f := range s.SignIn.HostedFirstFactors(p.req.client) {
		out = append(out, mfaOption{Value: f, Label: p.T(passwordlessLabels[f])})
	}
	return out
}

// startPasswordless answers the sign-in form's choice of a passwordless
// factor: USER_AUTH with that factor preferred, then its form.
func (s *Service) startPasswordless(w http.ResponseWriter, r *http.Request, st *site, a *authRequest, p *page, factor string) {
	if _, ok := passwordlessLabels[factor]; !ok || !p.managedLogin || !slices.Contains(s.SignIn.HostedFirstFactors(a.client), factor) {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	hash, err := s.secretHash(a.client, p.Username)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	o, err := s.SignIn.HostedStart(r.Context(), a.client, p.Username, factor, hash)
	if err != nil {
		s.fail(w, r, "login", p, err)
		return
	}
	p.SignInCode = factor != model.ChallengeNameTypeWebAuthn
	s.finishSignIn(w, r, st, a, p, o)
}

// showPasskey shows the form of a WEB_AUTHN challenge.
func (s *Service) showPasskey(w http.ResponseWriter, r *http.Request, p *page, options string) {
	p.Options, p.Script = options, true
	s.render(w, r, http.StatusOK, "passkey", p)
}

// passkeyAnswer serves POST /passkey, the CREDENTIAL that answers a
// WEB_AUTHN challenge.
func (s *Service) passkeyAnswer(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	challengeForm(r, p)
	cred := r.PostForm.Get("credential")
	if cred == "" {
		p.Session, p.Error = "", p.T("passkey.failed")
		s.render(w, r, http.StatusOK, "login", p)
		return
	}
	s.respond(w, r, st, a, p, "login", model.ChallengeNameTypeWebAuthn, p.Session, map[string]string{"CREDENTIAL": cred})
}

// passkeyRequest is what /passkeys/add runs for: the app client, where to
// return, and the signed-in user of the browser's hosted session (nil when
// there is none for the client's pool).
func (s *Service) passkeyRequest(w http.ResponseWriter, r *http.Request, st *site) (*authRequest, *page, *store.User) {
	q := r.URL.Query()
	a, err := s.parseAuthorize(r.Context(), url.Values{"client_id": {q.Get("client_id")}, "redirect_uri": {q.Get("redirect_uri")},
		"response_type": {"code"}, "lang": {q.Get("lang")}}, st)
	var pe *pageError
	if errors.As(err, &pe) {
		s.errorPage(w, r, pe.status, pe.message)
		return nil, nil, nil
	}
	if a == nil {
		s.internalError(w, r, true, err)
		return nil, nil, nil
	}
	a.query = url.Values{"client_id": {a.client.ID()}, "redirect_uri": {a.redirectURI}}
	if a.lang != "" {
		a.query.Set("lang", a.lang)
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
		if err := r.ParseForm(); err != nil {
			s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
			return nil, nil, nil
		}
		if !checkCSRF(r) {
			s.errorPage(w, r, http.StatusForbidden, "The form has expired or did not come from this site. Go back, reload the page and try again.")
			return nil, nil, nil
		}
	}
	p, err := s.newPage(w, r, st, a)
	if err != nil {
		s.internalError(w, r, true, err)
		return nil, nil, nil
	}
	if !p.managedLogin || s.Passkeys == nil {
		// /passkeys/add is managed login's alone.
		s.errorPage(w, r, http.StatusNotFound, "Not found")
		return nil, nil, nil
	}
	u, _, err := s.hostedUser(r, a.client.Pool.ID)
	if err != nil {
		s.internalError(w, r, true, err)
		return nil, nil, nil
	}
	if u == nil {
		p.Message, p.Status = p.T("passkeyadd.signIn"), http.StatusUnauthorized
		s.render(w, r, http.StatusUnauthorized, "error", p)
		return nil, nil, nil
	}
	p.Username = u.Username
	return a, p, u
}

// addPasskeyPage serves GET /passkeys/add?client_id=...&redirect_uri=...:
// the creation options of a new passkey for the signed-in user
// (StartWebAuthnRegistration's ceremony) and the page that creates it.
func (s *Service) addPasskeyPage(w http.ResponseWriter, r *http.Request, st *site) {
	a, p, u := s.passkeyRequest(w, r, st)
	if a == nil {
		return
	}
	opts, err := s.Passkeys.BeginRegistration(r.Context(), a.client.Pool, u, a.client.ID())
	if err != nil {
		s.passkeyFailed(w, r, p, err)
		return
	}
	p.Options, p.Script = string(opts), true
	s.render(w, r, http.StatusOK, "passkeyadd", p)
}

// addPasskey serves POST /passkeys/add: the new passkey's
// RegistrationResponseJSON, verified and stored as
// CompleteWebAuthnRegistration does, then back to the app.
func (s *Service) addPasskey(w http.ResponseWriter, r *http.Request, st *site) {
	a, p, u := s.passkeyRequest(w, r, st)
	if a == nil {
		return
	}
	cred := strings.TrimSpace(r.PostForm.Get("credential"))
	if cred == "" || !json.Valid([]byte(cred)) {
		p.Error = p.T("passkey.failed")
		s.render(w, r, http.StatusOK, "passkeyadd", p)
		return
	}
	if err := s.Passkeys.CompleteRegistration(r.Context(), a.client.Pool, u, a.client.ID(), json.RawMessage(cred)); err != nil {
		s.passkeyFailed(w, r, p, err)
		return
	}
	http.Redirect(w, r, a.redirectURI, http.StatusFound)
}

// passkeyFailed shows on the error page why a passkey could not be
// added (a Cognito exception's message), or answers 500.
func (s *Service) passkeyFailed(w http.ResponseWriter, r *http.Request, p *page, err error) {
	msg, ok := userMessage(err)
	if !ok {
		s.internalError(w, r, true, err)
		return
	}
	p.Message, p.Status = msg, http.StatusBadRequest
	s.render(w, r, http.StatusBadRequest, "error", p)
}
