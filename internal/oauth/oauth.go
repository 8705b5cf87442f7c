// Package oauth is Cognate's second protocol beside internal/awsjson: the
// hosted OAuth 2.0 and OpenID Connect endpoints a user pool's domains serve
// (/oauth2/authorize, /oauth2/token, /oauth2/userInfo, /oauth2/revoke,
// /logout) and the managed login pages (sign in, sign up, confirmation,
// password reset, first-sign-in new password, the second factor and its
// set-up, passwordless sign-in with one-time codes and passkeys, passkey
// registration at /passkeys/add), as Cognito documents them.
// It owns every route that is not the AWS JSON API: the server's other
// documents (key documents, UI assets, the outbox reader, the home page)
// are served beneath the hosted endpoints, behind the same middleware.
//
// Requests are routed to a pool by their Host: a prefix domain answers as
// <prefix>.auth.<region>.amazoncognito.com, as <prefix>.auth.localhost (any
// port; browsers resolve *.localhost to loopback) and under the public base
// URL set with SetHostedURL; a custom domain answers under its own name. A
// host that names no domain gets a 404 page, never another pool's pages.
//
// Errors reach the wire through two writers only: writeError for the JSON
// endpoints (RFC 6749 section 5.2, Cache-Control: no-store) and errorPage
// for the browser. The sign-in core's Cognito exceptions are turned into
// OAuth errors by one function, fromCognito. Browser routes carry a strict
// Content-Security-Policy (no scripts but the passkey pages' one nonce'd
// script), X-Frame-Options: DENY and CSRF protection (a
// double-submit token and the standard library's cross-origin check);
// every route has the same recover and request-ID middleware.
package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/ids"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops/branding"
	"github.com/cognate-idp/cognate/internal/ops/mfa"
	"github.com/cognate-idp/cognate/internal/ops/signin"
	"github.com/cognate-idp/cognate/internal/ops/signup"
	"github.com/cognate-idp/cognate/internal/passkey"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/tokens"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Service serves the hosted endpoints and pages. Set its fields, then call
// SetHostedURL and Register.
type Service struct {
	Store store.Store
	// Pools is the server's memo of decoded pool settings (nil decodes
	// every time).
	Pools  *userpool.Memo
	Keys   *seal.Keyring
	Auth   *authn.Service
	Signer *tokens.Signer
	// SignIn and SignUp are the API's operations, which the pages run so
	// that nothing is checked twice in two ways.
	SignIn *signin.Service
	SignUp *signup.Service
	// MFA sets up software tokens during a sign-in (MFA_SETUP).
	MFA *mfa.Service
	// Passkeys registers passkeys on /passkeys/add (nil: no passkeys).
	Passkeys *passkey.Service
	// Branding gives the classic hosted UI's CSS and logo.
	Branding *branding.Service
	// Federation signs users in through third-party identity providers.
	Federation *Federation
	IDs        ids.Generator
	// Region is the region of prefix domains' amazoncognito.com names.
	Region string
	// Throttle, when set, counts a request to a hosted endpoint (named as
	// ratelimit.Limiter.AllowHosted names them) against its rate limit; a
	// TooManyRequestsException refuses the request.
	Throttle func(ctx context.Context, endpoint string) error
	// Gate, when set, refuses a request to an endpoint (named as for
	// Throttle) of pool poolID that this server's region does not serve
	// (a secondary replica's writes): its error is shown to the user.
	Gate func(ctx context.Context, poolID, endpoint string) error
	Log  *slog.Logger
	// CORSOrigins lists the origins browsers may call the token, revocation
	// and userInfo endpoints from (a single-page app exchanging its code);
	// "*" allows any.
	CORSOrigins []string
	// Routes are the server's other non-API routes (key documents, the
	// outbox reader, UI assets, the home page): Register serves them behind
	// the same middleware as the hosted endpoints.
	Routes []Routes

	hostedURL atomic.Pointer[string]
	xorigin   *http.CrossOriginProtection
}

// SetHostedURL sets the public base URL of prefix domains, with
// config.PrefixPlaceholder in place of the prefix (for example
// https://{prefix}.auth.example.com).
func (s *Service) SetHostedURL(tmpl string) { s.hostedURL.Store(&tmpl) }

// PrefixBase returns the public base URL of a prefix domain.
func (s *Service) PrefixBase(prefix string) string {
	t := s.hostedURL.Load()
	if t == nil {
		return ""
	}
	return strings.Replace(*t, config.PrefixPlaceholder, prefix, 1)
}

// LocalHostedURL is the default hosted URL of a server listening on
// hostport: http://{prefix}.auth.localhost:<port>.
func LocalHostedURL(hostport string) string {
	_, port, err := net.SplitHostPort(hostport)
	if err != nil || port == "" {
		return "http://" + config.PrefixPlaceholder + ".auth.localhost"
	}
	return "http://" + config.PrefixPlaceholder + ".auth.localhost:" + port
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Routes mounts routes on a mux.
type Routes interface {
	Register(mux *http.ServeMux)
}

// RoutesFunc is a function that mounts routes, as a Routes.
type RoutesFunc func(mux *http.ServeMux)

// Register calls f(mux).
func (f RoutesFunc) Register(mux *http.ServeMux) { f(mux) }

// Register mounts the hosted routes on mux, and beneath them (as the
// catch-all "/", which the API's "POST /" outranks) the Routes, and makes
// the signer's discovery documents name each pool's domain.
func (s *Service) Register(mux *http.ServeMux) {
	s.xorigin = http.NewCrossOriginProtection()
	s.xorigin.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusForbidden, "This request came from another site and was refused.")
	}))
	s.Signer.DomainBase = s.DomainBase
	api := func(pattern string, h func(http.ResponseWriter, *http.Request, *site)) {
		mux.Handle(pattern, s.middleware(false, s.cors(s.onSite(false, h))))
	}
	page := func(pattern string, h func(http.ResponseWriter, *http.Request, *site)) {
		mux.Handle(pattern, s.middleware(true, s.xorigin.Handler(s.onSite(true, h))))
	}
	api("POST /oauth2/token", s.token)
	api("POST /oauth2/revoke", s.limited("revoke", false, s.revoke))
	api("GET /oauth2/userInfo", s.limited("userInfo", false, s.userInfo))
	api("POST /oauth2/userInfo", s.limited("userInfo", false, s.userInfo))
	for _, path := range []string{"/oauth2/token", "/oauth2/revoke", "/oauth2/userInfo"} {
		mux.Handle("OPTIONS "+path, s.middleware(false, s.cors(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}))))
	}
	page("GET /oauth2/authorize", s.authorize)
	page("GET /login", s.loginPage)
	page("POST /login", s.limited("login", true, s.login))
	page("POST /newPassword", s.limited("newPassword", true, s.newPassword))
	page("POST /mfa", s.limited("mfa", true, s.mfaCode))
	page("POST /selectMfa", s.limited("selectMfa", true, s.selectMFA))
	page("POST /mfaSetup", s.limited("mfaSetup", true, s.mfaSetup))
	page("POST /totpSetup", s.limited("totpSetup", true, s.totpSetup))
	page("POST /passkey", s.limited("passkey", true, s.passkeyAnswer))
	page("GET /passkeys/add", s.limited("passkeys/start", true, s.addPasskeyPage))
	page("POST /passkeys/add", s.limited("passkeys/add", true, s.addPasskey))
	page("GET /signup", s.signupPage)
	page("POST /signup", s.limited("signup", true, s.signup))
	page("POST /confirmUser", s.limited("confirmUser", true, s.confirmUser))
	page("POST /resendCode", s.limited("resendCode", true, s.resendCode))
	page("GET /forgotPassword", s.forgotPage)
	page("POST /forgotPassword", s.limited("forgotPassword", true, s.forgotPassword))
	page("POST /confirmForgotPassword", s.limited("confirmForgotPassword", true, s.confirmForgotPassword))
	page("GET /logout", s.logout)
	page("GET /oauth2/idpresponse", s.limited("idpresponse", true, s.idpResponse))
	// Sign in with Apple posts its answer from its own site (form_post):
	// the state cookie, not the cross-origin check, guards this form.
	mux.Handle("POST /oauth2/idpresponse", s.middleware(true, s.onSite(true, s.limited("idpresponse", true, s.idpResponse))))
	// SAML providers post their responses the same way (HTTP-POST binding).
	mux.Handle("POST "+samlResponsePath, s.middleware(true, s.onSite(true, s.limited("saml2/idpresponse", true, s.samlResponse))))
	// And their answers to single logout, which, like /logout, no limit
	// holds back.
	mux.Handle("POST "+samlLogoutPath, s.middleware(true, s.onSite(true, s.samlLogout)))
	if len(s.Routes) > 0 {
		rest := http.NewServeMux()
		for _, r := range s.Routes {
			r.Register(rest)
		}
		mux.Handle("/", s.middleware(false, rest))
	}
}

type ctxKey int

const requestIDKey ctxKey = iota

// requestID returns the ID the middleware gave the request.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// middleware gives every request an ID (X-Request-Id), logs it at debug
// level when it ends (method, path, status, duration: never its query or
// form, which carry codes, passwords and tokens) and turns a panic into a
// logged 500, as a page for browser routes and as JSON otherwise.
func (s *Service) middleware(browser bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := s.IDs.UUID()
		if err != nil {
			id = "-"
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		if browser {
			setPageHeaders(w.Header())
		}
		if log := s.log(); log.Enabled(r.Context(), slog.LevelDebug) {
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			w = sw
			start := time.Now()
			defer func() {
				log.DebugContext(r.Context(), "hosted request", "request_id", id, "method", r.Method, "path", r.URL.Path,
					"status", sw.status, "took", time.Since(start))
			}()
		}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.internalError(w, r, browser, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// errThrottled is the OAuth error of a request past its rate limit: HTTP
// 429 with Retry-After, which OAuth clients and HTTP libraries know to
// wait on.
var errThrottled = &Error{Code: "too_many_requests", Description: "Rate exceeded", Status: http.StatusTooManyRequests}

// throttle counts a request to endpoint against its rate limit, and
// returns errThrottled past it.
func (s *Service) throttle(ctx context.Context, endpoint string) error {
	if s.Throttle == nil {
		return nil
	}
	err := s.Throttle(ctx, endpoint)
	if _, ok := errors.AsType[*model.TooManyRequestsException](err); ok {
		return errThrottled
	}
	return err
}

// gate asks Gate whether this server serves endpoint for the site's pool.
func (s *Service) gate(ctx context.Context, st *site, endpoint string) error {
	if s.Gate == nil {
		return nil
	}
	return s.Gate(ctx, st.domain.PoolID, endpoint)
}

// refuse answers a request Gate refused: with an error page for browser
// routes (404 for a pool this region does not have, else 403), else with
// the OAuth error form.
func (s *Service) refuse(w http.ResponseWriter, r *http.Request, browser bool, err error) {
	api, ok := errors.AsType[model.APIError](err)
	switch {
	case !ok:
		s.internalError(w, r, browser, err)
	case browser && api.ErrorCode() == "ResourceNotFoundException":
		s.errorPage(w, r, http.StatusNotFound, api.ErrorMessage())
	case browser:
		s.errorPage(w, r, http.StatusForbidden, api.ErrorMessage())
	default:
		writeError(w, fromCognito(err))
	}
}

// limited refuses the requests of h that Gate refuses, then counts each
// against the rate limit of endpoint and refuses those past it: with a
// page for browser routes, else with the OAuth error form.
func (s *Service) limited(endpoint string, browser bool, h func(http.ResponseWriter, *http.Request, *site)) func(http.ResponseWriter, *http.Request, *site) {
	return func(w http.ResponseWriter, r *http.Request, st *site) {
		if err := s.gate(r.Context(), st, endpoint); err != nil {
			s.refuse(w, r, browser, err)
			return
		}
		err := s.throttle(r.Context(), endpoint)
		switch {
		case err == errThrottled && browser:
			w.Header().Set("Retry-After", "1")
			s.errorPage(w, r, http.StatusTooManyRequests, "Too many requests. Please try again in a moment.")
		case err == errThrottled:
			w.Header().Set("Retry-After", "1")
			writeError(w, err)
		case err != nil:
			s.internalError(w, r, browser, err)
		default:
			h(w, r, st)
		}
	}
}

// statusWriter remembers the status a handler wrote, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// cors lets the browsers of CORSOrigins call h, and answers their
// preflights: the JSON endpoints take no cookies, so no credentials are
// allowed.
func (s *Service) cors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" {
			w.Header().Add("Vary", "Origin")
			allowed := ""
			for _, o := range s.CORSOrigins {
				if o == "*" || strings.EqualFold(o, origin) {
					allowed = o
					if o != "*" {
						allowed = origin
					}
					break
				}
			}
			if allowed != "" {
				h := w.Header()
				h.Set("Access-Control-Allow-Origin", allowed)
				h.Set("Access-Control-Expose-Headers", "X-Request-Id, WWW-Authenticate")
				if r.Method == http.MethodOptions {
					h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
					h.Set("Access-Control-Allow-Headers", "authorization, content-type")
					h.Set("Access-Control-Max-Age", "86400")
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// internalError logs err with the request ID and answers with a bare 500.
func (s *Service) internalError(w http.ResponseWriter, r *http.Request, browser bool, err error) {
	s.log().ErrorContext(r.Context(), "hosted endpoint", "request_id", requestID(r.Context()), "path", r.URL.Path, "err", err)
	if browser {
		s.errorPage(w, r, http.StatusInternalServerError, "Something went wrong. Please try again.")
		return
	}
	writeError(w, errServer)
}

// site is the domain a request came to.
type site struct {
	domain *store.Domain
	// secure reports whether the site is served over https, for cookies.
	secure bool
	// trustworthy reports whether browsers treat the site's origin as
	// potentially trustworthy: https, or a loopback name (localhost,
	// *.localhost, a loopback address) over http, where they keep Secure
	// cookies as well.
	trustworthy bool
}

// loopbackHost reports whether host is localhost, a name under it, or a
// loopback address.
func loopbackHost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// onSite resolves the request's Host to a domain and calls h, or answers
// 404 for a host that names none.
func (s *Service) onSite(browser bool, h func(http.ResponseWriter, *http.Request, *site)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := s.resolve(r.Context(), r.Host)
		if errors.Is(err, store.ErrNotFound) {
			if browser {
				s.errorPage(w, r, http.StatusNotFound, "There is no user pool domain at "+hostOnly(r.Host)+".")
			} else {
				writeError(w, &Error{Code: "invalid_request", Description: "There is no user pool domain at " + hostOnly(r.Host) + ".", Status: http.StatusNotFound})
			}
			return
		}
		if err != nil {
			s.internalError(w, r, browser, err)
			return
		}
		secure := r.TLS != nil
		if !d.Custom {
			if u, err := url.Parse(s.PrefixBase(d.Name)); err == nil && u.Scheme == "https" {
				secure = true
			}
		} else if r.Header.Get("X-Forwarded-Proto") == "https" {
			secure = true
		}
		h(w, r, &site{domain: d, secure: secure, trustworthy: secure || loopbackHost(hostOnly(r.Host))})
	})
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return strings.ToLower(h)
	}
	return strings.ToLower(strings.TrimSuffix(hostport, "."))
}

// resolve returns the domain a Host header names: a prefix domain by one of
// its names, or a custom domain by its own. store.ErrNotFound if none.
func (s *Service) resolve(ctx context.Context, hostport string) (*store.Domain, error) {
	host := hostOnly(hostport)
	prefix, ok := s.prefixOf(host)
	name := host
	if ok {
		name = prefix
	}
	if name == "" {
		return nil, store.ErrNotFound
	}
	d, err := s.Store.GetDomain(ctx, name)
	if err != nil {
		return nil, err
	}
	if d.Custom == ok {
		return nil, store.ErrNotFound
	}
	return d, nil
}

// prefixOf returns the prefix of a host that is one of a prefix domain's
// names.
func (s *Service) prefixOf(host string) (string, bool) {
	suffixes := []string{".auth." + strings.ToLower(s.Region) + ".amazoncognito.com", ".auth.localhost"}
	if u, err := url.Parse(s.PrefixBase("p")); err == nil && strings.HasPrefix(u.Hostname(), "p.") {
		suffixes = append(suffixes, strings.ToLower(u.Hostname()[1:]))
	}
	for _, suf := range suffixes {
		if p, ok := strings.CutSuffix(host, suf); ok && p != "" && !strings.Contains(p, ".") {
			return p, true
		}
	}
	return "", false
}

// DomainBase returns the base URL of a pool's hosted endpoints: its prefix
// domain's, else its custom domain's, else "".
func (s *Service) DomainBase(ctx context.Context, poolID string) (string, error) {
	ds, err := s.Store.ListPoolDomains(ctx, poolID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("list pool domains: %w", err)
	}
	for _, d := range ds {
		if !d.Custom {
			return s.PrefixBase(d.Name), nil
		}
	}
	for _, d := range ds {
		return "https://" + d.Name, nil
	}
	return "", nil
}
