package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/seed"
	"github.com/cognate-idp/cognate/internal/server"
)

// seedCommand runs `cognate seed [flags] FILE`: it applies the seed file to
// the store the serve flags name (--db, --key-file, --region), directly and
// in one transaction, which is safe while a server runs on the same
// database. It prints what it changed.
func seedCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.LoadSeed(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, stderr)
	f, err := seed.ReadFile(cfg.Seed)
	if err != nil {
		return err
	}
	if err := server.CheckDB(cfg); err != nil {
		return err
	}
	keys, err := server.LoadKeys(cfg, log)
	if err != nil {
		return fmt.Errorf("master key: %w", err)
	}
	st, err := server.OpenStore(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	changes, err := server.ApplySeed(ctx, cfg, log, st, keys, f, server.Options{})
	if cerr := st.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close store: %w", cerr)
	}
	if err != nil {
		return err
	}
	for _, c := range changes {
		fmt.Fprintln(stdout, c)
	}
	if len(changes) == 0 {
		fmt.Fprintln(stdout, "nothing to change")
	}
	return nil
}
