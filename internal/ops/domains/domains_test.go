package domains

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// fakeDomains serves GetDomain from a map.
type fakeDomains struct {
	store.Domains
	m map[string]*store.Domain
}

func (f fakeDomains) GetDomain(_ context.Context, name string) (*store.Domain, error) {
	if d, ok := f.m[name]; ok {
		return d, nil
	}
	return nil, store.ErrNotFound
}

func TestLookup(t *testing.T) {
	ctx := t.Context()
	st := fakeDomains{m: map[string]*store.Domain{
		"myapp":            {Name: "myapp", PoolID: "us-east-1_abc"},
		"auth.example.com": {Name: "auth.example.com", PoolID: "us-east-1_abc", Custom: true},
	}}
	for _, tc := range []struct {
		host, want string
	}{
		{"myapp.auth.us-east-1.amazoncognito.com", "myapp"},
		{"MyApp.Auth.us-east-1.amazoncognito.com:443", "myapp"},
		{"myapp.auth.us-east-1.amazoncognito.com.", "myapp"},
		{"auth.example.com", "auth.example.com"},
		{"auth.example.com:8443", "auth.example.com"},
		{"myapp", ""}, // a prefix only through its amazoncognito.com name
		{"myapp.auth.eu-west-1.amazoncognito.com", ""}, // another region
		{"x.myapp.auth.us-east-1.amazoncognito.com", ""},
		{"other.example.com", ""},
	} {
		d, err := Lookup(ctx, st, "us-east-1", tc.host)
		switch {
		case tc.want == "" && !errors.Is(err, store.ErrNotFound):
			t.Errorf("Lookup(%q) = %+v, %v; want ErrNotFound", tc.host, d, err)
		case tc.want != "" && (err != nil || d.Name != tc.want || d.PoolID != "us-east-1_abc"):
			t.Errorf("Lookup(%q) = %+v, %v; want %s", tc.host, d, err, tc.want)
		}
	}
}

func TestCloudFrontDomain(t *testing.T) {
	a, b := CloudFrontDomain("auth.example.com"), CloudFrontDomain("login.example.com")
	re := regexp.MustCompile(`^d[a-z2-7]{13}\.cloudfront\.net$`)
	if !re.MatchString(a) || !re.MatchString(b) || a == b || a != CloudFrontDomain("auth.example.com") {
		t.Errorf("CloudFrontDomain gave %q and %q", a, b)
	}
}

func TestCheckPrefix(t *testing.T) {
	for name, bad := range map[string]bool{
		"myapp": false, "my-app-2": false, "myaws": true, "awesome": false, "myamazon": true, "notcognito1": true, "a.b": true,
	} {
		if err := checkPrefix(name); (err != nil) != bad {
			t.Errorf("checkPrefix(%q) = %v", name, err)
		}
	}
}
