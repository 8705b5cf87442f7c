package server

import (
	"log/slog"
	"net"
	"strings"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/oauth"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/tokens"
)

// newSigner builds the token signer. Its issuer base is --issuer-url or,
// until Serve knows the listener's address, the configured listen address.
func newSigner(cfg *config.Config, log *slog.Logger, st store.Store, keys *seal.Keyring, opts Options) *tokens.Signer {
	signer := &tokens.Signer{Store: st, Keys: keys, Now: opts.Now, Log: log}
	base := cfg.IssuerURL
	if base == "" {
		base = listenBase(cfg.Listen)
	}
	signer.SetIssuerBase(base)
	return signer
}

// setIssuerBase makes the issuer base the address the server listens on,
// unless --issuer-url set it, and logs it.
func (s *Server) setIssuerBase(addr net.Addr) {
	if s.cfg.IssuerURL == "" {
		base := listenBase(addr.String())
		if s.certs != nil {
			base = "https://" + strings.TrimPrefix(base, "http://")
		}
		s.signer.SetIssuerBase(base)
	}
	s.log.Info("token issuer", "issuer", s.signer.Issuer("<pool ID>"))
	s.setHostedURL(addr.String())
	s.log.Info("hosted endpoints", "url", s.hosted.PrefixBase("<prefix>"))
}

// setHostedURL sets the public URL of prefix domains: --hosted-url, or
// http://{prefix}.auth.localhost:<port> on the port of listen (https://
// when the server speaks TLS).
func (s *Server) setHostedURL(listen string) {
	if s.cfg.HostedURL != "" {
		s.hosted.SetHostedURL(s.cfg.HostedURL)
		return
	}
	u := oauth.LocalHostedURL(listen)
	if s.certs != nil {
		u = "https://" + strings.TrimPrefix(u, "http://")
	}
	s.hosted.SetHostedURL(u)
}

// listenBase returns the http:// base URL of a listen address. A host
// that names no one address (empty, 0.0.0.0, ::) becomes 127.0.0.1: set
// --issuer-url when clients reach the server by another name.
func listenBase(hostport string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return "http://" + hostport
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Signer returns the token signer, so that tests can sign and verify the
// pools' tokens.
func (s *Server) Signer() *tokens.Signer { return s.signer }
