// Package resourceservers implements the resource server operations:
// CreateResourceServer, DescribeResourceServer, UpdateResourceServer,
// DeleteResourceServer and ListResourceServers. A resource server defines
// custom OAuth scopes, which app clients are allowed as
// "<identifier>/<scope name>".
package resourceservers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// MaxResourceServers is how many resource servers a user pool can have.
const MaxResourceServers = 25

// Service serves the resource server operations.
type Service struct {
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpCreateResourceServer, s.CreateResourceServer)
	awsjson.Handle(m, model.OpDescribeResourceServer, s.DescribeResourceServer)
	awsjson.Handle(m, model.OpUpdateResourceServer, s.UpdateResourceServer)
	awsjson.Handle(m, model.OpDeleteResourceServer, s.DeleteResourceServer)
	awsjson.Handle(m, model.OpListResourceServers, s.ListResourceServers)
}

func notFound(identifier string) error {
	return &model.ResourceNotFoundException{Message: fmt.Sprintf("Resource server %s does not exist.", identifier)}
}

func wire(rs *store.ResourceServer) *model.ResourceServerType {
	out := &model.ResourceServerType{UserPoolId: rs.PoolID, Identifier: rs.Identifier, Name: rs.Name, Scopes: []model.ResourceServerScopeType{}}
	for _, sc := range rs.Scopes {
		out.Scopes = append(out.Scopes, model.ResourceServerScopeType{ScopeName: sc.Name, ScopeDescription: sc.Description})
	}
	return out
}

// scopes converts a request's scopes, which must have distinct names.
func scopes(in []model.ResourceServerScopeType) ([]store.Scope, error) {
	seen := map[string]bool{}
	var out []store.Scope
	for _, sc := range in {
		if seen[sc.ScopeName] {
			return nil, &model.InvalidParameterException{Message: fmt.Sprintf("Duplicate scope name %s: scope names must be unique within a resource server.", sc.ScopeName)}
		}
		seen[sc.ScopeName] = true
		out = append(out, store.Scope{Name: sc.ScopeName, Description: sc.ScopeDescription})
	}
	return out, nil
}

// poolOr returns the pool's ResourceNotFoundException when the pool does not
// exist, and err otherwise.
func (s *Service) poolOr(ctx context.Context, poolID string, err error) error {
	if _, perr := s.Pools.Load(ctx, s.Store, poolID); perr != nil {
		return perr
	}
	return err
}

// CreateResourceServer creates a resource server with its custom scopes.
func (s *Service) CreateResourceServer(ctx context.Context, in *model.CreateResourceServerRequest) (*model.CreateResourceServerResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	sc, err := scopes(in.Scopes)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	rs := &store.ResourceServer{PoolID: in.UserPoolId, Identifier: in.Identifier, Name: in.Name, Scopes: sc, CreatedAt: now, UpdatedAt: now}
	err = s.Store.CreateResourceServer(ctx, rs, MaxResourceServers)
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, &model.InvalidParameterException{Message: fmt.Sprintf("A resource server with identifier %s already exists in user pool %s.", in.Identifier, in.UserPoolId)}
	case errors.Is(err, store.ErrLimit):
		return nil, &model.LimitExceededException{Message: fmt.Sprintf("A user pool can have at most %d resource servers.", MaxResourceServers)}
	case errors.Is(err, store.ErrNotFound):
		return nil, userpool.NotFound(in.UserPoolId)
	case err != nil:
		return nil, fmt.Errorf("create resource server: %w", err)
	}
	return &model.CreateResourceServerResponse{ResourceServer: wire(rs)}, nil
}

// DescribeResourceServer returns a resource server.
func (s *Service) DescribeResourceServer(ctx context.Context, in *model.DescribeResourceServerRequest) (*model.DescribeResourceServerResponse, error) {
	rs, err := s.Store.GetResourceServer(ctx, in.UserPoolId, in.Identifier)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.poolOr(ctx, in.UserPoolId, notFound(in.Identifier))
	}
	if err != nil {
		return nil, fmt.Errorf("get resource server: %w", err)
	}
	return &model.DescribeResourceServerResponse{ResourceServer: wire(rs)}, nil
}

// UpdateResourceServer replaces a resource server's name and scopes; as
// Cognito documents, scopes the request leaves out are removed.
func (s *Service) UpdateResourceServer(ctx context.Context, in *model.UpdateResourceServerRequest) (*model.UpdateResourceServerResponse, error) {
	sc, err := scopes(in.Scopes)
	if err != nil {
		return nil, err
	}
	rs, err := s.Store.UpdateResourceServer(ctx, in.UserPoolId, in.Identifier, func(rs *store.ResourceServer) error {
		rs.Name, rs.Scopes, rs.UpdatedAt = in.Name, sc, s.Now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.poolOr(ctx, in.UserPoolId, notFound(in.Identifier))
	}
	if err != nil {
		return nil, fmt.Errorf("update resource server: %w", err)
	}
	return &model.UpdateResourceServerResponse{ResourceServer: wire(rs)}, nil
}

// DeleteResourceServer deletes a resource server.
func (s *Service) DeleteResourceServer(ctx context.Context, in *model.DeleteResourceServerRequest) (*model.Empty, error) {
	err := s.Store.DeleteResourceServer(ctx, in.UserPoolId, in.Identifier)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.poolOr(ctx, in.UserPoolId, notFound(in.Identifier))
	}
	if err != nil {
		return nil, fmt.Errorf("delete resource server: %w", err)
	}
	return &model.Empty{}, nil
}

// ListResourceServers lists a pool's resource servers a page at a time.
func (s *Service) ListResourceServers(ctx context.Context, in *model.ListResourceServersRequest) (*model.ListResourceServersResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	list, next, err := s.Store.ListResourceServers(ctx, in.UserPoolId, ops.Page(in.NextToken, in.MaxResults, 50))
	if err != nil {
		return nil, ops.ListError(err, ops.InvalidNextToken, "list resource servers")
	}
	out := &model.ListResourceServersResponse{ResourceServers: []model.ResourceServerType{}, NextToken: next}
	for i := range list {
		out.ResourceServers = append(out.ResourceServers, *wire(&list[i]))
	}
	return out, nil
}

// HasScope reports whether a custom scope, "<identifier>/<scope name>",
// is defined by a resource server of the pool. Scope names hold no "/",
// while identifiers may (https://api.example.com/v1/read.write).
func HasScope(ctx context.Context, st store.ResourceServers, poolID, scope string) (bool, error) {
	i := strings.LastIndex(scope, "/")
	if i <= 0 || i == len(scope)-1 {
		return false, nil
	}
	rs, err := st.GetResourceServer(ctx, poolID, scope[:i])
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get resource server: %w", err)
	}
	for _, sc := range rs.Scopes {
		if sc.Name == scope[i+1:] {
			return true, nil
		}
	}
	return false, nil
}
