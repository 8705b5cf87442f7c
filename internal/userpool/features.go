package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// Kinds of the pool settings documents (store.PoolSettings) that the pool
// operations consult besides the pool's own settings.
const (
	// KindMFA is the pool's MFA factors document, an MFA.
	KindMFA = "mfa"
	// KindLogDelivery is the pool's log delivery configuration, a
	// model.LogDeliveryConfigurationType.
	KindLogDelivery = "log-delivery"
)

// MFA is the set of second factors a pool offers and their settings, as
// SetUserPoolMfaConfig sets them. The pool's MfaConfiguration (OFF, ON or
// OPTIONAL), its SmsConfiguration and its SmsAuthenticationMessage stay in
// the pool's settings, where CreateUserPool, UpdateUserPool and
// DescribeUserPool see them: there is one copy of each.
type MFA struct {
	// SMS is whether SMS message MFA is on. It also needs the pool's
	// SmsConfiguration: see Factors.
	SMS bool `json:"sms,omitempty"`
	// SoftwareToken is whether TOTP authenticator apps are on.
	SoftwareToken bool `json:"softwareToken,omitempty"`
	// Email, when set, turns email message MFA on with this template.
	Email *model.EmailMfaConfigType `json:"email,omitempty"`
	// WebAuthn is the passkey configuration, when one was set.
	WebAuthn *model.WebAuthnConfigurationType `json:"webAuthn,omitempty"`
}

// MFA factor names, as Cognito's MFA challenges name them.
const (
	FactorSMS           = "SMS_MFA"
	FactorSoftwareToken = "SOFTWARE_TOKEN_MFA"
	FactorEmail         = "EMAIL_OTP"
)

// Factors returns the second factors users of a pool with settings s can
// use: SMS needs the pool's SmsConfiguration as well as being on.
func (m *MFA) Factors(s *model.UserPoolType) []string {
	var out []string
	if m.SMS && s.SmsConfiguration != nil {
		out = append(out, FactorSMS)
	}
	if m.SoftwareToken {
		out = append(out, FactorSoftwareToken)
	}
	if m.Email != nil {
		out = append(out, FactorEmail)
	}
	return out
}

// LoadMFA returns a pool's MFA factors. A pool whose factors were never set
// with SetUserPoolMfaConfig has SMS MFA on when MFA is on or optional with
// an SmsConfiguration, as CreateUserPool and UpdateUserPool set it up.
func LoadMFA(ctx context.Context, st store.PoolSettings, p *Pool) (*MFA, error) {
	rec, err := st.GetPoolSetting(ctx, p.ID, "", KindMFA)
	if errors.Is(err, store.ErrNotFound) {
		on := p.Settings.MfaConfiguration != "" && p.Settings.MfaConfiguration != model.UserPoolMfaTypeOff
		return &MFA{SMS: on && p.Settings.SmsConfiguration != nil}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load MFA factors: %w", err)
	}
	var m MFA
	if err := json.Unmarshal(rec.Doc, &m); err != nil {
		return nil, fmt.Errorf("decode pool %s MFA factors: %w", p.ID, err)
	}
	return &m, nil
}

// SaveMFA stores a pool's MFA factors.
func SaveMFA(ctx context.Context, st store.PoolSettings, poolID string, m *MFA, now time.Time) error {
	doc, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode MFA factors: %w", err)
	}
	_, err = st.UpdatePoolSetting(ctx, poolID, "", KindMFA, func(rec *store.PoolSetting) error {
		rec.Doc = doc
		if rec.CreatedAt.IsZero() {
			rec.CreatedAt = now
		}
		rec.UpdatedAt = now
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return NotFound(poolID)
	}
	if err != nil {
		return fmt.Errorf("save MFA factors: %w", err)
	}
	return nil
}

// errMFANeedsSMS is Cognito's error for MFA on or optional with no factor
// to use, when SMS could be that factor but has no SmsConfiguration.
func errMFANeedsSMS() error {
	return invalid("SMS configuration and Auto verification for phone_number are required when MFA is required/optional")
}

// checkCreateMFA applies CreateUserPool's rule: MFA can be on or optional
// only with an SmsConfiguration, SMS being the one factor CreateUserPool
// sets up (SetUserPoolMfaConfig adds the others).
func checkCreateMFA(s *model.UserPoolType) error {
	if s.MfaConfiguration != "" && s.MfaConfiguration != model.UserPoolMfaTypeOff && s.SmsConfiguration == nil {
		return errMFANeedsSMS()
	}
	return nil
}

// CheckEmailMFA returns the error Cognito gives for email MFA in a pool
// with settings s: it needs the Essentials or Plus plan, and email sent
// with the pool's own Amazon SES configuration (EmailSendingAccount
// DEVELOPER).
func CheckEmailMFA(s *model.UserPoolType) error {
	if err := RequireTier(Tier(s), model.UserPoolTierTypeEssentials, "Email MFA"); err != nil {
		return err
	}
	if s.EmailConfiguration == nil || s.EmailConfiguration.EmailSendingAccount != model.EmailSendingAccountTypeDeveloper {
		return invalid("Email MFA requires the user pool to send email with Amazon SES: set EmailConfiguration with EmailSendingAccount DEVELOPER.")
	}
	return nil
}

// CheckWebAuthn returns the error Cognito gives for a passkey configuration
// in a pool with settings s: passkeys as a multi-factor need the Essentials
// or Plus plan.
func CheckWebAuthn(s *model.UserPoolType, w *model.WebAuthnConfigurationType) error {
	if w != nil && w.FactorConfiguration == model.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification {
		return RequireTier(Tier(s), model.UserPoolTierTypeEssentials, "Passkey MFA (FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION)")
	}
	return nil
}

// CheckUpdated checks a pool that UpdateUserPool has just rewritten, in the
// same transaction, against the settings kept in its other documents, so
// that one consistent state is committed or none:
//
//   - MFA on or optional needs a factor: when SetUserPoolMfaConfig left none
//     on, an SmsConfiguration in the update turns SMS MFA on, as at
//     creation; with none it is an InvalidParameterException.
//   - The features already on must be in the (possibly new) feature plan,
//     and email MFA must still have its DEVELOPER email configuration.
func CheckUpdated(ctx context.Context, st store.Store, poolID string, now time.Time) error {
	p, err := Load(ctx, st, poolID)
	if err != nil {
		return err
	}
	m, err := LoadMFA(ctx, st, p)
	if err != nil {
		return err
	}
	if p.Settings.MfaConfiguration != model.UserPoolMfaTypeOff && len(m.Factors(&p.Settings)) == 0 {
		if p.Settings.SmsConfiguration == nil {
			return errMFANeedsSMS()
		}
		m.SMS = true
		if err := SaveMFA(ctx, st, p.ID, m, now); err != nil {
			return err
		}
	}
	if m.Email != nil {
		if err := CheckEmailMFA(&p.Settings); err != nil {
			return err
		}
	}
	if err := CheckWebAuthn(&p.Settings, m.WebAuthn); err != nil {
		return err
	}
	logs, err := LoadLogDelivery(ctx, st, p.ID)
	if err != nil {
		return err
	}
	for _, c := range logs.LogConfigurations {
		if c.EventSource == model.EventSourceNameUserauthevents {
			if err := RequireTier(Tier(&p.Settings), model.UserPoolTierTypePlus, "Export of user activity logs (userAuthEvents)"); err != nil {
				return err
			}
		}
	}
	return nil
}

// LoadLogDelivery returns a pool's log delivery configuration: none when
// it was never set.
func LoadLogDelivery(ctx context.Context, st store.PoolSettings, poolID string) (*model.LogDeliveryConfigurationType, error) {
	out := &model.LogDeliveryConfigurationType{UserPoolId: poolID, LogConfigurations: []model.LogConfigurationType{}}
	rec, err := st.GetPoolSetting(ctx, poolID, "", KindLogDelivery)
	if errors.Is(err, store.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load log delivery configuration: %w", err)
	}
	if err := json.Unmarshal(rec.Doc, &out.LogConfigurations); err != nil {
		return nil, fmt.Errorf("decode pool %s log delivery configuration: %w", poolID, err)
	}
	return out, nil
}
