package e2e

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/cognate-idp/cognate/internal/bench"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// TestBenchSignInWorkloads runs the load tool's sign-in workloads briefly
// against a live server: every request must succeed.
func TestBenchSignInWorkloads(t *testing.T) {
	s := testserver.Start(t)
	for _, w := range []string{"sign-in-password", "sign-in-srp", "refresh"} {
		t.Run(w, func(t *testing.T) {
			var out, errs bytes.Buffer
			args := []string{"--endpoint", s.URL, "--workload", w, "--users", "4", "--concurrency", "2", "--duration", "300ms", "--json"}
			if err := bench.Main(ctx, args, &out, &errs); err != nil {
				t.Fatalf("%v\n%s", err, errs.String())
			}
			var rep struct {
				Result struct {
					Requests int `json:"requests"`
					Errors   int `json:"errors"`
				} `json:"result"`
			}
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("%v in %s", err, out.String())
			}
			if rep.Result.Requests == 0 || rep.Result.Errors != 0 {
				t.Errorf("%s: %d requests, %d errors\n%s", w, rep.Result.Requests, rep.Result.Errors, out.String())
			}
		})
	}
}
