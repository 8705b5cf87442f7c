package config

import (
	"flag"
	"net/url"
	"strings"
)

// issuerFlags defines the flag of the token issuer.
func issuerFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.IssuerURL, "issuer-url", "", "public base URL of the server, without a trailing slash: tokens of pool P are issued by <issuer-url>/P "+
		"(https://cognito-idp.<region>.amazonaws.com gives AWS-form issuers; default: http://<listen address>)")
}

// validateIssuer checks that IssuerURL, when set, is an absolute http or
// https URL with a host and nothing after its path, that it does not end
// in a slash, and that it is written as url.URL.String writes it.
func (c *Config) validateIssuer(bad func(format string, args ...any)) {
	if c.IssuerURL == "" {
		return
	}
	u, err := url.Parse(c.IssuerURL)
	switch {
	case err != nil:
		bad("--issuer-url %q: %v", c.IssuerURL, err)
	case u.Scheme != "http" && u.Scheme != "https":
		bad("--issuer-url %q must be an http:// or https:// URL", c.IssuerURL)
	case u.Host == "" || u.Opaque != "":
		bad("--issuer-url %q has no host", c.IssuerURL)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(c.IssuerURL, "#"):
		bad("--issuer-url %q must have no user, query or fragment", c.IssuerURL)
	case strings.HasSuffix(c.IssuerURL, "/"):
		bad("--issuer-url %q must not end with a slash", c.IssuerURL)
	case u.String() != c.IssuerURL:
		// Verifiers compare issuers byte by byte.
		bad("--issuer-url %q is not in canonical form (%q)", c.IssuerURL, u.String())
	}
}
