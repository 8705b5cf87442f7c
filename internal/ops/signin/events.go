package signin

import (
	"context"
	"errors"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// userIP returns the IP address of a public operation's UserContextData.
func userIP(d *model.UserContextDataType) string {
	if d == nil {
		return ""
	}
	return d.IpAddress
}

// contextIP returns the IP address of an admin operation's ContextData.
func contextIP(d *model.ContextDataType) string {
	if d == nil {
		return ""
	}
	return d.IpAddress
}

// stepOf classifies a sign-in step for the event history: whether it starts
// a sign-in event (a password check), and the challenge it answers
// (Password, Mfa, or "" for a step that only carries the sign-in on). ok is
// false for steps that are not recorded (an SRP start, a refresh, a
// passwordless first factor).
func stepOf(r *request) (name string, first, ok bool) {
	if r.firstFactor {
		// Of the USER_AUTH first factors, only a password (answered to
		// SELECT_CHALLENGE or PASSWORD) is recorded; the event history has no step for
		// one-time codes and passkeys.
		return model.ChallengeNamePassword, true, r.flow == model.ChallengeNameTypePassword ||
			r.flow == model.ChallengeNameTypeSelectChallenge && r.params["ANSWER"] == factorPassword
	}
	switch r.flow {
	case model.AuthFlowTypeUserPasswordAuth, model.AuthFlowTypeAdminUserPasswordAuth, model.AuthFlowTypeAdminNoSrpAuth,
		model.ChallengeNameTypePasswordVerifier:
		return model.ChallengeNamePassword, true, true
	case model.AuthFlowTypeUserAuth:
		return model.ChallengeNamePassword, true, r.params["PASSWORD"] != ""
	case model.ChallengeNameTypeSmsMfa, model.ChallengeNameTypeEmailOtp, model.ChallengeNameTypeSoftwareTokenMfa:
		return model.ChallengeNameMfa, false, true
	case model.ChallengeNameTypeSelectMfaType, model.ChallengeNameTypeMfaSetup, model.ChallengeNameTypeNewPasswordRequired,
		model.ChallengeNameTypeDeviceSrpAuth, model.ChallengeNameTypeDevicePasswordVerifier:
		return "", false, true
	}
	return "", false, false
}

// failed reports whether err is the failure of a step's check (a wrong
// password or code, a lockout, a disabled user), which the event history
// records, rather than a malformed request, which it does not.
func failed(err error, first bool) bool {
	var na *model.NotAuthorizedException
	var mismatch *model.CodeMismatchException
	var expired *model.ExpiredCodeException
	switch {
	case errors.As(err, &mismatch), errors.As(err, &expired):
		return true
	case errors.As(err, &na):
		return first || na.Message == authn.ErrIncorrectPassword().(*model.NotAuthorizedException).Message
	}
	return false
}

// recordStep records a sign-in step in the user's event history, in a pool
// that keeps one: a password check starts a SignIn event, and the steps
// after it (second factors, new password, device proof) complete it. The
// event is InProgress while a challenge is pending, then Pass or Fail. A
// failure to record is logged; it never fails the sign-in.
func (s *Service) recordStep(ctx context.Context, r *request, o *outcome, err error) {
	p := r.client.Pool
	if !authn.EventsRecorded(p) {
		return
	}
	name, first, ok := stepOf(r)
	if !ok || (err != nil && !failed(err, first)) {
		return
	}
	u, ferr := p.FindUser(ctx, s.Store, r.params["USERNAME"])
	if ferr != nil {
		return // an unknown user has no history
	}
	response := model.EventResponseTypeFail
	switch {
	case err != nil:
	case o.tokens != nil || o.user != nil:
		response = model.EventResponseTypePass
	case o.challenge != "":
		response = model.EventResponseTypeInprogress
	}
	result := model.ChallengeResponseSuccess
	if err != nil {
		result = model.ChallengeResponseFailure
	}
	if first {
		d := &authn.EventData{Type: model.EventTypeSignin, Response: response, IP: r.ip,
			Challenges: []authn.EventChallenge{{Name: name, Result: result}}}
		if _, err := s.Auth.RecordEvent(ctx, p, u, d); err != nil {
			s.Logger().Warn("record sign-in event", "pool", p.ID, "err", err)
		}
		return
	}
	if err := s.continueEvent(ctx, u, name, result, response); err != nil {
		s.Logger().Warn("update sign-in event", "pool", p.ID, "err", err)
	}
}

// continueEvent adds a step to the user's sign-in event in progress, if
// the newest event is one.
func (s *Service) continueEvent(ctx context.Context, u *store.User, name, result, response string) error {
	latest, _, err := s.Store.ListAuthEvents(ctx, u.PoolID, u.Sub, store.Page{Limit: 1})
	if err != nil || len(latest) == 0 {
		return err
	}
	return s.Auth.EditEvent(ctx, u, latest[0].ID, func(d *authn.EventData) error {
		if d.Type != model.EventTypeSignin || !(d.Response == model.EventResponseTypeInprogress || retried(d, name)) {
			return nil
		}
		if name != "" {
			d.Challenges = append(d.Challenges, authn.EventChallenge{Name: name, Result: result})
		}
		d.Response = response
		return nil
	})
}

// retried reports whether a step answers again the challenge whose wrong
// answer failed the event (the session allows another try).
func retried(d *authn.EventData, name string) bool {
	n := len(d.Challenges)
	return d.Response == model.EventResponseTypeFail && name != "" && n > 0 &&
		d.Challenges[n-1] == authn.EventChallenge{Name: name, Result: model.ChallengeResponseFailure}
}
