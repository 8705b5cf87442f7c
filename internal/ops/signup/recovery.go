package signup

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Recovery mechanism names of AccountRecoverySetting.
const (
	recoverByEmail = "verified_email"
	recoverByPhone = "verified_phone_number"
	recoverByAdmin = "admin_only"
)

func errNoRecoveryDestination() error {
	return &model.InvalidParameterException{Message: "Cannot reset password for the user as there is no registered/verified email or phone_number"}
}

func errCannotReset() error {
	return &model.NotAuthorizedException{Message: "User password cannot be reset in the current state."}
}

// mechanisms returns the pool's recovery mechanisms by priority; without
// an AccountRecoverySetting, Cognito's legacy order: a verified phone
// number, then a verified email address.
func mechanisms(p *userpool.Pool) []string {
	ars := p.Settings.AccountRecoverySetting
	if ars == nil || len(ars.RecoveryMechanisms) == 0 {
		return []string{recoverByPhone, recoverByEmail}
	}
	opts := slices.Clone(ars.RecoveryMechanisms)
	slices.SortStableFunc(opts, func(a, b model.RecoveryOptionType) int {
		return cmp.Compare(priority(a), priority(b))
	})
	out := make([]string, 0, len(opts))
	for _, o := range opts {
		out = append(out, o.Name)
	}
	return out
}

func priority(o model.RecoveryOptionType) int32 {
	if o.Priority == nil {
		return 1 << 30
	}
	return *o.Priority
}

// adminOnly reports whether only administrators may reset passwords.
func adminOnly(p *userpool.Pool) bool { return slices.Contains(mechanisms(p), recoverByAdmin) }

// hasSetting reports whether the pool has an AccountRecoverySetting.
func hasSetting(p *userpool.Pool) bool {
	ars := p.Settings.AccountRecoverySetting
	return ars != nil && len(ars.RecoveryMechanisms) > 0
}

// recoveryDelivery picks where a password-reset code goes: the first
// mechanism, by priority, for which the user has a verified destination.
// With an AccountRecoverySetting a factor the user signs in with as MFA
// does not count (SMS MFA rules out the phone, email MFA the email).
func recoveryDelivery(p *userpool.Pool, u *store.User, st *authn.State) (authn.Delivery, bool) {
	for _, m := range mechanisms(p) {
		var attr, mfa string
		switch m {
		case recoverByEmail:
			attr, mfa = "email", "EMAIL_OTP"
		case recoverByPhone:
			attr, mfa = "phone_number", "SMS_MFA"
		default:
			continue
		}
		if u.Attributes[attr] == "" || !userpool.IsTrue(u.Attributes[attr+"_verified"]) {
			continue
		}
		if hasSetting(p) && slices.Contains(st.MFA, mfa) {
			continue
		}
		return authn.Delivery{Attribute: attr, Destination: u.Attributes[attr]}, true
	}
	return authn.Delivery{}, false
}

// signUpPrefersPhone reports whether the pool sends sign-up codes by SMS.
func signUpPrefersPhone(p *userpool.Pool) bool {
	return slices.Contains(p.Settings.AutoVerifiedAttributes, "phone_number")
}

// recoveryPrefersPhone reports whether the pool's first recovery
// mechanism is the phone.
func recoveryPrefersPhone(p *userpool.Pool) bool {
	if !hasSetting(p) {
		return signUpPrefersPhone(p)
	}
	return mechanisms(p)[0] == recoverByPhone
}

// simulated returns the CodeDeliveryDetails Cognito gives, with
// PreventUserExistenceErrors, for a user it sends nothing to: a name in
// email or phone format stands for itself; any other name gets a made-up
// destination of the medium the pool prefers, the same each time for the
// same name.
func simulated(p *userpool.Pool, name string, phone bool) *model.CodeDeliveryDetailsType {
	switch {
	case userpool.ValidEmail(name):
		return authn.Delivery{Attribute: "email", Destination: name}.Details()
	case userpool.ValidPhone(name):
		return authn.Delivery{Attribute: "phone_number", Destination: name}.Details()
	}
	h := sha256.Sum256([]byte(p.ID + "|" + p.Key(name)))
	if phone {
		n := (int(h[0])<<8 | int(h[1])) % 10000
		return authn.Delivery{Attribute: "phone_number", Destination: fmt.Sprintf("+1555000%04d", n)}.Details()
	}
	fake := fmt.Sprintf("%c@%c.invalid", 'a'+h[0]%26, 'a'+h[1]%26)
	return authn.Delivery{Attribute: "email", Destination: fake}.Details()
}

// ForgotPassword sends a user a code to reset their password with, to the
// verified destination the pool's AccountRecoverySetting picks. It does
// not change the user's status or password.
func (s *Service) ForgotPassword(ctx context.Context, in *model.ForgotPasswordRequest) (*model.ForgotPasswordResponse, error) {
	c, err := s.client(ctx, in.ClientId, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	p := c.Pool
	if adminOnly(p) {
		return nil, errCannotReset()
	}
	prevent := c.PreventsUserExistenceErrors()
	fake := func() (*model.ForgotPasswordResponse, error) {
		return &model.ForgotPasswordResponse{CodeDeliveryDetails: simulated(p, in.Username, recoveryPrefersPhone(p))}, nil
	}
	u, found, err := s.findUser(ctx, p, in.Username)
	if err != nil {
		return nil, err
	}
	if !found {
		// The user migration trigger may know them.
		u, err = s.Auth.Migrate(ctx, p, c.ID(), in.Username, "", authn.SourceMigrateForgot, in.ClientMetadata)
		var nf *model.UserNotFoundException
		if err != nil && (!prevent || !errors.As(err, &nf)) {
			return nil, err
		}
		if u == nil {
			if prevent {
				return fake()
			}
			return nil, errClientUserNotFound()
		}
	}
	st, err := authn.ReadState(u)
	if err != nil {
		return nil, err
	}
	d, ok := recoveryDelivery(p, u, st)
	if !u.Enabled {
		if !prevent {
			return nil, authn.ErrUserDisabled()
		}
		// Answer as if the code went out, without sending it.
		if ok {
			return &model.ForgotPasswordResponse{CodeDeliveryDetails: d.Details()}, nil
		}
		return fake()
	}
	if u.Status == model.UserStatusTypeForceChangePassword {
		return nil, errCannotReset()
	}
	if !ok {
		if prevent {
			return fake()
		}
		return nil, errNoRecoveryDestination()
	}
	var details *model.CodeDeliveryDetailsType
	var out *authn.Outgoing
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		var err error
		details, out, err = s.Auth.SendCode(ctx, tx, p, u, authn.PurposeForgotPassword, d, sourceMessageForgot, in.ClientMetadata)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Deliver(ctx, out.Via(c.ID())); err != nil {
		return nil, err
	}
	s.Auth.RecordPass(ctx, p, u, model.EventTypeForgotpassword, in.UserContextData)
	return &model.ForgotPasswordResponse{CodeDeliveryDetails: details}, nil
}

// ConfirmForgotPassword sets a new password with the code ForgotPassword
// or AdminResetUserPassword sent. The password must satisfy the pool's
// policy and password history; the user becomes CONFIRMED (a
// RESET_REQUIRED user too) and any lockout ends. Tokens already issued
// stay valid, as in Cognito.
func (s *Service) ConfirmForgotPassword(ctx context.Context, in *model.ConfirmForgotPasswordRequest) (*model.ConfirmForgotPasswordResponse, error) {
	c, err := s.client(ctx, in.ClientId, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	p := c.Pool
	prevent := c.PreventsUserExistenceErrors()
	u, found, err := s.findUser(ctx, p, in.Username)
	if err != nil {
		return nil, err
	}
	if !found || !u.Enabled {
		if !prevent {
			if !found {
				return nil, errClientUserNotFound()
			}
			return nil, authn.ErrUserDisabled()
		}
		// The answer and the work of a wrong code.
		if err := s.Auth.DecoySetPassword(p, in.Password); err != nil {
			return nil, publicPassword(err)
		}
		return nil, errCodeMismatch()
	}
	// The new password is checked before the code is used up, so that a
	// rejected password can be retried with the same code.
	sealed, err := s.Auth.SetPassword(p, u, in.Password)
	if err != nil {
		return nil, publicPassword(err)
	}
	if err := s.Auth.CheckCode(ctx, u, authn.PurposeForgotPassword, in.ConfirmationCode); err != nil {
		return nil, err
	}
	now := s.Now()
	out, err := s.Auth.EditState(ctx, s.Store, u, func(u *store.User, st *authn.State) error {
		authn.RememberPassword(p, u, st, sealed, now)
		u.Status = model.UserStatusTypeConfirmed
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.postConfirmation(ctx, p, c.ID(), out, sourceConfirmForgot, in.ClientMetadata); err != nil {
		return nil, err
	}
	return &model.ConfirmForgotPasswordResponse{}, nil
}

// AdminResetUserPassword puts a user in RESET_REQUIRED, so that signing in
// with the old password asks for a reset, and sends them a reset code when
// they have a verified destination. It needs self-service recovery: a pool
// whose AccountRecoverySetting is admin_only refuses it.
func (s *Service) AdminResetUserPassword(ctx context.Context, in *model.AdminResetUserPasswordRequest) (*model.AdminResetUserPasswordResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if adminOnly(p) {
		return nil, &model.InvalidParameterException{Message: "AdminResetUserPassword needs self-service account recovery, but the user pool's AccountRecoverySetting is admin_only; use AdminSetUserPassword."}
	}
	u, err := p.FindUser(ctx, s.Store, in.Username)
	if err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, authn.ErrUserDisabled()
	}
	if u.Status != model.UserStatusTypeConfirmed && u.Status != model.UserStatusTypeResetRequired {
		return nil, errCannotReset()
	}
	st, err := authn.ReadState(u)
	if err != nil {
		return nil, err
	}
	d, send := recoveryDelivery(p, u, st)
	now := s.Now()
	var out *authn.Outgoing
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		fresh, err := s.Auth.EditState(ctx, tx, u, func(u *store.User, _ *authn.State) error {
			u.Status = model.UserStatusTypeResetRequired
			u.UpdatedAt = now
			return nil
		})
		if err != nil || !send {
			return err
		}
		_, out, err = s.Auth.SendCode(ctx, tx, p, fresh, authn.PurposeForgotPassword, d, sourceMessageForgot, in.ClientMetadata)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Deliver(ctx, out); err != nil {
		return nil, err
	}
	return &model.AdminResetUserPasswordResponse{}, nil
}

// AdminSetUserPassword sets a user's password. A permanent password must
// satisfy the policy and the password history and leaves the user
// CONFIRMED; a temporary one must satisfy the policy and leaves the user
// in FORCE_CHANGE_PASSWORD, its age counting towards
// TemporaryPasswordValidityDays from now.
func (s *Service) AdminSetUserPassword(ctx context.Context, in *model.AdminSetUserPasswordRequest) (*model.AdminSetUserPasswordResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	u, err := p.FindUser(ctx, s.Store, in.Username)
	if err != nil {
		return nil, err
	}
	permanent := in.Permanent != nil && *in.Permanent
	var sealed []byte
	if permanent {
		sealed, err = s.Auth.SetPassword(p, u, in.Password)
	} else if err = password.Check(p.Settings.Policies.PasswordPolicy, in.Password); err == nil {
		sealed, err = password.Seal(s.Keys, s.Rand, p.ID, u.Username, in.Password)
	}
	if err != nil {
		return nil, err
	}
	now := s.Now()
	_, err = s.Auth.EditState(ctx, s.Store, u, func(u *store.User, st *authn.State) error {
		authn.RememberPassword(p, u, st, sealed, now)
		u.Status = model.UserStatusTypeForceChangePassword
		if permanent {
			u.Status = model.UserStatusTypeConfirmed
		}
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminSetUserPasswordResponse{}, nil
}
