package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// The hosted endpoints keep four kinds of short records in the store's
// sessions (each bound to a pool, a client and a user, deleted with the
// user and by GlobalSignOut, swept when expired): authorization codes,
// hosted sign-in sessions (the cookie), the scopes of a grant, which its
// refresh tokens keep, and sign-up tickets (a sign-up's proof that the
// browser that confirms it gave the password, so it is signed in then). Like the API's sessions, a record's ID is a hash of
// an opaque value the client holds and its data is sealed, under an aad
// that names the kind, so a value of one kind never opens as another.
const (
	kindCode   = "code"
	kindHosted = "hosted"
	kindGrant  = "grant"
	kindSignup = "signup"
)

// Lifetimes, as Cognito's: an authorization code lives five minutes and a
// hosted sign-in session one hour; a sign-up ticket lives as long as a
// hosted session.
const (
	codeLifetime   = 5 * time.Minute
	hostedLifetime = time.Hour
	signupLifetime = time.Hour
)

// codeData is what an authorization code stands for.
type codeData struct {
	RedirectURI string    `json:"redirectUri"`
	Scopes      []string  `json:"scopes"`
	Nonce       string    `json:"nonce,omitzero"`
	Challenge   string    `json:"challenge,omitzero"`
	AuthTime    time.Time `json:"authTime"`
}

// hostedData is a hosted sign-in session.
type hostedData struct {
	AuthTime time.Time `json:"authTime"`
	// SAML is the session at the SAML provider the user signed in
	// through, when that provider takes single logout (IDPSignout).
	SAML *samlSession `json:"saml,omitzero"`
}

// samlSession is what a LogoutRequest to a SAML provider names: the
// subject of the assertion that signed the user in and the IdP's session.
type samlSession struct {
	Provider     string `json:"provider"`
	NameID       string `json:"nameId"`
	NameIDFormat string `json:"nameIdFormat,omitzero"`
	SessionIndex string `json:"sessionIndex,omitzero"`
}

// signupData is a sign-up ticket: the user who gave their password.
type signupData struct {
	Username string `json:"username"`
}

// grantData is what the tokens of a refresh token family were granted.
type grantData struct {
	Scopes []string `json:"scopes"`
}

func recordID(kind, raw string) string {
	h := sha256.Sum256([]byte(kind + "|" + raw))
	return hex.EncodeToString(h[:])
}

func recordAAD(kind, id string) []byte { return []byte("oauth-" + kind + "|" + id) }

// putRecord stores a record of a kind under the opaque value raw.
func (s *Service) putRecord(ctx context.Context, kind, raw, poolID, clientID, sub string, ttl time.Duration, data any) error {
	id := recordID(kind, raw)
	plain, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode %s record: %w", kind, err)
	}
	sealed, err := s.Keys.Seal(plain, recordAAD(kind, id))
	if err != nil {
		return fmt.Errorf("seal %s record: %w", kind, err)
	}
	now := s.Auth.Now()
	rec := &store.Session{ID: id, PoolID: poolID, ClientID: clientID, Sub: sub, Data: sealed, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.Store.CreateSession(ctx, rec); err != nil {
		return fmt.Errorf("store %s record: %w", kind, err)
	}
	return nil
}

// getRecord opens the record of a kind that raw stands for:
// store.ErrNotFound when there is none or it has expired.
func (s *Service) getRecord(ctx context.Context, kind, raw string, out any) (*store.Session, error) {
	if raw == "" {
		return nil, store.ErrNotFound
	}
	id := recordID(kind, raw)
	rec, err := s.Store.GetSession(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.Auth.Now().Before(rec.ExpiresAt) {
		return nil, store.ErrNotFound
	}
	plain, err := s.Keys.Open(rec.Data, recordAAD(kind, id))
	if err != nil {
		return nil, fmt.Errorf("open %s record: %w", kind, err)
	}
	if err := json.Unmarshal(plain, out); err != nil {
		return nil, fmt.Errorf("decode %s record: %w", kind, err)
	}
	return rec, nil
}

// takeRecord opens a record and deletes it, atomically single-use: of two
// callers taking one record, the store lets one delete it and the other
// gets store.ErrNotFound.
func (s *Service) takeRecord(ctx context.Context, kind, raw string, out any) (*store.Session, error) {
	rec, err := s.getRecord(ctx, kind, raw, out)
	if err != nil {
		return nil, err
	}
	if err := s.Store.DeleteSession(ctx, rec.ID); err != nil {
		return nil, err
	}
	return rec, nil
}

// dropRecord deletes a record if it is there.
func (s *Service) dropRecord(ctx context.Context, kind, raw string) error {
	if raw == "" {
		return nil
	}
	err := s.Store.DeleteSession(ctx, recordID(kind, raw))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("delete %s record: %w", kind, err)
	}
	return nil
}
