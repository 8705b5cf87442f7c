package users

import (
	"context"
	"fmt"
	"strings"

	"github.com/cognate-idp/cognate/internal/messaging"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Default invitation texts, used when the pool's InviteMessageTemplate leaves
// them out.
const (
	defaultInviteSubject = "Your temporary password"
	defaultInviteMessage = "Your username is {username} and temporary password is {####}."
)

// invite queues the invitation of a new user, with the temporary password,
// on each medium asked for (SMS when none is, as Cognito defaults) for
// which the user has a destination; when the default medium has none, email
// is used.
func (s *Service) invite(ctx context.Context, tx store.Store, p *userpool.Pool, u *store.User, mediums []string, temp string, metadata map[string]string) error {
	explicit := len(mediums) > 0
	if !explicit {
		mediums = []string{model.DeliveryMediumTypeSms}
	}
	var tmpl model.MessageTemplateType
	if c := p.Settings.AdminCreateUserConfig; c != nil && c.InviteMessageTemplate != nil {
		tmpl = *c.InviteMessageTemplate
	}
	if tmpl.EmailMessage == "" {
		tmpl.EmailMessage = defaultInviteMessage
	}
	if tmpl.SMSMessage == "" {
		tmpl.SMSMessage = defaultInviteMessage
	}
	if tmpl.EmailSubject == "" {
		tmpl.EmailSubject = defaultInviteSubject
	}
	msg := &triggers.Message{Invitation: true, Subject: tmpl.EmailSubject, EmailMessage: tmpl.EmailMessage, SMSMessage: tmpl.SMSMessage}
	ev := &triggers.Event{PoolID: p.ID, Username: u.Username, Attributes: u.Attributes, ClientMetadata: metadata,
		Source: "CustomMessage_AdminCreateUser", Config: p.Settings.LambdaConfig, Status: u.Status}
	if err := s.Auth.Triggers().CustomMessage(ctx, ev, msg); err != nil {
		return err
	}
	fill := strings.NewReplacer("{username}", u.Username, "{####}", temp).Replace
	sent := false
	for _, m := range mediums {
		var dest string
		body := messaging.Body{}
		switch m {
		case model.DeliveryMediumTypeEmail:
			dest = u.Attributes["email"]
			body.Subject = msg.Subject
			body.Text = fill(msg.EmailMessage)
		case model.DeliveryMediumTypeSms:
			dest = u.Attributes["phone_number"]
			body.Text = fill(msg.SMSMessage)
		}
		if dest == "" {
			continue
		}
		if err := s.queue(ctx, tx, p, u, m, dest, body); err != nil {
			return err
		}
		sent = true
	}
	if !sent && !explicit && u.Attributes["email"] != "" {
		return s.invite(ctx, tx, p, u, []string{model.DeliveryMediumTypeEmail}, temp, metadata)
	}
	return nil
}

func (s *Service) queue(ctx context.Context, tx store.Store, p *userpool.Pool, u *store.User, medium, dest string, body messaging.Body) error {
	id, err := s.IDs.UUID()
	if err != nil {
		return err
	}
	sealed, err := messaging.Seal(s.Keys, id, body)
	if err != nil {
		return err
	}
	m := &store.Message{ID: id, PoolID: p.ID, Username: u.Username, Kind: messaging.KindInvitation, Medium: medium, Destination: dest, Body: sealed, CreatedAt: s.Now()}
	if err := tx.EnqueueMessage(ctx, m); err != nil {
		return fmt.Errorf("queue invitation: %w", err)
	}
	return nil
}
