package settings

import (
	"context"
	"errors"
	"fmt"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

func ptr[T any](v T) *T { return &v }

// mfaConfig is the pool's MFA configuration as GetUserPoolMfaConfig and
// SetUserPoolMfaConfig return it: the factors that are on, TOTP's state,
// and the passkey configuration with Cognito's defaults filled in.
func mfaConfig(p *userpool.Pool, m *userpool.MFA) *model.GetUserPoolMfaConfigResponse {
	out := &model.GetUserPoolMfaConfigResponse{
		MfaConfiguration:              p.Settings.MfaConfiguration,
		SoftwareTokenMfaConfiguration: &model.SoftwareTokenMfaConfigType{Enabled: ptr(m.SoftwareToken)},
	}
	if out.MfaConfiguration == "" {
		out.MfaConfiguration = model.UserPoolMfaTypeOff
	}
	if m.SMS && p.Settings.SmsConfiguration != nil {
		out.SmsMfaConfiguration = &model.SmsMfaConfigType{
			SmsAuthenticationMessage: p.Settings.SmsAuthenticationMessage,
			SmsConfiguration:         p.Settings.SmsConfiguration,
		}
	}
	if m.Email != nil {
		e := *m.Email
		out.EmailMfaConfiguration = &e
	}
	w := model.WebAuthnConfigurationType{
		UserVerification:    model.UserVerificationTypePreferred,
		FactorConfiguration: model.WebAuthnFactorConfigurationTypeSingleFactor,
	}
	if m.WebAuthn != nil {
		w.RelyingPartyId = m.WebAuthn.RelyingPartyId
		if m.WebAuthn.UserVerification != "" {
			w.UserVerification = m.WebAuthn.UserVerification
		}
		if m.WebAuthn.FactorConfiguration != "" {
			w.FactorConfiguration = m.WebAuthn.FactorConfiguration
		}
	}
	out.WebAuthnConfiguration = &w
	return out
}

// GetUserPoolMfaConfig returns the pool's MFA and passkey configuration.
func (s *Service) GetUserPoolMfaConfig(ctx context.Context, in *model.GetUserPoolMfaConfigRequest) (*model.GetUserPoolMfaConfigResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	m, err := userpool.LoadMFA(ctx, s.Store, p)
	if err != nil {
		return nil, err
	}
	return mfaConfig(p, m), nil
}

// SetUserPoolMfaConfig sets which second factors the pool offers. As in
// Cognito the request states the whole set: a factor it leaves out is
// turned off. SMS MFA uses the pool's SmsConfiguration, which the request
// may replace; MfaConfiguration, when given, is written to the pool's
// settings, where UpdateUserPool and DescribeUserPool see it. A passkey
// configuration left out is kept.
func (s *Service) SetUserPoolMfaConfig(ctx context.Context, in *model.SetUserPoolMfaConfigRequest) (*model.SetUserPoolMfaConfigResponse, error) {
	var out *model.GetUserPoolMfaConfigResponse
	err := s.Store.Tx(ctx, func(tx store.Store) error {
		cur, err := s.Pools.Load(ctx, tx, in.UserPoolId)
		if err != nil {
			return err
		}
		m, err := userpool.LoadMFA(ctx, tx, cur)
		if err != nil {
			return err
		}
		var p *userpool.Pool
		rec, err := tx.UpdatePool(ctx, in.UserPoolId, func(rec *store.Pool) error {
			dec, err := userpool.Decode(rec)
			if err != nil {
				return err
			}
			p = dec
			next, err := s.applyMFA(p, m, in)
			if err != nil {
				return err
			}
			m = next
			if rec.Config, err = userpool.Encode(&p.Settings); err != nil {
				return err
			}
			rec.UpdatedAt = s.Now()
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return userpool.NotFound(in.UserPoolId)
		}
		if err != nil {
			return fmt.Errorf("update pool: %w", err)
		}
		p.UpdatedAt = rec.UpdatedAt
		if err := userpool.SaveMFA(ctx, tx, p.ID, m, s.Now()); err != nil {
			return err
		}
		out = mfaConfig(p, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.SetUserPoolMfaConfigResponse{
		MfaConfiguration: out.MfaConfiguration, SmsMfaConfiguration: out.SmsMfaConfiguration,
		SoftwareTokenMfaConfiguration: out.SoftwareTokenMfaConfiguration, EmailMfaConfiguration: out.EmailMfaConfiguration,
		WebAuthnConfiguration: out.WebAuthnConfiguration,
	}, nil
}

// applyMFA applies a SetUserPoolMfaConfig request to the pool p (its
// settings are changed in place) and its factors old, and returns the new
// factors, with Cognito's checks.
func (s *Service) applyMFA(p *userpool.Pool, old *userpool.MFA, in *model.SetUserPoolMfaConfigRequest) (*userpool.MFA, error) {
	m := &userpool.MFA{WebAuthn: old.WebAuthn}
	if sms := in.SmsMfaConfiguration; sms != nil {
		if sms.SmsConfiguration != nil {
			p.Settings.SmsConfiguration = sms.SmsConfiguration
		}
		if p.Settings.SmsConfiguration == nil {
			return nil, invalid("SMS MFA needs an SmsConfiguration: give one in SmsMfaConfiguration, or set the user pool's with UpdateUserPool.")
		}
		if sms.SmsAuthenticationMessage != "" {
			p.Settings.SmsAuthenticationMessage = sms.SmsAuthenticationMessage
		}
		m.SMS = true
	}
	if st := in.SoftwareTokenMfaConfiguration; st != nil && st.Enabled != nil && *st.Enabled {
		m.SoftwareToken = true
	}
	if e := in.EmailMfaConfiguration; e != nil {
		if err := userpool.CheckEmailMFA(&p.Settings); err != nil {
			return nil, err
		}
		c := *e
		m.Email = &c
	}
	if w := in.WebAuthnConfiguration; w != nil {
		if err := userpool.CheckWebAuthn(&p.Settings, w); err != nil {
			return nil, err
		}
		c := *w
		m.WebAuthn = &c
	}
	if in.MfaConfiguration != "" {
		p.Settings.MfaConfiguration = in.MfaConfiguration
	}
	if p.Settings.MfaConfiguration != model.UserPoolMfaTypeOff && len(m.Factors(&p.Settings)) == 0 {
		return nil, invalid("Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.")
	}
	return m, nil
}
