package config

import (
	"io"
	"testing"
)

func TestSocialIDPURL(t *testing.T) {
	c, err := Load(nil, env(nil), io.Discard)
	if err != nil || c.SocialIDPURL != "" {
		t.Fatalf("default: %q, %v", c.SocialIDPURL, err)
	}
	c, err = Load([]string{"--social-idp-url", "http://127.0.0.1:8081/stand-in"}, env(nil), io.Discard)
	if err != nil || c.SocialIDPURL != "http://127.0.0.1:8081/stand-in" {
		t.Fatalf("flag: %q, %v", c.SocialIDPURL, err)
	}
	for _, bad := range []string{"127.0.0.1:8081", "ftp://x", "http://x/?a=b", "http:///path"} {
		if _, err := Load(nil, env(map[string]string{"COGNATE_SOCIAL_IDP_URL": bad}), io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
