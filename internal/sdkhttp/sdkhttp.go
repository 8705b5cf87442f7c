// Package sdkhttp is an HTTP client for the AWS SDK for Go v2 that detaches
// each request body from the SDK before sending it.
//
// The SDK closes a request's body as soon as the response arrives, but
// net/http's transport may still be reading that body (after sending it, it
// reads once more to see the end). On loopback the response can win that
// race; the failed read then makes the transport close the connection under
// the response being decoded, and the call fails with "use of closed network
// connection" although the server answered. Sending a private copy of the
// body (requests of this API are small) removes the race.
package sdkhttp

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// Client sends requests with a detached copy of their body.
type Client struct {
	HTTP *http.Client
}

// Do reads the request body into memory, closes the original, and sends the
// request with the copy.
func (c Client) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		req.ContentLength = int64(len(b))
	}
	return c.HTTP.Do(req)
}
