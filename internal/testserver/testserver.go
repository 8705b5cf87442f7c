// Package testserver starts the real Cognate server on a loopback port over
// a temporary SQLite store, for end-to-end tests, and returns a Cognito
// client of the AWS SDK for Go v2 pointed at it.
package testserver

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/sdkhttp"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/store/postgres/pgtesting"
)

// Server is a running test server.
type Server struct {
	// URL is the server's base URL (http://127.0.0.1:PORT).
	URL string
	// Client is an SDK client pointed at URL with dummy credentials.
	Client *cip.Client
	// Config is the server's configuration; Restart reuses it.
	Config *config.Config
	// Server is the running server.
	Server *server.Server

	opts server.Options
	log  *slog.Logger
	stop func()
}

// StoreEnv names the environment variable that selects the store the test
// servers run on: "postgres" for a schema of their own on the PostgreSQL of
// pgtesting, anything else for SQLite. make test runs the end-to-end suite
// on both.
const StoreEnv = "COGNATE_E2E_STORE"

// Start runs a server on a fresh store (SQLite in a temporary directory, or
// PostgreSQL when StoreEnv says so). It stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, NewConfig(t), server.Options{})
}

// NewConfig returns the configuration Start uses, for tests that change it
// before StartWith: a fresh store and, as config.Load defaults it without
// senders, the outbox reader on.
func NewConfig(t testing.TB) *config.Config {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "cognate.db")
	cfg := &config.Config{
		Listen: "127.0.0.1:0", DB: db, KeyFile: db + ".key", Region: "us-east-1",
		AccountID: "123456789012", CORSOrigins: []string{"*"}, LogLevel: "info", Outbox: true,
	}
	if os.Getenv(StoreEnv) == "postgres" {
		cfg.DB = pgtesting.SchemaURL(t)
		// With PostgreSQL the key file must exist already.
		if _, _, err := seal.LoadOrCreate(cfg.KeyFile); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

// StartWith runs a server with the given configuration and options.
func StartWith(t testing.TB, cfg *config.Config, opts server.Options) *Server {
	t.Helper()
	return StartLogged(t, cfg, opts, nil)
}

// StartLogged is StartWith with the server's logger; nil logs warnings to
// the test's log when it runs verbose, else nothing.
func StartLogged(t testing.TB, cfg *config.Config, opts server.Options, log *slog.Logger) *Server {
	t.Helper()
	s := &Server{Config: cfg, opts: opts, log: log}
	s.start(t)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := s.log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.log == nil && testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv, err := server.New(ctx, s.Config, log, s.opts)
	if err != nil {
		cancel()
		t.Fatalf("start server: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatalf("listen: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ctx, l); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	s.Server = srv
	s.URL = "http://" + l.Addr().String()
	transport := &http.Transport{}
	s.Client = NewClient(s.URL, s.Config.Region, transport)
	s.stop = func() {
		cancel()
		<-done
		transport.CloseIdleConnections()
	}
}

// Stop shuts the server down and closes its store; stopping twice is fine.
func (s *Server) Stop() {
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

// Restart stops the server and starts it again on the same database and key.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	s.start(t)
}

// NewClient returns an SDK client for a Cognito endpoint, with dummy
// credentials and no retries, so tests see every error as it happened. Each
// server gets its own transport, so no connection outlives its server.
func NewClient(url, region string, transport http.RoundTripper) *cip.Client {
	return cip.New(cip.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   sdkhttp.Client{HTTP: &http.Client{Timeout: 30 * time.Second, Transport: transport}},
	})
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
