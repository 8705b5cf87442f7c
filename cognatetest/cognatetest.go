// Package cognatetest runs a Cognate server inside a Go test: on a temporary
// SQLite database and a free loopback port, stopped and deleted when the
// test ends. Point the AWS SDK (or any Cognito client) at its URL:
//
//	func TestSignUp(t *testing.T) {
//		srv := cognatetest.Start(t)
//		client := cognitoidentityprovider.NewFromConfig(srv.AWSConfig())
//		// ... create a pool and a client, sign up, read the code with
//		// srv.Messages, confirm, sign in ...
//	}
//
// New and Close do the same outside a test (in TestMain, or an example).
// This package is the one public package of the module; everything else is
// internal.
package cognatetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/server"
)

// Server is a running Cognate server.
type Server struct {
	// URL is the endpoint: http://127.0.0.1:PORT.
	URL string
	// Region is the region of the server's pool IDs (us-east-1 unless
	// WithRegion says otherwise).
	Region string

	dir    string
	cancel context.CancelFunc
	done   chan error
}

// Option changes how a server starts.
type Option func(*options)

type options struct {
	region string
	seed   string
	log    io.Writer
	level  slog.Level
}

// WithRegion sets the region of pool IDs and ARNs.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithSeed applies a seed file (see the README's "Seed file") before the
// server answers, as cognate serve --seed does.
func WithSeed(path string) Option { return func(o *options) { o.seed = path } }

// WithLog writes the server's log (text, level info) to w; by default it is
// discarded, and Start writes warnings and errors to the test's log.
func WithLog(w io.Writer) Option {
	return func(o *options) { o.log, o.level = w, slog.LevelInfo }
}

// Start runs a server for the test and stops it, deleting its data, when
// the test ends. It fails the test if the server cannot start.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	toTest := func(o *options) { o.log, o.level = testLog{t}, slog.LevelWarn }
	opts = append([]Option{toTest}, opts...)
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("cognatetest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("cognatetest: %v", err)
		}
	})
	return s
}

// New runs a server until Close. The development outbox is on (messages
// stay in it; read them with Messages) and admin operations are open.
func New(opts ...Option) (*Server, error) {
	o := options{region: "us-east-1", log: io.Discard}
	for _, opt := range opts {
		opt(&o)
	}
	dir, err := os.MkdirTemp("", "cognatetest")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	db := filepath.Join(dir, "cognate.db")
	cfg := &config.Config{
		Listen: "127.0.0.1:0", DB: db, KeyFile: db + ".key", Region: o.region, AccountID: "000000000000",
		CORSOrigins: []string{"*"}, LogLevel: "info", Outbox: true, Seed: o.seed,
	}
	if err := cfg.Validate(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("listen: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(o.log, &slog.HandlerOptions{Level: o.level}))
	srv, err := server.New(ctx, cfg, log, server.Options{})
	if err != nil {
		cancel()
		l.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{URL: "http://" + l.Addr().String(), Region: o.region, dir: dir, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- srv.Serve(ctx, l) }()
	return s, nil
}

// Close stops the server, waiting for requests in flight, and deletes its
// database and key. Closing twice is fine.
func (s *Server) Close() error {
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	s.cancel = nil
	err := <-s.done
	return errors.Join(err, os.RemoveAll(s.dir))
}

// AWSConfig returns an AWS SDK configuration for the server: its URL as the
// base endpoint, its region, placeholder static credentials and no
// retries. Use it with any service client's NewFromConfig, e.g.
// cognitoidentityprovider.NewFromConfig(srv.AWSConfig()).
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("cognatetest", "cognatetest", ""),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// Message is a message Cognate queued instead of sending: an invitation, a
// confirmation or verification code, a password reset code.
type Message struct {
	ID          string    `json:"id"`
	PoolID      string    `json:"poolId"`
	Username    string    `json:"username"`
	Kind        string    `json:"kind"`
	Medium      string    `json:"medium"` // EMAIL or SMS
	Destination string    `json:"destination"`
	Subject     string    `json:"subject"`
	Text        string    `json:"text"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Messages returns the messages queued for the address or phone number to,
// newest first (all of them when to is empty).
func (s *Server) Messages(to string) ([]Message, error) {
	q := url.Values{"limit": {"1000"}}
	if to != "" {
		q.Set("to", to)
	}
	resp, err := http.Get(s.URL + "/_cognate/outbox?" + q.Encode())
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("outbox: %s", resp.Status)
	}
	var out struct {
		Messages []Message `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return out.Messages, nil
}

// testLog writes the server's log to the test's log.
type testLog struct{ t testing.TB }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
