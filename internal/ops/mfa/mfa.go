// Package mfa implements a user's multi-factor authentication settings:
// software tokens (AssociateSoftwareToken, VerifySoftwareToken), MFA
// preferences (SetUserMFAPreference, AdminSetUserMFAPreference and the
// legacy SetUserSettings, AdminSetUserSettings) and the user's
// authentication factors (GetUserAuthFactors, AdminGetUserAuthFactors).
// The challenges that ask for the factors are internal/ops/signin's.
package mfa

import (
	"context"
	"fmt"
	"slices"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/passkey"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Service serves the MFA settings operations.
type Service struct {
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpAssociateSoftwareToken, s.AssociateSoftwareToken)
	awsjson.Handle(m, model.OpVerifySoftwareToken, s.VerifySoftwareToken)
	awsjson.Handle(m, model.OpSetUserMFAPreference, s.SetUserMFAPreference)
	awsjson.Handle(m, model.OpAdminSetUserMFAPreference, s.AdminSetUserMFAPreference)
	awsjson.Handle(m, model.OpSetUserSettings, s.SetUserSettings)
	awsjson.Handle(m, model.OpAdminSetUserSettings, s.AdminSetUserSettings)
	awsjson.Handle(m, model.OpGetUserAuthFactors, s.GetUserAuthFactors)
	awsjson.Handle(m, model.OpAdminGetUserAuthFactors, s.AdminGetUserAuthFactors)
}

func invalid(msg string) error { return &model.InvalidParameterException{Message: msg} }

// subject is the user a software token operation acts for: the holder of
// an access token, or the user of an MFA_SETUP session (with its client).
type subject struct {
	pool   *userpool.Pool
	user   *store.User
	sess   *authn.Session
	client *appclient.Client
}

// resolve finds the subject of a request that gives an access token or a
// session.
func (s *Service) resolve(ctx context.Context, token, session string) (*subject, error) {
	if token != "" {
		pr, err := s.Auth.Authorize(ctx, token)
		if err != nil {
			return nil, err
		}
		return &subject{pool: pr.Pool, user: pr.User}, nil
	}
	if session == "" {
		return nil, invalid("Either AccessToken or Session must be given")
	}
	sess, err := s.Auth.OpenSessionByValue(ctx, session)
	if err != nil {
		return nil, err
	}
	if sess.Data.Challenge != model.ChallengeNameTypeMfaSetup {
		return nil, authn.ErrInvalidSession()
	}
	c, err := appclient.LoadInPool(ctx, s.Pools, s.Store, sess.Rec.PoolID, sess.Rec.ClientID)
	if err != nil {
		return nil, authn.ErrInvalidSession()
	}
	u, err := s.Store.GetUserBySub(ctx, sess.Rec.PoolID, sess.Rec.Sub)
	if err != nil {
		return nil, authn.ErrInvalidSession()
	}
	return &subject{pool: c.Pool, user: u, sess: sess, client: c}, nil
}

// next replaces an MFA_SETUP session with a new one carrying its data, so
// that each step of the set-up is answered once.
func (s *Service) next(ctx context.Context, sub *subject, setUp bool) (string, error) {
	if sub.sess == nil {
		return "", nil
	}
	if err := s.Auth.Consume(ctx, sub.sess); err != nil {
		return "", err
	}
	d := *sub.sess.Data
	d.MFASetUp = d.MFASetUp || setUp
	return s.Auth.NewSession(ctx, sub.client, sub.user, &d)
}

// AssociateSoftwareToken draws a new TOTP secret for the user. It becomes
// theirs once VerifySoftwareToken checks a code of it.
func (s *Service) AssociateSoftwareToken(ctx context.Context, in *model.AssociateSoftwareTokenRequest) (*model.AssociateSoftwareTokenResponse, error) {
	sub, err := s.resolve(ctx, in.AccessToken, in.Session)
	if err != nil {
		return nil, err
	}
	m, err := userpool.LoadMFA(ctx, s.Store, sub.pool)
	if err != nil {
		return nil, err
	}
	if !m.SoftwareToken {
		return nil, &model.SoftwareTokenMFANotFoundException{Message: "Software Token MFA has not been enabled by the userPool."}
	}
	secret, err := s.Auth.NewTOTPSecret(ctx, sub.user)
	if err != nil {
		return nil, err
	}
	session, err := s.next(ctx, sub, false)
	if err != nil {
		return nil, err
	}
	return &model.AssociateSoftwareTokenResponse{SecretCode: secret, Session: session}, nil
}

// VerifySoftwareToken checks a code of the secret AssociateSoftwareToken
// drew and, when it is right, makes that secret the user's software token
// and turns SOFTWARE_TOKEN_MFA on for them.
func (s *Service) VerifySoftwareToken(ctx context.Context, in *model.VerifySoftwareTokenRequest) (*model.VerifySoftwareTokenResponse, error) {
	sub, err := s.resolve(ctx, in.AccessToken, in.Session)
	if err != nil {
		return nil, err
	}
	st, err := authn.ReadState(sub.user)
	if err != nil {
		return nil, err
	}
	if st.TOTP == nil || len(st.TOTP.Pending) == 0 {
		return nil, &model.InvalidParameterException{Message: "User has not associated a software token: call AssociateSoftwareToken first"}
	}
	u, ok, err := s.Auth.CheckTOTP(ctx, sub.user, in.UserCode, true, in.FriendlyDeviceName)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &model.EnableSoftwareTokenMFAException{Message: "Code mismatch and fail enable Software Token MFA"}
	}
	sub.user = u
	session, err := s.next(ctx, sub, true)
	if err != nil {
		return nil, err
	}
	return &model.VerifySoftwareTokenResponse{Status: model.VerifySoftwareTokenResponseTypeSuccess, Session: session}, nil
}

// preference is one factor's part of an MFA preference request.
type preference struct {
	factor             string
	given              bool
	enabled, preferred bool
}

func preferences(sms *model.SMSMfaSettingsType, totp *model.SoftwareTokenMfaSettingsType, email *model.EmailMfaSettingsType) []preference {
	out := []preference{{factor: userpool.FactorSMS}, {factor: userpool.FactorSoftwareToken}, {factor: userpool.FactorEmail}}
	if sms != nil {
		out[0] = preference{userpool.FactorSMS, true, deref(sms.Enabled), deref(sms.PreferredMfa)}
	}
	if totp != nil {
		out[1] = preference{userpool.FactorSoftwareToken, true, deref(totp.Enabled), deref(totp.PreferredMfa)}
	}
	if email != nil {
		out[2] = preference{userpool.FactorEmail, true, deref(email.Enabled), deref(email.PreferredMfa)}
	}
	return out
}

func deref(b *bool) bool { return b != nil && *b }

// setPreference applies an MFA preference to a user, in one locked update
// of the user. A factor left out is unchanged; PreferredMfa turns the
// factor on and makes it the only preferred one.
func (s *Service) setPreference(ctx context.Context, p *userpool.Pool, u *store.User, prefs []preference, webAuthn *model.WebAuthnMfaSettingsType) error {
	passkeyMFA := webAuthn != nil && deref(webAuthn.Enabled)
	if passkeyMFA {
		if err := s.checkPasskeyMFA(ctx, p, u); err != nil {
			return err
		}
	}
	for _, pr := range prefs {
		if pr.factor == userpool.FactorEmail && pr.given && (pr.enabled || pr.preferred) {
			if err := userpool.CheckEmailMFA(&p.Settings); err != nil {
				return err
			}
		}
	}
	_, err := s.Auth.EditState(ctx, s.Store, u, func(u *store.User, st *authn.State) error {
		for _, pr := range prefs {
			if !pr.given {
				continue
			}
			on := pr.enabled || pr.preferred
			if on {
				if err := canEnable(pr.factor, u, st); err != nil {
					return err
				}
				if !slices.Contains(st.MFA, pr.factor) {
					st.MFA = append(st.MFA, pr.factor)
				}
			} else {
				st.MFA = slices.DeleteFunc(st.MFA, func(f string) bool { return f == pr.factor })
			}
			switch {
			case pr.preferred:
				st.PreferredMFA = pr.factor
			case st.PreferredMFA == pr.factor:
				st.PreferredMFA = ""
			}
		}
		if webAuthn != nil {
			st.WebAuthnMFA = passkeyMFA
		}
		if st.WebAuthnMFA && len(st.MFA) == 0 {
			return invalid("Passkey MFA needs another MFA factor (SMS, email or a software token) turned on for the user, so that they cannot be locked out")
		}
		return nil
	})
	return err
}

// checkPasskeyMFA returns Cognito's error for turning passkey MFA on for a
// user: the pool's passkeys must count as two factors
// (MULTI_FACTOR_WITH_USER_VERIFICATION), and the user must have a passkey.
func (s *Service) checkPasskeyMFA(ctx context.Context, p *userpool.Pool, u *store.User) error {
	m, err := userpool.LoadMFA(ctx, s.Store, p)
	if err != nil {
		return err
	}
	if m.WebAuthn == nil || m.WebAuthn.FactorConfiguration != model.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification {
		return invalid("Passkey MFA needs the user pool's WebAuthnConfiguration FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION")
	}
	n, err := s.Store.CountWebAuthnCredentials(ctx, u.PoolID, u.Sub)
	if err != nil {
		return fmt.Errorf("count passkeys: %w", err)
	}
	if n == 0 {
		return invalid("User has no passkey registered to turn on WEB_AUTHN MFA")
	}
	return nil
}

// canEnable returns Cognito's error for turning a factor on for a user who
// cannot receive or produce its codes.
func canEnable(factor string, u *store.User, st *authn.State) error {
	switch factor {
	case userpool.FactorSoftwareToken:
		if !st.HasTOTP() {
			return invalid("User has not verified software token mfa")
		}
	case userpool.FactorSMS:
		if u.Attributes["phone_number"] == "" {
			return invalid("User does not have delivery config set to turn on SMS_MFA")
		}
	case userpool.FactorEmail:
		if u.Attributes["email"] == "" {
			return invalid("User does not have delivery config set to turn on EMAIL_OTP")
		}
	}
	return nil
}

// SetUserMFAPreference sets the caller's MFA factors and preferred factor.
func (s *Service) SetUserMFAPreference(ctx context.Context, in *model.SetUserMFAPreferenceRequest) (*model.SetUserMFAPreferenceResponse, error) {
	pr, err := s.Auth.Authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.setPreference(ctx, pr.Pool, pr.User, preferences(in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings), in.WebAuthnMfaSettings); err != nil {
		return nil, err
	}
	return &model.SetUserMFAPreferenceResponse{}, nil
}

// AdminSetUserMFAPreference sets a user's MFA factors and preferred factor.
func (s *Service) AdminSetUserMFAPreference(ctx context.Context, in *model.AdminSetUserMFAPreferenceRequest) (*model.AdminSetUserMFAPreferenceResponse, error) {
	p, u, err := s.adminUser(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	if err := s.setPreference(ctx, p, u, preferences(in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings), in.WebAuthnMfaSettings); err != nil {
		return nil, err
	}
	return &model.AdminSetUserMFAPreferenceResponse{}, nil
}

func (s *Service) adminUser(ctx context.Context, poolID, name string) (*userpool.Pool, *store.User, error) {
	p, err := s.Pools.Load(ctx, s.Store, poolID)
	if err != nil {
		return nil, nil, err
	}
	u, err := p.FindUser(ctx, s.Store, name)
	if err != nil {
		return nil, nil, err
	}
	return p, u, nil
}

// legacy turns the MFAOptions of SetUserSettings into an SMS preference:
// SMS to phone_number turns SMS MFA on, an empty list turns it off. Only
// SMS is an MFA option in this legacy form.
func legacy(opts []model.MFAOptionType) ([]preference, error) {
	on := false
	for _, o := range opts {
		if o.DeliveryMedium != model.DeliveryMediumTypeSms || o.AttributeName != "phone_number" {
			return nil, invalid("Only SMS to phone_number can be set as an MFA option")
		}
		on = true
	}
	return []preference{{factor: userpool.FactorSMS, given: true, enabled: on}}, nil
}

// SetUserSettings sets the caller's MFA options (the legacy form of
// SetUserMFAPreference, for SMS).
func (s *Service) SetUserSettings(ctx context.Context, in *model.SetUserSettingsRequest) (*model.SetUserSettingsResponse, error) {
	pr, err := s.Auth.Authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	prefs, err := legacy(in.MFAOptions)
	if err != nil {
		return nil, err
	}
	if err := s.setPreference(ctx, pr.Pool, pr.User, prefs, nil); err != nil {
		return nil, err
	}
	return &model.SetUserSettingsResponse{}, nil
}

// AdminSetUserSettings sets a user's MFA options (the legacy form of
// AdminSetUserMFAPreference, for SMS).
func (s *Service) AdminSetUserSettings(ctx context.Context, in *model.AdminSetUserSettingsRequest) (*model.AdminSetUserSettingsResponse, error) {
	p, u, err := s.adminUser(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	prefs, err := legacy(in.MFAOptions)
	if err != nil {
		return nil, err
	}
	if err := s.setPreference(ctx, p, u, prefs, nil); err != nil {
		return nil, err
	}
	return &model.AdminSetUserSettingsResponse{}, nil
}

// Settings returns a user's MFA factors and preferred factor as GetUser,
// AdminGetUser and the auth factor operations report them, with the legacy
// MFAOptions (SMS to phone_number when SMS MFA is on).
func Settings(u *store.User) (list []string, preferred string, legacyOptions []model.MFAOptionType, err error) {
	st, err := authn.ReadState(u)
	if err != nil {
		return nil, "", nil, err
	}
	list = slices.Clone(st.MFA)
	if slices.Contains(list, userpool.FactorSMS) {
		legacyOptions = []model.MFAOptionType{{DeliveryMedium: model.DeliveryMediumTypeSms, AttributeName: "phone_number"}}
	}
	return list, st.PreferredMFA, legacyOptions, nil
}

// firstFactors returns the sign-in factors a user has ready: a password,
// the email and SMS codes the pool's sign-in policy allows to a verified
// address or number, and passkeys where the pool allows them and the user
// has registered one.
func (s *Service) firstFactors(ctx context.Context, p *userpool.Pool, u *store.User) ([]string, error) {
	out := []string{}
	if len(u.Password) > 0 {
		out = append(out, model.AuthFactorTypePassword)
	}
	var allowed []string
	if pol := p.Settings.Policies; pol != nil && pol.SignInPolicy != nil {
		allowed = pol.SignInPolicy.AllowedFirstAuthFactors
	}
	if slices.Contains(allowed, model.AuthFactorTypeEmailOtp) && u.Attributes["email_verified"] == "true" {
		out = append(out, model.AuthFactorTypeEmailOtp)
	}
	if slices.Contains(allowed, model.AuthFactorTypeSmsOtp) && u.Attributes["phone_number_verified"] == "true" {
		out = append(out, model.AuthFactorTypeSmsOtp)
	}
	if slices.Contains(allowed, model.AuthFactorTypeWebAuthn) && passkey.Enabled(p) {
		n, err := s.Store.CountWebAuthnCredentials(ctx, u.PoolID, u.Sub)
		if err != nil {
			return nil, fmt.Errorf("count passkeys: %w", err)
		}
		if n > 0 {
			out = append(out, model.AuthFactorTypeWebAuthn)
		}
	}
	return out, nil
}

// GetUserAuthFactors lists the caller's sign-in and MFA factors.
func (s *Service) GetUserAuthFactors(ctx context.Context, in *model.GetUserAuthFactorsRequest) (*model.GetUserAuthFactorsResponse, error) {
	pr, err := s.Auth.Authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	list, preferred, _, err := Settings(pr.User)
	if err != nil {
		return nil, err
	}
	first, err := s.firstFactors(ctx, pr.Pool, pr.User)
	if err != nil {
		return nil, err
	}
	return &model.GetUserAuthFactorsResponse{
		Username: pr.User.Username, PreferredMfaSetting: preferred, UserMFASettingList: list,
		ConfiguredUserAuthFactors: first,
	}, nil
}

// AdminGetUserAuthFactors lists a user's sign-in and MFA factors.
func (s *Service) AdminGetUserAuthFactors(ctx context.Context, in *model.AdminGetUserAuthFactorsRequest) (*model.AdminGetUserAuthFactorsResponse, error) {
	p, u, err := s.adminUser(ctx, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	list, preferred, _, err := Settings(u)
	if err != nil {
		return nil, err
	}
	first, err := s.firstFactors(ctx, p, u)
	if err != nil {
		return nil, err
	}
	return &model.AdminGetUserAuthFactorsResponse{
		Username: u.Username, PreferredMfaSetting: preferred, UserMFASettingList: list,
		ConfiguredUserAuthFactors: first,
	}, nil
}
