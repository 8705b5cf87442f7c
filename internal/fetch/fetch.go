// Package fetch retrieves the documents an administrator names by URL when
// configuring an identity provider (SAML metadata, OpenID Connect discovery
// documents), safely: with a timeout and a size limit, and, unless allowed,
// refusing to connect to loopback, private, link-local and other addresses
// that are not public. The address is checked when it is dialled, after
// name resolution, so a name that resolves to a public address when checked
// and to a private one when used (DNS rebinding) cannot get around it.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Defaults of a Fetcher's limits.
const (
	DefaultTimeout  = 10 * time.Second
	DefaultMaxBytes = 1 << 20
	// maxRedirects is how many redirects a fetch follows.
	maxRedirects = 5
)

// ErrForbiddenAddress is returned for a URL whose host is, or resolves to,
// an address that is not public, when private addresses are not allowed.
var ErrForbiddenAddress = errors.New("address is not public")

// ErrScheme is returned for a URL that is not https (or http, when private
// addresses are allowed).
var ErrScheme = errors.New("unsupported URL scheme")

// ErrTooLarge is returned for a document larger than the size limit.
var ErrTooLarge = errors.New("document too large")

// StatusError is returned when the server answers with a status other than
// 200 OK.
type StatusError struct {
	URL  string
	Code int
	// Body is the start of the answer's body (an OAuth error document, for
	// example).
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s answered HTTP %d", e.URL, e.Code)
}

// Fetcher fetches documents. The zero value refuses private addresses and
// uses the default limits. It is safe for concurrent use once in use; do
// not change its fields then.
type Fetcher struct {
	// AllowPrivate permits loopback, private and link-local addresses, and
	// plain http URLs, for identity providers on the local machine or
	// network during development.
	AllowPrivate bool
	// Timeout bounds a whole fetch, redirects included; DefaultTimeout when
	// zero.
	Timeout time.Duration
	// MaxBytes bounds the size of a document; DefaultMaxBytes when zero.
	MaxBytes int64

	once   sync.Once
	client *http.Client
}

// Get fetches rawURL and returns the body of its 200 OK answer.
func (f *Fetcher) Get(ctx context.Context, rawURL string) ([]byte, error) {
	if err := f.checkURL(rawURL); err != nil {
		return nil, err
	}
	f.once.Do(f.init)
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	return f.do(req)
}

// Do sends req (built by the caller, for example a token request to an
// identity provider) under the same rules as Get, bounded by the timeout,
// and returns the body of its 200 OK answer; any other status is a
// *StatusError carrying the start of the body.
func (f *Fetcher) Do(req *http.Request) ([]byte, error) {
	if err := f.checkURL(req.URL.String()); err != nil {
		return nil, err
	}
	f.once.Do(f.init)
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	defer cancel()
	return f.do(req.WithContext(ctx))
}

// Client returns the HTTP client the Fetcher connects with, for libraries
// that take one (a JSON Web Key Set fetcher): it refuses private addresses
// as the Fetcher does, but has no size limit of its own.
func (f *Fetcher) Client() *http.Client {
	f.once.Do(f.init)
	return f.client
}

func (f *Fetcher) do(req *http.Request) ([]byte, error) {
	rawURL := req.URL.String()
	req.Header.Set("User-Agent", "Cognate")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	limit := f.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{URL: rawURL, Code: resp.StatusCode, Body: string(body[:min(len(body), maxErrorBody)])}
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("fetch %s: %w (more than %d bytes)", rawURL, ErrTooLarge, limit)
	}
	return body, nil
}

// maxErrorBody is how much of an error answer's body a StatusError keeps.
const maxErrorBody = 512

// CheckURL reports why rawURL cannot be fetched before any request is made
// (a malformed URL, a scheme other than https, or an address literal that
// is not public), or nil. Names are checked only when dialled.
func (f *Fetcher) CheckURL(rawURL string) error { return f.checkURL(rawURL) }

func (f *Fetcher) checkURL(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	if u.Scheme != "https" && !(f.AllowPrivate && u.Scheme == "http") {
		return fmt.Errorf("fetch %s: %w %q", rawURL, ErrScheme, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("fetch %s: no host", rawURL)
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil && !f.AllowPrivate && !Public(a) {
		return fmt.Errorf("fetch %s: %w", rawURL, ErrForbiddenAddress)
	}
	return nil
}

func (f *Fetcher) init() {
	dialer := &net.Dialer{Timeout: DefaultTimeout, KeepAlive: 30 * time.Second}
	if !f.AllowPrivate {
		dialer.Control = refusePrivate
	}
	transport := &http.Transport{
		// No proxy: the address checked must be the one connected to.
		Proxy:                 nil,
		DialContext:           localhostDialer(dialer),
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   DefaultTimeout,
		ResponseHeaderTimeout: DefaultTimeout,
		MaxIdleConns:          10,
		IdleConnTimeout:       90 * time.Second,
	}
	f.client = &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			return f.checkURL(req.URL.String())
		},
	}
}

// localhostDialer dials names under .localhost on the loopback address,
// as RFC 6761 section 6.3 has resolvers do (Go's may not), so that an
// identity provider on this machine can be named as browsers name it
// (<prefix>.auth.localhost). Loopback is still refused unless private
// addresses are allowed.
func localhostDialer(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil {
			h := strings.ToLower(strings.TrimSuffix(host, "."))
			if h == "localhost" || strings.HasSuffix(h, ".localhost") {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
		}
		return d.DialContext(ctx, network, addr)
	}
}

// refusePrivate is the dialer's Control function: it runs with the address
// actually being connected to, after name resolution, and refuses it unless
// it is public.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	if !Public(a) {
		return fmt.Errorf("dial %s: %w", address, ErrForbiddenAddress)
	}
	return nil
}

// nonPublic are the special-purpose ranges (RFC 6890 and its updates) that
// netip's predicates do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (carrier-grade NAT)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64, which can reach private IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo among them)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4, which can reach private IPv4
}

// Public reports whether a is a public unicast address: not loopback,
// private, link-local, multicast, unspecified or of another special-purpose
// range. IPv4-mapped IPv6 addresses are judged as the IPv4 address they
// carry.
func Public(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
