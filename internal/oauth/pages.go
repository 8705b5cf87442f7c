package oauth

import (
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops/domains"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the managed login pages, each parsed with the layout.
var pages = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	for _, name := range []string{"error", "login", "newpassword", "signup", "confirm", "forgot", "reset", "mfa", "selectmfa", "mfasetup", "totpsetup", "passkey", "passkeyadd"} {
		m[name] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/webauthn.html", "templates/"+name+".html"))
	}
	return m
}()

// languages are the lang values Cognito's managed login speaks, with the
// key of a terms document's link in that language ("" for the languages
// terms documents have no key for, whose link is the default one). The
// pages' fixed text comes from the message catalogue (messages.go); an
// unknown lang shows English.
var languages = map[string]string{
	"de": "cognito:german", "en": "cognito:english", "es": "cognito:spanish", "fr": "cognito:french",
	"id": "cognito:bahasa-indonesia", "it": "cognito:italian", "ja": "cognito:japanese", "ko": "cognito:korean",
	"nl": "cognito:dutch", "pt-BR": "cognito:portuguese-brazil", "sv": "", "tr": "",
	"zh-CN": "cognito:chinese-simplified", "zh-TW": "cognito:chinese-traditional",
}

// field is an input of a form.
type field struct {
	Name, Label, Type, Value string
	Required                 bool
}

// termsLink is a link to a terms document.
type termsLink struct{ Label, URL string }

// page is what a page template receives.
type page struct {
	Lang  string
	Nonce string
	CSS   template.CSS
	// Logo is the logo's URL: the classic hosted UI's image, or a
	// managed login style's logo as a data: URL.
	Logo template.URL
	CSRF string
	// Query is the authorization request, carried from page to page (an
	// encoded query string, which the forms' actions end with).
	Query       template.URL
	Error, Info string
	Username    string
	// Email is what the user gave in the email form.
	Email     string
	UserLabel string
	Session   string
	// Ticket is the sign-up ticket the confirmation form carries.
	Ticket      string
	Destination string
	Fields      []field
	// Challenge is the second factor challenge a code form answers
	// (SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA).
	Challenge string
	// MFAOptions are the factors the user may choose or set up.
	MFAOptions []mfaOption
	// Secret and OTPAuth are a software token being set up: its base32
	// secret and its otpauth:// URI.
	Secret, OTPAuth string
	// Options are the WebAuthn options (JSON) a passkey page's script
	// gives navigator.credentials; Script marks a page that runs that
	// script (the policy then allows the page's nonce'd script).
	Options string
	Script  bool
	// Passwordless are the passwordless first factors the sign-in form
	// offers; SignInCode marks a code form that asks for a one-time code
	// as the first factor (EMAIL_OTP, SMS_OTP) rather than a second one.
	Passwordless []mfaOption
	SignInCode   bool
	// Native is set when the client signs users in with the pool's own
	// directory (the password form); Providers are the names of its
	// third-party identity providers that have a button; EmailIdP is set
	// when some of its SAML providers are reached by the user's email
	// domain instead (the email form).
	Native    bool
	Providers []string
	EmailIdP  bool
	// Terms are the client's terms documents, linked on the sign-up page.
	Terms   []termsLink
	Message string
	Status  int
	// managedLogin is set on a domain with managed login (version 2), which
	// alone offers passwordless sign-in and /passkeys/add, as on Cognito.
	managedLogin bool
	// formOrigin is the origin of the redirect URI a form's answer may
	// redirect to.
	formOrigin string
	// req is the authorization request the page serves.
	req *authRequest
}

// setPageHeaders sets the headers of every browser route: nothing may frame
// the pages, run scripts in them or load anything from elsewhere but their
// logo; forms post to the site itself.
func setPageHeaders(h http.Header) {
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// contentSecurityPolicy is the policy of a page whose inline style (and,
// with script, its one inline script) carries nonce, whose logo may come
// from imgOrigin and whose forms may end in a redirect to formOrigin
// (browsers apply form-action to redirects).
func contentSecurityPolicy(nonce, imgOrigin, formOrigin string, script bool) string {
	img := "'self' data:"
	if imgOrigin != "" {
		img += " " + imgOrigin
	}
	form := "'self'"
	if formOrigin != "" {
		form += " " + formOrigin
	}
	scripts := ""
	if script {
		scripts = "; script-src 'nonce-" + nonce + "'"
	}
	return "default-src 'none'; style-src 'nonce-" + nonce + "'" + scripts + "; img-src " + img +
		"; form-action " + form + "; frame-ancestors 'none'; base-uri 'none'"
}

// origin returns the scheme://host of a URL, or "" if it has none.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// render writes a page with its status.
func (s *Service) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	nonce, err := s.IDs.Token(22)
	if err != nil {
		s.log().ErrorContext(r.Context(), "page nonce", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.Nonce = nonce
	if name == "login" {
		p.Passwordless = s.passwordlessOptions(p)
	}
	if p.Lang == "" {
		p.Lang = fallbackLang
	}
	h := w.Header()
	setPageHeaders(h)
	h.Set("Content-Security-Policy", contentSecurityPolicy(nonce, origin(string(p.Logo)), p.formOrigin, p.Script))
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := pages[name].ExecuteTemplate(w, "layout", p); err != nil {
		s.log().ErrorContext(r.Context(), "render page", "page", name, "err", err)
	}
}

// errorPage is the one HTML error page.
func (s *Service) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	s.render(w, r, status, "error", &page{Message: message, Status: status})
}

// csrfCookie names the cookie of the double-submit CSRF token.
const csrfCookie = "XSRF-TOKEN"

// csrfToken returns the request's CSRF token, setting a new cookie when it
// has none.
func (s *Service) csrfToken(w http.ResponseWriter, r *http.Request, st *site) (string, error) {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value, nil
	}
	tok, err := s.IDs.Token(43)
	if err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true, Secure: st.secure, SameSite: http.SameSiteLaxMode})
	return tok, nil
}

// checkCSRF reports whether a form post carries the CSRF token of its
// cookie.
func checkCSRF(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) < 32 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get("_csrf"))) == 1
}

// newPage returns the page of a request for a client: language, branding
// and the CSRF token filled in.
func (s *Service) newPage(w http.ResponseWriter, r *http.Request, st *site, a *authRequest) (*page, error) {
	tok, err := s.csrfToken(w, r, st)
	if err != nil {
		return nil, err
	}
	p := &page{CSRF: tok, Query: template.URL(a.query.Encode()), Lang: fallbackLang, formOrigin: origin(a.redirectURI), req: a,
		Native: slices.Contains(a.client.Settings.SupportedIdentityProviders, nativeProvider)}
	buttons, byEmail, err := s.loginProviders(r.Context(), a)
	if err != nil {
		return nil, err
	}
	p.Providers, p.EmailIdP = buttons, len(byEmail) > 0
	if _, ok := languages[a.lang]; ok {
		p.Lang = a.lang
	}
	p.UserLabel = p.T("label.username")
	if names := a.client.Pool.UsernameAttributes(); len(names) > 0 {
		labels := make([]string, len(names))
		for i, n := range names {
			labels[i] = p.T(map[string]string{"email": "label.email", "phone_number": "label.phone"}[n])
		}
		p.UserLabel = strings.Join(labels, " "+p.T("label.or")+" ")
	}
	set, err := domains.Decode(st.domain)
	if err != nil {
		return nil, err
	}
	p.managedLogin = set.ManagedLoginVersion == domains.ManagedLogin
	if s.Branding == nil {
		return p, nil
	}
	if p.managedLogin {
		style, err := s.clientStyle(r.Context(), a.client.Pool.ID, a.client.ID())
		if err != nil {
			return nil, err
		}
		if style != nil {
			p.CSS, p.Logo = style.css, style.logo
		}
		return p, nil
	}
	ui, err := s.Branding.GetUICustomization(r.Context(), &model.GetUICustomizationRequest{UserPoolId: a.client.Pool.ID, ClientId: a.client.ID()})
	var nf *model.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
	case err != nil:
		return nil, err
	case ui.UICustomization != nil:
		// The classic hosted UI's image URL is the server's own.
		p.CSS = template.CSS(ui.UICustomization.CSS)
		p.Logo = template.URL(ui.UICustomization.ImageUrl)
	}
	return p, nil
}
