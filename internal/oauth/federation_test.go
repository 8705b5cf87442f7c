package oauth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
)

func TestRefreshRedirect(t *testing.T) {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/oauth2/idpresponse", nil)
	http.Redirect(&refreshRedirect{ResponseWriter: rec}, r, "http://localhost:3000/cb?code=a&state=b\"<x>", http.StatusFound)
	page := rec.Body.String()
	if rec.Code != http.StatusOK || rec.Header().Get("Location") != "" {
		t.Fatalf("status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	if !strings.Contains(page, `content="0;url=http://localhost:3000/cb?code=a&amp;state=b&#34;&lt;x&gt;"`) ||
		!strings.Contains(page, `href="http://localhost:3000/cb?code=a&amp;state=b%22%3cx%3e"`) || strings.Contains(page, "<x>") {
		t.Errorf("page %s", page)
	}
	if !strings.HasPrefix(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("CSP %q", rec.Header().Get("Content-Security-Policy"))
	}

	rec = httptest.NewRecorder()
	(&refreshRedirect{ResponseWriter: rec}).WriteHeader(http.StatusBadRequest)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("other statuses pass: %d", rec.Code)
	}
}

// TestStateCookie: the state cookie is accepted once, by the state it was
// made for, until it expires; a forged or foreign cookie is refused.
func TestStateCookie(t *testing.T) {
	keys, _, err := seal.LoadOrCreate(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s := &Service{Keys: keys, Auth: &authn.Service{Now: func() time.Time { return now }}}
	st := &site{}
	cookie := func(d *idpState) *http.Cookie {
		rec := httptest.NewRecorder()
		if err := s.setState(rec, st, "/oauth2/idpresponse", false, d); err != nil {
			t.Fatal(err)
		}
		return rec.Result().Cookies()[0]
	}
	good := cookie(&idpState{State: "s1", Nonce: "n1", Provider: "P", Expires: now.Add(stateLifetime)})
	take := func(c *http.Cookie, state string) (*idpState, *httptest.ResponseRecorder) {
		r := httptest.NewRequest(http.MethodGet, "/oauth2/idpresponse", nil)
		if c != nil {
			r.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		return s.takeState(rec, r, st, "/oauth2/idpresponse", state), rec
	}
	if d, rec := take(good, "s1"); d == nil || d.Nonce != "n1" || d.Provider != "P" {
		t.Errorf("good state refused: %+v", d)
	} else if c := rec.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Errorf("the cookie is not cleared: %v", c)
	}
	for name, tc := range map[string]struct {
		c     *http.Cookie
		state string
	}{
		"other state": {good, "s2"},
		"no state":    {good, ""},
		"no cookie":   {nil, "s1"},
		"forged":      {&http.Cookie{Name: stateCookie, Value: strings.Repeat("A", 80)}, "s1"},
		"expired":     {cookie(&idpState{State: "s1", Expires: now}), "s1"},
	} {
		if d, _ := take(tc.c, tc.state); d != nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestProviderForDomain(t *testing.T) {
	byEmail := []*store.IdentityProvider{
		{Name: "A", Identifiers: []string{"DomainA.com", "domaina.co.uk"}},
		{Name: "B", Identifiers: []string{"domainb.com"}},
	}
	tests := []struct{ email, want string }{
		{"bob@domaina.co.uk", "A"},
		{"ann@domaina.com", "A"},
		{"eve@DOMAINB.COM", "B"},
		{"odd@name@domainb.com", "B"},
		{"sub@mail.domainb.com", ""},
		{"nobody@example.com", ""},
		{"domainb.com", ""},
		{"trailing@", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := providerForDomain(byEmail, emailDomain(tt.email)); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.email, got, tt.want)
		}
	}
}

func TestPersonValue(t *testing.T) {
	tests := []struct{ field, raw, want string }{
		{"phoneNumbers", `[{"value":"(555) 010-0000","canonicalForm":"+15550100000"}]`, "+15550100000"},
		{"phoneNumbers", `[{"value":"(555) 010-0000"}]`, "(555) 010-0000"},
		{"birthdays", `[{"date":{"year":1990,"month":5,"day":7}}]`, "1990-05-07"},
		{"birthdays", `[{"date":{"month":12,"day":31}}]`, "0000-12-31"},
		{"birthdays", `[{"text":"sometime"}]`, ""},
		{"genders", `[{"value":"male"},{"metadata":{"primary":true},"value":"female"}]`, "female"},
		{"names", `[{"displayName":"Gee Example","givenName":"Gee"}]`, "Gee Example"},
		{"addresses", `[{"formattedValue":"1 Main St"}]`, "1 Main St"},
		{"photos", `[{"url":"https://example.com/p.png"}]`, "https://example.com/p.png"},
		{"organizations", `[{"name":"Example Corp"}]`, "Example Corp"},
		{"emailAddresses", `[{"value":"gee@example.com"}]`, "gee@example.com"},
		{"genders", `[]`, ""},
		{"genders", `{"value":"x"}`, ""},
		{"genders", ``, ""},
		{"genders", `[{"value":42}]`, ""},
	}
	for _, tt := range tests {
		got, ok := personValue(tt.field, json.RawMessage(tt.raw))
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("%s %s: got %q %v, want %q", tt.field, tt.raw, got, ok, tt.want)
		}
	}
}

// FuzzPersonValue: any People API field is read or refused, never a panic,
// and what is read is not empty.
func FuzzPersonValue(f *testing.F) {
	f.Add("birthdays", `[{"date":{"year":1990,"month":5,"day":7}}]`)
	f.Add("phoneNumbers", `[{"metadata":{"primary":true},"canonicalForm":"+15550100000"}]`)
	f.Add("genders", `[{"value":"x"}]`)
	f.Fuzz(func(t *testing.T, field, raw string) {
		if v, ok := personValue(field, json.RawMessage(raw)); ok && v == "" {
			t.Fatalf("read an empty value from %q", raw)
		}
	})
}
