package users

import (
	"github.com/cognate-idp/cognate/internal/authn"
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

// invite returns the invitation of a new user, with the temporary
// password, on each medium asked for (SMS when none is, as Cognito
// defaults) for which the user has a destination; when the default medium
// has none, email is used. Deliver it once the user is stored.
func (s *Service) invite(p *userpool.Pool, u *store.User, mediums []string, temp string, metadata map[string]string) *authn.Outgoing {
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
	out := &authn.Outgoing{
		Pool: p, User: u, Kind: messaging.KindInvitation, Source: "CustomMessage_AdminCreateUser", Metadata: metadata,
		Message: triggers.Message{Code: temp, Invitation: true, Subject: tmpl.EmailSubject, EmailMessage: tmpl.EmailMessage, SMSMessage: tmpl.SMSMessage},
	}
	for _, m := range mediums {
		attr := "email"
		if m == model.DeliveryMediumTypeSms {
			attr = "phone_number"
		}
		if dest := u.Attributes[attr]; dest != "" {
			out.To = append(out.To, authn.Delivery{Attribute: attr, Destination: dest})
		}
	}
	if len(out.To) == 0 && !explicit && u.Attributes["email"] != "" {
		out.To = []authn.Delivery{{Attribute: "email", Destination: u.Attributes["email"]}}
	}
	return out
}
