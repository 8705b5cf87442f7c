package account

import (
	"context"
	"errors"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// errAttemptLimit is Cognito's answer to ChangePassword while the user is
// locked out after too many wrong passwords.
func errAttemptLimit() error {
	return &model.LimitExceededException{Message: "Attempt limit exceeded, please try after some time."}
}

// ChangePassword replaces the caller's password after checking the
// previous one. Wrong previous passwords count towards the same lockout
// as failed sign-ins; the new password must satisfy the pool's policy and
// password history.
func (s *Service) ChangePassword(ctx context.Context, in *model.ChangePasswordRequest) (*model.ChangePasswordResponse, error) {
	c, err := s.authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	u := c.User
	st, err := authn.ReadState(u)
	if err != nil {
		return nil, err
	}
	if st.Locked(s.Now()) {
		return nil, errAttemptLimit()
	}
	if u.Status == model.UserStatusTypeResetRequired {
		return nil, &model.PasswordResetRequiredException{Message: "Password reset required for the user"}
	}
	if u, err = s.Auth.BeginPasswordCheck(ctx, u); err != nil {
		var na *model.NotAuthorizedException
		if errors.As(err, &na) {
			return nil, errAttemptLimit()
		}
		return nil, err
	}
	ok, err := s.Auth.PasswordMatches(u, in.PreviousPassword)
	if err != nil {
		return nil, err
	}
	if !ok || st.PasswordDisabled {
		return nil, authn.ErrIncorrectPassword()
	}
	now := s.Now()
	_, err = s.Auth.EditState(ctx, s.Store, u, func(u *store.User, st *authn.State) error {
		sealed, err := s.Auth.SetPassword(c.Pool, u, in.ProposedPassword)
		if err != nil {
			return err
		}
		authn.RememberPassword(c.Pool, u, st, sealed, now) // clears the failures
		u.UpdatedAt = now
		return nil
	})
	if err != nil {
		// The previous password was right: the attempt is not a failure.
		if _, perr := s.Auth.PasswordCheckPassed(ctx, u); perr != nil {
			return nil, perr
		}
		return nil, err
	}
	s.Auth.RecordPass(ctx, c.Pool, u, model.EventTypePasswordchange, nil)
	return &model.ChangePasswordResponse{}, nil
}
