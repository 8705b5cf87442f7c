package config

import (
	"flag"
	"net/url"
	"strings"
)

// PrefixPlaceholder is what HostedURL holds in place of a prefix domain's
// prefix.
const PrefixPlaceholder = "{prefix}"

// hostedFlags defines the flag of the hosted endpoints' public URL.
func hostedFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.HostedURL, "hosted-url", "", "public base URL of a prefix domain's hosted endpoints and pages, with "+PrefixPlaceholder+
		" for the prefix, e.g. https://{prefix}.auth.example.com (default: http://{prefix}.auth.localhost:<listen port>)")
}

// validateHosted checks that HostedURL, when set, is an http or https URL
// whose host starts with the placeholder label and that has no path,
// query or fragment.
func (c *Config) validateHosted(bad func(format string, args ...any)) {
	if c.HostedURL == "" {
		return
	}
	u, err := url.Parse(strings.Replace(c.HostedURL, PrefixPlaceholder, "prefix", 1))
	switch {
	case strings.Count(c.HostedURL, PrefixPlaceholder) != 1:
		bad("--hosted-url %q must hold %s once", c.HostedURL, PrefixPlaceholder)
	case err != nil:
		bad("--hosted-url %q: %v", c.HostedURL, err)
	case u.Scheme != "http" && u.Scheme != "https":
		bad("--hosted-url %q must be an http:// or https:// URL", c.HostedURL)
	case !strings.HasPrefix(c.HostedURL, u.Scheme+"://"+PrefixPlaceholder+"."):
		bad("--hosted-url %q must start with %s://%s. (the prefix is the host's first label)", c.HostedURL, u.Scheme, PrefixPlaceholder)
	case u.User != nil || u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(c.HostedURL, "#"):
		bad("--hosted-url %q must have no user, path, query or fragment", c.HostedURL)
	}
}
