// Package ids makes the identifiers Cognito makes, in Cognito's forms: pool
// IDs (<region>_<9 alphanumerics>), app client IDs (26 lowercase
// alphanumerics), client secrets (51 lowercase alphanumerics) and user subs
// (random UUIDs). Randomness is a dependency so tests can fix it.
package ids

import (
	"fmt"
	"io"

	"github.com/google/uuid"
)

const (
	alnum      = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	lowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz"
)

// Generator makes identifiers from a source of randomness.
type Generator struct {
	Rand io.Reader
}

// randomString returns n characters drawn uniformly from set, by rejection
// sampling so no character is more likely than another.
func (g Generator) randomString(set string, n int) (string, error) {
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	limit := 256 - 256%len(set)
	for len(out) < n {
		if _, err := io.ReadFull(g.Rand, buf); err != nil {
			return "", fmt.Errorf("ids: read random: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, set[int(b)%len(set)])
			}
		}
	}
	return string(out), nil
}

// PoolID returns a new user pool ID for region.
func (g Generator) PoolID(region string) (string, error) {
	s, err := g.randomString(alnum, 9)
	if err != nil {
		return "", err
	}
	return region + "_" + s, nil
}

// ClientID returns a new app client ID.
func (g Generator) ClientID() (string, error) { return g.randomString(lowerAlnum, 26) }

// ClientSecret returns a new app client secret.
func (g Generator) ClientSecret() (string, error) { return g.randomString(lowerAlnum, 51) }

// SecretID returns the ID of a new client secret: the client ID, "--" and a
// random suffix, as Cognito's secret descriptors are named.
func (g Generator) SecretID(clientID string) (string, error) {
	s, err := g.randomString(lowerAlnum, 13)
	if err != nil {
		return "", err
	}
	return clientID + "--" + s, nil
}

// UUID returns a random (version 4) UUID, as Cognito makes user subs.
func (g Generator) UUID() (string, error) {
	u, err := uuid.NewRandomFromReader(g.Rand)
	if err != nil {
		return "", fmt.Errorf("ids: uuid: %w", err)
	}
	return u.String(), nil
}

// Token returns n random alphanumerics, for opaque identifiers such as
// message IDs.
func (g Generator) Token(n int) (string, error) { return g.randomString(alnum, n) }
