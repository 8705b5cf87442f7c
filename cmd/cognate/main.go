// Command cognate is an identity server that speaks the Amazon Cognito user
// pools API.
//
// Usage:
//
//	cognate serve [flags]   run the server (flags: cognate serve -h)
//	cognate seed [flags] FILE   apply a seed file to the server's database
//	cognate keygen [--rotate] FILE   write a master key file, or rotate it
//	cognate version             print the version (also --version)
//
// The load tool is a command of its own, cmd/cognate-bench.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "cognate:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  cognate serve [flags]       run the server (cognate serve -h lists the flags)
  cognate seed [flags] FILE   apply a seed file to the database the flags name, as serve --seed does
  cognate keygen [--rotate] FILE   write a new master key file, or add a new key to one
  cognate version             print the version (also cognate --version)

Every flag may also be set by an environment variable: --db by COGNATE_DB,
--key-file by COGNATE_KEY_FILE and so on, COGNATE_ and the flag's name in
upper case with - as _ (cognate serve -h lists them all)`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("no command given\n%s", usage)
	}
	switch args[0] {
	case "serve":
		cfg, err := config.Load(args[1:], getenv, stderr)
		if err != nil {
			return err
		}
		return server.Run(ctx, cfg, newLogger(cfg.LogLevel, stderr))
	case "seed":
		return seedCommand(ctx, args[1:], getenv, stdout, stderr)
	case "keygen":
		return keygenCommand(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "cognate", version.String())
		return nil
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
