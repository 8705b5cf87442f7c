// Package account implements the self-service operations a signed-in user
// calls with their access token: GetUser, UpdateUserAttributes,
// DeleteUserAttributes, DeleteUser, ChangePassword,
// GetUserAttributeVerificationCode and VerifyUserAttribute.
package account

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/ops/mfa"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Service serves the self-service operations.
type Service struct {
	// Deps: Auth authorizes access tokens, checks and sets passwords and
	// sends and checks verification codes.
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpGetUser, s.GetUser)
	awsjson.Handle(m, model.OpUpdateUserAttributes, s.UpdateUserAttributes)
	awsjson.Handle(m, model.OpDeleteUserAttributes, s.DeleteUserAttributes)
	awsjson.Handle(m, model.OpDeleteUser, s.DeleteUser)
	awsjson.Handle(m, model.OpChangePassword, s.ChangePassword)
	awsjson.Handle(m, model.OpGetUserAttributeVerificationCode, s.GetUserAttributeVerificationCode)
	awsjson.Handle(m, model.OpVerifyUserAttribute, s.VerifyUserAttribute)
}

// caller is the holder of an access token with the app client the token
// was issued to.
type caller struct {
	*authn.Principal
	Client *appclient.Client
}

// authorize checks an access token and loads its user, pool and app
// client. A token whose app client has been deleted is no longer valid.
func (s *Service) authorize(ctx context.Context, token string) (*caller, error) {
	pr, err := s.Auth.Authorize(ctx, token)
	if err != nil {
		return nil, err
	}
	rec, err := s.Store.GetClient(ctx, pr.Pool.ID, pr.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &model.NotAuthorizedException{Message: "Invalid Access Token"}
	}
	if err != nil {
		return nil, fmt.Errorf("get client: %w", err)
	}
	c, err := appclient.Decode(rec, pr.Pool)
	if err != nil {
		return nil, err
	}
	return &caller{Principal: pr, Client: c}, nil
}

// readable lists the attributes the client may read, sorted by name with
// sub first (as Cognito lists them); sub is always readable.
func readable(c *appclient.Client, attrs map[string]string) []model.AttributeType {
	out := []model.AttributeType{}
	if v, ok := attrs["sub"]; ok {
		out = append(out, model.AttributeType{Name: "sub", Value: v})
	}
	for _, n := range slices.Sorted(maps.Keys(attrs)) {
		if n == "sub" || !c.CanRead(n) {
			continue
		}
		out = append(out, model.AttributeType{Name: n, Value: attrs[n]})
	}
	return out
}

// GetUser returns the caller's username and the attributes their app
// client may read, with the second factors they have turned on.
func (s *Service) GetUser(ctx context.Context, in *model.GetUserRequest) (*model.GetUserResponse, error) {
	c, err := s.authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	list, preferred, options, err := mfa.Settings(c.User)
	if err != nil {
		return nil, err
	}
	return &model.GetUserResponse{
		Username: c.User.Username, UserAttributes: readable(c.Client, c.User.Attributes),
		UserMFASettingList: list, PreferredMfaSetting: preferred, MFAOptions: options,
	}, nil
}

// DeleteUser deletes the caller. The store drops their refresh tokens,
// sessions and codes with them, so their tokens stop working.
func (s *Service) DeleteUser(ctx context.Context, in *model.DeleteUserRequest) (*model.Empty, error) {
	c, err := s.authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	err = s.Store.DeleteUser(ctx, c.Pool.ID, c.User.Key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, userpool.ErrUserNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("delete user: %w", err)
	}
	return &model.Empty{}, nil
}
