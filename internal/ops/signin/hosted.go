package signin

import (
	"context"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// HostedOutcome is the result of a sign-in step of the managed login
// pages: the signed-in user, or a challenge (NEW_PASSWORD_REQUIRED) with
// its session and parameters.
type HostedOutcome struct {
	User      *store.User
	Challenge string
	Session   string
	Params    map[string]string
}

func hostedOutcome(o *outcome) *HostedOutcome {
	return &HostedOutcome{User: o.user, Challenge: o.challenge, Session: o.session, Params: o.params}
}

// HostedSignIn signs a user in with a password on the managed login pages
// of client c. It runs what USER_PASSWORD_AUTH runs (pre and post
// authentication triggers, lockout, PreventUserExistenceErrors, the status
// challenges, MFA refused until it is built) but issues no tokens: the
// pages issue them with the scopes of the authorization request. The
// pages authenticate the client themselves, so no SECRET_HASH is needed,
// and the sign-in does not depend on the client's ExplicitAuthFlows.
func (s *Service) HostedSignIn(ctx context.Context, c *appclient.Client, name, password string) (*HostedOutcome, error) {
	r := &request{client: c, flow: model.AuthFlowTypeUserPasswordAuth, hosted: true}
	o, err := s.checkPassword(ctx, r, name, password)
	s.observe(r, o, err)
	if err != nil {
		return nil, err
	}
	return hostedOutcome(o), nil
}

// HostedNewPassword answers the NEW_PASSWORD_REQUIRED challenge of a
// hosted sign-in: the new password and the attributes the user had to
// give (by name, without the "userAttributes." prefix).
func (s *Service) HostedNewPassword(ctx context.Context, c *appclient.Client, session, username, password string, attrs map[string]string) (*HostedOutcome, error) {
	params := map[string]string{"USERNAME": username, "NEW_PASSWORD": password}
	for k, v := range attrs {
		params["userAttributes."+k] = v
	}
	r := &request{client: c, flow: model.ChallengeNameTypeNewPasswordRequired, params: params, hosted: true}
	o, err := s.respond(ctx, r, session)
	if err != nil {
		return nil, err
	}
	return hostedOutcome(o), nil
}

// HostedSignInConfirmed signs in, on the managed login pages of client c,
// a user who has just confirmed the sign-up they started in the same
// browser with their password: Cognito then continues the authorization
// rather than asking for the password again. Everything of a password
// sign-in but the password check runs (pre authentication trigger, the
// usability and status checks, the MFA gate, post authentication).
func (s *Service) HostedSignInConfirmed(ctx context.Context, c *appclient.Client, u *store.User) (*HostedOutcome, error) {
	r := &request{client: c, flow: model.AuthFlowTypeUserPasswordAuth, hosted: true}
	if err := s.Auth.Triggers().PreAuthentication(ctx, event(r, u, "PreAuthentication_Authentication")); err != nil {
		return nil, err
	}
	if err := s.checkUsable(u); err != nil {
		return nil, err
	}
	o, err := s.afterPassword(ctx, r, u)
	if err != nil {
		return nil, err
	}
	return hostedOutcome(o), nil
}
