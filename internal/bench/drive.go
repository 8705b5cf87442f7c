package bench

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/cognate-idp/cognate/internal/cputime"
)

// maxSamples caps the latencies kept in memory per run (8 bytes each). Below
// the cap percentiles are exact; above it each worker keeps a uniform
// reservoir sample of its own latencies, and the result says so.
const maxSamples = 4_000_000

// maxErrorSamples is how many distinct error messages a run keeps.
const maxErrorSamples = 5

// An op sends one request. worker and seq (the worker's request number) let
// an op make names that are unique within the run.
type op func(ctx context.Context, worker, seq int) error

// result is the outcome of one timed run.
type result struct {
	Requests          int64     `json:"requests"`            // requests that completed, successful or not
	Errors            int64     `json:"errors"`              // requests that returned an error
	ElapsedSeconds    float64   `json:"elapsed_seconds"`     // wall time from the first request to the last response
	RequestsPerSecond float64   `json:"requests_per_second"` // successful requests per elapsed second
	Latency           latencyMS `json:"latency_ms"`          // of successful requests
	LatencySampled    bool      `json:"latency_sampled"`     // percentiles come from a reservoir sample
	ErrorSamples      []string  `json:"error_samples,omitempty"`
	// ToolCPUMSPerRequest is the CPU time this process used during the run
	// per completed request: the load tool's own cost, which shares the
	// machine with the server when both run on one host. For the baseline
	// it includes the in-process handler.
	ToolCPUMSPerRequest float64 `json:"tool_cpu_ms_per_request"`
}

// latencyMS holds latency percentiles in milliseconds.
type latencyMS struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// drive runs op on concurrency workers until d has elapsed or ctx is done.
// A worker starts no request after the deadline but lets the one in flight
// finish, so the end of the run does not show up as errors; elapsed time
// runs until the last worker stops. Errors are counted, never fatal, and
// errors caused by ctx being done are not counted at all.
func drive(ctx context.Context, concurrency int, d time.Duration, o op) result {
	// One allocation per worker keeps the hot counters of different
	// workers off shared cache lines.
	recs := make([]*recorder, concurrency)
	errs := &errorLog{seen: map[string]bool{}}
	cpu := cputime.Process()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range recs {
		rec := &recorder{limit: maxSamples / concurrency}
		recs[w] = rec
		wg.Go(func() {
			for seq := 0; ctx.Err() == nil && time.Now().Before(deadline); seq++ {
				t0 := time.Now()
				err := o(ctx, w, seq)
				took := time.Since(t0)
				switch {
				case err == nil:
					rec.add(took)
				case ctx.Err() == nil:
					rec.errs++
					errs.add(err)
				}
			}
		})
	}
	wg.Wait()
	res := summarize(recs, time.Since(start), errs.samples)
	if res.Requests > 0 {
		res.ToolCPUMSPerRequest = ms(cputime.Process()-cpu) / float64(res.Requests)
	}
	return res
}

// recorder collects one worker's outcomes; only that worker touches it.
type recorder struct {
	limit   int
	samples []time.Duration
	ok      int64
	errs    int64
	max     time.Duration
}

// add records the latency of a successful request, by reservoir sampling
// once limit latencies are held.
func (r *recorder) add(d time.Duration) {
	r.ok++
	r.max = max(r.max, d)
	if len(r.samples) < r.limit {
		r.samples = append(r.samples, d)
		return
	}
	if j := rand.Int64N(r.ok); j < int64(r.limit) {
		r.samples[j] = d
	}
}

// summarize merges the workers' recorders into a result.
func summarize(recs []*recorder, elapsed time.Duration, errorSamples []string) result {
	var res result
	var all []time.Duration
	var maxLatency time.Duration
	for _, r := range recs {
		res.Requests += r.ok + r.errs
		res.Errors += r.errs
		res.LatencySampled = res.LatencySampled || r.ok > int64(len(r.samples))
		maxLatency = max(maxLatency, r.max)
		all = append(all, r.samples...)
	}
	slices.Sort(all)
	res.ElapsedSeconds = elapsed.Seconds()
	if elapsed > 0 {
		res.RequestsPerSecond = float64(res.Requests-res.Errors) / elapsed.Seconds()
	}
	res.Latency = latencyMS{
		P50: ms(percentile(all, 50)),
		P90: ms(percentile(all, 90)),
		P99: ms(percentile(all, 99)),
		Max: ms(maxLatency),
	}
	res.ErrorSamples = errorSamples
	return res
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted: the smallest value with at least p% of the values at or below it.
// It returns 0 for an empty slice.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// errorLog keeps the first few distinct error messages of a run.
type errorLog struct {
	mu      sync.Mutex
	seen    map[string]bool
	samples []string
}

func (l *errorLog) add(err error) {
	msg := errorMessage(err)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.samples) < maxErrorSamples && !l.seen[msg] {
		l.seen[msg] = true
		l.samples = append(l.samples, msg)
	}
}

// errorMessage describes err without its request id, so that the same
// failure on many requests is one message.
func errorMessage(err error) string {
	if apiErr, ok := errors.AsType[*apiError](err); ok {
		return apiErr.Error()
	}
	return err.Error()
}
