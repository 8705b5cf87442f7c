package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFlags(t *testing.T) {
	defaults := config{
		Region:      "us-east-1",
		Workload:    workloadAdminGetUser,
		Concurrency: 16,
		Duration:    10 * time.Second,
		Users:       1000,
	}
	with := func(f func(*config)) config {
		c := defaults
		f(&c)
		return c
	}
	tests := []struct {
		name    string
		args    []string
		want    config
		wantErr []string // substrings that must all appear in the error
	}{
		{
			name: "defaults",
			args: []string{"--endpoint", "http://127.0.0.1:9229"},
			want: with(func(c *config) { c.Endpoint = "http://127.0.0.1:9229" }),
		},
		{
			name: "every flag",
			args: []string{
				"--endpoint", "https://localhost:8443/", "--region", "eu-west-1", "--workload", "list-users-filter",
				"--concurrency", "64", "--duration", "10m", "--users", "0", "--pool-id", "eu-west-1_abc",
				"--compare-baseline", "--keep", "--json",
			},
			want: config{
				Endpoint: "https://localhost:8443/", Region: "eu-west-1", Workload: workloadListUsersFilter,
				Concurrency: 64, Duration: 10 * time.Minute, Users: 0, PoolID: "eu-west-1_abc",
				CompareBaseline: true, Keep: true, JSON: true,
			},
		},
		{
			name: "baseline alone",
			args: []string{"--baseline", "--concurrency", "2", "--duration", "300ms"},
			want: with(func(c *config) { c.Baseline, c.Concurrency, c.Duration = true, 2, 300*time.Millisecond }),
		},
		{
			name: "IPv6 loopback",
			args: []string{"--endpoint", "http://[::1]:9229"},
			want: with(func(c *config) { c.Endpoint = "http://[::1]:9229" }),
		},
		{
			name: "remote allowed",
			args: []string{"--endpoint", "https://cognito-idp.us-east-1.amazonaws.com", "--allow-remote"},
			want: with(func(c *config) { c.Endpoint, c.AllowRemote = "https://cognito-idp.us-east-1.amazonaws.com", true }),
		},
		{
			name: "create workload needs no users",
			args: []string{"--endpoint", "http://127.0.0.1:9229", "--workload", "admin-create-user", "--users", "0"},
			want: with(func(c *config) { c.Endpoint, c.Workload, c.Users = "http://127.0.0.1:9229", workloadAdminCreateUser, 0 }),
		},
		{
			name:    "remote refused",
			args:    []string{"--endpoint", "https://cognito-idp.us-east-1.amazonaws.com"},
			wantErr: []string{"not loopback", "--allow-remote"},
		},
		{
			name:    "private address refused",
			args:    []string{"--endpoint", "http://10.0.0.1:9229"},
			wantErr: []string{"not loopback"},
		},
		{name: "no endpoint", args: nil, wantErr: []string{"--endpoint is required"}},
		{name: "bad scheme", args: []string{"--endpoint", "ftp://127.0.0.1"}, wantErr: []string{"scheme must be http or https"}},
		{name: "no host", args: []string{"--endpoint", "http://"}, wantErr: []string{"has no host"}},
		{
			name:    "unknown workload",
			args:    []string{"--endpoint", "http://127.0.0.1:9229", "--workload", "delete-everything"},
			wantErr: []string{`unknown --workload "delete-everything"`},
		},
		{
			name:    "duration too long",
			args:    []string{"--endpoint", "http://127.0.0.1:9229", "--duration", "11m"},
			wantErr: []string{"--duration must be positive and at most 10m0s"},
		},
		{
			name:    "every problem at once",
			args:    []string{"--endpoint", "http://127.0.0.1:9229", "--concurrency", "0", "--duration", "0s", "--users", "-1", "--region", ""},
			wantErr: []string{"--concurrency", "--duration", "--users", "--region"},
		},
		{
			name:    "lookup workload without users",
			args:    []string{"--endpoint", "http://127.0.0.1:9229", "--users", "0"},
			wantErr: []string{"needs users"},
		},
		{
			name:    "baseline with endpoint",
			args:    []string{"--baseline", "--endpoint", "http://127.0.0.1:9229"},
			wantErr: []string{"takes no --endpoint"},
		},
		{
			name:    "baseline with compare-baseline",
			args:    []string{"--baseline", "--compare-baseline"},
			wantErr: []string{"exclusive"},
		},
		{name: "positional argument", args: []string{"--baseline", "extra"}, wantErr: []string{"unexpected arguments"}},
		{name: "unknown flag", args: []string{"--rps", "5"}, wantErr: []string{"flag provided but not defined"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("parseFlags(%q) = %+v, want an error", tt.args, got)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("parseFlags(%q) error = %q, want it to contain %q", tt.args, err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFlags(%q): %v", tt.args, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseFlags(%q) mismatch (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var stderr bytes.Buffer
	if err := Main(t.Context(), []string{"-h"}, io.Discard, &stderr); err != nil {
		t.Fatalf("Main(-h) = %v, want nil", err)
	}
	if !strings.Contains(stderr.String(), "-compare-baseline") {
		t.Errorf("usage does not list the flags:\n%s", stderr.String())
	}
}

func TestLoopbackOnly(t *testing.T) {
	tests := []struct {
		address string
		ok      bool
	}{
		{"127.0.0.1:9229", true},
		{"127.1.2.3:80", true},
		{"[::1]:9229", true},
		{"10.0.0.1:9229", false},
		{"[2001:db8::1]:443", false},
		{"0.0.0.0:9229", false},
		{"localhost:9229", false}, // the dialer sees resolved addresses only
	}
	for _, tt := range tests {
		err := loopbackOnly("tcp", tt.address, nil)
		if (err == nil) != tt.ok {
			t.Errorf("loopbackOnly(%q) = %v, want ok=%v", tt.address, err, tt.ok)
		}
	}
}

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var d []time.Duration
		for _, n := range ns {
			d = append(d, time.Duration(n)*time.Millisecond)
		}
		return d
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value p50", ms(7), 50, 7 * time.Millisecond},
		{"one value p99", ms(7), 99, 7 * time.Millisecond},
		{"two values p50", ms(1, 2), 50, 1 * time.Millisecond},
		{"two values p51", ms(1, 2), 51, 2 * time.Millisecond},
		{"ten values p90", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
		{"ten values p99", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10 * time.Millisecond},
		{"hundred p50", hundred, 50, 50 * time.Millisecond},
		{"hundred p90", hundred, 90, 90 * time.Millisecond},
		{"hundred p99", hundred, 99, 99 * time.Millisecond},
		{"hundred p100", hundred, 100, 100 * time.Millisecond},
		{"tiny p", ms(3, 4, 5), 0.001, 3 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tt.sorted, tt.p, got, tt.want)
			}
		})
	}
}

func TestRecorderSamples(t *testing.T) {
	r := &recorder{limit: 10}
	for i := range 1000 {
		r.add(time.Duration(i+1) * time.Microsecond)
	}
	res := summarize([]*recorder{r}, time.Second, nil)
	if len(r.samples) != 10 || !res.LatencySampled {
		t.Errorf("kept %d samples, sampled=%v; want 10, true", len(r.samples), res.LatencySampled)
	}
	if res.Requests != 1000 || res.Latency.Max != 1 {
		t.Errorf("requests = %d, max = %vms; want 1000, 1ms (max is exact, not sampled)", res.Requests, res.Latency.Max)
	}
}

// runJSON runs Main with --json appended and decodes its report.
func runJSON(t *testing.T, args ...string) report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := Main(t.Context(), append(args, "--json"), &stdout, &stderr); err != nil {
		t.Fatalf("Main(%q): %v\nstderr:\n%s", args, err, stderr.String())
	}
	var rep report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("Main(%q) printed invalid JSON: %v\n%s", args, err, stdout.String())
	}
	return rep
}

func TestBaseline(t *testing.T) {
	rep := runJSON(t, "--baseline", "--concurrency", "2", "--duration", "300ms")
	if rep.Baseline == nil {
		t.Fatalf("report has no baseline: %+v", rep)
	}
	if rep.Baseline.Requests == 0 || rep.Baseline.Errors != 0 {
		t.Errorf("baseline requests = %d, errors = %d (%q); want > 0 and 0",
			rep.Baseline.Requests, rep.Baseline.Errors, rep.Baseline.ErrorSamples)
	}
	if rep.Result != nil || rep.Ratio != nil {
		t.Errorf("baseline-only report has a workload result or ratio: %+v", rep)
	}
	if c := rep.Baseline.ToolCPUMSPerRequest; c <= 0 || c > 1000 {
		t.Errorf("tool CPU per request = %v ms", c)
	}
}

func TestBaselineEveryWorkload(t *testing.T) {
	for _, w := range workloads {
		t.Run(w, func(t *testing.T) {
			rep := runJSON(t, "--baseline", "--workload", w, "--concurrency", "2", "--duration", "50ms")
			if rep.Baseline.Requests == 0 || rep.Baseline.Errors != 0 {
				t.Errorf("baseline requests = %d, errors = %d (%q); want > 0 and 0",
					rep.Baseline.Requests, rep.Baseline.Errors, rep.Baseline.ErrorSamples)
			}
		})
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := Main(ctx, []string{"--baseline", "--duration", "10m"}, io.Discard, io.Discard)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Main with a canceled context = %v, want context.Canceled", err)
	}
}

// fakeCognito is a tiny AWS JSON 1.1 server with just enough of the user
// pools API for the bench. It counts the operations it is sent.
type fakeCognito struct {
	failGets bool // answer every AdminGetUser with UserNotFoundException

	mu    sync.Mutex
	calls map[string]int
	pools map[string]map[string]map[string]string // pool id -> username -> attributes
	next  int
}

func newFakeCognito() *fakeCognito {
	return &fakeCognito{calls: map[string]int{}, pools: map[string]map[string]map[string]string{}}
}

// addPool adds a pool with n users, as if made before the bench ran.
func (f *fakeCognito) addPool(id string, n int) {
	users := map[string]map[string]string{}
	for i := range n {
		users[fmt.Sprintf("old-%03d", i)] = map[string]string{"email": fmt.Sprintf("old-%03d@example.com", i), "given_name": fmt.Sprintf("Old%d", i)}
	}
	f.pools[id] = users
}

// fakeInput holds the request members the fake reads, of every operation.
type fakeInput struct {
	PoolName, UserPoolId, Username, MessageAction, Filter, PaginationToken string
	Limit                                                                  int
	UserAttributes                                                         []struct{ Name, Value string }
}

// fakeError is an exception the fake answers with.
type fakeError struct {
	typ, msg string
}

func (f *fakeCognito) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	var in fakeInput
	if !ok || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" ||
		json.NewDecoder(r.Body).Decode(&in) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[target]++
	out, aerr := f.call(target, in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if aerr != nil {
		w.Header().Set("X-Amzn-Errortype", aerr.typ)
		w.WriteHeader(http.StatusBadRequest)
		out = map[string]any{"__type": aerr.typ, "message": aerr.msg}
	}
	_ = json.NewEncoder(w).Encode(out)
}

// call runs one operation; f.mu is held.
func (f *fakeCognito) call(target string, in fakeInput) (any, *fakeError) {
	if target == "CreateUserPool" {
		f.next++
		id := fmt.Sprintf("us-east-1_fake%d", f.next)
		f.pools[id] = map[string]map[string]string{}
		return map[string]any{"UserPool": map[string]any{"Id": id, "Name": in.PoolName}}, nil
	}
	users, ok := f.pools[in.UserPoolId]
	if !ok {
		return nil, &fakeError{"ResourceNotFoundException", "User pool " + in.UserPoolId + " does not exist."}
	}
	userJSON := func(name string) map[string]any {
		var attrs []map[string]string
		for k, v := range users[name] {
			attrs = append(attrs, map[string]string{"Name": k, "Value": v})
		}
		return map[string]any{"Username": name, "Attributes": attrs, "Enabled": true, "UserStatus": "FORCE_CHANGE_PASSWORD"}
	}
	switch target {
	case "AdminCreateUser":
		if in.MessageAction != "SUPPRESS" {
			return nil, &fakeError{"InvalidParameterException", "bench must suppress messages"}
		}
		if _, exists := users[in.Username]; exists {
			return nil, &fakeError{"UsernameExistsException", "User account already exists."}
		}
		m := map[string]string{}
		for _, a := range in.UserAttributes {
			m[a.Name] = a.Value
		}
		if m["email"] == "" || m["given_name"] == "" || m["family_name"] == "" {
			return nil, &fakeError{"InvalidParameterException", "bench users need email, given_name and family_name"}
		}
		users[in.Username] = m
		return map[string]any{"User": userJSON(in.Username)}, nil
	case "AdminGetUser":
		if _, exists := users[in.Username]; !exists || f.failGets {
			return nil, &fakeError{"UserNotFoundException", "User does not exist."}
		}
		u := userJSON(in.Username)
		return map[string]any{"Username": in.Username, "UserAttributes": u["Attributes"], "Enabled": true, "UserStatus": u["UserStatus"]}, nil
	case "ListUsers":
		var names []string
		for name, a := range users {
			if attr, value, ok := strings.Cut(in.Filter, ` = "`); ok && a[attr] != strings.TrimSuffix(value, `"`) {
				continue
			}
			if attr, value, ok := strings.Cut(in.Filter, ` ^= "`); ok && !strings.HasPrefix(a[attr], strings.TrimSuffix(value, `"`)) {
				continue
			}
			names = append(names, name)
		}
		if in.Filter != "" && len(names) == 0 {
			return nil, &fakeError{"InvalidParameterException", "a filter on a known user matched nothing: " + in.Filter}
		}
		slices.Sort(names)
		start, _ := strconv.Atoi(in.PaginationToken)
		end := min(start+in.Limit, len(names))
		page := map[string]any{"Users": []any{}}
		for _, name := range names[start:end] {
			page["Users"] = append(page["Users"].([]any), userJSON(name))
		}
		if end < len(names) {
			page["PaginationToken"] = strconv.Itoa(end)
		}
		return page, nil
	case "DeleteUserPool":
		delete(f.pools, in.UserPoolId)
		return map[string]any{}, nil
	}
	return nil, &fakeError{"UnknownOperationException", target}
}

func TestWorkloadAgainstFake(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		failGets bool
		// want returns the expected operation counts given the result.
		want func(res *result) map[string]int
	}{
		{
			name: "admin-get-user",
			args: []string{"--workload", "admin-get-user", "--users", "20"},
			want: func(res *result) map[string]int {
				return map[string]int{"CreateUserPool": 1, "AdminCreateUser": 20, "AdminGetUser": int(res.Requests), "DeleteUserPool": 1}
			},
		},
		{
			name: "admin-get-user keep",
			args: []string{"--workload", "admin-get-user", "--users", "3", "--keep"},
			want: func(res *result) map[string]int {
				return map[string]int{"CreateUserPool": 1, "AdminCreateUser": 3, "AdminGetUser": int(res.Requests)}
			},
		},
		{
			name: "admin-create-user",
			args: []string{"--workload", "admin-create-user", "--users", "0"},
			want: func(res *result) map[string]int {
				return map[string]int{"CreateUserPool": 1, "AdminCreateUser": int(res.Requests), "DeleteUserPool": 1}
			},
		},
		{
			name: "list-users-filter",
			args: []string{"--workload", "list-users-filter", "--users", "20"},
			want: func(res *result) map[string]int {
				return map[string]int{"CreateUserPool": 1, "AdminCreateUser": 20, "ListUsers": int(res.Requests), "DeleteUserPool": 1}
			},
		},
		{
			name: "list-users-prefix",
			args: []string{"--workload", "list-users-prefix", "--users", "20"},
			want: func(res *result) map[string]int {
				return map[string]int{"CreateUserPool": 1, "AdminCreateUser": 20, "ListUsers": int(res.Requests), "DeleteUserPool": 1}
			},
		},
		{
			name: "existing pool, users listed",
			args: []string{"--workload", "admin-get-user", "--users", "0", "--pool-id", "us-east-1_existing"},
			want: func(res *result) map[string]int {
				return map[string]int{"ListUsers": 2, "AdminGetUser": int(res.Requests)} // 75 users, 60 a page
			},
		},
		{
			name: "existing pool, users seeded",
			args: []string{"--workload", "list-users-filter", "--users", "5", "--pool-id", "us-east-1_existing"},
			want: func(res *result) map[string]int {
				return map[string]int{"AdminCreateUser": 5, "ListUsers": int(res.Requests)}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeCognito()
			fake.addPool("us-east-1_existing", 75)
			srv := httptest.NewServer(fake)
			defer srv.Close()

			rep := runJSON(t, append(tt.args, "--endpoint", srv.URL, "--concurrency", "3", "--duration", "200ms")...)
			res := rep.Result
			if res == nil {
				t.Fatalf("report has no result: %+v", rep)
			}
			if res.Requests == 0 || res.Errors != 0 {
				t.Errorf("requests = %d, errors = %d (%q); want > 0 and 0", res.Requests, res.Errors, res.ErrorSamples)
			}
			fake.mu.Lock()
			defer fake.mu.Unlock()
			if diff := cmp.Diff(tt.want(res), fake.calls); diff != "" {
				t.Errorf("operations sent (-want +got):\n%s", diff)
			}
			if rep.PoolID == "" {
				t.Errorf("report has no pool id")
			}
		})
	}
}

func TestWorkloadErrorsCounted(t *testing.T) {
	fake := newFakeCognito()
	fake.failGets = true
	srv := httptest.NewServer(fake)
	defer srv.Close()

	rep := runJSON(t, "--endpoint", srv.URL, "--users", "2", "--concurrency", "2", "--duration", "100ms")
	res := rep.Result
	if res.Requests == 0 || res.Errors != res.Requests {
		t.Errorf("requests = %d, errors = %d; want every request to fail", res.Requests, res.Errors)
	}
	if want := []string{"UserNotFoundException: User does not exist."}; !slices.Equal(res.ErrorSamples, want) {
		t.Errorf("error samples = %q, want %q", res.ErrorSamples, want)
	}
	if res.RequestsPerSecond != 0 {
		t.Errorf("requests/s = %v, want 0 (only successes count)", res.RequestsPerSecond)
	}
}

func TestSeedFailure(t *testing.T) {
	fake := newFakeCognito()
	srv := httptest.NewServer(fake)
	defer srv.Close()

	err := Main(t.Context(), []string{"--endpoint", srv.URL, "--pool-id", "us-east-1_missing", "--users", "5", "--duration", "100ms"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("Main seeding a missing pool = %v, want a ResourceNotFoundException error", err)
	}
}

func TestCompareBaselineText(t *testing.T) {
	fake := newFakeCognito()
	srv := httptest.NewServer(fake)
	defer srv.Close()

	var stdout bytes.Buffer
	args := []string{"--endpoint", srv.URL, "--users", "5", "--concurrency", "2", "--duration", "100ms", "--compare-baseline"}
	if err := Main(t.Context(), args, &stdout, io.Discard); err != nil {
		t.Fatalf("Main(%q): %v", args, err)
	}
	var firstWords []string
	for line := range strings.Lines(stdout.String()) {
		if f := strings.Fields(line); len(f) > 0 {
			firstWords = append(firstWords, f[0])
		}
	}
	want := []string{"endpoint", "pool", "seed", "run", "baseline", "workload", "ratio"}
	if diff := cmp.Diff(want, firstWords); diff != "" {
		t.Errorf("report lines (-want +got):\n%s\nreport:\n%s", diff, stdout.String())
	}
	if !strings.Contains(stdout.String(), "requests/s  p50") {
		t.Errorf("report has no column header:\n%s", stdout.String())
	}
}

func TestStartupFlags(t *testing.T) {
	for _, args := range [][]string{nil, {"--binary", "cognate"}, {"--db", "x.db"}, {"--binary", "b", "--db", "d", "--runs", "0"}, {"--binary", "b", "--db", "d", "extra"}} {
		if err := Startup(t.Context(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("Startup(%q) = nil, want an error", args)
		}
	}
	err := Startup(t.Context(), []string{"--binary", filepath.Join(t.TempDir(), "missing"), "--db", "d", "--runs", "1"}, io.Discard, io.Discard)
	if err == nil {
		t.Error("Startup of a missing binary = nil, want an error")
	}
}
