// Package clients implements the app client operations: CreateUserPoolClient,
// DescribeUserPoolClient, UpdateUserPoolClient, DeleteUserPoolClient,
// ListUserPoolClients and the client secret rotation operations
// AddUserPoolClientSecret, ListUserPoolClientSecrets and
// DeleteUserPoolClientSecret.
package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cognate-idp/cognate/internal/appclient"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// MaxSecrets is how many secrets a client may hold at once, for rotation.
const MaxSecrets = 2

// MaxClients is how many app clients a user pool can have, Cognito's
// default quota.
const MaxClients = 1000

// Service serves the app client operations.
type Service struct {
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpCreateUserPoolClient, s.CreateUserPoolClient)
	awsjson.Handle(m, model.OpDescribeUserPoolClient, s.DescribeUserPoolClient)
	awsjson.Handle(m, model.OpUpdateUserPoolClient, s.UpdateUserPoolClient)
	awsjson.Handle(m, model.OpDeleteUserPoolClient, s.DeleteUserPoolClient)
	awsjson.Handle(m, model.OpListUserPoolClients, s.ListUserPoolClients)
	awsjson.Handle(m, model.OpAddUserPoolClientSecret, s.AddUserPoolClientSecret)
	awsjson.Handle(m, model.OpListUserPoolClientSecrets, s.ListUserPoolClientSecrets)
	awsjson.Handle(m, model.OpDeleteUserPoolClientSecret, s.DeleteUserPoolClientSecret)
}

func notFound(id string) error { return appclient.NotFound(id) }

// newSecret seals value (or a newly drawn secret when value is empty) as a
// new secret of the client.
func (s *Service) newSecret(clientID, value string) (store.ClientSecret, string, error) {
	var err error
	if value == "" {
		if value, err = s.IDs.ClientSecret(); err != nil {
			return store.ClientSecret{}, "", err
		}
	}
	id, err := s.IDs.SecretID(clientID)
	if err != nil {
		return store.ClientSecret{}, "", err
	}
	sealed, err := s.Keys.Seal([]byte(value), appclient.SecretAAD(clientID, id))
	if err != nil {
		return store.ClientSecret{}, "", fmt.Errorf("seal client secret: %w", err)
	}
	return store.ClientSecret{ID: id, Sealed: sealed, CreatedAt: s.Now()}, value, nil
}

// describe turns a stored client into the wire's UserPoolClientType.
func (s *Service) describe(c *store.Client) (*model.UserPoolClientType, error) {
	out := &model.UserPoolClientType{}
	if err := json.Unmarshal(c.Config, out); err != nil {
		return nil, fmt.Errorf("decode client %s settings: %w", c.ID, err)
	}
	out.UserPoolId, out.ClientId, out.ClientName = c.PoolID, c.ID, c.Name
	out.CreationDate, out.LastModifiedDate = model.NewTime(c.CreatedAt), model.NewTime(c.UpdatedAt)
	if len(c.Secrets) > 0 {
		v, err := appclient.OpenSecret(s.Keys, c.ID, c.Secrets[0])
		if err != nil {
			return nil, err
		}
		out.ClientSecret = v
	}
	return out, nil
}

// load returns a client of a pool; a missing pool or client is a
// ResourceNotFoundException.
func (s *Service) load(ctx context.Context, poolID, clientID string) (*store.Client, error) {
	c, err := s.Store.GetClient(ctx, poolID, clientID)
	if errors.Is(err, store.ErrNotFound) {
		if _, perr := s.Pools.Load(ctx, s.Store, poolID); perr != nil {
			return nil, perr
		}
		return nil, notFound(clientID)
	}
	if err != nil {
		return nil, fmt.Errorf("get client: %w", err)
	}
	return c, nil
}

// CreateUserPoolClient creates an app client, with a secret when asked.
func (s *Service) CreateUserPoolClient(ctx context.Context, in *model.CreateUserPoolClientRequest) (*model.CreateUserPoolClientResponse, error) {
	return s.create(ctx, in, "")
}

// CreateUserPoolClientWithID is CreateUserPoolClient with a fixed client ID
// instead of a drawn one, for the seed file; the caller checks the ID's
// form. An ID taken (in any pool) is an InvalidParameterException.
func (s *Service) CreateUserPoolClientWithID(ctx context.Context, id string, in *model.CreateUserPoolClientRequest) (*model.CreateUserPoolClientResponse, error) {
	return s.create(ctx, in, id)
}

// NewSettings returns the settings document CreateUserPoolClient stores for
// in, in the pool p, after every check the operation makes.
func NewSettings(ctx context.Context, st store.Store, p *userpool.Pool, in *model.CreateUserPoolClientRequest) ([]byte, error) {
	settings := &model.UserPoolClientType{}
	if err := copySettings(settings, in); err != nil {
		return nil, err
	}
	wantSecret := (in.GenerateSecret != nil && *in.GenerateSecret) || in.ClientSecret != ""
	if err := checkSettings(p, settings, wantSecret); err != nil {
		return nil, err
	}
	if err := checkCustomScopes(ctx, st, p.ID, settings.AllowedOAuthScopes); err != nil {
		return nil, err
	}
	if err := checkProviders(ctx, st, p.ID, settings.SupportedIdentityProviders); err != nil {
		return nil, err
	}
	return encode(settings)
}

// create creates a client with the ID fixed, or a drawn one when fixed is
// empty.
func (s *Service) create(ctx context.Context, in *model.CreateUserPoolClientRequest, fixed string) (*model.CreateUserPoolClientResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	cfg, err := NewSettings(ctx, s.Store, p, in)
	if err != nil {
		return nil, err
	}
	wantSecret := (in.GenerateSecret != nil && *in.GenerateSecret) || in.ClientSecret != ""
	id := fixed
	if id == "" {
		if id, err = s.IDs.ClientID(); err != nil {
			return nil, err
		}
	}
	now := s.Now()
	c := &store.Client{PoolID: p.ID, ID: id, Name: in.ClientName, Config: cfg, CreatedAt: now, UpdatedAt: now}
	if wantSecret {
		sec, _, err := s.newSecret(id, in.ClientSecret)
		if err != nil {
			return nil, err
		}
		c.Secrets = []store.ClientSecret{sec}
	}
	if err := s.Store.CreateClient(ctx, c, MaxClients); err != nil {
		if errors.Is(err, store.ErrLimit) {
			return nil, &model.LimitExceededException{Message: fmt.Sprintf("A user pool can have at most %d app clients.", MaxClients)}
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil, userpool.NotFound(p.ID)
		}
		if errors.Is(err, store.ErrConflict) && fixed != "" {
			return nil, &model.InvalidParameterException{Message: fmt.Sprintf("App client %s already exists.", id)}
		}
		return nil, fmt.Errorf("create client: %w", err)
	}
	out, err := s.describe(c)
	if err != nil {
		return nil, err
	}
	return &model.CreateUserPoolClientResponse{UserPoolClient: out}, nil
}

// DescribeUserPoolClient returns a client's settings and secret.
func (s *Service) DescribeUserPoolClient(ctx context.Context, in *model.DescribeUserPoolClientRequest) (*model.DescribeUserPoolClientResponse, error) {
	c, err := s.load(ctx, in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	out, err := s.describe(c)
	if err != nil {
		return nil, err
	}
	return &model.DescribeUserPoolClientResponse{UserPoolClient: out}, nil
}

// UpdateUserPoolClient replaces a client's settings; those the request
// leaves out return to their defaults, as Cognito documents. The name is
// kept when not given, and the secrets are never changed.
func (s *Service) UpdateUserPoolClient(ctx context.Context, in *model.UpdateUserPoolClientRequest) (*model.UpdateUserPoolClientResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if err := checkCustomScopes(ctx, s.Store, p.ID, in.AllowedOAuthScopes); err != nil {
		return nil, err
	}
	if err := checkProviders(ctx, s.Store, p.ID, in.SupportedIdentityProviders); err != nil {
		return nil, err
	}
	c, err := s.Store.UpdateClient(ctx, p.ID, in.ClientId, func(c *store.Client) error {
		settings := &model.UserPoolClientType{}
		if err := copySettings(settings, in); err != nil {
			return err
		}
		if err := checkSettings(p, settings, len(c.Secrets) > 0); err != nil {
			return err
		}
		cfg, err := encode(settings)
		if err != nil {
			return err
		}
		if in.ClientName != "" {
			c.Name = in.ClientName
		}
		c.Config = cfg
		c.UpdatedAt = s.Now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(in.ClientId)
	}
	if err != nil {
		return nil, fmt.Errorf("update client: %w", err)
	}
	out, err := s.describe(c)
	if err != nil {
		return nil, err
	}
	return &model.UpdateUserPoolClientResponse{UserPoolClient: out}, nil
}

// DeleteUserPoolClient deletes a client.
func (s *Service) DeleteUserPoolClient(ctx context.Context, in *model.DeleteUserPoolClientRequest) (*model.Empty, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	err := s.Store.DeleteClient(ctx, in.UserPoolId, in.ClientId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(in.ClientId)
	}
	if err != nil {
		return nil, fmt.Errorf("delete client: %w", err)
	}
	return &model.Empty{}, nil
}

// ListUserPoolClients lists a pool's clients a page at a time.
func (s *Service) ListUserPoolClients(ctx context.Context, in *model.ListUserPoolClientsRequest) (*model.ListUserPoolClientsResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	recs, next, err := s.Store.ListClients(ctx, in.UserPoolId, ops.Page(in.NextToken, in.MaxResults, 60))
	if err != nil {
		return nil, ops.ListError(err, ops.InvalidNextToken, "list clients")
	}
	out := &model.ListUserPoolClientsResponse{UserPoolClients: []model.UserPoolClientDescription{}, NextToken: next}
	for _, c := range recs {
		out.UserPoolClients = append(out.UserPoolClients, model.UserPoolClientDescription{ClientId: c.ID, UserPoolId: c.PoolID, ClientName: c.Name})
	}
	return out, nil
}

// AddUserPoolClientSecret adds a second secret to a confidential client, for
// rotation without downtime.
func (s *Service) AddUserPoolClientSecret(ctx context.Context, in *model.AddUserPoolClientSecretRequest) (*model.AddUserPoolClientSecretResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	var added store.ClientSecret
	var value string
	_, err := s.Store.UpdateClient(ctx, in.UserPoolId, in.ClientId, func(c *store.Client) error {
		if len(c.Secrets) == 0 {
			return &model.InvalidParameterException{Message: "The app client has no client secret: secrets can be added only to confidential clients."}
		}
		if len(c.Secrets) >= MaxSecrets {
			return &model.LimitExceededException{Message: fmt.Sprintf("An app client can have at most %d client secrets.", MaxSecrets)}
		}
		var err error
		if added, value, err = s.newSecret(c.ID, in.ClientSecret); err != nil {
			return err
		}
		c.Secrets = append(c.Secrets, added)
		c.UpdatedAt = s.Now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(in.ClientId)
	}
	if err != nil {
		return nil, fmt.Errorf("add client secret: %w", err)
	}
	d := &model.ClientSecretDescriptorType{ClientSecretId: added.ID, ClientSecretCreateDate: model.NewTime(added.CreatedAt)}
	if in.ClientSecret == "" {
		d.ClientSecretValue = value
	}
	return &model.AddUserPoolClientSecretResponse{ClientSecretDescriptor: d}, nil
}

// ListUserPoolClientSecrets lists a client's secrets without their values.
func (s *Service) ListUserPoolClientSecrets(ctx context.Context, in *model.ListUserPoolClientSecretsRequest) (*model.ListUserPoolClientSecretsResponse, error) {
	c, err := s.load(ctx, in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	if in.NextToken != "" { // a client's secrets (at most two) fit one page
		return nil, &model.InvalidParameterException{Message: ops.InvalidNextToken}
	}
	out := &model.ListUserPoolClientSecretsResponse{ClientSecrets: []model.ClientSecretDescriptorType{}}
	for _, sec := range c.Secrets {
		out.ClientSecrets = append(out.ClientSecrets, model.ClientSecretDescriptorType{ClientSecretId: sec.ID, ClientSecretCreateDate: model.NewTime(sec.CreatedAt)})
	}
	return out, nil
}

// DeleteUserPoolClientSecret deletes one of a client's secrets; the last one
// cannot be deleted.
func (s *Service) DeleteUserPoolClientSecret(ctx context.Context, in *model.DeleteUserPoolClientSecretRequest) (*model.DeleteUserPoolClientSecretResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	_, err := s.Store.UpdateClient(ctx, in.UserPoolId, in.ClientId, func(c *store.Client) error {
		for i, sec := range c.Secrets {
			if sec.ID != in.ClientSecretId {
				continue
			}
			if len(c.Secrets) == 1 {
				return &model.InvalidParameterException{Message: "You cannot delete the last remaining secret of an app client."}
			}
			c.Secrets = append(c.Secrets[:i:i], c.Secrets[i+1:]...)
			c.UpdatedAt = s.Now()
			return nil
		}
		return &model.ResourceNotFoundException{Message: fmt.Sprintf("Client secret %s does not exist.", in.ClientSecretId)}
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(in.ClientId)
	}
	if err != nil {
		return nil, fmt.Errorf("delete client secret: %w", err)
	}
	return &model.DeleteUserPoolClientSecretResponse{}, nil
}
