package userpool

import (
	"io"
	"maps"
	"time"

	"github.com/cognate-idp/cognate/internal/ids"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
)

// NewUser describes a user to create. Every way of creating one (SignUp,
// AdminCreateUser and the seed file through it, the load tool's seeder,
// and later import jobs, migration and federation) builds the stored user
// with Pool.NewUser, so the pool's rules for usernames, sub, required
// attributes, aliases and the sealed password apply to all of them alike.
type NewUser struct {
	// Username is the name asked for; in a pool whose users sign in with
	// their email or phone number it must be one (see NewUsername).
	Username string
	// Attributes are the user's attributes, already checked against the
	// schema by the caller; the map is copied, and sub is added.
	Attributes map[string]string
	// Status is the user's UserStatusType.
	Status string
	// Password, in clear, is sealed as the user's SRP verifier; "" leaves
	// the user without a password.
	Password string
}

// Minter is what building a user draws on: the master key that seals the
// password, the generator of subs, randomness for the salt and the clock.
type Minter struct {
	Keys *seal.Keyring
	IDs  ids.Generator
	Rand io.Reader
	Now  time.Time
}

// NewUser builds the stored form of a new, enabled user: it draws the sub,
// decides the username, checks the required attributes, seals the password
// and derives the key and aliases. The caller stores it (and may adjust
// status and attributes first, then recompute Aliases).
func (p *Pool) NewUser(nu NewUser, m Minter) (*store.User, error) {
	attrs := maps.Clone(nu.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	sub, err := m.IDs.UUID()
	if err != nil {
		return nil, err
	}
	username, err := p.NewUsername(nu.Username, sub, attrs)
	if err != nil {
		return nil, err
	}
	attrs["sub"] = sub
	if err := p.CheckRequired(attrs, false); err != nil {
		return nil, err
	}
	u := &store.User{
		PoolID: p.ID, Username: username, Key: p.Key(username), Sub: sub, Status: nu.Status, Enabled: true,
		Attributes: attrs, Aliases: p.Aliases(attrs), CreatedAt: m.Now, UpdatedAt: m.Now,
	}
	if nu.Password != "" {
		if u.Password, err = password.Seal(m.Keys, m.Rand, p.ID, username, nu.Password); err != nil {
			return nil, err
		}
		u.PasswordSetAt = m.Now
	}
	return u, nil
}
