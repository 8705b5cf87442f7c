package config

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// securityFlags are the flags of who may call the IAM-authorized
// operations, and from where.
func securityFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.IAMCredentials, "iam-credentials", "", "file of access keys whose SigV4 signatures the IAM-authorized (admin) operations require; see README")
	fs.BoolVar(&c.InsecureOpenAdmin, "insecure-open-admin", false, "serve unsigned admin operations on a non-loopback address (without --iam-credentials)")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "PEM certificate (chain) to serve HTTPS with, read again on SIGHUP; needs --tls-key")
	fs.StringVar(&c.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.Func("allowed-hosts", "comma-separated host names requests may name in Host while admin operations are open, besides IP addresses, localhost and the --issuer-url host", func(v string) error {
		c.AllowedHosts = nil
		for h := range strings.SplitSeq(v, ",") {
			if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
				c.AllowedHosts = append(c.AllowedHosts, h)
			}
		}
		return nil
	})
}

// AdminOpen reports whether IAM-authorized operations accept unsigned
// requests: no --iam-credentials.
func (c *Config) AdminOpen() bool { return c.IAMCredentials == "" }

// Loopback reports whether the listen address is on loopback only.
func (c *Config) Loopback() bool {
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckExposure refuses to serve unsigned admin operations on a
// non-loopback address unless --insecure-open-admin says so; it returns
// whether the server should warn that they are open.
func (c *Config) CheckExposure() (warn bool, err error) {
	if !c.AdminOpen() || c.Loopback() {
		return false, nil
	}
	if !c.InsecureOpenAdmin {
		return false, fmt.Errorf("refusing to listen on %s with admin operations open to unsigned requests: "+
			"give --iam-credentials FILE, listen on loopback, or accept the risk with --insecure-open-admin", c.Listen)
	}
	return true, nil
}

// HostAllowed reports whether a request's Host may be served while admin
// operations are open: an IP address (DNS rebinding needs a name),
// localhost or a name under it, the --issuer-url host, or a name of
// --allowed-hosts.
func (c *Config) HostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "" {
		return false
	}
	if net.ParseIP(host) != nil || host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if lh, _, err := net.SplitHostPort(c.Listen); err == nil && strings.EqualFold(lh, host) {
		return true
	}
	if iu, err := c.issuerHost(); err == nil && iu != "" && strings.EqualFold(iu, host) {
		return true
	}
	for _, a := range c.AllowedHosts {
		if a == host {
			return true
		}
	}
	return false
}

// issuerHost is the host name of --issuer-url, empty without one.
func (c *Config) issuerHost() (string, error) {
	if c.IssuerURL == "" {
		return "", nil
	}
	u, err := url.Parse(c.IssuerURL)
	if err != nil {
		return "", err
	}
	return u.Hostname(), nil
}

// validateTLS checks that --tls-cert and --tls-key come together.
func (c *Config) validateTLS(bad func(format string, args ...any)) {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("--tls-cert and --tls-key go together")
	}
}
