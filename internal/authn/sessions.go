package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
)

// SessionData is the state an authentication session carries from one
// step of a sign-in to the next. It is sealed at rest.
type SessionData struct {
	// Challenge is the challenge the session answers (PASSWORD_VERIFIER,
	// NEW_PASSWORD_REQUIRED, ...).
	Challenge string `json:"challenge"`
	// Username is the user's internal username.
	Username string `json:"username"`
	// SRPA is the client's SRP_A and SRPb the server's secret ephemeral
	// value, for PASSWORD_VERIFIER.
	SRPA string `json:"srpA,omitzero"`
	SRPb []byte `json:"srpB,omitzero"`
	// SecretBlock is the SECRET_BLOCK sent with the PASSWORD_VERIFIER
	// challenge, which the client must send back.
	SecretBlock []byte `json:"secretBlock,omitzero"`
	// SRPB is the SRP_B the challenge sent, so that the answer need not
	// compute it again.
	SRPB string `json:"srpPublicB,omitzero"`
	// AuthTime is when the user proved their password, for a challenge
	// that follows it.
	AuthTime time.Time `json:"authTime,omitzero"`
	// TokenSource is the token generation trigger source of the tokens a
	// second factor will issue.
	TokenSource string `json:"tokenSource,omitzero"`
	// MFAOptions are the factors a SELECT_MFA_TYPE or MFA_SETUP challenge
	// offered.
	MFAOptions []string `json:"mfaOptions,omitzero"`
	// MFASetUp is set once VerifySoftwareToken has verified a software
	// token with an MFA_SETUP session.
	MFASetUp bool `json:"mfaSetUp,omitzero"`
	// DeviceKey is the remembered device a DEVICE_SRP_AUTH or
	// DEVICE_PASSWORD_VERIFIER challenge authenticates.
	DeviceKey string `json:"deviceKey,omitzero"`
	// Custom is the custom authentication (CUSTOM_AUTH) the session is
	// part of; nil outside one.
	Custom *CustomAuth `json:"custom,omitzero"`
	// FirstFactor marks a challenge of a USER_AUTH first factor
	// (SELECT_CHALLENGE, EMAIL_OTP, SMS_OTP, WEB_AUTHN), which the
	// EMAIL_OTP of a second factor shares its name with.
	FirstFactor bool `json:"firstFactor,omitzero"`
	// WebAuthn is the pending assertion of a WEB_AUTHN challenge
	// (internal/passkey's Assertion).
	WebAuthn json.RawMessage `json:"webAuthn,omitzero"`
}

// CustomAuth is the state of a custom authentication: the challenges so
// far with their results, and the private parameters and metadata of the
// CUSTOM_CHALLENGE being answered.
type CustomAuth struct {
	History  []triggers.Challenge `json:"history"`
	Private  map[string]string    `json:"private,omitzero"`
	Metadata string               `json:"metadata,omitzero"`
}

// SessionSize is the length of a session, in alphanumerics.
const SessionSize = 88

func sessionAAD(id string) []byte { return []byte("session|" + id) }

// ErrInvalidSession is Cognito's error for a session that does not exist,
// was used, or belongs to another user or client.
func ErrInvalidSession() error {
	return &model.NotAuthorizedException{Message: "Invalid session for the user."}
}

// ErrSessionExpired is Cognito's error for an expired session.
func ErrSessionExpired() error {
	return &model.NotAuthorizedException{Message: "Invalid session for the user, session is expired."}
}

// NewSession stores a session for user u at client c and returns the
// opaque value the client sends back. It expires after the client's
// AuthSessionValidity.
func (s *Service) NewSession(ctx context.Context, c *appclient.Client, u *store.User, d *SessionData) (string, error) {
	raw, err := s.IDs.Token(SessionSize)
	if err != nil {
		return "", err
	}
	return s.NewSessionAs(ctx, c, u, d, raw)
}

// NewSessionAs stores a session as NewSession does, under the value raw
// that the caller drew: raw must be unguessable.
func (s *Service) NewSessionAs(ctx context.Context, c *appclient.Client, u *store.User, d *SessionData, raw string) (string, error) {
	id := tokenID(raw)
	plain, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode session: %w", err)
	}
	sealed, err := s.Keys.Seal(plain, sessionAAD(id))
	if err != nil {
		return "", fmt.Errorf("seal session: %w", err)
	}
	now := s.Now()
	rec := &store.Session{ID: id, PoolID: u.PoolID, ClientID: c.ID(), Sub: u.Sub, Data: sealed, CreatedAt: now, ExpiresAt: now.Add(c.SessionValidity())}
	if err := s.Store.CreateSession(ctx, rec); err != nil {
		return "", fmt.Errorf("store session: %w", err)
	}
	return raw, nil
}

// Session is an open session: its record and its data.
type Session struct {
	Rec  *store.Session
	Data *SessionData
}

// OpenSession returns the session a client sent back, checking that it is
// the client's, unexpired and for a user of the client's pool. It does not
// consume it: call Consume once the step it allows has succeeded.
func (s *Service) OpenSession(ctx context.Context, c *appclient.Client, raw string) (*Session, error) {
	if raw == "" {
		return nil, &model.InvalidParameterException{Message: "Missing required parameter Session"}
	}
	id := tokenID(raw)
	rec, err := s.Store.GetSession(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidSession()
	}
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	if rec.ClientID != c.ID() || rec.PoolID != c.Pool.ID {
		return nil, ErrInvalidSession()
	}
	return s.openRecord(rec)
}

// OpenSessionByValue returns a session by its value alone, for the
// operations that take a Session without an app client
// (AssociateSoftwareToken, VerifySoftwareToken): the record names the
// client and the pool. It does not consume the session.
func (s *Service) OpenSessionByValue(ctx context.Context, raw string) (*Session, error) {
	if raw == "" {
		return nil, ErrInvalidSession()
	}
	rec, err := s.Store.GetSession(ctx, tokenID(raw))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidSession()
	}
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	return s.openRecord(rec)
}

// openRecord checks that a session has not expired and opens its data.
func (s *Service) openRecord(rec *store.Session) (*Session, error) {
	id := rec.ID
	if !s.Now().Before(rec.ExpiresAt) {
		return nil, ErrSessionExpired()
	}
	plain, err := s.Keys.Open(rec.Data, sessionAAD(id))
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	d := &SessionData{}
	if err := json.Unmarshal(plain, d); err != nil {
		return nil, fmt.Errorf("decode session: %w", err)
	}
	return &Session{Rec: rec, Data: d}, nil
}

// Consume ends a session so that it cannot be replayed. Of two requests
// racing to use one session, only one consumes it; the other gets
// ErrInvalidSession.
func (s *Service) Consume(ctx context.Context, sess *Session) error {
	err := s.Store.DeleteSession(ctx, sess.Rec.ID)
	if errors.Is(err, store.ErrNotFound) {
		return ErrInvalidSession()
	}
	if err != nil {
		return fmt.Errorf("consume session: %w", err)
	}
	return nil
}
