package bench

import (
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/cognate-idp/cognate/internal/sdkhttp"
)

// requestTimeout bounds a single request, so that a stalled server cannot
// hold a worker past the end of the run for long.
const requestTimeout = 30 * time.Second

// newTransport returns the transport every client of a run shares. It keeps
// up to concurrency idle connections open, so that the bench does not
// measure TCP setup, and it uses no proxy. Unless allowRemote is set, it
// refuses to connect to anything but a loopback address. The caller closes
// it with CloseIdleConnections.
func newTransport(concurrency int, allowRemote bool) *http.Transport {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !allowRemote {
		dialer.Control = loopbackOnly
	}
	return &http.Transport{
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: concurrency,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
}

// newClient returns the SDK client of a run's setup (pools, seeding,
// passwords) for endpoint over transport: it signs with dummy static
// credentials and retries with the SDK's standard retryer, so that
// throttling does not abort the setup. Timed requests go through a
// rawClient instead.
func newClient(endpoint, region string, transport *http.Transport) *cip.Client {
	return cip.New(cip.Options{
		Region:       region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDCOGNATEBENCH", "cognate-bench-secret", ""),
		HTTPClient:   sdkhttp.Client{HTTP: &http.Client{Transport: transport, Timeout: requestTimeout}},
		Retryer:      retry.NewStandard(),
	})
}

// loopbackOnly is a net.Dialer Control function that refuses any address
// that is not a loopback IP. It sees the address after name resolution, so
// a host name that resolves elsewhere is refused too.
func loopbackOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("bench: dial %s %s: %w", network, address, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("bench: refusing to connect to non-loopback address %s (pass --allow-remote)", address)
	}
	return nil
}
