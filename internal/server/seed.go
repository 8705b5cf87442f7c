package server

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/ids"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/seed"
	"github.com/cognate-idp/cognate/internal/store"
)

// readSeed parses the configuration's seed file, or returns nil when there
// is none, before anything is opened: a bad file stops start-up at once.
func readSeed(cfg *config.Config) (*seed.File, error) {
	if cfg.Seed == "" {
		return nil, nil
	}
	return seed.ReadFile(cfg.Seed)
}

// ApplySeed applies a parsed seed file to st with the server's settings
// and dependencies, and logs what it changed (users at debug level).
func ApplySeed(ctx context.Context, cfg *config.Config, log *slog.Logger, st store.Store, keys *seal.Keyring, f *seed.File, opts Options) ([]seed.Change, error) {
	opts = opts.withDefaults()
	changes, err := seed.Apply(ctx, st, f, ops.Deps{
		Store: st, Keys: keys, IDs: ids.Generator{Rand: opts.Rand}, Now: opts.Now, Rand: opts.Rand,
		Region: cfg.Region, AccountID: cfg.AccountID, Log: log,
	})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	for _, c := range changes {
		level := slog.LevelInfo
		if c.Kind == "user" {
			level = slog.LevelDebug
		}
		log.Log(ctx, level, "seed "+c.Action, "kind", c.Kind, "pool", c.PoolID, "id", c.ID)
	}
	log.Info("seed file applied", "file", f.Name, "changes", len(changes))
	return changes, nil
}
