package authn

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// MaxAuthEvents is how many authentication events are kept per user: a new
// one past it drops the oldest.
const MaxAuthEvents = 100

// EventData is the stored part of an authentication event besides its ID,
// user and time.
type EventData struct {
	Type       string           `json:"type"`
	Response   string           `json:"response"`
	Challenges []EventChallenge `json:"challenges,omitzero"`
	IP         string           `json:"ip,omitzero"`
	Feedback   *EventFeedback   `json:"feedback,omitzero"`
	TokenHash  []byte           `json:"tokenHash,omitzero"`
}

// EventChallenge is one step of an event and its result (model
// ChallengeName and ChallengeResponse values).
type EventChallenge struct {
	Name   string `json:"name"`
	Result string `json:"result"`
}

// EventFeedback is the feedback given on an event.
type EventFeedback struct {
	Value    string    `json:"value"`
	Provider string    `json:"provider"`
	Date     time.Time `json:"date"`
}

// EventsRecorded reports whether a pool records authentication events: it
// does with threat protection on (AUDIT or ENFORCED), as Cognito does.
func EventsRecorded(p *userpool.Pool) bool { return userpool.ThreatProtection(&p.Settings) }

// ErrEventsNotEnabled is Cognito's error for the event history operations
// in a pool without threat protection.
func ErrEventsNotEnabled() error {
	return &model.UserPoolAddOnNotEnabledException{Message: "Threat protection (UserPoolAddOns AdvancedSecurityMode AUDIT or ENFORCED) is not enabled for the user pool."}
}

// RecordEvent stores a new event of the user with data, in a pool that
// records events (else it does nothing), and returns its ID. Each event
// gets a feedback token, kept hashed.
func (s *Service) RecordEvent(ctx context.Context, p *userpool.Pool, u *store.User, d *EventData) (string, error) {
	if !EventsRecorded(p) {
		return "", nil
	}
	id, err := s.IDs.UUID()
	if err != nil {
		return "", err
	}
	token, err := s.IDs.Token(32)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(token))
	d.TokenHash = h[:]
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode auth event: %w", err)
	}
	err = s.Store.AddAuthEvent(ctx, &store.AuthEvent{PoolID: u.PoolID, Sub: u.Sub, ID: id, CreatedAt: s.Now(), Data: b}, MaxAuthEvents)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil // the user went meanwhile: nothing to record
	}
	if err != nil {
		return "", fmt.Errorf("record auth event: %w", err)
	}
	return id, nil
}

// EditEvent is the read-modify-write of one of the user's events;
// ResourceNotFoundException when the user has no such event.
func (s *Service) EditEvent(ctx context.Context, u *store.User, id string, fn func(d *EventData) error) error {
	_, err := s.Store.UpdateAuthEvent(ctx, u.PoolID, u.Sub, id, func(e *store.AuthEvent) error {
		d, err := ReadEvent(e)
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("encode auth event: %w", err)
		}
		e.Data = b
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return &model.ResourceNotFoundException{Message: "Auth event not found for the user."}
	}
	return err
}

// ReadEvent decodes an event's data.
func ReadEvent(e *store.AuthEvent) (*EventData, error) {
	d := &EventData{}
	if err := json.Unmarshal(e.Data, d); err != nil {
		return nil, fmt.Errorf("decode auth event %s: %w", e.ID, err)
	}
	return d, nil
}

// TokenMatches reports, in constant time, whether token is the event's
// feedback token.
func (d *EventData) TokenMatches(token string) bool {
	h := sha256.Sum256([]byte(token))
	return len(d.TokenHash) == len(h) && subtle.ConstantTimeCompare(d.TokenHash, h[:]) == 1
}

// WireEvent returns an event as the wire's AuthEventType.
func WireEvent(e *store.AuthEvent, d *EventData) model.AuthEventType {
	out := model.AuthEventType{
		EventId: e.ID, EventType: d.Type, EventResponse: d.Response, CreationDate: model.NewTime(e.CreatedAt),
		// Cognate assesses no risk: every event is recorded as without risk.
		EventRisk:          &model.EventRiskType{RiskDecision: model.RiskDecisionTypeNorisk, CompromisedCredentialsDetected: new(bool)},
		ChallengeResponses: []model.ChallengeResponseType{},
	}
	for _, c := range d.Challenges {
		out.ChallengeResponses = append(out.ChallengeResponses, model.ChallengeResponseType{ChallengeName: c.Name, ChallengeResponse: c.Result})
	}
	if d.IP != "" {
		out.EventContextData = &model.EventContextDataType{IpAddress: d.IP}
	}
	if f := d.Feedback; f != nil {
		out.EventFeedback = &model.EventFeedbackType{FeedbackValue: f.Value, Provider: f.Provider, FeedbackDate: model.NewTime(f.Date)}
	}
	return out
}

// RecordPass records a one-step event that succeeded (SignUp,
// ForgotPassword, ResendCode, PasswordChange) in a pool that keeps event
// histories. The operation has succeeded already: a failure to record is
// logged, not returned.
func (s *Service) RecordPass(ctx context.Context, p *userpool.Pool, u *store.User, typ string, ucd *model.UserContextDataType) {
	d := &EventData{Type: typ, Response: model.EventResponseTypePass}
	if ucd != nil {
		d.IP = ucd.IpAddress
	}
	if _, err := s.RecordEvent(ctx, p, u, d); err != nil {
		slog.Default().Warn("record auth event", "pool", p.ID, "type", typ, "err", err)
	}
}
