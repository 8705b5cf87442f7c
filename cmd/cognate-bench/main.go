// Command cognate-bench is Cognate's load tool. It drives any
// Cognito-compatible endpoint through the public user pools API with the AWS
// SDK for Go v2, and fills a Cognate database with users for benchmarks. It
// is a command of its own so that the SDK's Cognito client stays out of the
// server binary.
//
// Usage:
//
//	cognate-bench --endpoint URL [flags]   drive an endpoint with load (cognate-bench -h)
//	cognate-bench seed-users [flags]       fill a pool with users straight through the store
//	cognate-bench startup [flags]          time a server's start to its first answer, and its idle memory
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cognate-idp/cognate/internal/bench"
	"github.com/cognate-idp/cognate/internal/benchseed"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "cognate-bench:", err)
		os.Exit(1)
	}
}

// run dispatches to seed-users, startup or, for any other arguments, the
// load generator.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "seed-users" {
		return benchseed.Main(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "startup" {
		return bench.Startup(ctx, args[1:], stdout, stderr)
	}
	return bench.Main(ctx, args, stdout, stderr)
}
