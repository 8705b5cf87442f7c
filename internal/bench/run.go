package bench

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// report is everything one invocation measured; --json prints it as is.
type report struct {
	Workload        string      `json:"workload"`
	Endpoint        string      `json:"endpoint,omitempty"`
	Region          string      `json:"region"`
	Concurrency     int         `json:"concurrency"`
	DurationSeconds float64     `json:"duration_seconds"`
	PoolID          string      `json:"pool_id,omitempty"`
	Seed            *seedResult `json:"seed,omitempty"`
	Baseline        *result     `json:"baseline,omitempty"`
	Result          *result     `json:"result,omitempty"`
	Ratio           *float64    `json:"ratio,omitempty"` // Result over Baseline requests/s
}

// run carries out cfg: the baseline, the workload, or the baseline then the
// workload.
func run(ctx context.Context, cfg config, log *slog.Logger) (*report, error) {
	rep := &report{
		Workload:        cfg.Workload,
		Endpoint:        cfg.Endpoint,
		Region:          cfg.Region,
		Concurrency:     cfg.Concurrency,
		DurationSeconds: cfg.Duration.Seconds(),
	}
	if cfg.Baseline || cfg.CompareBaseline {
		log.Info("baseline run", "workload", cfg.Workload, "concurrency", cfg.Concurrency, "duration", cfg.Duration)
		res, err := runBaseline(ctx, cfg)
		if err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("bench: baseline: %w", err)
		}
		rep.Baseline = &res
	}
	if cfg.Baseline {
		return rep, nil
	}
	if err := runWorkload(ctx, cfg, rep, log); err != nil {
		return nil, err
	}
	if rep.Baseline != nil && rep.Baseline.RequestsPerSecond > 0 {
		ratio := rep.Result.RequestsPerSecond / rep.Baseline.RequestsPerSecond
		rep.Ratio = &ratio
	}
	return rep, nil
}

// runWorkload prepares a pool and its users, drives cfg.Workload against
// cfg.Endpoint and fills in rep. A pool it created is deleted on return
// unless cfg.Keep is set; an existing pool given by --pool-id never is.
func runWorkload(ctx context.Context, cfg config, rep *report, log *slog.Logger) error {
	transport := newTransport(cfg.Concurrency, cfg.AllowRemote)
	defer transport.CloseIdleConnections()
	client := newRawClient(cfg.Endpoint, transport)
	setup := newClient(cfg.Endpoint, cfg.Region, transport)
	runID := strings.ToLower(rand.Text()[:10])

	poolID := cfg.PoolID
	if poolID == "" {
		out, err := setup.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("cognate-bench-" + runID)})
		if err != nil {
			return fmt.Errorf("bench: create user pool: %w", err)
		}
		if out.UserPool == nil || aws.ToString(out.UserPool.Id) == "" {
			return errors.New("bench: create user pool: response has no UserPool.Id")
		}
		poolID = aws.ToString(out.UserPool.Id)
		log.Info("created user pool", "pool_id", poolID)
		if cfg.Keep {
			log.Info("keeping user pool (--keep)", "pool_id", poolID)
		} else {
			defer deletePool(ctx, setup, poolID, log)
		}
	}
	rep.PoolID = poolID

	var users []user
	switch {
	case cfg.Users > 0:
		log.Info("seeding users", "pool_id", poolID, "users", cfg.Users)
		seeded, res, err := seed(ctx, setup, poolID, runID, cfg.Users, cfg.Concurrency)
		if err != nil {
			return err
		}
		users, rep.Seed = seeded, &res
	case needsUsers(cfg.Workload):
		listed, err := discover(ctx, setup, poolID)
		if err != nil {
			return err
		}
		log.Info("listed users of existing pool", "pool_id", poolID, "users", len(listed))
		users = listed
	}
	var o op
	var err error
	if signInWorkload(cfg.Workload) {
		o, err = prepareSignIn(ctx, cfg, client, setup, poolID, users, log)
	} else {
		o, err = newOp(cfg.Workload, client, poolID, runID, users)
	}
	if err != nil {
		return err
	}
	if cfg.CPUProfile != "" {
		stop, err := startCPUProfile(cfg.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	log.Info("workload run", "workload", cfg.Workload, "concurrency", cfg.Concurrency, "duration", cfg.Duration)
	res := drive(ctx, cfg.Concurrency, cfg.Duration, o)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bench: %s: %w", cfg.Workload, err)
	}
	rep.Result = &res
	return nil
}

// startCPUProfile starts profiling the tool's CPU into path; the function
// it returns stops and closes the file.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench: --cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench: --cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// deletePool deletes the pool the bench created. It runs even when ctx is
// done, within a minute of its own, and only logs a failure: the figures
// are valid either way.
func deletePool(ctx context.Context, client *cip.Client, poolID string, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if _, err := client.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(poolID)}); err != nil {
		log.Error("could not delete user pool", "pool_id", poolID, "err", err)
		return
	}
	log.Info("deleted user pool", "pool_id", poolID)
}

// writeJSON writes rep as one JSON object.
func (rep *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("bench: write report: %w", err)
	}
	return nil
}

// writeText writes rep as aligned plain text.
func (rep *report) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if rep.Endpoint != "" {
		fmt.Fprintf(tw, "endpoint\t%s (region %s)\n", rep.Endpoint, rep.Region)
	} else {
		fmt.Fprintf(tw, "endpoint\tin-process baseline handler on 127.0.0.1 (region %s)\n", rep.Region)
	}
	if rep.PoolID != "" {
		fmt.Fprintf(tw, "pool\t%s\n", rep.PoolID)
	}
	if s := rep.Seed; s != nil {
		fmt.Fprintf(tw, "seed\t%d users in %.3fs (%.1f users/s)\n", s.Users, s.Seconds, s.UsersPerSecond)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "run\tworkload\tconcurrency\tduration\trequests\terrors\trequests/s\tp50\tp90\tp99\tmax\ttool CPU/request")
	runs := []struct {
		name string
		res  *result
	}{{"baseline", rep.Baseline}, {"workload", rep.Result}}
	for _, r := range runs {
		if r.res == nil {
			continue
		}
		l := r.res.Latency
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%d\t%.1f\t%.3fms\t%.3fms\t%.3fms\t%.3fms\t%.3fms\n",
			r.name, rep.Workload, rep.Concurrency, time.Duration(rep.DurationSeconds*float64(time.Second)),
			r.res.Requests, r.res.Errors, r.res.RequestsPerSecond, l.P50, l.P90, l.P99, l.Max, r.res.ToolCPUMSPerRequest)
	}
	var notes []string
	if rep.Ratio != nil {
		notes = append(notes, fmt.Sprintf("ratio\t%.3f (workload requests/s / baseline requests/s)", *rep.Ratio))
	}
	for _, r := range runs {
		if r.res == nil {
			continue
		}
		if r.res.LatencySampled {
			notes = append(notes, fmt.Sprintf("note\t%s percentiles are from a uniform sample of about %d latencies", r.name, maxSamples))
		}
		for _, msg := range r.res.ErrorSamples {
			notes = append(notes, fmt.Sprintf("error\t%s: %s", r.name, msg))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintf(tw, "\n%s\n", strings.Join(notes, "\n"))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("bench: write report: %w", err)
	}
	return nil
}
