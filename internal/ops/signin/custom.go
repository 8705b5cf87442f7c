package signin

import (
	"context"
	"errors"
	"maps"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
)

// Trigger sources of the custom authentication triggers.
const (
	sourceDefine = "DefineAuthChallenge_Authentication"
	sourceCreate = "CreateAuthChallenge_Authentication"
	sourceVerify = "VerifyAuthChallengeResponse_Authentication"
)

// challengeSRPA is the session entry of the SRP_A that starts the SRP
// variant of a custom authentication.
const challengeSRPA = "SRP_A"

// startCustom runs CUSTOM_AUTH: the define auth challenge trigger decides
// each step, from the first (with an SRP_A, the SRP variant: the trigger
// sees SRP_A and may ask for PASSWORD_VERIFIER first).
func (s *Service) startCustom(ctx context.Context, r *request) (*outcome, error) {
	c := r.client
	if lc := c.Pool.Settings.LambdaConfig; lc == nil || lc.DefineAuthChallenge == "" {
		return nil, invalid("Custom auth lambda trigger is not configured for the user pool.")
	}
	name, err := param(r.params, "USERNAME")
	if err != nil {
		return nil, err
	}
	if err := c.CheckSecretHash(s.Keys, name, r.params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	u, err := c.Pool.FindUser(ctx, s.Store, name)
	var nf *model.UserNotFoundException
	if errors.As(err, &nf) && c.PreventsUserExistenceErrors() {
		return s.startPhantom(ctx, r, name)
	}
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Triggers().PreAuthentication(ctx, event(r, u, "PreAuthentication_Authentication")); err != nil {
		return nil, err
	}
	ca := &authn.CustomAuth{History: []triggers.Challenge{}}
	if r.params["SRP_A"] != "" {
		ca.History = append(ca.History, triggers.Challenge{Name: challengeSRPA, Result: true})
	}
	if !u.Enabled {
		return nil, authn.ErrUserDisabled()
	}
	return s.nextCustom(ctx, r, u, ca)
}

// nextCustom asks the define auth challenge trigger for the next step and
// takes it: tokens, failure, or a challenge.
func (s *Service) nextCustom(ctx context.Context, r *request, u *store.User, ca *authn.CustomAuth) (*outcome, error) {
	h := s.Auth.Triggers()
	d, err := h.DefineAuthChallenge(ctx, event(r, u, sourceDefine), ca.History)
	if err != nil {
		return nil, err
	}
	last := ""
	if n := len(ca.History); n > 0 {
		last = ca.History[n-1].Name
	}
	switch {
	case d.FailAuthentication, d.IssueTokens && r.userNotFound:
		// No tokens for a user who does not exist, whatever the function
		// decides.
		return nil, authn.ErrIncorrectPassword()
	case d.IssueTokens:
		return s.finish(ctx, r, u, "PostAuthentication_Authentication", "TokenGeneration_Authentication")
	case d.ChallengeName == model.ChallengeNameTypePasswordVerifier && last == challengeSRPA:
		r.custom = ca
		return s.startSRP(ctx, r)
	case d.ChallengeName != model.ChallengeNameTypeCustomChallenge:
		return nil, &model.InvalidLambdaResponseException{Message: "Unrecognizable lambda output"}
	}
	public, private, metadata, err := h.CreateAuthChallenge(ctx, event(r, u, sourceCreate), d.ChallengeName, ca.History)
	if err != nil {
		return nil, err
	}
	ca.Private, ca.Metadata = private, metadata
	var session string
	if r.userNotFound {
		session, err = s.phantomChallenge(r, u, ca)
	} else {
		session, err = s.Auth.NewSession(ctx, r.client, u, &authn.SessionData{Challenge: model.ChallengeNameTypeCustomChallenge, Username: u.Username, Custom: ca})
	}
	if err != nil {
		return nil, err
	}
	params := maps.Clone(public)
	if params == nil {
		params = map[string]string{}
	}
	params["USERNAME"] = u.Username
	return &outcome{challenge: model.ChallengeNameTypeCustomChallenge, session: session, params: params}, nil
}

// answerCustom checks the answer to a CUSTOM_CHALLENGE with the verify
// auth challenge response trigger and goes on with the define trigger.
func (s *Service) answerCustom(ctx context.Context, r *request, u *store.User, sess *authn.Session) (*outcome, error) {
	ca := sess.Data.Custom
	if ca == nil {
		return nil, authn.ErrInvalidSession()
	}
	answer, err := param(r.params, "ANSWER")
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Consume(ctx, sess); err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, authn.ErrUserDisabled()
	}
	ok, err := s.Auth.Triggers().VerifyAuthChallenge(ctx, event(r, u, sourceVerify), ca.Private, answer)
	if err != nil {
		return nil, err
	}
	ca.History = append(ca.History, triggers.Challenge{Name: model.ChallengeNameTypeCustomChallenge, Result: ok, Metadata: ca.Metadata})
	ca.Private, ca.Metadata = nil, ""
	return s.nextCustom(ctx, r, u, ca)
}

// afterCustomPassword goes on with a custom authentication once the SRP
// variant's PASSWORD_VERIFIER was answered right.
func (s *Service) afterCustomPassword(ctx context.Context, r *request, u *store.User, ca *authn.CustomAuth) (*outcome, error) {
	switch u.Status {
	case model.UserStatusTypeUnconfirmed:
		return nil, &model.UserNotConfirmedException{Message: "User is not confirmed."}
	case model.UserStatusTypeResetRequired:
		return nil, &model.PasswordResetRequiredException{Message: "Password reset required for the user"}
	}
	ca.History = append(ca.History, triggers.Challenge{Name: model.ChallengeNameTypePasswordVerifier, Result: true})
	return s.nextCustom(ctx, r, u, ca)
}
