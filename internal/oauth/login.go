package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops/signin"
	"github.com/cognate-idp/cognate/internal/store"
)

// entry parses the authorization request a page carries and, for a form
// post, its body and CSRF token. It returns nil when it has answered.
func (s *Service) entry(w http.ResponseWriter, r *http.Request, st *site, post bool) (*authRequest, *page) {
	a, err := s.parseAuthorize(r.Context(), r.URL.Query(), st)
	if !s.answer(w, r, a, err) {
		return nil, nil
	}
	if post {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
		if err := r.ParseForm(); err != nil {
			s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
			return nil, nil
		}
		if !checkCSRF(r) {
			s.errorPage(w, r, http.StatusForbidden, "The form has expired or did not come from this site. Go back, reload the page and try again.")
			return nil, nil
		}
	}
	p, err := s.newPage(w, r, st, a)
	if err != nil {
		s.internalError(w, r, true, err)
		return nil, nil
	}
	return a, p
}

// userMessage returns what a page shows for an error of the sign-in core:
// the Cognito exception's message, as the hosted UI shows it. Other errors
// are not the user's to see, and ok is false.
func userMessage(err error) (msg string, ok bool) {
	var api model.APIError
	if errors.As(err, &api) {
		return api.ErrorMessage(), true
	}
	return "", false
}

// fail shows err on page name, or answers 500 for an internal error.
func (s *Service) fail(w http.ResponseWriter, r *http.Request, name string, p *page, err error) {
	msg, ok := userMessage(err)
	if !ok {
		s.internalError(w, r, true, err)
		return
	}
	p.Error = msg
	if name == "signup" {
		s.renderSignup(w, r, p.req, p)
		return
	}
	s.render(w, r, http.StatusOK, name, p)
}

// loginPage serves GET /login.
func (s *Service) loginPage(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, false)
	if a == nil || s.resume(w, r, st, a) {
		return
	}
	s.render(w, r, http.StatusOK, "login", p)
}

// login serves POST /login: a password sign-in through the API's sign-in
// steps, then the session cookie and the answer to the authorization
// request; or, when the form names a passwordless factor, that sign-in's
// first step (passkeys.go).
func (s *Service) login(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	if email, ok := r.PostForm["idp_email"]; ok {
		s.loginByEmail(w, r, st, a, p, email[0])
		return
	}
	if !p.Native {
		s.answer(w, r, a, oauthError("invalid_request", "The app client does not sign users in with the user pool (COGNITO is not one of its identity providers)."))
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("username"))
	p.Username = name
	if factor := r.PostForm.Get("factor"); factor != "" {
		s.startPasswordless(w, r, st, a, p, factor)
		return
	}
	o, err := s.SignIn.HostedSignIn(r.Context(), a.client, name, r.PostForm.Get("password"))
	var unconfirmed *model.UserNotConfirmedException
	if errors.As(err, &unconfirmed) {
		// The password was right: once confirmed, the user is signed in.
		u, ferr := a.client.Pool.FindUser(r.Context(), s.Store, name)
		if ferr == nil {
			p.Ticket, ferr = s.signupTicket(r.Context(), a, u.Sub, name)
		}
		if ferr != nil {
			s.internalError(w, r, true, ferr)
			return
		}
		s.sendConfirmation(w, r, a, p, name)
		return
	}
	if err != nil {
		s.fail(w, r, "login", p, err)
		return
	}
	s.finishSignIn(w, r, st, a, p, o)
}

// loginByEmail answers the login page's email form: the browser goes on
// to the client's SAML provider one of whose identifiers is the email
// address's domain, or sees the form again with an error. The page goes
// on by a refresh, since the form's form-action does not name the
// provider.
func (s *Service) loginByEmail(w http.ResponseWriter, r *http.Request, st *site, a *authRequest, p *page, email string) {
	_, byEmail, err := s.loginProviders(r.Context(), a)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	domain := emailDomain(email)
	name := providerForDomain(byEmail, domain)
	if name == "" {
		p.Email = strings.TrimSpace(email)
		p.Error = p.T("login.noEmailIdP")
		s.render(w, r, http.StatusOK, "login", p)
		return
	}
	a.provider = name
	s.toProvider(&refreshRedirect{ResponseWriter: w}, r, st, a)
}

// finishSignIn answers a sign-in step's outcome: the form of its challenge
// (a new password, a second factor), else the session and the redirect.
// p.Username is the name the sign-in goes by.
func (s *Service) finishSignIn(w http.ResponseWriter, r *http.Request, st *site, a *authRequest, p *page, o *signin.HostedOutcome) {
	if o.Challenge != "" && o.Challenge != model.ChallengeNameTypeNewPasswordRequired {
		s.showChallenge(w, r, a, p, o)
		return
	}
	if o.Challenge == model.ChallengeNameTypeNewPasswordRequired {
		p.Session, p.Username = o.Session, o.Params["USER_ID_FOR_SRP"]
		var required []string
		json.Unmarshal([]byte(o.Params["requiredAttributes"]), &required)
		for _, name := range required {
			name = strings.TrimPrefix(name, "userAttributes.")
			p.Fields = append(p.Fields, attributeField(name, r.PostForm.Get(name)))
		}
		s.render(w, r, http.StatusOK, "newpassword", p)
		return
	}
	if o.User == nil {
		s.internalError(w, r, true, errors.New("hosted sign-in ended with neither a user nor a challenge"))
		return
	}
	now := s.Auth.Now()
	if err := s.startSession(r.Context(), w, st, a.client, o.User, &hostedData{AuthTime: now}); err != nil {
		s.internalError(w, r, true, err)
		return
	}
	s.complete(w, r, a, o.User, now)
}

// newPassword serves POST /newPassword, the answer to
// NEW_PASSWORD_REQUIRED.
func (s *Service) newPassword(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	f := r.PostForm
	p.Session, p.Username = f.Get("session"), f.Get("username")
	attrs := map[string]string{}
	for k, v := range f {
		if slices.Contains([]string{"_csrf", "session", "username", "new_password"}, k) || len(v) == 0 || v[0] == "" {
			continue
		}
		attrs[k] = v[0]
		p.Fields = append(p.Fields, attributeField(k, v[0]))
	}
	o, err := s.SignIn.HostedNewPassword(r.Context(), a.client, p.Session, p.Username, f.Get("new_password"), attrs)
	if err != nil {
		s.fail(w, r, "newpassword", p, err)
		return
	}
	s.finishSignIn(w, r, st, a, p, o)
}

// attributeField is the form input of a user attribute.
func attributeField(name, value string) field {
	f := field{Name: name, Label: strings.ReplaceAll(strings.TrimPrefix(name, "custom:"), "_", " "), Type: "text", Value: value, Required: true}
	switch name {
	case "email":
		f.Type = "email"
	case "phone_number":
		f.Type = "tel"
	}
	return f
}

// secretHash is the SECRET_HASH the pages send to the sign-up operations
// for a client with a secret (they are the client, and hold its secret).
func (s *Service) secretHash(c *appclient.Client, username string) (string, error) {
	if !c.HasSecret() {
		return "", nil
	}
	secret, err := appclient.OpenSecret(s.Keys, c.ID(), c.Rec.Secrets[0])
	if err != nil {
		return "", err
	}
	return appclient.SecretHash(secret, username, c.ID()), nil
}

// signupFields are the inputs of the sign-up form: the pool's required
// attributes, but for one the username stands for.
func signupFields(a *authRequest, r *http.Request) []field {
	var out []field
	for _, at := range a.client.Pool.Settings.SchemaAttributes {
		if at.Required == nil || !*at.Required || slices.Contains(a.client.Pool.UsernameAttributes(), at.Name) {
			continue
		}
		out = append(out, attributeField(at.Name, r.PostForm.Get(at.Name)))
	}
	return out
}

// termsLinks returns the links to the client's terms documents (terms of
// use, privacy policy) in the page's language, else their default link.
func (s *Service) termsLinks(ctx context.Context, a *authRequest, lang string) ([]termsLink, error) {
	var out []termsLink
	page := store.Page{Limit: 60}
	for {
		ts, next, err := s.Store.ListTerms(ctx, a.client.Pool.ID, page)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("list terms: %w", err)
		}
		for _, t := range ts {
			if t.ClientID != a.client.ID() {
				continue
			}
			link := t.Links["cognito:default"]
			if v := t.Links[languages[lang]]; v != "" {
				link = v
			}
			if link == "" {
				continue
			}
			label := strings.ReplaceAll(t.Name, "-", " ")
			if label != "" {
				label = strings.ToUpper(label[:1]) + label[1:]
			}
			out = append(out, termsLink{Label: label, URL: link})
		}
		if next == "" || err != nil {
			return out, nil
		}
		page.Cursor = next
	}
}

// signupPage serves GET /signup.
func (s *Service) signupPage(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, false)
	if a == nil {
		return
	}
	p.Fields = signupFields(a, r)
	s.renderSignup(w, r, a, p)
}

// renderSignup shows the sign-up form with the client's terms linked.
func (s *Service) renderSignup(w http.ResponseWriter, r *http.Request, a *authRequest, p *page) {
	terms, err := s.termsLinks(r.Context(), a, a.lang)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	p.Terms = terms
	s.render(w, r, http.StatusOK, "signup", p)
}

// signup serves POST /signup through the SignUp operation.
func (s *Service) signup(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("username"))
	p.Username, p.Fields = name, signupFields(a, r)
	var attrs []model.AttributeType
	for _, f := range p.Fields {
		if f.Value != "" {
			attrs = append(attrs, model.AttributeType{Name: f.Name, Value: f.Value})
		}
	}
	for _, ua := range a.client.Pool.UsernameAttributes() {
		if ua == "email" && strings.Contains(name, "@") || ua == "phone_number" && strings.HasPrefix(name, "+") {
			attrs = append(attrs, model.AttributeType{Name: ua, Value: name})
		}
	}
	hash, err := s.secretHash(a.client, name)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	in := &model.SignUpRequest{ClientId: a.client.ID(), Username: name, Password: r.PostForm.Get("password"), UserAttributes: attrs, SecretHash: hash}
	if err := in.Validate(); err != nil {
		s.fail(w, r, "signup", p, err)
		return
	}
	out, err := s.SignUp.SignUp(r.Context(), in)
	if err != nil {
		s.fail(w, r, "signup", p, err)
		return
	}
	if out.UserConfirmed != nil && *out.UserConfirmed {
		// Confirmed by the pre sign-up trigger: signed in at once.
		u, err := s.Store.GetUserBySub(r.Context(), a.client.Pool.ID, out.UserSub)
		if err != nil {
			s.internalError(w, r, true, err)
			return
		}
		s.signInConfirmed(w, r, st, a, p, u)
		return
	}
	if out.CodeDeliveryDetails != nil {
		p.Destination = out.CodeDeliveryDetails.Destination
	}
	p.Fields = nil
	if p.Ticket, err = s.signupTicket(r.Context(), a, out.UserSub, name); err != nil {
		s.internalError(w, r, true, err)
		return
	}
	s.render(w, r, http.StatusOK, "confirm", p)
}

// signupTicket stores a sign-up ticket for a user who has just given their
// password in this browser and returns its value, which the confirmation
// form carries.
func (s *Service) signupTicket(ctx context.Context, a *authRequest, sub, username string) (string, error) {
	raw, err := s.IDs.Token(43)
	if err != nil {
		return "", err
	}
	if err := s.putRecord(ctx, kindSignup, raw, a.client.Pool.ID, a.client.ID(), sub, signupLifetime, &signupData{Username: username}); err != nil {
		return "", err
	}
	return raw, nil
}

// signInConfirmed signs in a user whose sign-up this browser has just made
// and confirmed, and answers the authorization request, as Cognito's
// managed login does: the user is not asked for the password again.
func (s *Service) signInConfirmed(w http.ResponseWriter, r *http.Request, st *site, a *authRequest, p *page, u *store.User) {
	p.Username = u.Username
	o, err := s.SignIn.HostedSignInConfirmed(r.Context(), a.client, u)
	if err != nil {
		s.fail(w, r, "login", p, err)
		return
	}
	s.finishSignIn(w, r, st, a, p, o)
}

// spendTicket takes the sign-up ticket raw for the user a confirmation
// named, and returns that user: nil when the ticket is missing, spent,
// expired or another user's or client's, and the user must sign in.
func (s *Service) spendTicket(ctx context.Context, a *authRequest, raw, username string) (*store.User, error) {
	var d signupData
	rec, err := s.takeRecord(ctx, kindSignup, raw, &d)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if rec.PoolID != a.client.Pool.ID || rec.ClientID != a.client.ID() || d.Username != username {
		return nil, nil
	}
	u, err := s.Store.GetUserBySub(ctx, rec.PoolID, rec.Sub)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// sendConfirmation sends a new confirmation code to a user who is not
// confirmed yet and shows the confirmation form.
func (s *Service) sendConfirmation(w http.ResponseWriter, r *http.Request, a *authRequest, p *page, name string) {
	hash, err := s.secretHash(a.client, name)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	out, err := s.SignUp.ResendConfirmationCode(r.Context(), &model.ResendConfirmationCodeRequest{ClientId: a.client.ID(), Username: name, SecretHash: hash})
	if err != nil {
		s.fail(w, r, "confirm", p, err)
		return
	}
	if out.CodeDeliveryDetails != nil {
		p.Destination = out.CodeDeliveryDetails.Destination
	}
	p.Username = name
	s.render(w, r, http.StatusOK, "confirm", p)
}

// confirmUser serves POST /confirmUser through ConfirmSignUp.
func (s *Service) confirmUser(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	name := r.PostForm.Get("username")
	p.Username, p.Ticket = name, r.PostForm.Get("signup")
	hash, err := s.secretHash(a.client, name)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	in := &model.ConfirmSignUpRequest{ClientId: a.client.ID(), Username: name, ConfirmationCode: strings.TrimSpace(r.PostForm.Get("code")), SecretHash: hash}
	if err := in.Validate(); err != nil {
		s.fail(w, r, "confirm", p, err)
		return
	}
	if _, err := s.SignUp.ConfirmSignUp(r.Context(), in); err != nil {
		s.fail(w, r, "confirm", p, err)
		return
	}
	if p.Ticket != "" {
		u, err := s.spendTicket(r.Context(), a, p.Ticket, name)
		if err != nil {
			s.internalError(w, r, true, err)
			return
		}
		if u != nil {
			p.Ticket = ""
			s.signInConfirmed(w, r, st, a, p, u)
			return
		}
		p.Ticket = ""
	}
	p.Info = p.T("info.confirmed")
	s.render(w, r, http.StatusOK, "login", p)
}

// resendCode serves POST /resendCode.
func (s *Service) resendCode(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	p.Info, p.Ticket = p.T("info.resent"), r.PostForm.Get("signup")
	s.sendConfirmation(w, r, a, p, r.PostForm.Get("username"))
}

// forgotPage serves GET /forgotPassword.
func (s *Service) forgotPage(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, false)
	if a == nil {
		return
	}
	s.render(w, r, http.StatusOK, "forgot", p)
}

// forgotPassword serves POST /forgotPassword through ForgotPassword.
func (s *Service) forgotPassword(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("username"))
	p.Username = name
	hash, err := s.secretHash(a.client, name)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	in := &model.ForgotPasswordRequest{ClientId: a.client.ID(), Username: name, SecretHash: hash}
	if err := in.Validate(); err != nil {
		s.fail(w, r, "forgot", p, err)
		return
	}
	out, err := s.SignUp.ForgotPassword(r.Context(), in)
	if err != nil {
		s.fail(w, r, "forgot", p, err)
		return
	}
	if out.CodeDeliveryDetails != nil {
		p.Destination = out.CodeDeliveryDetails.Destination
	}
	s.render(w, r, http.StatusOK, "reset", p)
}

// confirmForgotPassword serves POST /confirmForgotPassword through
// ConfirmForgotPassword.
func (s *Service) confirmForgotPassword(w http.ResponseWriter, r *http.Request, st *site) {
	a, p := s.entry(w, r, st, true)
	if a == nil {
		return
	}
	name := r.PostForm.Get("username")
	p.Username = name
	hash, err := s.secretHash(a.client, name)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	in := &model.ConfirmForgotPasswordRequest{ClientId: a.client.ID(), Username: name, ConfirmationCode: strings.TrimSpace(r.PostForm.Get("code")), Password: r.PostForm.Get("password"), SecretHash: hash}
	if err := in.Validate(); err != nil {
		s.fail(w, r, "reset", p, err)
		return
	}
	if _, err := s.SignUp.ConfirmForgotPassword(r.Context(), in); err != nil {
		s.fail(w, r, "reset", p, err)
		return
	}
	p.Info = p.T("info.passwordChanged")
	s.render(w, r, http.StatusOK, "login", p)
}
