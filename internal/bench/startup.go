package bench

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// startupTimeout bounds how long one start may take to answer.
const startupTimeout = 30 * time.Second

// Startup runs `cognate-bench startup`: it starts a Cognate binary on an
// existing database --runs times and measures the time from starting the
// process to the first answered request (ListUserPools, which reads the
// store), then, after the last start, the resident memory of the idle
// server once --idle has passed. args are the arguments after "startup".
func Startup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cognate-bench startup", flag.ContinueOnError)
	bin := fs.String("binary", "", "`path` of the cognate binary to start (go build -o cognate ./cmd/cognate)")
	db := fs.String("db", "", "database the server opens (an existing SQLite file, or a postgres:// URL)")
	keyFile := fs.String("key-file", "", "key file to pass to the server (needed with PostgreSQL)")
	runs := fs.Int("runs", 5, "how many times to start the server")
	idle := fs.Duration("idle", 5*time.Second, "how long the last server idles before its memory is read")
	if err := ParseFlags(fs, args, stderr); err != nil {
		return err
	}
	if *bin == "" || *db == "" || *runs < 1 || *idle < 0 || fs.NArg() > 0 {
		return errors.New("bench: startup needs --binary and --db, --runs of at least 1, no other arguments")
	}
	var took []time.Duration
	for i := range *runs {
		d, cpu, rss, err := startOnce(ctx, *bin, *db, *keyFile, *idle, i == *runs-1)
		if err != nil {
			return err
		}
		took = append(took, d)
		fmt.Fprintf(stdout, "start %d\t%.1f ms to the first answered request (server CPU %s)\n", i+1, ms(d), cpu)
		if rss != "" {
			fmt.Fprintf(stdout, "idle RSS\t%s after %s\n", rss, *idle)
		}
	}
	slices.Sort(took)
	fmt.Fprintf(stdout, "median\t%.1f ms (min %.1f, max %.1f, %d starts)\n", ms(took[len(took)/2]), ms(took[0]), ms(took[len(took)-1]), len(took))
	return nil
}

// startOnce starts the server, waits for its first answer, and stops it. It
// returns the time to the answer and the CPU time the server had used by
// then. With measureRSS it first lets the server idle and reads its VmRSS.
// CPU and RSS come from Linux's /proc ("?" and "" elsewhere).
func startOnce(ctx context.Context, bin, db, keyFile string, idle time.Duration, measureRSS bool) (took time.Duration, cpu, rss string, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, "", "", fmt.Errorf("bench: startup: pick a port: %w", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	args := []string{"serve", "--db", db, "--listen", addr}
	if keyFile != "" {
		args = append(args, "--key-file", keyFile)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	transport := newTransport(1, false)
	defer transport.CloseIdleConnections()
	client := newRawClient("http://"+addr, transport)
	client.http.Timeout = time.Second

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, "", "", fmt.Errorf("bench: startup: %w", err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	for {
		err := client.call(ctx, "ListUserPools", struct{ MaxResults int }{1}, nil)
		if err == nil {
			break
		}
		if time.Since(start) > startupTimeout {
			return 0, "", "", fmt.Errorf("bench: startup: no answer within %s: %w", startupTimeout, err)
		}
		if ctx.Err() != nil {
			return 0, "", "", ctx.Err()
		}
		time.Sleep(time.Millisecond)
	}
	took = time.Since(start)
	cpu = cpuTime(cmd.Process.Pid)
	if !measureRSS {
		return took, cpu, "", nil
	}
	select {
	case <-time.After(idle):
	case <-ctx.Done():
		return 0, "", "", ctx.Err()
	}
	return took, cpu, vmRSS(cmd.Process.Pid), nil
}

// cpuTime reads the user and system time a process has used from
// /proc/PID/stat, in clock ticks of 10 ms, or "?" when it cannot.
func cpuTime(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "?"
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	_, rest, ok := strings.Cut(string(data), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return "?"
	}
	utime, err1 := strconv.Atoi(f[11])
	stime, err2 := strconv.Atoi(f[12])
	if err1 != nil || err2 != nil {
		return "?"
	}
	return fmt.Sprintf("%d ms", (utime+stime)*10)
}

// vmRSS reads a process's resident set size from /proc, or "" when it
// cannot.
func vmRSS(pid int) string {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
