// Package authn is the sign-in core the operations share: password checks
// with Cognito's lockout and password history, the user's sign-in state,
// authentication sessions, one-time codes and their delivery, and the
// issuing, refreshing, verifying and revoking of tokens. It holds no HTTP
// and no SQL: the operation packages call it, and it calls the store.
package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cognate-idp/cognate/internal/ids"
	"github.com/cognate-idp/cognate/internal/messaging"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/tokens"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Service is the sign-in core. Set its fields before use; Hooks and
// Notifier may be nil.
type Service struct {
	Store  store.Store
	Keys   *seal.Keyring
	Signer *tokens.Signer
	IDs    ids.Generator
	Now    func() time.Time
	Rand   io.Reader
	// Pools loads pools through the server's memo (nil decodes every time).
	Pools *userpool.Memo
	// Hooks are the Lambda trigger points; triggers.None when nil.
	Hooks triggers.Hooks
	// Notifier is told when a message has been queued; nil tells no one.
	Notifier messaging.Notifier

	decoys *decoyOnce
}

// Triggers returns the hooks, triggers.None when none are set.
func (s *Service) Triggers() triggers.Hooks {
	if s.Hooks == nil {
		return triggers.None{}
	}
	return s.Hooks
}

// Notify tells the Notifier that a message waits in the outbox. Call it
// after the transaction that queued the message has committed.
func (s *Service) Notify() {
	if s.Notifier != nil {
		s.Notifier.Notify()
	}
}

// Lockout parameters, as Cognito documents them: after FreeFailures
// failed sign-ins a user is locked out for 2^(n-5) seconds (n failures so
// far), at most MaxLockout; LockoutReset without attempts forgets them.
const (
	FreeFailures = 5
	MaxLockout   = 15 * time.Minute
	LockoutReset = 15 * time.Minute
)

// State is a user's sign-in state, kept in store.User.State.
type State struct {
	// Failures counts failed password sign-ins, not counting attempts made
	// while locked out.
	Failures    int       `json:"failures,omitzero"`
	LastFailure time.Time `json:"lastFailure,omitzero"`
	LockedUntil time.Time `json:"lockedUntil,omitzero"`
	// History holds the sealed credentials of earlier passwords, newest
	// first, for PasswordHistorySize.
	History [][]byte `json:"history,omitzero"`
	// SignedOutAt is when the user last signed out globally: tokens issued
	// before it are revoked.
	SignedOutAt time.Time `json:"signedOutAt,omitzero"`
	// IssuedAfterSignOut lists the jti of access tokens issued after
	// SignedOutAt but in the same second, which their iat cannot tell
	// from tokens issued before it.
	IssuedAfterSignOut []string `json:"issuedAfterSignOut,omitzero"`
	// Pending maps an attribute (email, phone_number) to a new value that
	// waits for verification before it replaces the current one
	// (AttributesRequireVerificationBeforeUpdate).
	Pending map[string]string `json:"pending,omitzero"`
	// PasswordDisabled is set when AdminDisableProviderForUser stopped the
	// user signing in with a password.
	PasswordDisabled bool `json:"passwordDisabled,omitzero"`
	// MFA lists the second factors the user has enabled (SMS_MFA,
	// SOFTWARE_TOKEN_MFA, EMAIL_OTP); the MFA operations set it.
	MFA []string `json:"mfa,omitzero"`
	// PreferredMFA is the enabled factor the user prefers, if any.
	PreferredMFA string `json:"preferredMfa,omitzero"`
	// WebAuthnMFA is the user's passkey MFA (WebAuthnMfaSettings): a
	// passkey sign-in with user verification counts as two factors, in a
	// pool whose passkeys may (MULTI_FACTOR_WITH_USER_VERIFICATION).
	WebAuthnMFA bool `json:"webAuthnMfa,omitzero"`
	// TOTP is the user's software token (see mfa.go).
	TOTP *TOTP `json:"totp,omitzero"`
	// Devices are the devices the user signed in from (see devices.go).
	Devices []Device `json:"devices,omitzero"`
	// Sent maps a code purpose to where its latest code went, so that
	// confirming the code verifies the attribute value it reached.
	Sent map[string]Delivery `json:"sent,omitzero"`
	// CodeRequests maps a code purpose to when its recent codes were
	// made, for the limit on code requests.
	CodeRequests map[string][]time.Time `json:"codeRequests,omitzero"`
}

// ReadState decodes a user's sign-in state; an empty document is the zero
// State.
func ReadState(u *store.User) (*State, error) {
	st := &State{}
	if len(u.State) == 0 {
		return st, nil
	}
	if err := json.Unmarshal(u.State, st); err != nil {
		return nil, fmt.Errorf("decode sign-in state of %s: %w", u.Username, err)
	}
	return st, nil
}

// WriteState encodes st into u.State.
func WriteState(u *store.User, st *State) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode sign-in state: %w", err)
	}
	if string(b) == "{}" {
		b = nil
	}
	u.State = b
	return nil
}

// EditState is the read-modify-write of a user's sign-in state (and, via
// fn's user argument, the rest of the user) in one store update.
func (s *Service) EditState(ctx context.Context, st store.Users, u *store.User, fn func(u *store.User, state *State) error) (*store.User, error) {
	out, err := st.UpdateUser(ctx, u.PoolID, u.Key, func(u *store.User) error {
		state, err := ReadState(u)
		if err != nil {
			return err
		}
		if err := fn(u, state); err != nil {
			return err
		}
		return WriteState(u, state)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, userpool.ErrUserNotFound()
	}
	return out, err
}

// ErrPasswordAttemptsExceeded is Cognito's error for a sign-in during a
// lockout.
func ErrPasswordAttemptsExceeded() error {
	return &model.NotAuthorizedException{Message: "Password attempts exceeded"}
}

// ErrIncorrectPassword is Cognito's error for a wrong password (and, with
// PreventUserExistenceErrors, for an unknown user).
func ErrIncorrectPassword() error {
	return &model.NotAuthorizedException{Message: "Incorrect username or password."}
}

// Locked reports whether the user is locked out now.
func (st *State) Locked(now time.Time) bool { return now.Before(st.LockedUntil) }

// CheckLockout returns ErrPasswordAttemptsExceeded while the user is
// locked out.
func (s *Service) CheckLockout(u *store.User) error {
	st, err := ReadState(u)
	if err != nil {
		return err
	}
	if st.Locked(s.Now()) {
		return ErrPasswordAttemptsExceeded()
	}
	return nil
}

// lockFor is the lockout after n failures.
func lockFor(n int) time.Duration {
	if n < FreeFailures {
		return 0
	}
	shift := n - FreeFailures
	if shift > 20 {
		return MaxLockout
	}
	return min(time.Duration(1<<shift)*time.Second, MaxLockout)
}

// BeginPasswordCheck reserves one of the user's password attempts before
// the password is checked, in the store's locked read-modify-write of the
// user: the attempt counts as a failure until PasswordCheckPassed says
// otherwise, and a user who has now used FreeFailures attempts is locked
// out for a growing time. However requests interleave, at most
// FreeFailures checks run before the lockout applies. It returns
// ErrPasswordAttemptsExceeded, reserving nothing, while the user is
// locked out, and otherwise the user as updated.
func (s *Service) BeginPasswordCheck(ctx context.Context, u *store.User) (*store.User, error) {
	locked := false
	out, err := s.EditState(ctx, s.Store, u, func(_ *store.User, st *State) error {
		now := s.Now()
		if st.Locked(now) {
			locked = true
			return nil
		}
		if !st.LastFailure.IsZero() && now.Sub(st.LastFailure) >= LockoutReset {
			st.Failures = 0
		}
		st.Failures++
		st.LastFailure = now
		if d := lockFor(st.Failures); d > 0 {
			st.LockedUntil = now.Add(d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if locked {
		return nil, ErrPasswordAttemptsExceeded()
	}
	return out, nil
}

// PasswordCheckPassed forgets a user's failed sign-ins, the attempt
// BeginPasswordCheck reserved included, after a right password.
func (s *Service) PasswordCheckPassed(ctx context.Context, u *store.User) (*store.User, error) {
	return s.EditState(ctx, s.Store, u, func(_ *store.User, st *State) error {
		st.Failures, st.LastFailure, st.LockedUntil = 0, time.Time{}, time.Time{}
		return nil
	})
}

// PasswordMatches reports whether pw is the user's password, in constant
// time (one modular exponentiation). A user without password never
// matches.
func (s *Service) PasswordMatches(u *store.User, pw string) (bool, error) {
	if len(u.Password) == 0 {
		return false, nil
	}
	cred, err := password.Open(s.Keys, u.PoolID, u.Username, u.Password)
	if err != nil {
		return false, err
	}
	return cred.Matches(password.PoolName(u.PoolID), u.Username, []byte(pw)), nil
}

// SetPassword returns the sealed credential of a new password for u after
// checking it against the pool's policy and, when the pool keeps a
// password history, against the user's earlier passwords (which the
// caller records with RememberPassword in the same update).
func (s *Service) SetPassword(p *userpool.Pool, u *store.User, pw string) ([]byte, error) {
	if err := password.Check(p.Settings.Policies.PasswordPolicy, pw); err != nil {
		return nil, err
	}
	if n := historySize(p); n > 0 {
		st, err := ReadState(u)
		if err != nil {
			return nil, err
		}
		earlier := append([][]byte{u.Password}, st.History...)
		for i, sealed := range earlier {
			if i >= n || len(sealed) == 0 {
				continue
			}
			cred, err := password.Open(s.Keys, u.PoolID, u.Username, sealed)
			if err != nil {
				return nil, err
			}
			if cred.Matches(password.PoolName(u.PoolID), u.Username, []byte(pw)) {
				return nil, &model.PasswordHistoryPolicyViolationException{Message: "The password you entered has previously been used."}
			}
		}
	}
	return password.Seal(s.Keys, s.Rand, u.PoolID, u.Username, pw)
}

func historySize(p *userpool.Pool) int {
	pp := p.Settings.Policies.PasswordPolicy
	if pp == nil || pp.PasswordHistorySize == nil {
		return 0
	}
	return int(*pp.PasswordHistorySize)
}

// RememberPassword stores sealed as u's password (inside an update of u),
// keeps the old one in the history the pool asks for, and clears the
// lockout.
func RememberPassword(p *userpool.Pool, u *store.User, st *State, sealed []byte, now time.Time) {
	if n := historySize(p); n > 1 && len(u.Password) > 0 {
		st.History = append([][]byte{u.Password}, st.History...)
		if len(st.History) > n-1 {
			st.History = st.History[:n-1]
		}
	} else {
		st.History = nil
	}
	u.Password, u.PasswordSetAt = sealed, now
	st.Failures, st.LastFailure, st.LockedUntil = 0, time.Time{}, time.Time{}
}

// TemporaryPasswordExpired reports whether a FORCE_CHANGE_PASSWORD user's
// temporary password is older than the pool's TemporaryPasswordValidityDays.
func (s *Service) TemporaryPasswordExpired(p *userpool.Pool, u *store.User) bool {
	if u.Status != model.UserStatusTypeForceChangePassword {
		return false
	}
	days := int32(7)
	if pp := p.Settings.Policies.PasswordPolicy; pp != nil && pp.TemporaryPasswordValidityDays != nil {
		days = *pp.TemporaryPasswordValidityDays
	}
	return !s.Now().Before(u.PasswordSetAt.Add(time.Duration(days) * 24 * time.Hour))
}

// ErrTemporaryPasswordExpired is Cognito's error for an expired temporary
// password.
func ErrTemporaryPasswordExpired() error {
	return &model.NotAuthorizedException{Message: "Temporary password has expired and must be reset by an administrator."}
}
