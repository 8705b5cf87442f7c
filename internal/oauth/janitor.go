package oauth

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// DefaultSweepInterval is how often a server sweeps expired records.
const DefaultSweepInterval = time.Minute

// Janitor deletes what has expired: the API's authentication sessions and
// the hosted records kept beside them (authorization codes, hosted
// sign-in sessions, sign-up tickets, grants), refresh tokens and spent
// SAML assertion IDs. Nothing
// expired is ever honoured, so sweeping only reclaims space. The store's
// deletes are idempotent (SQLite's in bounded batches), so several
// replicas may sweep one database at once.
type Janitor struct {
	Store store.Store
	// Now is the clock the expiry is judged by.
	Now func() time.Time
	Log *slog.Logger
}

// Swept counts what one sweep removed.
type Swept struct {
	Sessions       int64
	RefreshTokens  int64
	SAMLAssertions int64
}

// Sweep deletes the sessions, refresh tokens and spent SAML assertions
// that expired before now and returns how many of each it removed.
func (j *Janitor) Sweep(ctx context.Context) (Swept, error) {
	now := j.Now()
	var n Swept
	var err error
	if n.Sessions, err = j.Store.DeleteExpiredSessions(ctx, now); err != nil {
		return n, fmt.Errorf("sweep expired sessions: %w", err)
	}
	if n.RefreshTokens, err = j.Store.DeleteExpiredRefreshTokens(ctx, now); err != nil {
		return n, fmt.Errorf("sweep expired refresh tokens: %w", err)
	}
	if n.SAMLAssertions, err = j.Store.DeleteExpiredSAMLAssertions(ctx, now); err != nil {
		return n, fmt.Errorf("sweep expired SAML assertions: %w", err)
	}
	return n, nil
}

// Run sweeps every interval until ctx ends. A failed sweep is logged and
// tried again at the next tick.
func (j *Janitor) Run(ctx context.Context, every time.Duration) {
	log := j.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := j.Sweep(ctx)
		if err != nil {
			if ctx.Err() == nil {
				log.WarnContext(ctx, "janitor", "err", err)
			}
			continue
		}
		if n != (Swept{}) {
			log.DebugContext(ctx, "janitor swept expired records", "sessions", n.Sessions,
				"refresh_tokens", n.RefreshTokens, "saml_assertions", n.SAMLAssertions)
		}
	}
}
