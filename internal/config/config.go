// Package config reads Cognate's settings from command-line flags and
// COGNATE_* environment variables into one Config, and checks them all at
// once.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
)

// Config is everything the server needs to start.
type Config struct {
	// Listen is the address the API listens on.
	Listen string
	// DB is a SQLite file path, or a postgres:// URL.
	DB string
	// Region is the AWS region in pool IDs and ARNs.
	Region string
	// AccountID is the 12-digit account in ARNs.
	AccountID string
	// KeyFile holds the master key that seals secrets at rest. With SQLite it
	// defaults to a file beside the database, made on first start.
	KeyFile string
	// CORSOrigins are the origins browsers may call the API from; "*" allows
	// any.
	CORSOrigins []string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// SMTPURL is the SMTP server email is sent through (smtp:// or
	// smtps://, see messaging.ParseSMTPURL); empty leaves email in the
	// outbox.
	SMTPURL string
	// SMSWebhook is the URL text messages are POSTed to; empty leaves them
	// in the outbox.
	SMSWebhook string
	// Outbox serves the development outbox reader (/_cognate/outbox), which
	// shows queued messages with their temporary passwords and codes. Load
	// turns it on unless a sender is configured.
	Outbox bool
	// IssuerURL is the public base URL of the server, which token issuers
	// ("<IssuerURL>/<pool ID>") and the discovery documents are made from;
	// empty means the address the server listens on.
	IssuerURL string
	// HostedURL is the public base URL of a prefix domain's hosted
	// endpoints, with PrefixPlaceholder for the prefix; empty means
	// http://{prefix}.auth.localhost:<listen port>.
	HostedURL string
	// Seed is a seed file (YAML) of pools, clients, groups and users that
	// the server applies to the store at start-up; empty applies none.
	Seed string
	// AllowPrivateIDPURLs lets identity provider settings name URLs on
	// loopback, private and link-local addresses, and plain http URLs (SAML
	// metadata, OIDC discovery), for IdPs on the local machine or network
	// during development. Off, Cognate refuses to fetch from them.
	AllowPrivateIDPURLs bool
	// RateLimits enforces Cognito's request-rate quotas per API category
	// with TooManyRequestsException; off, nothing is throttled.
	RateLimits bool
	// SocialIDPURL, when set, stands in for the social identity providers'
	// fixed endpoints: https://HOST/PATH becomes <SocialIDPURL>/HOST/PATH.
	// For tests; empty uses the providers themselves.
	SocialIDPURL string
	// IAMCredentials is a file of access keys (see sigv4.ParseCredentials):
	// with it, IAM-authorized operations require a SigV4 signature by one
	// of them; without it they accept unsigned requests.
	IAMCredentials string
	// InsecureOpenAdmin lets the server listen on a non-loopback address
	// without IAMCredentials.
	InsecureOpenAdmin bool
	// AllowedHosts are host names requests may name while admin operations
	// are open (see HostAllowed).
	AllowedHosts []string
	// TLSCert and TLSKey are the PEM files the server serves HTTPS with;
	// empty serves plain HTTP.
	TLSCert, TLSKey string
	// Dev is development mode: routes that reset the server's state for
	// test suites (/_cognate/reset, /moto-api/reset). Only on loopback.
	Dev bool
	// LambdaEndpoint is the AWS Lambda Invoke API endpoint the pools'
	// trigger functions are invoked at; empty invokes only those of
	// LambdaFunctions.
	LambdaEndpoint string
	// KMSEndpoint is the AWS KMS endpoint custom sender triggers' codes
	// are encrypted through; empty is AWS's own for the region.
	KMSEndpoint string
	// LambdaFunctions is a file mapping function ARNs or names to HTTP
	// endpoints (triggers.FunctionsFile).
	LambdaFunctions string
}

// Postgres reports whether DB selects PostgreSQL.
func (c *Config) Postgres() bool {
	return strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://")
}

// Load parses the serve command's flags. A flag not given on the command line
// takes its value from the environment variable COGNATE_<NAME> (NAME in upper
// case with - as _), then from its default.
func Load(args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	c, rest, err := load(serveUsage, args, getenv, stderr)
	if err == nil && len(rest) > 0 {
		return nil, fmt.Errorf("unexpected argument %q", rest[0])
	}
	return c, err
}

// load parses a command's flags as Load describes, and returns the
// arguments that follow them. Only the flags named in only are defined (all
// of them when only is nil); the others keep their defaults. -h prints the
// usage (with each flag's variable) to stderr and returns flag.ErrHelp; a
// bad flag is returned, not printed.
func load(u usage, args []string, getenv func(string) string, stderr io.Writer, only ...string) (*Config, []string, error) {
	c := &Config{}
	fs := flag.NewFlagSet(u.command, flag.ContinueOnError)
	var cors string
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:9229", "address to listen on")
	fs.StringVar(&c.DB, "db", "./cognate.db", "SQLite database file, or a postgres:// URL")
	fs.StringVar(&c.Region, "region", "us-east-1", "AWS region used in pool IDs and ARNs")
	fs.StringVar(&c.AccountID, "account-id", "000000000000", "12-digit AWS account ID used in ARNs")
	fs.StringVar(&c.KeyFile, "key-file", "", "master key file (default: beside the SQLite database; required with PostgreSQL)")
	fs.StringVar(&cors, "cors-origins", "*", "comma-separated origins allowed to call the API from a browser, or *")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	messagingFlags(fs, c)
	issuerFlags(fs, c)
	hostedFlags(fs, c)
	socialFlags(fs, c)
	seedFlags(fs, c)
	securityFlags(fs, c)
	devFlags(fs, c)
	lambdaFlags(fs, c)
	fs.BoolVar(&c.AllowPrivateIDPURLs, "allow-private-idp-urls", false, "let identity providers' metadata and discovery URLs be http:// or on loopback, private and link-local addresses")
	fs.BoolVar(&c.RateLimits, "rate-limits", false, "enforce Cognito's request-rate quotas per API category (TooManyRequestsException), shared by replicas on one database")
	if only != nil {
		fs = subset(fs, only)
	}
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		u.print(stderr, fs)
		return nil, nil, err
	} else if err != nil {
		return nil, nil, fmt.Errorf("%w (%s -h lists the flags)", err, u.command)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		env := envName(f.Name)
		if v := getenv(env); v != "" {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", env, err))
			}
		}
	})
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	for _, o := range strings.Split(cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	if !c.Postgres() && c.KeyFile == "" {
		c.KeyFile = c.DB + ".key"
	}
	c.defaultOutbox(set["outbox"] || getenv("COGNATE_OUTBOX") != "")
	return c, fs.Args(), c.Validate()
}

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	accountRE = regexp.MustCompile(`^\d{12}$`)
)

// Validate reports every problem with the configuration at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		bad("--listen %q: %v", c.Listen, err)
	}
	if c.DB == "" {
		bad("--db is empty")
	}
	if !regionRE.MatchString(c.Region) {
		bad("--region %q is not an AWS region name such as us-east-1", c.Region)
	}
	if !accountRE.MatchString(c.AccountID) {
		bad("--account-id %q must be 12 digits", c.AccountID)
	}
	if c.Postgres() && c.KeyFile == "" {
		bad("--key-file is required with PostgreSQL: every replica must share the master key")
	}
	if len(c.CORSOrigins) == 0 {
		bad("--cors-origins is empty")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("--log-level %q must be debug, info, warn or error", c.LogLevel)
	}
	c.validateMessaging(bad)
	c.validateIssuer(bad)
	c.validateTLS(bad)
	c.validateHosted(bad)
	c.validateSocial(bad)
	c.validateDev(bad)
	c.validateLambda(bad)
	return errors.Join(errs...)
}
