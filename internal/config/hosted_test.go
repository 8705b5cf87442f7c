package config

import (
	"io"
	"strings"
	"testing"
)

func TestHostedURL(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		want    string
		wantErr string
	}{
		{"default is empty", nil, "", ""},
		{"https", []string{"--hosted-url", "https://{prefix}.auth.example.com"}, "https://{prefix}.auth.example.com", ""},
		{"with port", []string{"--hosted-url", "http://{prefix}.auth.localhost:8080"}, "http://{prefix}.auth.localhost:8080", ""},
		{"no placeholder", []string{"--hosted-url", "https://auth.example.com"}, "", "must hold {prefix} once"},
		{"placeholder not first", []string{"--hosted-url", "https://x{prefix}.example.com"}, "", "must start with"},
		{"twice", []string{"--hosted-url", "https://{prefix}.{prefix}.example.com"}, "", "once"},
		{"path", []string{"--hosted-url", "https://{prefix}.example.com/x"}, "", "no user, path"},
		{"slash", []string{"--hosted-url", "https://{prefix}.example.com/"}, "", "no user, path"},
		{"query", []string{"--hosted-url", "https://{prefix}.example.com?x"}, "", "no user, path"},
		{"scheme", []string{"--hosted-url", "ftp://{prefix}.example.com"}, "", "http:// or https://"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.args, env(nil), io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.HostedURL != tc.want {
				t.Errorf("HostedURL = %q, want %q", c.HostedURL, tc.want)
			}
		})
	}
}
