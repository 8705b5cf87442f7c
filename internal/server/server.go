// Package server is the one place that wires Cognate together: it opens the
// store (running its migrations), loads the master key, builds the operation
// services, mounts them on the AWS JSON protocol layer and serves HTTP until
// its context ends.
package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/devmode"
	"github.com/cognate-idp/cognate/internal/federation"
	"github.com/cognate-idp/cognate/internal/fetch"
	"github.com/cognate-idp/cognate/internal/health"
	"github.com/cognate-idp/cognate/internal/home"
	"github.com/cognate-idp/cognate/internal/ids"
	"github.com/cognate-idp/cognate/internal/messaging"
	"github.com/cognate-idp/cognate/internal/metrics"
	"github.com/cognate-idp/cognate/internal/oauth"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/ops/account"
	"github.com/cognate-idp/cognate/internal/ops/branding"
	"github.com/cognate-idp/cognate/internal/ops/clients"
	"github.com/cognate-idp/cognate/internal/ops/devices"
	"github.com/cognate-idp/cognate/internal/ops/domains"
	"github.com/cognate-idp/cognate/internal/ops/events"
	"github.com/cognate-idp/cognate/internal/ops/groups"
	"github.com/cognate-idp/cognate/internal/ops/idps"
	"github.com/cognate-idp/cognate/internal/ops/importjobs"
	"github.com/cognate-idp/cognate/internal/ops/mfa"
	"github.com/cognate-idp/cognate/internal/ops/passkeys"
	"github.com/cognate-idp/cognate/internal/ops/pools"
	"github.com/cognate-idp/cognate/internal/ops/replicas"
	"github.com/cognate-idp/cognate/internal/ops/resourceservers"
	"github.com/cognate-idp/cognate/internal/ops/settings"
	"github.com/cognate-idp/cognate/internal/ops/signin"
	"github.com/cognate-idp/cognate/internal/ops/signup"
	"github.com/cognate-idp/cognate/internal/ops/tags"
	"github.com/cognate-idp/cognate/internal/ops/terms"
	"github.com/cognate-idp/cognate/internal/ops/users"
	"github.com/cognate-idp/cognate/internal/passkey"
	"github.com/cognate-idp/cognate/internal/ratelimit"
	"github.com/cognate-idp/cognate/internal/samlcert"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/postgres"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
	"github.com/cognate-idp/cognate/internal/store/sqlstore"
	"github.com/cognate-idp/cognate/internal/tokens"
	"github.com/cognate-idp/cognate/internal/userpool"
	"github.com/cognate-idp/cognate/internal/version"
)

// poolMemoSize is how many pools' decoded settings the server keeps.
const poolMemoSize = 1024

// Options are the dependencies tests replace.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// SweepEvery is how often expired sessions, hosted records and
	// refresh tokens are deleted; oauth.DefaultSweepInterval when zero.
	SweepEvery time.Duration
	// Rand is the source of randomness; crypto/rand.Reader when nil.
	Rand io.Reader
	// SMTPTLS is the TLS configuration of the SMTP client (for example
	// RootCAs that trust a test server); nil means the system roots.
	SMTPTLS *tls.Config
}

// withDefaults fills in the dependencies left nil.
func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.SweepEvery <= 0 {
		o.SweepEvery = oauth.DefaultSweepInterval
	}
	return o
}

// Server is a configured Cognate server.
type Server struct {
	cfg     *config.Config
	log     *slog.Logger
	store   store.Store
	handler http.Handler
	mux     *awsjson.Mux
	// dispatcher delivers the outbox while the server serves.
	dispatcher *messaging.Dispatcher
	// signer signs the pools' tokens and serves their key documents.
	signer *tokens.Signer
	// imports runs the user import jobs while the server serves.
	imports *importjobs.Runner
	// hosted serves the pools' domains.
	hosted *oauth.Service
	// janitor sweeps expired records every sweepEvery while the server
	// serves.
	janitor    *oauth.Janitor
	sweepEvery time.Duration
	// certs is the TLS certificate, nil for plain HTTP.
	certs *certReloader
}

// OpenStore opens the store the configuration names: PostgreSQL for a
// postgres:// URL, else a SQLite file. Migrations run on open.
func OpenStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	if cfg.Postgres() {
		return postgres.Open(ctx, cfg.DB)
	}
	return sqlite.Open(ctx, cfg.DB)
}

// LoadKeys loads the master key. With SQLite and the default key file the
// key is made on first start, and the log says so.
func LoadKeys(cfg *config.Config, log *slog.Logger) (*seal.Keyring, error) {
	if cfg.Postgres() {
		return seal.Load(cfg.KeyFile)
	}
	keys, created, err := seal.LoadOrCreate(cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	if created {
		log.Info("generated a new master key; keep it safe, sealed secrets cannot be read without it", "key_file", cfg.KeyFile)
	}
	return keys, nil
}

// New opens the store and builds the server.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger, opts Options) (*Server, error) {
	opts = opts.withDefaults()
	seedFile, err := readSeed(cfg)
	if err != nil {
		return nil, err
	}
	if err := CheckDB(cfg); err != nil {
		return nil, err
	}
	keys, err := LoadKeys(cfg, log)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if seedFile != nil {
		if _, err := ApplySeed(ctx, cfg, log, st, keys, seedFile, opts); err != nil {
			st.Close()
			return nil, err
		}
	}
	stats := metrics.New()
	if o, ok := st.(interface{ Observe(sqlstore.Observer) }); ok {
		o.Observe(stats.ObserveStore)
	}
	gen := ids.Generator{Rand: opts.Rand}
	dispatcher, err := newDispatcher(cfg, log, st, keys, opts)
	if err != nil {
		st.Close()
		return nil, err
	}
	dispatcher.Observe = stats.ObserveMessage
	signer := newSigner(cfg, log, st, keys, opts)
	hooks, err := newHooks(ctx, cfg, seedFile)
	if err != nil {
		st.Close()
		return nil, err
	}
	// One memo of decoded pool settings serves every operation.
	memo := userpool.NewMemo(poolMemoSize)
	auth := &authn.Service{
		Store: st, Keys: keys, Signer: signer, IDs: gen, Now: opts.Now, Rand: opts.Rand, Pools: memo,
		Hooks: hooks, Notifier: dispatcher,
	}
	deps := ops.Deps{
		Store: st, Keys: keys, IDs: gen, Now: opts.Now, Rand: opts.Rand,
		Region: cfg.Region, AccountID: cfg.AccountID, Pools: memo, Auth: auth, Notifier: dispatcher, Log: log,
	}
	mux := awsjson.NewMux(log)
	mux.CORSOrigins = cfg.CORSOrigins
	mux.Observe = stats.ObserveRequest
	if mux.IAM, err = newIAM(cfg, opts.Now); err != nil {
		st.Close()
		return nil, err
	}
	var limiter *ratelimit.Limiter
	if cfg.RateLimits {
		limiter = &ratelimit.Limiter{Store: st, Account: cfg.AccountID, Now: opts.Now}
		mux.Throttle = limiter.Allow
	}
	(&pools.Service{Deps: deps}).Register(mux)
	(&clients.Service{Deps: deps}).Register(mux)
	(&users.Service{Deps: deps}).Register(mux)
	(&groups.Service{Deps: deps}).Register(mux)
	(&domains.Service{Deps: deps}).Register(mux)
	(&resourceservers.Service{Deps: deps}).Register(mux)
	(&terms.Service{Deps: deps}).Register(mux)
	(&tags.Service{Deps: deps}).Register(mux)
	regions := &replicas.Service{Deps: deps}
	regions.Register(mux)
	(&account.Service{Deps: deps}).Register(mux)
	signUp := &signup.Service{Deps: deps}
	signUp.Register(mux)
	idpFetch := &fetch.Fetcher{AllowPrivate: cfg.AllowPrivateIDPURLs}
	certs := &samlcert.Issuer{Store: st, Keys: keys, Now: opts.Now, Rand: opts.Rand}
	encCerts := &samlcert.Issuer{Use: samlcert.Encryption, Store: st, Keys: keys, Now: opts.Now, Rand: opts.Rand}
	(&idps.Service{Deps: deps, Fetch: idpFetch, Encryption: encCerts}).Register(mux)
	var hosted *oauth.Service
	passkeySvc := &passkey.Service{Store: st, Keys: keys, Now: opts.Now, PrefixBase: func(prefix string) string { return hosted.PrefixBase(prefix) }}
	signIn := &signin.Service{Deps: deps, Observe: stats.ObserveSignIn, Passkeys: passkeySvc}
	signIn.Register(mux)
	(&passkeys.Service{Deps: deps, Passkeys: passkeySvc}).Register(mux)
	mfaOps := &mfa.Service{Deps: deps}
	mfaOps.Register(mux)
	(&devices.Service{Deps: deps}).Register(mux)
	(&events.Service{Deps: deps}).Register(mux)
	(&settings.Service{Deps: deps, Certificates: certs}).Register(mux)
	brand := &branding.Service{Deps: deps, BaseURL: signer.IssuerBase}
	brand.Register(mux)
	imports := &importjobs.Service{Deps: deps, BaseURL: signer.IssuerBase, Runner: importjobs.NewRunner(deps)}
	imports.Register(mux)

	root := http.NewServeMux()
	root.Handle("POST /{$}", mux)
	root.Handle("OPTIONS /{$}", mux)
	routes := []oauth.Routes{signer, oauth.RoutesFunc(brand.RegisterHTTP), home.Page{Version: version.String(), Outbox: cfg.Outbox, Dev: cfg.Dev}, &health.Routes{Store: st, Log: log}, stats}
	if cfg.Outbox {
		routes = append(routes, &messaging.Outbox{Store: st, Keys: keys, Log: log})
	}
	routes = append(routes, oauth.RoutesFunc(imports.RegisterHTTP))
	if cfg.Dev {
		routes = append(routes, &devmode.Reset{Store: st, Log: log})
		log.Warn("development mode: POST /_cognate/reset deletes every user pool, without authentication")
	}
	hosted = &oauth.Service{Store: st, Pools: memo, Keys: keys, Auth: auth, Signer: signer, SignIn: signIn, SignUp: signUp, MFA: mfaOps, Passkeys: passkeySvc, Branding: brand, IDs: gen,
		Federation: &oauth.Federation{Users: &federation.Service{Deps: deps}, Fetch: idpFetch, SocialBase: cfg.SocialIDPURL, Certificates: certs, Encryption: encCerts}, Region: cfg.Region, Log: log, CORSOrigins: cfg.CORSOrigins, Routes: routes}
	if limiter != nil {
		hosted.Throttle = limiter.AllowHosted
	}
	hosted.Gate = regions.GateHosted
	hosted.Register(root)
	tlsCerts, err := newCertReloader(cfg, log)
	if err != nil {
		st.Close()
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, store: st, handler: guardHosts(cfg, mux, root), mux: mux, dispatcher: dispatcher, signer: signer, hosted: hosted, certs: tlsCerts, imports: imports.Runner,
		janitor: &oauth.Janitor{Store: st, Now: opts.Now, Log: log}, sweepEvery: opts.SweepEvery}
	s.setHostedURL(cfg.Listen)
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Sweep deletes the expired sessions, hosted records, refresh tokens and
// spent SAML assertions now, as the janitor does every SweepEvery, and
// returns how many of each it removed.
func (s *Server) Sweep(ctx context.Context) (oauth.Swept, error) {
	return s.janitor.Sweep(ctx)
}

// Mux returns the AWS JSON protocol mux, so tests can see which operations
// are handled.
func (s *Server) Mux() *awsjson.Mux { return s.mux }

// Serve answers requests on l until ctx ends, then lets in-flight requests
// finish (up to 10 seconds) and closes the store.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	store := "sqlite"
	if s.cfg.Postgres() {
		store = "postgres"
	}
	s.log.Info("cognate listening", "addr", l.Addr().String(), "store", store, "region", s.cfg.Region)
	if s.certs != nil {
		hs.TLSConfig = s.certs.config()
		l = tls.NewListener(l, hs.TLSConfig)
		defer s.certs.watch(ctx)()
	}
	s.setIssuerBase(l.Addr())
	stopDispatcher := s.startDispatcher(ctx)
	jctx, stopJanitor := context.WithCancel(ctx)
	janitorDone := make(chan struct{})
	go func() {
		defer close(janitorDone)
		s.janitor.Run(jctx, s.sweepEvery)
	}()
	if err := s.imports.Resume(ctx); err != nil {
		s.log.Error("user import jobs not resumed", "error", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		s.log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = hs.Shutdown(sctx)
		cancel()
	}
	stopDispatcher()
	stopJanitor()
	<-janitorDone
	s.imports.Close()
	if cerr := s.store.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("close store: %w", cerr))
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Run listens on cfg.Listen, then builds the server from cfg (so that a
// taken port creates no database or key) and serves until ctx ends.
func Run(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	warn, err := cfg.CheckExposure()
	if err != nil {
		return err
	}
	if warn {
		warnOpen(log, cfg)
	}
	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	s, err := New(ctx, cfg, log, Options{})
	if err != nil {
		l.Close()
		return err
	}
	return s.Serve(ctx, l)
}
