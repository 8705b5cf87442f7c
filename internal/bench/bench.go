// Package bench implements `cognate-bench`, a load generator that drives any
// Cognito-compatible endpoint (Cognate, cognito-local, moto, LocalStack)
// through the public user pools API and reports throughput and latency
// percentiles. Setup goes through aws-sdk-go-v2; the timed requests go
// through a small raw AWS JSON client, unsigned, the same for the baseline
// and the workload.
//
// Traffic only ever goes to the endpoint given, and only to loopback unless
// --allow-remote is set. Every run is bounded by --duration and by the
// context passed to Main.
package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Workload names accepted by --workload.
const (
	workloadAdminGetUser    = "admin-get-user"
	workloadAdminCreateUser = "admin-create-user"
	workloadListUsersFilter = "list-users-filter"
	workloadListUsersPrefix = "list-users-prefix"
	// The sign-in workloads: one request is one sign-in (for SRP,
	// InitiateAuth and RespondToAuthChallenge) or one token refresh.
	workloadSignInPassword = "sign-in-password"
	workloadSignInSRP      = "sign-in-srp"
	workloadRefresh        = "refresh"
)

var workloads = []string{
	workloadAdminGetUser, workloadAdminCreateUser, workloadListUsersFilter, workloadListUsersPrefix,
	workloadSignInPassword, workloadSignInSRP, workloadRefresh,
}

// Limits on the flags, so that a typo cannot start an unbounded run.
const (
	maxDuration    = 10 * time.Minute
	maxConcurrency = 4096
	maxUsers       = 1_000_000
)

// config holds the parsed command line.
type config struct {
	Endpoint        string
	Region          string
	Workload        string
	Concurrency     int
	Duration        time.Duration
	Users           int
	PoolID          string
	Baseline        bool
	CompareBaseline bool
	Keep            bool
	JSON            bool
	AllowRemote     bool
	CPUProfile      string
}

// Main runs `cognate-bench` with args (the arguments after the command
// name), writes the report to stdout and progress and usage to stderr. It
// returns nil after -h.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	rep, err := run(ctx, cfg, log)
	if err != nil {
		return err
	}
	if cfg.JSON {
		return rep.writeJSON(stdout)
	}
	return rep.writeText(stdout)
}

// parseFlags parses and validates args.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("cognate-bench", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: cognate-bench --endpoint URL [flags]\n       cognate-bench --baseline [flags]\n\nflags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.Endpoint, "endpoint", "", "`URL` of the Cognito-compatible endpoint, e.g. http://127.0.0.1:9229")
	fs.StringVar(&cfg.Region, "region", "us-east-1", "AWS region the SDK client signs for")
	fs.StringVar(&cfg.Workload, "workload", workloadAdminGetUser, "workload: "+strings.Join(workloads, " | "))
	fs.IntVar(&cfg.Concurrency, "concurrency", 16, "number of concurrent workers")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "how long each run lasts (at most 10m)")
	fs.IntVar(&cfg.Users, "users", 1000, "number of users to seed before the run")
	fs.StringVar(&cfg.PoolID, "pool-id", "", "use this existing user pool instead of creating one; with --users 0, its users are listed instead of seeding")
	fs.BoolVar(&cfg.Baseline, "baseline", false, "drive an in-process HTTP handler that answers fixed JSON, to measure the HTTP ceiling of the same client")
	fs.BoolVar(&cfg.CompareBaseline, "compare-baseline", false, "run the baseline first, then the workload, and print workload/baseline requests/s")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the user pool the bench created instead of deleting it")
	fs.BoolVar(&cfg.JSON, "json", false, "print one JSON object instead of text")
	fs.BoolVar(&cfg.AllowRemote, "allow-remote", false, "allow an endpoint that is not on loopback")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the tool itself during the timed workload run to `file` (go tool pprof)")
	if err := ParseFlags(fs, args, stderr); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("bench: unexpected arguments %q", fs.Args())
	}
	if err := cfg.validate(); err != nil {
		return config{}, err
	}
	return cfg, nil
}

// validate reports every problem with cfg at once.
func (cfg config) validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("bench: "+format, a...)) }

	if !slices.Contains(workloads, cfg.Workload) {
		bad("unknown --workload %q (want one of %s)", cfg.Workload, strings.Join(workloads, ", "))
	}
	if cfg.Concurrency < 1 || cfg.Concurrency > maxConcurrency {
		bad("--concurrency must be between 1 and %d, got %d", maxConcurrency, cfg.Concurrency)
	}
	if cfg.Duration <= 0 || cfg.Duration > maxDuration {
		bad("--duration must be positive and at most %s, got %s", maxDuration, cfg.Duration)
	}
	if cfg.Users < 0 || cfg.Users > maxUsers {
		bad("--users must be between 0 and %d, got %d", maxUsers, cfg.Users)
	}
	if cfg.Region == "" {
		bad("--region must not be empty")
	}
	switch {
	case cfg.Baseline:
		if cfg.Endpoint != "" {
			bad("--baseline drives an in-process handler and takes no --endpoint (use --compare-baseline)")
		}
		if cfg.CompareBaseline {
			bad("--baseline and --compare-baseline are exclusive")
		}
		if cfg.PoolID != "" {
			bad("--baseline takes no --pool-id")
		}
	case cfg.Endpoint == "":
		bad("--endpoint is required (or --baseline)")
	default:
		if err := checkEndpoint(cfg.Endpoint, cfg.AllowRemote); err != nil {
			errs = append(errs, err)
		}
		if signInWorkload(cfg.Workload) && cfg.PoolID != "" {
			bad("--workload %s seeds its own pool (it must know the passwords) and takes no --pool-id", cfg.Workload)
		}
		if needsUsers(cfg.Workload) && cfg.PoolID == "" && cfg.Users == 0 {
			bad("--workload %s needs users: give --users N or an existing --pool-id", cfg.Workload)
		}
	}
	return errors.Join(errs...)
}

// checkEndpoint reports whether endpoint is an http(s) URL that the bench may
// send load to.
func checkEndpoint(endpoint string, allowRemote bool) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("bench: --endpoint: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("bench: --endpoint %q: scheme must be http or https", endpoint)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("bench: --endpoint %q has no host", endpoint)
	}
	if !allowRemote && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("bench: --endpoint host %q is not loopback; pass --allow-remote to send load elsewhere", u.Hostname())
	}
	return nil
}

// isLoopbackHost reports whether host is "localhost" or a loopback IP
// literal. Other names are not resolved here; the dialer checks the address
// it actually connects to (see loopbackOnly).
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// needsUsers reports whether workload reads existing users.
func needsUsers(workload string) bool {
	return workload != workloadAdminCreateUser
}
