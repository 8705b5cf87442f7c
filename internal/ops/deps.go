// Package ops holds what the operation services under it share: Deps, the
// one set of dependencies the server (and the seed applier) gives each of
// them. Each service embeds Deps and adds only what is its own (a fetcher,
// a certificate issuer), so every service reaches the store, the clock,
// the randomness and the sign-in core the same way: s.Store, s.Now,
// s.Rand, s.Auth.
package ops

import (
	"io"
	"log/slog"
	"time"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/ids"
	"github.com/cognate-idp/cognate/internal/messaging"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Deps are the dependencies every operation service may use. A service
// uses the ones it needs; the rest may be left zero in tests.
type Deps struct {
	Store store.Store
	// Keys seal and open secrets at rest.
	Keys *seal.Keyring
	// IDs draws identifiers (pool and client IDs, subs).
	IDs ids.Generator
	// Now is the clock.
	Now func() time.Time
	// Rand is the randomness of salts, secrets and temporary passwords.
	Rand io.Reader
	// Region and AccountID go into pool IDs and ARNs.
	Region    string
	AccountID string
	// Pools loads pools through the server's memo of decoded settings (nil
	// decodes every time).
	Pools *userpool.Memo
	// Auth is the sign-in core: passwords, codes, sessions and tokens.
	Auth *authn.Service
	// Notifier is told when a message has been queued (after its
	// transaction commits); nil tells no one.
	Notifier messaging.Notifier
	// Log is the server's logger; slog.Default when nil.
	Log *slog.Logger
}

// WithStore returns a copy of d whose store, and whose sign-in core's
// store, is st: the seed applier binds the services to its transaction
// this way.
func (d Deps) WithStore(st store.Store) Deps {
	d.Store = st
	if d.Auth != nil {
		auth := *d.Auth
		auth.Store = st
		d.Auth = &auth
	}
	return d
}

// Notify tells the Notifier that a message waits in the outbox. Call it
// after the transaction that queued the message has committed.
func (d Deps) Notify() {
	if d.Notifier != nil {
		d.Notifier.Notify()
	}
}

// Minter returns what building a new user draws on (userpool.Pool.NewUser),
// at the time now.
func (d Deps) Minter(now time.Time) userpool.Minter {
	return userpool.Minter{Keys: d.Keys, IDs: d.IDs, Rand: d.Rand, Now: now}
}

// Logger returns Log, or slog.Default when it is nil.
func (d Deps) Logger() *slog.Logger {
	if d.Log == nil {
		return slog.Default()
	}
	return d.Log
}
