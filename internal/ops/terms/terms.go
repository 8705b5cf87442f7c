// Package terms implements the terms documents operations: CreateTerms,
// DescribeTerms, UpdateTerms, DeleteTerms and ListTerms. Terms documents
// are the links to an app client's terms of use and privacy policy, by
// language, that its managed login sign-up page shows.
package terms

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
)

// Service serves the terms operations.
type Service struct {
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpCreateTerms, s.CreateTerms)
	awsjson.Handle(m, model.OpDescribeTerms, s.DescribeTerms)
	awsjson.Handle(m, model.OpUpdateTerms, s.UpdateTerms)
	awsjson.Handle(m, model.OpDeleteTerms, s.DeleteTerms)
	awsjson.Handle(m, model.OpListTerms, s.ListTerms)
}

func notFound(id string) error {
	return &model.ResourceNotFoundException{Message: fmt.Sprintf("Terms %s do not exist.", id)}
}

func exists(name, clientID string) error {
	return &model.TermsExistsException{Message: fmt.Sprintf("Terms named %s already exist for app client %s: terms names must be unique to the app client.", name, clientID)}
}

func wire(t *store.Terms) *model.TermsType {
	return &model.TermsType{
		TermsId: t.ID, UserPoolId: t.PoolID, ClientId: t.ClientID, TermsName: t.Name,
		TermsSource: t.Source, Enforcement: t.Enforcement, Links: t.Links,
		CreationDate: model.NewTime(t.CreatedAt), LastModifiedDate: model.NewTime(t.UpdatedAt),
	}
}

// checkLinks checks a map of links: with TermsSource LINK there must be
// links, and each must be an absolute http or https URL that users' browsers
// can open. The model checks the languages and the URLs' characters.
func checkLinks(source string, links map[string]string) error {
	if source == model.TermsSourceTypeLink && len(links) == 0 {
		return &model.InvalidParameterException{Message: "Links are required when TermsSource is LINK."}
	}
	for _, lang := range slices.Sorted(maps.Keys(links)) {
		u, err := url.Parse(links[lang])
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return &model.InvalidParameterException{Message: fmt.Sprintf("The link for %s is not an absolute http or https URL.", lang)}
		}
	}
	return nil
}

// poolOr returns the pool's ResourceNotFoundException when the pool does not
// exist, and err otherwise.
func (s *Service) poolOr(ctx context.Context, poolID string, err error) error {
	if _, perr := s.Pools.Load(ctx, s.Store, poolID); perr != nil {
		return perr
	}
	return err
}

// CreateTerms creates a terms document of an app client.
func (s *Service) CreateTerms(ctx context.Context, in *model.CreateTermsRequest) (*model.CreateTermsResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	if err := checkLinks(in.TermsSource, in.Links); err != nil {
		return nil, err
	}
	id, err := s.IDs.UUID()
	if err != nil {
		return nil, err
	}
	now := s.Now()
	t := &store.Terms{
		PoolID: in.UserPoolId, ClientID: in.ClientId, ID: id, Name: in.TermsName, Source: in.TermsSource,
		Enforcement: in.Enforcement, Links: in.Links, CreatedAt: now, UpdatedAt: now,
	}
	err = s.Store.CreateTerms(ctx, t)
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, exists(in.TermsName, in.ClientId)
	case errors.Is(err, store.ErrNotFound):
		return nil, s.poolOr(ctx, in.UserPoolId, appclient.NotFound(in.ClientId))
	case err != nil:
		return nil, fmt.Errorf("create terms: %w", err)
	}
	return &model.CreateTermsResponse{Terms: wire(t)}, nil
}

// DescribeTerms returns a terms document.
func (s *Service) DescribeTerms(ctx context.Context, in *model.DescribeTermsRequest) (*model.DescribeTermsResponse, error) {
	t, err := s.Store.GetTerms(ctx, in.UserPoolId, in.TermsId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.poolOr(ctx, in.UserPoolId, notFound(in.TermsId))
	}
	if err != nil {
		return nil, fmt.Errorf("get terms: %w", err)
	}
	return &model.DescribeTermsResponse{Terms: wire(t)}, nil
}

// UpdateTerms changes what the request gives of a terms document's name,
// source, enforcement and links (which it replaces); the rest is kept.
func (s *Service) UpdateTerms(ctx context.Context, in *model.UpdateTermsRequest) (*model.UpdateTermsResponse, error) {
	t, err := s.Store.UpdateTerms(ctx, in.UserPoolId, in.TermsId, func(t *store.Terms) error {
		if in.TermsName != "" {
			t.Name = in.TermsName
		}
		if in.TermsSource != "" {
			t.Source = in.TermsSource
		}
		if in.Enforcement != "" {
			t.Enforcement = in.Enforcement
		}
		if in.Links != nil {
			t.Links = in.Links
		}
		if err := checkLinks(t.Source, t.Links); err != nil {
			return err
		}
		t.UpdatedAt = s.Now()
		return nil
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		old, gerr := s.Store.GetTerms(ctx, in.UserPoolId, in.TermsId)
		if gerr != nil {
			return nil, fmt.Errorf("get terms: %w", gerr)
		}
		return nil, exists(in.TermsName, old.ClientID)
	case errors.Is(err, store.ErrNotFound):
		return nil, s.poolOr(ctx, in.UserPoolId, notFound(in.TermsId))
	case err != nil:
		return nil, fmt.Errorf("update terms: %w", err)
	}
	return &model.UpdateTermsResponse{Terms: wire(t)}, nil
}

// DeleteTerms deletes a terms document.
func (s *Service) DeleteTerms(ctx context.Context, in *model.DeleteTermsRequest) (*model.Empty, error) {
	err := s.Store.DeleteTerms(ctx, in.UserPoolId, in.TermsId)
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.poolOr(ctx, in.UserPoolId, notFound(in.TermsId))
	}
	if err != nil {
		return nil, fmt.Errorf("delete terms: %w", err)
	}
	return &model.Empty{}, nil
}

// ListTerms lists a pool's terms documents a page at a time.
func (s *Service) ListTerms(ctx context.Context, in *model.ListTermsRequest) (*model.ListTermsResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	list, next, err := s.Store.ListTerms(ctx, in.UserPoolId, ops.Page(in.NextToken, in.MaxResults, 60))
	if err != nil {
		return nil, ops.ListError(err, ops.InvalidNextToken, "list terms")
	}
	out := &model.ListTermsResponse{Terms: []model.TermsDescriptionType{}, NextToken: next}
	for _, t := range list {
		out.Terms = append(out.Terms, model.TermsDescriptionType{
			TermsId: t.ID, TermsName: t.Name, Enforcement: t.Enforcement,
			CreationDate: model.NewTime(t.CreatedAt), LastModifiedDate: model.NewTime(t.UpdatedAt),
		})
	}
	return out, nil
}
