// Package events implements a user's authentication event history, which
// pools with threat protection keep: AdminListUserAuthEvents,
// AdminUpdateAuthEventFeedback and UpdateAuthEventFeedback. The sign-in
// operations record the events (internal/authn keeps them).
package events

import (
	"context"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
)

// Service serves the auth event operations.
type Service struct {
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpAdminListUserAuthEvents, s.AdminListUserAuthEvents)
	awsjson.Handle(m, model.OpAdminUpdateAuthEventFeedback, s.AdminUpdateAuthEventFeedback)
	awsjson.Handle(m, model.OpUpdateAuthEventFeedback, s.UpdateAuthEventFeedback)
}

// MaxResults is the largest (and default) page of AdminListUserAuthEvents.
const MaxResults = 60

// user loads a pool that keeps event histories and one of its users.
func (s *Service) user(ctx context.Context, poolID, name string) (*store.User, error) {
	p, err := s.Pools.Load(ctx, s.Store, poolID)
	if err != nil {
		return nil, err
	}
	if !authn.EventsRecorded(p) {
		return nil, authn.ErrEventsNotEnabled()
	}
	return p.FindUser(ctx, s.Store, name)
}

// AdminListUserAuthEvents lists a user's authentication events, newest
// first.
func (s *Service) AdminListUserAuthEvents(ctx context.Context, in *model.AdminListUserAuthEventsRequest) (*model.AdminListUserAuthEventsResponse, error) {
	u, err := s.user(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	list, next, err := s.Store.ListAuthEvents(ctx, u.PoolID, u.Sub, ops.Page(in.NextToken, in.MaxResults, MaxResults))
	if err != nil {
		return nil, ops.ListError(err, ops.InvalidNextToken, "list auth events")
	}
	out := &model.AdminListUserAuthEventsResponse{AuthEvents: []model.AuthEventType{}, NextToken: next}
	for i := range list {
		d, err := authn.ReadEvent(&list[i])
		if err != nil {
			return nil, err
		}
		out.AuthEvents = append(out.AuthEvents, authn.WireEvent(&list[i], d))
	}
	return out, nil
}

// feedback records feedback on one of the user's events.
func (s *Service) feedback(ctx context.Context, u *store.User, id, value, provider string, check func(d *authn.EventData) error) error {
	now := s.Now()
	return s.Auth.EditEvent(ctx, u, id, func(d *authn.EventData) error {
		if check != nil {
			if err := check(d); err != nil {
				return err
			}
		}
		d.Feedback = &authn.EventFeedback{Value: value, Provider: provider, Date: now}
		return nil
	})
}

// AdminUpdateAuthEventFeedback records an administrator's feedback (Valid
// or Invalid) on one of a user's events.
func (s *Service) AdminUpdateAuthEventFeedback(ctx context.Context, in *model.AdminUpdateAuthEventFeedbackRequest) (*model.AdminUpdateAuthEventFeedbackResponse, error) {
	u, err := s.user(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	if err := s.feedback(ctx, u, in.EventId, in.FeedbackValue, "Admin", nil); err != nil {
		return nil, err
	}
	return &model.AdminUpdateAuthEventFeedbackResponse{}, nil
}

// UpdateAuthEventFeedback records a user's feedback on one of their
// events, authorized by the event's feedback token.
func (s *Service) UpdateAuthEventFeedback(ctx context.Context, in *model.UpdateAuthEventFeedbackRequest) (*model.UpdateAuthEventFeedbackResponse, error) {
	u, err := s.user(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	check := func(d *authn.EventData) error {
		if !d.TokenMatches(in.FeedbackToken) {
			return &model.NotAuthorizedException{Message: "Invalid feedback token for the auth event."}
		}
		return nil
	}
	if err := s.feedback(ctx, u, in.EventId, in.FeedbackValue, "User", check); err != nil {
		return nil, err
	}
	return &model.UpdateAuthEventFeedbackResponse{}, nil
}
