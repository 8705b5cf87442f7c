package authn

import (
	"context"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"

	"github.com/cognate-idp/cognate/internal/messaging"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// TOTP parameters (RFC 6238) as Cognito uses them: 30-second steps, six
// digits, HMAC-SHA1, and one step of clock skew either way.
const (
	TOTPPeriod = 30 * time.Second
	TOTPSkew   = 1
	// TOTPSecretSize is the size of a software token secret: 32 bytes, 52
	// base32 characters, as Cognito's SecretCode.
	TOTPSecretSize = 32
)

// MFACodeLifetime is how long an SMS or email MFA code is valid.
const MFACodeLifetime = 3 * time.Minute

// PurposeMFA is the purpose of the one-time code of an SMS_MFA or
// EMAIL_OTP challenge.
const PurposeMFA = "mfa"

// TOTP is a user's software token: the verified secret and the pending one
// that AssociateSoftwareToken made and VerifySoftwareToken has not yet
// verified, both sealed with the master key.
type TOTP struct {
	Sealed []byte `json:"sealed,omitzero"`
	// DeviceName is the FriendlyDeviceName given at verification.
	DeviceName string `json:"deviceName,omitzero"`
	// LastStep is the time step of the last code accepted: a code of that
	// step or an earlier one is never accepted again.
	LastStep int64 `json:"lastStep,omitzero"`
	// Pending is the secret waiting for VerifySoftwareToken.
	Pending []byte `json:"pending,omitzero"`
}

func totpAAD(poolID, sub string) []byte { return []byte("totp|" + poolID + "|" + sub) }

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret draws a software token secret, stores it sealed as the
// user's pending secret (replacing an earlier pending one) and returns its
// base32 form for the authenticator app.
func (s *Service) NewTOTPSecret(ctx context.Context, u *store.User) (string, error) {
	raw := make([]byte, TOTPSecretSize)
	if _, err := io.ReadFull(s.Rand, raw); err != nil {
		return "", fmt.Errorf("draw software token secret: %w", err)
	}
	secret := totpEncoding.EncodeToString(raw)
	sealed, err := s.Keys.Seal([]byte(secret), totpAAD(u.PoolID, u.Sub))
	if err != nil {
		return "", fmt.Errorf("seal software token secret: %w", err)
	}
	_, err = s.EditState(ctx, s.Store, u, func(_ *store.User, st *State) error {
		if st.TOTP == nil {
			st.TOTP = &TOTP{}
		}
		st.TOTP.Pending = sealed
		return nil
	})
	return secret, err
}

// matchTOTP returns the time step within the allowed skew of now whose
// code is code, or -1.
func matchTOTP(secret, code string, now time.Time) (int64, error) {
	step := now.Unix() / int64(TOTPPeriod/time.Second)
	opts := hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	match := int64(-1)
	for d := int64(-TOTPSkew); d <= TOTPSkew; d++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step+d), opts)
		if err != nil {
			return -1, fmt.Errorf("software token code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			match = step + d
		}
	}
	return match, nil
}

// CheckTOTP checks a code of the user's software token (the pending secret
// when pending is set) and spends its time step, in the store's locked
// update of the user: a code is accepted once, and never one of a step
// before the last accepted. A wrong code counts toward the lockout as a
// wrong password does; a right one clears it. With pending set a right
// code makes the pending secret the user's, named deviceName, and turns
// SOFTWARE_TOKEN_MFA on. It reports whether the code was right.
func (s *Service) CheckTOTP(ctx context.Context, u *store.User, code string, pending bool, deviceName string) (*store.User, bool, error) {
	ok, locked := false, false
	out, err := s.EditState(ctx, s.Store, u, func(u *store.User, st *State) error {
		now := s.Now()
		if st.Locked(now) {
			locked = true
			return nil
		}
		t := st.TOTP
		sealed := []byte(nil)
		if t != nil {
			sealed = t.Sealed
			if pending {
				sealed = t.Pending
			}
		}
		if len(sealed) > 0 {
			secret, err := s.Keys.Open(sealed, totpAAD(u.PoolID, u.Sub))
			if err != nil {
				return fmt.Errorf("open software token secret: %w", err)
			}
			step, err := matchTOTP(string(secret), code, now)
			if err != nil {
				return err
			}
			ok = step >= 0 && (pending || step > t.LastStep)
			if ok {
				t.LastStep = step
			}
		}
		if !ok {
			countFailure(st, now)
			return nil
		}
		st.Failures, st.LastFailure, st.LockedUntil = 0, time.Time{}, time.Time{}
		if pending {
			t.Sealed, t.Pending, t.DeviceName = t.Pending, nil, deviceName
			if !slices.Contains(st.MFA, userpool.FactorSoftwareToken) {
				st.MFA = append(st.MFA, userpool.FactorSoftwareToken)
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if locked {
		return nil, false, ErrPasswordAttemptsExceeded()
	}
	return out, ok, nil
}

// countFailure counts one failed sign-in step toward the lockout.
func countFailure(st *State, now time.Time) {
	if !st.LastFailure.IsZero() && now.Sub(st.LastFailure) >= LockoutReset {
		st.Failures = 0
	}
	st.Failures++
	st.LastFailure = now
	if d := lockFor(st.Failures); d > 0 {
		st.LockedUntil = now.Add(d)
	}
}

// HasTOTP reports whether the user has a verified software token.
func (st *State) HasTOTP() bool { return st.TOTP != nil && len(st.TOTP.Sealed) > 0 }

// Default MFA message texts, when the pool's templates leave them out.
const (
	defaultMFASMS     = "Your authentication code is {####}. "
	defaultMFASubject = "Your authentication code"
	defaultMFAEmail   = "Your authentication code is {####}."
)

// SendMFACode makes a new code for an SMS_MFA or EMAIL_OTP challenge,
// stores it (replacing the user's previous one) and queues it with the
// pool's MFA message templates: SmsAuthenticationMessage for SMS, the
// EmailMfaConfiguration for email. It delivers the message itself; the
// triggers' events name the app client clientID.
func (s *Service) SendMFACode(ctx context.Context, p *userpool.Pool, clientID string, m *userpool.MFA, u *store.User, d Delivery, metadata map[string]string) error {
	code, err := s.newCode()
	if err != nil {
		return err
	}
	sealed, err := s.Keys.Seal([]byte(code), codeAAD(u.PoolID, u.Sub, PurposeMFA))
	if err != nil {
		return fmt.Errorf("seal code: %w", err)
	}
	msg := triggers.Message{Code: code, SMSMessage: p.Settings.SmsAuthenticationMessage, Subject: defaultMFASubject, EmailMessage: defaultMFAEmail}
	if msg.SMSMessage == "" {
		msg.SMSMessage = defaultMFASMS
	}
	if m.Email != nil {
		if m.Email.Subject != "" {
			msg.Subject = m.Email.Subject
		}
		if m.Email.Message != "" {
			msg.EmailMessage = m.Email.Message
		}
	}
	now := s.Now()
	c := &store.Code{PoolID: u.PoolID, Sub: u.Sub, Purpose: PurposeMFA, Sealed: sealed, CreatedAt: now, ExpiresAt: now.Add(MFACodeLifetime)}
	if err := s.Store.PutCode(ctx, c); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return userpool.ErrUserNotFound()
		}
		return fmt.Errorf("store code: %w", err)
	}
	return s.Deliver(ctx, &Outgoing{Pool: p, User: u, Kind: messaging.KindCode, Source: "CustomMessage_Authentication", Metadata: metadata, Message: msg, To: []Delivery{d}, ClientID: clientID})
}

// ErrMFACodeMismatch is Cognito's error for a wrong MFA code.
func ErrMFACodeMismatch() error {
	return &model.CodeMismatchException{Message: "Invalid code received for user"}
}

// CheckMFACode checks the code of an SMS_MFA or EMAIL_OTP challenge and
// spends it (see CheckCode); the attempt counts toward the user's lockout
// until the code proves right.
func (s *Service) CheckMFACode(ctx context.Context, u *store.User, code string) (*store.User, error) {
	u, err := s.BeginPasswordCheck(ctx, u)
	if err != nil {
		return nil, err
	}
	if err := s.CheckCode(ctx, u, PurposeMFA, code); err != nil {
		var mismatch *model.CodeMismatchException
		if errors.As(err, &mismatch) {
			return nil, ErrMFACodeMismatch()
		}
		return nil, err
	}
	return s.PasswordCheckPassed(ctx, u)
}

// EnableMFA turns an MFA factor on for the user, in the store's locked
// update of the user (the factor a sign-in's MFA_SETUP has just proved).
func (s *Service) EnableMFA(ctx context.Context, u *store.User, factor string) (*store.User, error) {
	return s.EditState(ctx, s.Store, u, func(_ *store.User, st *State) error {
		if !slices.Contains(st.MFA, factor) {
			st.MFA = append(st.MFA, factor)
		}
		return nil
	})
}
