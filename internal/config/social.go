package config

import (
	"flag"
	"net/url"
)

// socialFlags defines the flag that points the social identity providers'
// fixed endpoints at a stand-in.
func socialFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.SocialIDPURL, "social-idp-url", "", "base URL of a stand-in for the social identity providers (Google, Facebook, Login with Amazon, Sign in with Apple): "+
		"their fixed endpoints https://HOST/PATH become <URL>/HOST/PATH; for tests (default: the providers themselves)")
}

// validateSocial checks that SocialIDPURL, when set, is an absolute http or
// https URL with no query or fragment.
func (c *Config) validateSocial(bad func(format string, args ...any)) {
	if c.SocialIDPURL == "" {
		return
	}
	u, err := url.Parse(c.SocialIDPURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		bad("--social-idp-url %q must be an http or https base URL with no query or fragment", c.SocialIDPURL)
	}
}
