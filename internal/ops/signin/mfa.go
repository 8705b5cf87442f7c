package signin

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// usableFactor reports whether the user can receive or produce codes of an
// MFA factor: a phone number for SMS, an email address for email, a
// verified software token for TOTP.
func usableFactor(f string, u *store.User, st *authn.State) bool {
	switch f {
	case userpool.FactorSMS:
		return u.Attributes["phone_number"] != ""
	case userpool.FactorEmail:
		return u.Attributes["email"] != ""
	case userpool.FactorSoftwareToken:
		return st.HasTOTP()
	}
	return false
}

// challengeMFA returns the second factor challenge a sign-in whose first
// factor is in calls for, or nil when it needs none: with the pool's
// MfaConfiguration OFF, or OPTIONAL and the user has no factor on. The
// user's preferred factor is asked for when it is on, the only one when
// there is one, else the user chooses (SELECT_MFA_TYPE); a user who must
// use MFA and has no factor sets one up (MFA_SETUP), except that a user
// with a phone number gets SMS codes when the pool offers them.
func (s *Service) challengeMFA(ctx context.Context, r *request, u *store.User, tokenSource string) (*outcome, error) {
	p := r.client.Pool
	mode := p.Settings.MfaConfiguration
	if mode != model.UserPoolMfaTypeOn && mode != model.UserPoolMfaTypeOptional {
		return nil, nil
	}
	st, err := authn.ReadState(u)
	if err != nil {
		return nil, err
	}
	m, err := userpool.LoadMFA(ctx, s.Store, p)
	if err != nil {
		return nil, err
	}
	factors := m.Factors(&p.Settings)
	var enabled []string
	for _, f := range factors {
		if slices.Contains(st.MFA, f) && usableFactor(f, u, st) {
			enabled = append(enabled, f)
		}
	}
	if len(enabled) == 0 {
		if mode == model.UserPoolMfaTypeOptional {
			return nil, nil
		}
		if slices.Contains(factors, userpool.FactorSMS) && usableFactor(userpool.FactorSMS, u, st) {
			enabled = []string{userpool.FactorSMS}
		}
	}
	data := &authn.SessionData{Username: u.Username, AuthTime: s.Now(), TokenSource: tokenSource}
	switch {
	case len(enabled) == 0:
		return s.offerMFA(ctx, r, u, model.ChallengeNameTypeMfaSetup, "MFAS_CAN_SETUP", factors, data)
	case slices.Contains(enabled, st.PreferredMFA):
		return s.mfaChallenge(ctx, r, u, m, st.PreferredMFA, data)
	case len(enabled) == 1:
		return s.mfaChallenge(ctx, r, u, m, enabled[0], data)
	}
	return s.offerMFA(ctx, r, u, model.ChallengeNameTypeSelectMfaType, "MFAS_CAN_CHOOSE", enabled, data)
}

// offerMFA answers with a challenge that lists factors under param:
// SELECT_MFA_TYPE (MFAS_CAN_CHOOSE) or MFA_SETUP (MFAS_CAN_SETUP).
func (s *Service) offerMFA(ctx context.Context, r *request, u *store.User, challenge, param string, factors []string, data *authn.SessionData) (*outcome, error) {
	list, err := json.Marshal(factors)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", param, err)
	}
	data.Challenge, data.MFAOptions = challenge, factors
	session, err := s.Auth.NewSession(ctx, r.client, u, data)
	if err != nil {
		return nil, err
	}
	return &outcome{challenge: challenge, session: session, params: map[string]string{param: string(list), "USER_ID_FOR_SRP": u.Username}}, nil
}

// mfaChallenge asks for a code of factor: it sends an SMS or email code,
// or asks for the authenticator app's.
func (s *Service) mfaChallenge(ctx context.Context, r *request, u *store.User, m *userpool.MFA, factor string, data *authn.SessionData) (*outcome, error) {
	params := map[string]string{}
	if factor != userpool.FactorSoftwareToken {
		d := authn.Delivery{Attribute: "email", Destination: u.Attributes["email"]}
		if factor == userpool.FactorSMS {
			d = authn.Delivery{Attribute: "phone_number", Destination: u.Attributes["phone_number"]}
		}
		if err := s.Auth.SendMFACode(ctx, r.client.Pool, r.client.ID(), m, u, d, r.metadata); err != nil {
			return nil, err
		}
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = d.Medium()
		params["CODE_DELIVERY_DESTINATION"] = authn.MaskDestination(d.Destination)
	}
	data.Challenge, data.MFAOptions = factor, nil
	session, err := s.Auth.NewSession(ctx, r.client, u, data)
	if err != nil {
		return nil, err
	}
	return &outcome{challenge: factor, session: session, params: params}, nil
}

// respondMFA runs the answer to a second factor challenge.
func (s *Service) respondMFA(ctx context.Context, r *request, u *store.User, sess *authn.Session) (*outcome, error) {
	if !u.Enabled {
		return nil, authn.ErrUserDisabled()
	}
	if err := s.Auth.CheckLockout(u); err != nil {
		return nil, err
	}
	source := sess.Data.TokenSource
	if source == "" {
		source = "TokenGeneration_Authentication"
	}
	switch r.flow {
	case model.ChallengeNameTypeSelectMfaType:
		answer, err := param(r.params, "ANSWER")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(sess.Data.MFAOptions, answer) {
			return nil, invalid("Invalid ANSWER: %s is not one of the MFA types the challenge offered", answer)
		}
		if err := s.Auth.Consume(ctx, sess); err != nil {
			return nil, err
		}
		m, err := userpool.LoadMFA(ctx, s.Store, r.client.Pool)
		if err != nil {
			return nil, err
		}
		next := &authn.SessionData{Username: u.Username, AuthTime: sess.Data.AuthTime, TokenSource: source}
		return s.mfaChallenge(ctx, r, u, m, answer, next)
	case model.ChallengeNameTypeMfaSetup:
		if email := r.params["EMAIL"]; email != "" && !sess.Data.MFASetUp {
			return s.setUpEmailMFA(ctx, r, u, sess, email, source)
		}
		if !sess.Data.MFASetUp {
			return nil, invalid("MFA setup is not complete: verify a software token with AssociateSoftwareToken and VerifySoftwareToken and this session first")
		}
	case model.ChallengeNameTypeSoftwareTokenMfa:
		code, err := param(r.params, "SOFTWARE_TOKEN_MFA_CODE")
		if err != nil {
			return nil, err
		}
		updated, ok, err := s.Auth.CheckTOTP(ctx, u, code, false, "")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, authn.ErrMFACodeMismatch()
		}
		u = updated
	default:
		name := "SMS_MFA_CODE"
		if r.flow == model.ChallengeNameTypeEmailOtp {
			name = "EMAIL_OTP_CODE"
		}
		code, err := param(r.params, name)
		if err != nil {
			return nil, err
		}
		if u, err = s.Auth.CheckMFACode(ctx, u, code); err != nil {
			return nil, err
		}
		if sess.Data.SetUpFactor != "" {
			if u, err = s.Auth.EnableMFA(ctx, u, sess.Data.SetUpFactor); err != nil {
				return nil, err
			}
		}
	}
	if err := s.Auth.Consume(ctx, sess); err != nil {
		return nil, err
	}
	return s.issue(ctx, r, u, "PostAuthentication_Authentication", source)
}

// setUpEmailMFA answers an MFA_SETUP challenge that sets up email MFA, as
// Amplify sends it (the address as EMAIL): a code goes to the address and
// the EMAIL_OTP challenge asks for it; the right code turns email MFA on
// for the user. Cognate does not change the user's address during a
// sign-in: EMAIL must be the user's email attribute.
func (s *Service) setUpEmailMFA(ctx context.Context, r *request, u *store.User, sess *authn.Session, email, source string) (*outcome, error) {
	if !slices.Contains(sess.Data.MFAOptions, userpool.FactorEmail) {
		return nil, invalid("Email MFA is not one of the MFA types this user pool lets the user set up")
	}
	if have := u.Attributes["email"]; have == "" || !strings.EqualFold(have, email) {
		return nil, invalid("EMAIL must be the user's email address: set the email attribute first, then sign in again")
	}
	if err := s.Auth.Consume(ctx, sess); err != nil {
		return nil, err
	}
	m, err := userpool.LoadMFA(ctx, s.Store, r.client.Pool)
	if err != nil {
		return nil, err
	}
	next := &authn.SessionData{Username: u.Username, AuthTime: sess.Data.AuthTime, TokenSource: source, SetUpFactor: userpool.FactorEmail}
	return s.mfaChallenge(ctx, r, u, m, userpool.FactorEmail, next)
}
