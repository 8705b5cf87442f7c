package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/passkey"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// The first factors of USER_AUTH (choice-based sign-in), as the
// SELECT_CHALLENGE ANSWER, PREFERRED_CHALLENGE and AvailableChallenges name
// them.
const (
	factorPassword    = model.ChallengeNameTypePassword
	factorPasswordSRP = model.ChallengeNameTypePasswordSrp
	factorEmailOTP    = model.ChallengeNameTypeEmailOtp
	factorSMSOTP      = model.ChallengeNameTypeSmsOtp
	factorWebAuthn    = model.ChallengeNameTypeWebAuthn
)

// allowedFirstFactors returns the pool's SignInPolicy AllowedFirstAuthFactors
// (PASSWORD when it has none).
func allowedFirstFactors(p *userpool.Pool) []string {
	if pol := p.Settings.Policies; pol != nil && pol.SignInPolicy != nil && len(pol.SignInPolicy.AllowedFirstAuthFactors) > 0 {
		return pol.SignInPolicy.AllowedFirstAuthFactors
	}
	return []string{model.AuthFactorTypePassword}
}

// userAuth runs InitiateAuth and AdminInitiateAuth with USER_AUTH: the
// PREFERRED_CHALLENGE when the user can use it, else SELECT_CHALLENGE with
// the first factors the user can choose. A request that gives PASSWORD or
// SRP_A without PREFERRED_CHALLENGE prefers PASSWORD or PASSWORD_SRP.
func (s *Service) userAuth(ctx context.Context, r *request) (*outcome, error) {
	name, err := param(r.params, "USERNAME")
	if err != nil {
		return nil, err
	}
	if err := r.client.CheckSecretHash(s.Keys, name, r.params["SECRET_HASH"]); err != nil {
		return nil, err
	}
	allowed := allowedFirstFactors(r.client.Pool)
	preferred := r.params["PREFERRED_CHALLENGE"]
	switch {
	case preferred != "":
	case r.params["PASSWORD"] != "":
		preferred = factorPassword
	case r.params["SRP_A"] != "":
		preferred = factorPasswordSRP
	}
	// The password factors check the user themselves (and migrate an
	// unknown one, or answer for them as for a wrong password).
	if slices.Contains(allowed, model.AuthFactorTypePassword) {
		switch preferred {
		case factorPassword:
			if r.params["PASSWORD"] != "" {
				return s.password(ctx, r)
			}
		case factorPasswordSRP:
			if r.params["SRP_A"] != "" {
				return s.startSRP(ctx, r)
			}
		}
	}
	u, err := r.client.Pool.FindUser(ctx, s.Store, name)
	var nf *model.UserNotFoundException
	if errors.As(err, &nf) && r.client.PreventsUserExistenceErrors() {
		return s.simulatedSelect(allowed)
	}
	if err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, authn.ErrUserDisabled()
	}
	if err := s.Auth.CheckLockout(u); err != nil {
		return nil, err
	}
	available, err := s.availableFactors(ctx, r, u)
	if err != nil {
		return nil, err
	}
	if slices.Contains(available, preferred) {
		return s.startFactor(ctx, r, u, preferred)
	}
	if len(available) == 0 {
		return nil, &model.NotAuthorizedException{Message: "The user has no sign-in method that this user pool and app client allow."}
	}
	return s.selectChallenge(ctx, r, u, available)
}

// availableFactors returns the first factors user u can sign in with: those
// the pool's AllowedFirstAuthFactors allow and the user is ready for (a
// password; a verified email address or phone number for one-time codes; a
// registered passkey). One-time codes are not offered where a second
// factor would be due (MFA required, or on for the user), and passkeys in a
// pool that requires MFA only to users whose passkeys count as two factors
// (passkey MFA on, in a pool with MULTI_FACTOR_WITH_USER_VERIFICATION).
func (s *Service) availableFactors(ctx context.Context, r *request, u *store.User) ([]string, error) {
	p := r.client.Pool
	allowed := allowedFirstFactors(p)
	st, err := authn.ReadState(u)
	if err != nil {
		return nil, err
	}
	mfaOn := p.Settings.MfaConfiguration == model.UserPoolMfaTypeOn
	mfaDue := mfaOn || p.Settings.MfaConfiguration == model.UserPoolMfaTypeOptional && len(st.MFA) > 0
	var out []string
	if slices.Contains(allowed, model.AuthFactorTypePassword) && len(u.Password) > 0 && !st.PasswordDisabled {
		out = append(out, factorPassword, factorPasswordSRP)
	}
	if !mfaDue && slices.Contains(allowed, model.AuthFactorTypeEmailOtp) && u.Attributes["email"] != "" && u.Attributes["email_verified"] == "true" {
		out = append(out, factorEmailOTP)
	}
	if !mfaDue && slices.Contains(allowed, model.AuthFactorTypeSmsOtp) && u.Attributes["phone_number"] != "" && u.Attributes["phone_number_verified"] == "true" {
		out = append(out, factorSMSOTP)
	}
	if slices.Contains(allowed, model.AuthFactorTypeWebAuthn) && passkey.Enabled(p) && s.Passkeys != nil {
		n, err := s.Store.CountWebAuthnCredentials(ctx, u.PoolID, u.Sub)
		if err != nil {
			return nil, fmt.Errorf("count passkeys: %w", err)
		}
		if n > 0 && (!mfaOn || st.WebAuthnMFA && s.passkeyMFA(ctx, p)) {
			out = append(out, factorWebAuthn)
		}
	}
	return out, nil
}

// passkeyMFA reports whether the pool's passkeys may count as two factors
// (MULTI_FACTOR_WITH_USER_VERIFICATION).
func (s *Service) passkeyMFA(ctx context.Context, p *userpool.Pool) bool {
	rp, err := s.Passkeys.RelyingParty(ctx, p)
	return err == nil && rp.MultiFactor
}

// simulatedSelect answers USER_AUTH for a user that does not exist, in a
// client with PreventUserExistenceErrors, as for a user who has only a
// password: SELECT_CHALLENGE with the password factors, and a session that
// is not stored (answering it fails as a wrong password does).
func (s *Service) simulatedSelect(allowed []string) (*outcome, error) {
	session, err := s.Auth.IDs.Token(authn.SessionSize)
	if err != nil {
		return nil, err
	}
	available := []string{}
	if slices.Contains(allowed, model.AuthFactorTypePassword) {
		available = append(available, factorPassword, factorPasswordSRP)
	}
	return &outcome{challenge: model.ChallengeNameTypeSelectChallenge, session: session, params: map[string]string{}, available: available}, nil
}

// selectChallenge answers with SELECT_CHALLENGE and the factors to choose
// from.
func (s *Service) selectChallenge(ctx context.Context, r *request, u *store.User, available []string) (*outcome, error) {
	data := &authn.SessionData{Challenge: model.ChallengeNameTypeSelectChallenge, Username: u.Username, FirstFactor: true, MFAOptions: available}
	session, err := s.Auth.NewSession(ctx, r.client, u, data)
	if err != nil {
		return nil, err
	}
	return &outcome{challenge: model.ChallengeNameTypeSelectChallenge, session: session, params: map[string]string{"USERNAME": u.Username}, available: available}, nil
}

// startFactor starts a first factor: it asks for the password (or SRP_A),
// sends a one-time code by email or SMS, or asks for a passkey.
func (s *Service) startFactor(ctx context.Context, r *request, u *store.User, factor string) (*outcome, error) {
	p := r.client.Pool
	if err := s.Auth.Triggers().PreAuthentication(ctx, event(r, u, "PreAuthentication_Authentication")); err != nil {
		return nil, err
	}
	data := &authn.SessionData{Challenge: factor, Username: u.Username, FirstFactor: true}
	params := map[string]string{"USERNAME": u.Username}
	switch factor {
	case factorPassword, factorPasswordSRP:
		// PREFERRED_CHALLENGE without the PASSWORD or SRP_A: the answer
		// to the PASSWORD or PASSWORD_SRP challenge gives it.
	case factorEmailOTP, factorSMSOTP:
		m, err := userpool.LoadMFA(ctx, s.Store, p)
		if err != nil {
			return nil, err
		}
		d := authn.Delivery{Attribute: "email", Destination: u.Attributes["email"]}
		if factor == factorSMSOTP {
			d = authn.Delivery{Attribute: "phone_number", Destination: u.Attributes["phone_number"]}
		}
		if err := s.Auth.SendMFACode(ctx, p, m, u, d, r.metadata); err != nil {
			return nil, err
		}
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = d.Medium()
		params["CODE_DELIVERY_DESTINATION"] = authn.MaskDestination(d.Destination)
	case factorWebAuthn:
		rp, err := s.Passkeys.RelyingParty(ctx, p)
		if err != nil {
			return nil, err
		}
		st, err := authn.ReadState(u)
		if err != nil {
			return nil, err
		}
		// A passkey that stands for two factors must verify the user.
		opts, a, err := s.Passkeys.BeginLogin(ctx, p, u, rp.MultiFactor && st.WebAuthnMFA)
		if err != nil {
			return nil, err
		}
		if a == nil {
			return nil, invalid("The user has no passkey registered.")
		}
		if data.WebAuthn, err = json.Marshal(a); err != nil {
			return nil, fmt.Errorf("encode passkey challenge: %w", err)
		}
		params["CREDENTIAL_REQUEST_OPTIONS"] = string(opts)
	default:
		return nil, invalid("Invalid challenge: %s is not a first factor this user can use", factor)
	}
	session, err := s.Auth.NewSession(ctx, r.client, u, data)
	if err != nil {
		return nil, err
	}
	return &outcome{challenge: factor, session: session, params: params}, nil
}

// respondFirstFactor runs the answer to a USER_AUTH challenge:
// SELECT_CHALLENGE, or the PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP or
// WEB_AUTHN it (or PREFERRED_CHALLENGE) led to.
func (s *Service) respondFirstFactor(ctx context.Context, r *request, u *store.User, sess *authn.Session) (*outcome, error) {
	if !u.Enabled {
		return nil, authn.ErrUserDisabled()
	}
	if err := s.Auth.CheckLockout(u); err != nil {
		return nil, err
	}
	switch r.flow {
	case model.ChallengeNameTypeSelectChallenge:
		answer, err := param(r.params, "ANSWER")
		if err != nil {
			return nil, err
		}
		if !slices.Contains(sess.Data.MFAOptions, answer) {
			return nil, invalid("Invalid ANSWER: %s is not one of the AvailableChallenges", answer)
		}
		if err := s.Auth.Consume(ctx, sess); err != nil {
			return nil, err
		}
		switch answer {
		case factorPassword:
			pw, err := param(r.params, "PASSWORD")
			if err != nil {
				return nil, err
			}
			return s.checkPassword(ctx, r, u.Username, pw)
		case factorPasswordSRP:
			if _, err := param(r.params, "SRP_A"); err != nil {
				return nil, err
			}
			return s.startSRP(ctx, r)
		}
		return s.startFactor(ctx, r, u, answer)
	case model.ChallengeNameTypePassword:
		pw, err := param(r.params, "PASSWORD")
		if err != nil {
			return nil, err
		}
		if err := s.Auth.Consume(ctx, sess); err != nil {
			return nil, err
		}
		return s.checkPassword(ctx, r, u.Username, pw)
	case model.ChallengeNameTypePasswordSrp:
		if _, err := param(r.params, "SRP_A"); err != nil {
			return nil, err
		}
		if err := s.Auth.Consume(ctx, sess); err != nil {
			return nil, err
		}
		return s.startSRP(ctx, r)
	case model.ChallengeNameTypeEmailOtp, model.ChallengeNameTypeSmsOtp:
		name := "EMAIL_OTP_CODE"
		if r.flow == model.ChallengeNameTypeSmsOtp {
			name = "SMS_OTP_CODE"
		}
		code, err := param(r.params, name)
		if err != nil {
			return nil, err
		}
		if u, err = s.Auth.CheckMFACode(ctx, u, code); err != nil {
			return nil, err
		}
		if err := s.Auth.Consume(ctx, sess); err != nil {
			return nil, err
		}
		return s.afterPasswordless(ctx, r, u, true)
	case model.ChallengeNameTypeWebAuthn:
		cred, err := param(r.params, "CREDENTIAL")
		if err != nil {
			return nil, err
		}
		var a passkey.Assertion
		if err := json.Unmarshal(sess.Data.WebAuthn, &a); err != nil {
			return nil, fmt.Errorf("decode passkey challenge: %w", err)
		}
		// The challenge is spent before the assertion is checked: one
		// answer per challenge, right or wrong.
		if err := s.Auth.Consume(ctx, sess); err != nil {
			return nil, err
		}
		verified, err := s.Passkeys.FinishLogin(ctx, u, &a, cred)
		if err != nil {
			return nil, err
		}
		st, err := authn.ReadState(u)
		if err != nil {
			return nil, err
		}
		return s.afterPasswordless(ctx, r, u, a.RP.MultiFactor && st.WebAuthnMFA && verified)
	}
	return nil, invalid("Challenge %s is not supported", r.flow)
}

// afterPasswordless finishes a sign-in whose passwordless first factor is
// in. A one-time code, or a passkey with user verification for a user
// whose passkeys count as two factors, completes it; after a single-factor passkey
// the second factor the pool and the user call for follows, as after a
// password.
func (s *Service) afterPasswordless(ctx context.Context, r *request, u *store.User, complete bool) (*outcome, error) {
	switch u.Status {
	case model.UserStatusTypeUnconfirmed:
		return nil, &model.UserNotConfirmedException{Message: "User is not confirmed."}
	case model.UserStatusTypeResetRequired:
		return nil, &model.PasswordResetRequiredException{Message: "Password reset required for the user"}
	}
	const post, source = "PostAuthentication_Authentication", "TokenGeneration_Authentication"
	if complete {
		return s.issue(ctx, r, u, post, source)
	}
	return s.finish(ctx, r, u, post, source)
}
