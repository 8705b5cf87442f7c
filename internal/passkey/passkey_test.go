package passkey

import (
	"net/url"
	"strings"
	"testing"
)

func TestOriginAllowed(t *testing.T) {
	for _, tc := range []struct {
		origin, rpID string
		want         bool
	}{
		{"https://example.com", "example.com", true},
		{"https://app.example.com", "example.com", true},
		{"https://app.example.com:8443", "example.com", true},
		{"https://APP.Example.com", "example.com", true},
		{"https://example.com/", "example.com", true},
		{"http://example.com", "example.com", false},
		{"https://badexample.com", "example.com", false},
		{"https://example.com.evil.test", "example.com", false},
		{"https://example.com", "app.example.com", false},
		{"http://localhost:3000", "localhost", true},
		{"http://pool.auth.localhost:9229", "pool.auth.localhost", true},
		{"http://app.auth.localhost", "localhost", true},
		{"ftp://example.com", "example.com", false},
		{"https://example.com/path", "example.com", false},
		{"android:apk-key-hash:abc", "example.com", false},
		{"", "example.com", false},
		{"https://", "example.com", false},
	} {
		if got := OriginAllowed(tc.origin, tc.rpID); got != tc.want {
			t.Errorf("OriginAllowed(%q, %q) = %v, want %v", tc.origin, tc.rpID, got, tc.want)
		}
	}
}

// FuzzOriginAllowed checks that an allowed origin is always an https (or
// localhost http) origin at the relying party or below it.
func FuzzOriginAllowed(f *testing.F) {
	f.Add("https://app.example.com", "example.com")
	f.Add("http://localhost:1", "localhost")
	f.Add("https://example.com.", "example.com")
	f.Fuzz(func(t *testing.T, origin, rpID string) {
		if !OriginAllowed(origin, rpID) {
			return
		}
		u, err := url.Parse(origin)
		if err != nil {
			t.Fatalf("allowed an origin that does not parse: %q", origin)
		}
		host, rp := strings.ToLower(u.Hostname()), strings.ToLower(rpID)
		if host != rp && !strings.HasSuffix(host, "."+rp) {
			t.Fatalf("allowed %q for relying party %q", origin, rpID)
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && (host == "localhost" || strings.HasSuffix(host, ".localhost"))) {
			t.Fatalf("allowed scheme %q in %q", u.Scheme, origin)
		}
	})
}
