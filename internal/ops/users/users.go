// Package users implements the admin user operations: AdminCreateUser,
// AdminGetUser, AdminDeleteUser, AdminUpdateUserAttributes,
// AdminDeleteUserAttributes, AdminEnableUser, AdminDisableUser and
// ListUsers.
package users

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/cognate-idp/cognate/internal/authn"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/ops/mfa"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Service serves the admin user operations.
type Service struct {
	// Deps: Auth revokes a disabled user's tokens, sessions and codes.
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpAdminCreateUser, s.AdminCreateUser)
	awsjson.Handle(m, model.OpAdminGetUser, s.AdminGetUser)
	awsjson.Handle(m, model.OpAdminDeleteUser, s.AdminDeleteUser)
	awsjson.Handle(m, model.OpAdminUpdateUserAttributes, s.AdminUpdateUserAttributes)
	awsjson.Handle(m, model.OpAdminDeleteUserAttributes, s.AdminDeleteUserAttributes)
	awsjson.Handle(m, model.OpAdminEnableUser, s.AdminEnableUser)
	awsjson.Handle(m, model.OpAdminDisableUser, s.AdminDisableUser)
	awsjson.Handle(m, model.OpListUsers, s.ListUsers)
}

// Wire returns a user as the wire's UserType. When only is not nil, just
// the attributes it names are included.
func Wire(u *store.User, only []string) *model.UserType {
	return &model.UserType{
		Username: u.Username, Attributes: attributes(u.Attributes, only), Enabled: &u.Enabled, UserStatus: u.Status,
		UserCreateDate: model.NewTime(u.CreatedAt), UserLastModifiedDate: model.NewTime(u.UpdatedAt),
	}
}

// attributes lists attrs in name order (sub first, as Cognito lists it).
func attributes(attrs map[string]string, only []string) []model.AttributeType {
	names := slices.Sorted(maps.Keys(attrs))
	out := []model.AttributeType{}
	if v, ok := attrs["sub"]; ok && (only == nil || slices.Contains(only, "sub")) {
		out = append(out, model.AttributeType{Name: "sub", Value: v})
	}
	for _, n := range names {
		if n == "sub" || (only != nil && !slices.Contains(only, n)) {
			continue
		}
		out = append(out, model.AttributeType{Name: n, Value: attrs[n]})
	}
	return out
}

func aliasExists(p *userpool.Pool, attrs map[string]string) error {
	what := "email"
	if len(p.Settings.UsernameAttributes) > 0 && attrs["email"] == "" {
		what = "phone_number"
	}
	return &model.AliasExistsException{Message: fmt.Sprintf("An account with the given %s already exists.", what)}
}

// AdminCreateUser creates a user with a temporary password in
// FORCE_CHANGE_PASSWORD status and records the invitation for delivery, or
// with MessageAction RESEND renews an invited user's temporary password.
func (s *Service) AdminCreateUser(ctx context.Context, in *model.AdminCreateUserRequest) (*model.AdminCreateUserResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if err := p.CheckAttributeValues(in.UserAttributes, false); err != nil {
		return nil, err
	}
	pp := p.Settings.Policies.PasswordPolicy
	temp := in.TemporaryPassword
	if temp != "" {
		if err := password.Check(pp, temp); err != nil {
			return nil, err
		}
	} else if temp, err = password.Generate(pp, s.Rand); err != nil {
		return nil, err
	}
	if in.MessageAction == model.MessageActionTypeResend {
		return s.resend(ctx, p, in, temp)
	}
	attrs := map[string]string{}
	for _, a := range in.UserAttributes {
		attrs[a.Name] = a.Value
	}
	now := s.Now()
	u, err := p.NewUser(userpool.NewUser{
		Username: in.Username, Attributes: attrs, Status: model.UserStatusTypeForceChangePassword, Password: temp,
	}, s.Minter(now))
	if err != nil {
		return nil, err
	}
	validation := map[string]string{}
	for _, a := range in.ValidationData {
		validation[a.Name] = a.Value
	}
	// Cognito asks the pre sign-up trigger, which may refuse the user; its
	// decisions apply to sign-up only.
	if _, err := s.Auth.Triggers().PreSignUp(ctx, &triggers.Event{
		PoolID: p.ID, Username: u.Username, Attributes: maps.Clone(u.Attributes), ClientMetadata: in.ClientMetadata,
		ValidationData: validation, Source: "PreSignUp_AdminCreateUser", Config: p.Settings.LambdaConfig,
	}); err != nil {
		return nil, err
	}
	force := in.ForceAliasCreation != nil && *in.ForceAliasCreation
	var out *authn.Outgoing
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		if force {
			if err := p.TakeAliases(ctx, tx, u, now); err != nil {
				return err
			}
		}
		switch err := tx.CreateUser(ctx, u); {
		case errors.Is(err, store.ErrConflict):
			return &model.UsernameExistsException{Message: "User account already exists"}
		case errors.Is(err, store.ErrAliasConflict):
			if len(p.Settings.UsernameAttributes) > 0 {
				return &model.UsernameExistsException{Message: "An account with the given email already exists."}
			}
			return aliasExists(p, u.Attributes)
		case errors.Is(err, store.ErrNotFound):
			return userpool.NotFound(p.ID)
		case err != nil:
			return fmt.Errorf("create user: %w", err)
		}
		if in.MessageAction != model.MessageActionTypeSuppress {
			out = s.invite(p, u, in.DesiredDeliveryMediums, temp, in.ClientMetadata)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Deliver(ctx, out); err != nil {
		return nil, err
	}
	return &model.AdminCreateUserResponse{User: Wire(u, nil)}, nil
}

// resend renews the temporary password of a user still in
// FORCE_CHANGE_PASSWORD and sends the invitation again.
func (s *Service) resend(ctx context.Context, p *userpool.Pool, in *model.AdminCreateUserRequest, temp string) (*model.AdminCreateUserResponse, error) {
	var out *store.User
	var invitation *authn.Outgoing
	err := s.Store.Tx(ctx, func(tx store.Store) error {
		u, err := p.FindUser(ctx, tx, in.Username)
		if err != nil {
			return err
		}
		if u.Status != model.UserStatusTypeForceChangePassword {
			return &model.UnsupportedUserStateException{Message: "Resend not possible. " + in.Username + " status is not FORCE_CHANGE_PASSWORD"}
		}
		sealed, err := password.Seal(s.Keys, s.Rand, p.ID, u.Username, temp)
		if err != nil {
			return err
		}
		out, err = tx.UpdateUser(ctx, p.ID, u.Key, func(u *store.User) error {
			u.Password, u.PasswordSetAt, u.UpdatedAt = sealed, s.Now(), s.Now()
			return nil
		})
		if err != nil {
			return fmt.Errorf("renew temporary password: %w", err)
		}
		invitation = s.invite(p, out, in.DesiredDeliveryMediums, temp, in.ClientMetadata)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.Auth.Deliver(ctx, invitation); err != nil {
		return nil, err
	}
	return &model.AdminCreateUserResponse{User: Wire(out, nil)}, nil
}

// AdminGetUser returns a user, found by username or alias.
func (s *Service) AdminGetUser(ctx context.Context, in *model.AdminGetUserRequest) (*model.AdminGetUserResponse, error) {
	_, u, err := s.Pools.LoadUser(ctx, s.Store, in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	list, preferred, options, err := mfa.Settings(u)
	if err != nil {
		return nil, err
	}
	return &model.AdminGetUserResponse{
		Username: u.Username, UserAttributes: attributes(u.Attributes, nil), Enabled: &u.Enabled, UserStatus: u.Status,
		UserCreateDate: model.NewTime(u.CreatedAt), UserLastModifiedDate: model.NewTime(u.UpdatedAt),
		UserMFASettingList: list, PreferredMfaSetting: preferred, MFAOptions: options,
	}, nil
}

// AdminDeleteUser deletes a user.
func (s *Service) AdminDeleteUser(ctx context.Context, in *model.AdminDeleteUserRequest) (*model.Empty, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		u, err := p.FindUser(ctx, tx, in.Username)
		if err != nil {
			return err
		}
		if err := tx.DeleteUser(ctx, p.ID, u.Key); err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, nil
}

// update runs fn on the user named by username or alias, in one
// read-modify-write, and maps the store's errors to Cognito's.
func (s *Service) update(ctx context.Context, poolID, name string, fn func(p *userpool.Pool, u *store.User) error) error {
	p, err := s.Pools.Load(ctx, s.Store, poolID)
	if err != nil {
		return err
	}
	found, err := p.FindUser(ctx, s.Store, name)
	if err != nil {
		return err
	}
	var attrs map[string]string
	_, err = s.Store.UpdateUser(ctx, p.ID, found.Key, func(u *store.User) error {
		if err := fn(p, u); err != nil {
			return err
		}
		u.Aliases = p.Aliases(u.Attributes)
		u.UpdatedAt = s.Now()
		attrs = u.Attributes
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return userpool.ErrUserNotFound()
	case errors.Is(err, store.ErrAliasConflict):
		return aliasExists(p, attrs)
	case err != nil:
		return fmt.Errorf("update user: %w", err)
	}
	return nil
}

// AdminEnableUser enables a user.
func (s *Service) AdminEnableUser(ctx context.Context, in *model.AdminEnableUserRequest) (*model.AdminEnableUserResponse, error) {
	err := s.update(ctx, in.UserPoolId, in.Username, func(_ *userpool.Pool, u *store.User) error {
		u.Enabled = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminEnableUserResponse{}, nil
}

// AdminDisableUser disables a user and revokes their tokens, sessions and
// pending codes.
func (s *Service) AdminDisableUser(ctx context.Context, in *model.AdminDisableUserRequest) (*model.AdminDisableUserResponse, error) {
	var disabled store.User
	err := s.update(ctx, in.UserPoolId, in.Username, func(_ *userpool.Pool, u *store.User) error {
		u.Enabled = false
		disabled = *u
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.Auth.RevokeAll(ctx, &disabled); err != nil {
		return nil, err
	}
	return &model.AdminDisableUserResponse{}, nil
}

// AdminUpdateUserAttributes sets attributes of a user. A changed email or
// phone number is unverified unless the request verifies it too.
func (s *Service) AdminUpdateUserAttributes(ctx context.Context, in *model.AdminUpdateUserAttributesRequest) (*model.AdminUpdateUserAttributesResponse, error) {
	var changed []string // email or phone_number set to a new value
	var updated store.User
	err := s.update(ctx, in.UserPoolId, in.Username, func(p *userpool.Pool, u *store.User) error {
		changed = changed[:0]
		defer func() { updated = *u }()
		if err := p.CheckAttributeValues(in.UserAttributes, true); err != nil {
			return err
		}
		given := map[string]bool{}
		for _, a := range in.UserAttributes {
			given[a.Name] = true
		}
		for _, a := range in.UserAttributes {
			old, had := u.Attributes[a.Name]
			if slices.Contains(p.UsernameAttributes(), a.Name) && a.Value == "" {
				return &model.InvalidParameterException{Message: fmt.Sprintf("Cannot remove %s: it is the user's sign-in name.", a.Name)}
			}
			u.Attributes[a.Name] = a.Value
			if (a.Name == "email" || a.Name == "phone_number") && (!had || old != a.Value) {
				changed = append(changed, a.Name)
				if !given[a.Name+"_verified"] {
					u.Attributes[a.Name+"_verified"] = "false"
				}
			}
		}
		if len(changed) > 0 {
			// A value an administrator sets replaces one that waited for
			// verification, and a code sent for the old value verifies
			// nothing.
			st, err := authn.ReadState(u)
			if err != nil {
				return err
			}
			for _, a := range changed {
				delete(st.Pending, a)
			}
			if err := authn.WriteState(u, st); err != nil {
				return err
			}
		}
		return p.CheckRequired(u.Attributes, true)
	})
	if err != nil {
		return nil, err
	}
	for _, a := range changed {
		if err := s.Store.DeleteCode(ctx, updated.PoolID, updated.Sub, authn.PurposeVerify(a)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("drop verification code: %w", err)
		}
	}
	return &model.AdminUpdateUserAttributesResponse{}, nil
}

// AdminDeleteUserAttributes removes attributes from a user.
func (s *Service) AdminDeleteUserAttributes(ctx context.Context, in *model.AdminDeleteUserAttributesRequest) (*model.AdminDeleteUserAttributesResponse, error) {
	err := s.update(ctx, in.UserPoolId, in.Username, func(p *userpool.Pool, u *store.User) error {
		if err := p.CheckDeletable(in.UserAttributeNames); err != nil {
			return err
		}
		for _, n := range in.UserAttributeNames {
			if slices.Contains(p.UsernameAttributes(), n) {
				return &model.InvalidParameterException{Message: fmt.Sprintf("Cannot delete %s: it is the user's sign-in name.", n)}
			}
			delete(u.Attributes, n)
			if n == "email" || n == "phone_number" {
				delete(u.Attributes, n+"_verified")
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AdminDeleteUserAttributesResponse{}, nil
}
