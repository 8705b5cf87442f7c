package config

import (
	"io"
	"strings"
	"testing"
)

func TestIssuerURL(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		want    string
		wantErr string
	}{
		{"default is empty", nil, nil, "", ""},
		{"aws form", []string{"--issuer-url", "https://cognito-idp.us-east-1.amazonaws.com"}, nil, "https://cognito-idp.us-east-1.amazonaws.com", ""},
		{"from env", nil, map[string]string{"COGNATE_ISSUER_URL": "http://localhost:9229"}, "http://localhost:9229", ""},
		{"with a path", []string{"--issuer-url", "https://auth.example.com/cognito"}, nil, "https://auth.example.com/cognito", ""},
		{"ipv6 with port", []string{"--issuer-url", "http://[::1]:9229"}, nil, "http://[::1]:9229", ""},
		{"trailing slash", []string{"--issuer-url", "https://auth.example.com/"}, nil, "", "must not end with a slash"},
		{"trailing slash after path", []string{"--issuer-url", "https://auth.example.com/x/"}, nil, "", "must not end with a slash"},
		{"relative", []string{"--issuer-url", "/cognito"}, nil, "", "http:// or https://"},
		{"no scheme", []string{"--issuer-url", "auth.example.com"}, nil, "", "http:// or https://"},
		{"other scheme", []string{"--issuer-url", "ftp://auth.example.com"}, nil, "", "http:// or https://"},
		{"no host", []string{"--issuer-url", "https:///x"}, nil, "", "no host"},
		{"opaque", []string{"--issuer-url", "https:auth.example.com"}, nil, "", "no host"},
		{"query", []string{"--issuer-url", "https://auth.example.com?x=1"}, nil, "", "no user, query or fragment"},
		{"empty query", []string{"--issuer-url", "https://auth.example.com?"}, nil, "", "no user, query or fragment"},
		{"fragment", []string{"--issuer-url", "https://auth.example.com#x"}, nil, "", "no user, query or fragment"},
		{"user", []string{"--issuer-url", "https://me@auth.example.com"}, nil, "", "no user, query or fragment"},
		{"not canonical", []string{"--issuer-url", "HTTPS://auth.example.com"}, nil, "", "canonical"},
		{"space", []string{"--issuer-url", "https://auth.example.com/a b"}, nil, "", "canonical"},
		{"unparsable", []string{"--issuer-url", "https://[::1"}, nil, "", "--issuer-url"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.args, env(tc.env), io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.IssuerURL != tc.want {
				t.Errorf("IssuerURL = %q, want %q", c.IssuerURL, tc.want)
			}
		})
	}
}
