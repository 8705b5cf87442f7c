package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun checks that each command reaches its tool: seed-users fills a
// database, anything else is the load generator.
func TestRun(t *testing.T) {
	ctx := context.Background()
	var out, errs bytes.Buffer
	db := filepath.Join(t.TempDir(), "b.db")
	if err := run(ctx, []string{"seed-users", "--db", db, "--users", "3"}, &out, &errs); err != nil {
		t.Fatalf("seed-users: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "seeded 3 users") {
		t.Errorf("seed-users printed %q", out.String())
	}
	out.Reset()
	errs.Reset()
	if err := run(ctx, []string{"-h"}, &out, &errs); err != nil {
		t.Errorf("-h: %v", err)
	}
	if !strings.Contains(errs.String(), "usage: cognate-bench --endpoint URL") {
		t.Errorf("-h printed %q", errs.String())
	}
	if err := run(ctx, []string{"--workload", "nope"}, &out, &errs); err == nil {
		t.Error("an unknown workload was accepted")
	}
}

// TestBadFlagOnce checks that each command reports a bad flag once, in the
// error main prints, and prints nothing itself.
func TestBadFlagOnce(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"seed-users", "--bogus"}, {"startup", "--bogus"}} {
		var out, errs bytes.Buffer
		err := run(context.Background(), args, &out, &errs)
		if err == nil || !strings.Contains(err.Error(), "flag provided but not defined: -bogus") || !strings.Contains(err.Error(), "-h lists the flags") {
			t.Errorf("%v: err = %v", args, err)
		}
		if errs.Len() > 0 || out.Len() > 0 {
			t.Errorf("%v: printed %q and %q as well", args, out.String(), errs.String())
		}
	}
	for _, args := range [][]string{{"seed-users", "-h"}, {"startup", "-h"}} {
		var errs bytes.Buffer
		if err := run(context.Background(), args, io.Discard, &errs); err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(errs.String(), "-db") {
			t.Errorf("%v printed %q, want the usage", args, errs.String())
		}
	}
}
