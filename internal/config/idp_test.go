package config

import (
	"io"
	"testing"
)

func TestAllowPrivateIDPURLs(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"off by default", nil, nil, false},
		{"flag", []string{"--allow-private-idp-urls"}, nil, true},
		{"env", nil, map[string]string{"COGNATE_ALLOW_PRIVATE_IDP_URLS": "true"}, true},
		{"flag beats env", []string{"--allow-private-idp-urls=false"}, map[string]string{"COGNATE_ALLOW_PRIVATE_IDP_URLS": "true"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.args, env(tc.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if c.AllowPrivateIDPURLs != tc.want {
				t.Errorf("AllowPrivateIDPURLs = %v, want %v", c.AllowPrivateIDPURLs, tc.want)
			}
		})
	}
	if _, err := Load(nil, env(map[string]string{"COGNATE_ALLOW_PRIVATE_IDP_URLS": "maybe"}), io.Discard); err == nil {
		t.Error("a bad COGNATE_ALLOW_PRIVATE_IDP_URLS was accepted")
	}
}
