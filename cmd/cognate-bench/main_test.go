package main

import (
	"bytes"
	"context"
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
