package oauth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/model"
)

func TestPrefixOf(t *testing.T) {
	s := &Service{Region: "eu-west-1"}
	s.SetHostedURL("https://{prefix}.auth.example.com")
	for _, tc := range []struct {
		host, want string
		ok         bool
	}{
		{"demo.auth.eu-west-1.amazoncognito.com", "demo", true},
		{"demo.auth.us-east-1.amazoncognito.com", "", false},
		{"demo.auth.localhost", "demo", true},
		{"demo.auth.example.com", "demo", true},
		{"a.b.auth.example.com", "", false},
		{".auth.localhost", "", false},
		{"auth.localhost", "", false},
		{"login.example.com", "", false},
		{"127.0.0.1", "", false},
	} {
		got, ok := s.prefixOf(tc.host)
		if got != tc.want || ok != tc.ok {
			t.Errorf("prefixOf(%q) = %q, %v; want %q, %v", tc.host, got, ok, tc.want, tc.ok)
		}
	}
}

func TestHostOnly(t *testing.T) {
	for in, want := range map[string]string{
		"Demo.Auth.Localhost:9229": "demo.auth.localhost",
		"login.example.com.":       "login.example.com",
		"[::1]:80":                 "::1",
		"login.example.com":        "login.example.com",
	} {
		if got := hostOnly(in); got != want {
			t.Errorf("hostOnly(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLocalHostedURL(t *testing.T) {
	if got := LocalHostedURL("127.0.0.1:9229"); got != "http://{prefix}.auth.localhost:9229" {
		t.Errorf("LocalHostedURL = %q", got)
	}
	s := &Service{}
	s.SetHostedURL(LocalHostedURL("[::]:8080"))
	if got := s.PrefixBase("demo"); got != "http://demo.auth.localhost:8080" {
		t.Errorf("PrefixBase = %q", got)
	}
}

func TestFromCognito(t *testing.T) {
	broken := errors.New("disk on fire")
	for _, tc := range []struct {
		in   error
		want string
	}{
		{&model.NotAuthorizedException{Message: "Refresh Token has been revoked"}, "invalid_grant: Refresh Token has been revoked"},
		{&model.RefreshTokenReuseException{Message: "reused"}, "invalid_grant: reused"},
		{&model.UserNotFoundException{Message: "User does not exist."}, "invalid_grant: User does not exist."},
		{&model.InvalidParameterException{Message: "bad"}, "invalid_request: bad"},
		{&model.UnauthorizedException{Message: "other client"}, "unauthorized_client: other client"},
		{&model.UserLambdaValidationException{Message: "no"}, "invalid_request: no"},
		{&model.InternalErrorException{Message: "x"}, errServer.Error()},
		{oauthError("invalid_scope", "s"), "invalid_scope: s"},
		{broken, "disk on fire"},
	} {
		got := fromCognito(tc.in)
		if got.Error() != tc.want {
			t.Errorf("fromCognito(%v) = %v, want %s", tc.in, got, tc.want)
		}
		var oe *Error
		if errors.As(got, &oe) && oe.Status == 0 {
			t.Errorf("fromCognito(%v) has no status", tc.in)
		}
	}
}

func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		body   string
		auth   string
	}{
		{"oauth", oauthError("invalid_grant", "used"), 400, `{"error":"invalid_grant","error_description":"used"}`, ""},
		{"bare", oauthError("invalid_client", ""), 400, `{"error":"invalid_client"}`, ""},
		{"bearer", invalidToken(`Access Token has "expired"`), 401, `{"error":"invalid_token","error_description":"Access Token has \"expired\""}`, `Bearer error="invalid_token", error_description="Access Token has expired"`},
		{"internal", errors.New("secret detail"), 500, `{"error":"server_error","error_description":"The server could not complete the request."}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			writeError(w, tc.err)
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Errorf("got %d %s", w.Code, w.Body)
			}
			if diff := cmp.Diff(http.Header{
				"Content-Type": {"application/json;charset=UTF-8"}, "Cache-Control": {"no-store"}, "Pragma": {"no-cache"},
				"X-Content-Type-Options": {"nosniff"},
			}, withoutAuth(w.Header())); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tc.auth {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.auth)
			}
		})
	}
}

func withoutAuth(h http.Header) http.Header {
	h = h.Clone()
	h.Del("WWW-Authenticate")
	return h
}

func TestContentSecurityPolicy(t *testing.T) {
	got := contentSecurityPolicy("abc", "https://cdn.example.com", "https://app.example.com", false)
	want := "default-src 'none'; style-src 'nonce-abc'; img-src 'self' data: https://cdn.example.com; form-action 'self' https://app.example.com; frame-ancestors 'none'; base-uri 'none'"
	if got != want {
		t.Errorf("CSP\n got %s\nwant %s", got, want)
	}
	if strings.Contains(contentSecurityPolicy("n", "", "", false), "  ") {
		t.Error("CSP without origins has empty sources")
	}
	got = contentSecurityPolicy("abc", "", "", true)
	want = "default-src 'none'; style-src 'nonce-abc'; script-src 'nonce-abc'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	if got != want {
		t.Errorf("CSP of a page with a script\n got %s\nwant %s", got, want)
	}
}

func TestCheckCSRF(t *testing.T) {
	tok := strings.Repeat("a", 43)
	for _, tc := range []struct {
		name, cookie, field string
		want                bool
	}{
		{"match", tok, tok, true},
		{"mismatch", tok, strings.Repeat("b", 43), false},
		{"no cookie", "", tok, false},
		{"short", "a", "a", false},
		{"no field", tok, "", false},
	} {
		r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("_csrf="+tc.field))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if tc.cookie != "" {
			r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tc.cookie})
		}
		r.ParseForm()
		if got := checkCSRF(r); got != tc.want {
			t.Errorf("%s: checkCSRF = %v", tc.name, got)
		}
	}
}

func TestIsCustomScope(t *testing.T) {
	for sc, want := range map[string]bool{
		"openid": false, "email": false, "aws.cognito.signin.user.admin": false,
		"https://api.example.com/read": true, "api/read": true, "read": false,
	} {
		if isCustomScope(sc) != want {
			t.Errorf("isCustomScope(%q) != %v", sc, want)
		}
	}
}

// FuzzPrefixOf checks that a Host header resolves, if at all, to one label
// of a name the server answers to.
func FuzzPrefixOf(f *testing.F) {
	s := &Service{Region: "us-east-1"}
	s.SetHostedURL("https://{prefix}.auth.example.com")
	for _, h := range []string{"demo.auth.localhost:9229", "demo.auth.us-east-1.amazoncognito.com", "x.auth.example.com", "login.example.com", "[::1]:1", ""} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, host string) {
		p, ok := s.prefixOf(hostOnly(host))
		if !ok {
			return
		}
		h := hostOnly(host)
		if p == "" || strings.Contains(p, ".") || !strings.HasPrefix(h, p+".") {
			t.Fatalf("prefixOf(%q) = %q", h, p)
		}
		rest := strings.TrimPrefix(h, p)
		if rest != ".auth.localhost" && rest != ".auth.us-east-1.amazoncognito.com" && rest != ".auth.example.com" {
			t.Fatalf("prefixOf(%q) accepted suffix %q", h, rest)
		}
	})
}

func TestCORS(t *testing.T) {
	s := &Service{CORSOrigins: []string{"https://app.example.com"}}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, tc := range []struct {
		name, method, origin, allow string
	}{
		{"allowed preflight", http.MethodOptions, "https://app.example.com", "https://app.example.com"},
		{"allowed post", http.MethodPost, "https://app.example.com", "https://app.example.com"},
		{"other origin", http.MethodPost, "https://evil.example.com", ""},
		{"no origin", http.MethodPost, "", ""},
	} {
		r := httptest.NewRequest(tc.method, "/oauth2/token", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		w := httptest.NewRecorder()
		s.cors(ok).ServeHTTP(w, r)
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != tc.allow {
			t.Errorf("%s: Allow-Origin %q, want %q", tc.name, got, tc.allow)
		}
		if tc.method == http.MethodOptions && w.Header().Get("Access-Control-Allow-Headers") != "authorization, content-type" {
			t.Errorf("%s: preflight headers %v", tc.name, w.Header())
		}
	}
	s.CORSOrigins = []string{"*"}
	r := httptest.NewRequest(http.MethodPost, "/oauth2/token", nil)
	r.Header.Set("Origin", "https://any.example.com")
	w := httptest.NewRecorder()
	s.cors(ok).ServeHTTP(w, r)
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("any origin: %q", got)
	}
}
