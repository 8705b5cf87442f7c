package signin

import (
	"context"
	"errors"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// unknownUser handles a password sign-in of a user the pool does not
// have: the user migration trigger may know them, and then they are
// stored and the sign-in goes on (a user migrated in RESET_REQUIRED must
// reset their password first). Otherwise it is the error for an unknown
// user: UserNotFoundException, or with PreventUserExistenceErrors the
// wrong password's, after the work a wrong password costs.
func (s *Service) unknownUser(ctx context.Context, r *request, name, pw string) (*store.User, error) {
	u, err := s.Auth.Migrate(ctx, r.client.Pool, r.client.ID(), name, pw, authn.SourceMigrateSignIn, r.metadata)
	var nf *model.UserNotFoundException
	switch {
	case err != nil && !errors.As(err, &nf):
		return nil, err
	case u != nil && u.Status == model.UserStatusTypeResetRequired:
		return nil, &model.PasswordResetRequiredException{Message: "Password reset required for the user"}
	case u != nil:
		return u, nil
	}
	if r.client.PreventsUserExistenceErrors() {
		// As long as a wrong password takes.
		if err := s.Auth.DecoyPasswordCheck(pw); err != nil {
			return nil, err
		}
		return nil, authn.ErrIncorrectPassword()
	}
	if err != nil {
		return nil, err
	}
	return nil, userpool.ErrUserNotFound()
}
