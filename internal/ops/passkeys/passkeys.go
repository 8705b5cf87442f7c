// Package passkeys implements the passkey operations of a signed-in user:
// StartWebAuthnRegistration, CompleteWebAuthnRegistration,
// ListWebAuthnCredentials and DeleteWebAuthnCredential. The ceremonies
// are internal/passkey's; signing in with a passkey is
// internal/ops/signin's WEB_AUTHN challenge.
package passkeys

import (
	"context"
	"errors"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/passkey"
	"github.com/cognate-idp/cognate/internal/store"
)

// Service serves the passkey operations.
type Service struct {
	ops.Deps
	Passkeys *passkey.Service
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpStartWebAuthnRegistration, s.StartWebAuthnRegistration)
	awsjson.Handle(m, model.OpCompleteWebAuthnRegistration, s.CompleteWebAuthnRegistration)
	awsjson.Handle(m, model.OpListWebAuthnCredentials, s.ListWebAuthnCredentials)
	awsjson.Handle(m, model.OpDeleteWebAuthnCredential, s.DeleteWebAuthnCredential)
}

// StartWebAuthnRegistration returns the credential creation options of a
// new passkey for the caller.
func (s *Service) StartWebAuthnRegistration(ctx context.Context, in *model.StartWebAuthnRegistrationRequest) (*model.StartWebAuthnRegistrationResponse, error) {
	pr, err := s.Auth.Authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	opts, err := s.Passkeys.BeginRegistration(ctx, pr.Pool, pr.User, pr.ClientID)
	if err != nil {
		return nil, err
	}
	return &model.StartWebAuthnRegistrationResponse{CredentialCreationOptions: opts}, nil
}

// CompleteWebAuthnRegistration verifies and stores the caller's new
// passkey.
func (s *Service) CompleteWebAuthnRegistration(ctx context.Context, in *model.CompleteWebAuthnRegistrationRequest) (*model.CompleteWebAuthnRegistrationResponse, error) {
	pr, err := s.Auth.Authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	if err := s.Passkeys.CompleteRegistration(ctx, pr.Pool, pr.User, pr.ClientID, in.Credential); err != nil {
		return nil, err
	}
	return &model.CompleteWebAuthnRegistrationResponse{}, nil
}

// ListWebAuthnCredentials lists the caller's passkeys, oldest first.
func (s *Service) ListWebAuthnCredentials(ctx context.Context, in *model.ListWebAuthnCredentialsRequest) (*model.ListWebAuthnCredentialsResponse, error) {
	pr, err := s.Auth.Authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	list, next, err := s.Store.ListWebAuthnCredentials(ctx, pr.User.PoolID, pr.User.Sub, ops.Page(in.NextToken, in.MaxResults, passkey.MaxPerUser))
	if err != nil {
		return nil, ops.ListError(err, ops.InvalidNextToken, "list passkeys")
	}
	out := &model.ListWebAuthnCredentialsResponse{Credentials: []model.WebAuthnCredentialDescription{}, NextToken: next}
	for i := range list {
		d, err := passkey.Describe(&list[i])
		if err != nil {
			return nil, err
		}
		out.Credentials = append(out.Credentials, d)
	}
	return out, nil
}

// DeleteWebAuthnCredential deletes one of the caller's passkeys.
func (s *Service) DeleteWebAuthnCredential(ctx context.Context, in *model.DeleteWebAuthnCredentialRequest) (*model.DeleteWebAuthnCredentialResponse, error) {
	pr, err := s.Auth.Authorize(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	err = s.Store.DeleteWebAuthnCredential(ctx, pr.User.PoolID, pr.User.Sub, in.CredentialId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &model.ResourceNotFoundException{Message: "Passkey " + in.CredentialId + " not found."}
	}
	if err != nil {
		return nil, err
	}
	return &model.DeleteWebAuthnCredentialResponse{}, nil
}
