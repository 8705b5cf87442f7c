// Package pools implements the user pool operations: CreateUserPool,
// DescribeUserPool, UpdateUserPool, DeleteUserPool, ListUserPools and
// AddCustomAttributes.
package pools

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/ops/tags"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Service serves the pool operations.
type Service struct {
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpCreateUserPool, s.CreateUserPool)
	awsjson.Handle(m, model.OpDescribeUserPool, s.DescribeUserPool)
	awsjson.Handle(m, model.OpUpdateUserPool, s.UpdateUserPool)
	awsjson.Handle(m, model.OpDeleteUserPool, s.DeleteUserPool)
	awsjson.Handle(m, model.OpListUserPools, s.ListUserPools)
	awsjson.Handle(m, model.OpAddCustomAttributes, s.AddCustomAttributes)
}

// MaxPools is how many user pools the account can have in a region,
// Cognito's default quota.
const MaxPools = 1000

// CreateUserPool creates a pool with Cognito's defaults for every setting the
// request leaves out.
func (s *Service) CreateUserPool(ctx context.Context, in *model.CreateUserPoolRequest) (*model.CreateUserPoolResponse, error) {
	return s.create(ctx, in, "")
}

// CreateUserPoolWithID is CreateUserPool with a fixed pool ID instead of a
// drawn one, for the seed file; the caller checks the ID's form. A taken ID
// is an InvalidParameterException.
func (s *Service) CreateUserPoolWithID(ctx context.Context, id string, in *model.CreateUserPoolRequest) (*model.CreateUserPoolResponse, error) {
	return s.create(ctx, in, id)
}

// create creates a pool with the ID fixed, or a drawn one when fixed is
// empty.
func (s *Service) create(ctx context.Context, in *model.CreateUserPoolRequest, fixed string) (*model.CreateUserPoolResponse, error) {
	settings, err := userpool.NewSettings(in)
	if err != nil {
		return nil, err
	}
	if msg := tags.Problem(in.UserPoolTags); msg != "" {
		return nil, &model.UserPoolTaggingException{Message: msg}
	}
	cfg, err := encode(settings)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	for range 3 {
		id := fixed
		if id == "" {
			if id, err = s.IDs.PoolID(s.Region); err != nil {
				return nil, err
			}
		}
		rec := &store.Pool{ID: id, Name: in.PoolName, Config: cfg, CreatedAt: now, UpdatedAt: now}
		err = s.Store.Tx(ctx, func(tx store.Store) error {
			if err := tx.ClaimPoolQuota(ctx, s.Region+"_", MaxPools); err != nil {
				return err
			}
			if err := tx.CreatePool(ctx, rec); err != nil {
				return err
			}
			return setTags(ctx, tx, id, in.UserPoolTags)
		})
		if errors.Is(err, store.ErrLimit) {
			return nil, &model.LimitExceededException{Message: fmt.Sprintf("The account can have at most %d user pools in %s.", MaxPools, s.Region)}
		}
		if errors.Is(err, store.ErrConflict) {
			if fixed != "" {
				return nil, &model.InvalidParameterException{Message: fmt.Sprintf("User pool %s already exists.", id)}
			}
			continue // an ID collision: draw another
		}
		if err != nil {
			return nil, fmt.Errorf("create pool: %w", err)
		}
		p, err := userpool.Decode(rec)
		if err != nil {
			return nil, err
		}
		out := p.Describe(s.Region, s.AccountID, 0)
		out.UserPoolTags = in.UserPoolTags
		return &model.CreateUserPoolResponse{UserPool: out}, nil
	}
	return nil, errors.New("create pool: could not draw a free pool ID")
}

// DescribeUserPool returns a pool's settings.
func (s *Service) DescribeUserPool(ctx context.Context, in *model.DescribeUserPoolRequest) (*model.DescribeUserPoolResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	n, err := s.Store.CountUsers(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("count users: %w", err)
	}
	out := p.Describe(s.Region, s.AccountID, n)
	// The pool's tags and domains are records of their own.
	t, err := s.Store.GetTags(ctx, p.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, userpool.NotFound(p.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("get tags: %w", err)
	}
	out.UserPoolTags = nil
	if len(t) > 0 {
		out.UserPoolTags = t
	}
	ds, err := s.Store.ListPoolDomains(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	out.Domain, out.CustomDomain = "", ""
	for _, d := range ds {
		if d.Custom {
			out.CustomDomain = d.Name
		} else {
			out.Domain = d.Name
		}
	}
	return &model.DescribeUserPoolResponse{UserPool: out}, nil
}

// EncodeSettings returns the settings document a pool with these settings
// stores, as the pool operations write it (the seed file writes pools
// through it).
func EncodeSettings(settings *model.UserPoolType) ([]byte, error) { return encode(settings) }

// encode returns the settings document to store: the pool's tags and
// domains are kept as records of their own, not in it.
func encode(settings *model.UserPoolType) ([]byte, error) {
	keep := *settings
	keep.UserPoolTags, keep.Domain, keep.CustomDomain = nil, "", ""
	return userpool.Encode(&keep)
}

// setTags replaces a pool's tags with t, unless t is nil.
func setTags(ctx context.Context, st store.Tags, id string, t map[string]string) error {
	if t == nil {
		return nil
	}
	_, err := st.UpdateTags(ctx, id, func(old map[string]string) error {
		clear(old)
		maps.Copy(old, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("set tags: %w", err)
	}
	return nil
}

// UpdateUserPool replaces a pool's updatable settings; those the request
// leaves out return to their defaults, as Cognito documents.
func (s *Service) UpdateUserPool(ctx context.Context, in *model.UpdateUserPoolRequest) (*model.UpdateUserPoolResponse, error) {
	if msg := tags.Problem(in.UserPoolTags); msg != "" {
		return nil, &model.UserPoolTaggingException{Message: msg}
	}
	err := s.Store.Tx(ctx, func(tx store.Store) error {
		var tier string
		err := s.update(ctx, tx, in.UserPoolId, func(p *userpool.Pool, rec *store.Pool) error {
			next, err := userpool.UpdateSettings(&p.Settings, in)
			if err != nil {
				return err
			}
			if in.PoolName != "" {
				rec.Name = in.PoolName
			}
			p.Settings = *next
			tier = userpool.Tier(next)
			return nil
		})
		if err != nil {
			return err
		}
		if err := checkReplicaTier(ctx, tx, in.UserPoolId, tier); err != nil {
			return err
		}
		// The new settings must agree with the MFA factors, log delivery
		// and feature plan kept in the pool's other documents.
		if err := userpool.CheckUpdated(ctx, tx, in.UserPoolId, s.Now()); err != nil {
			return err
		}
		// Tags given replace the pool's tags; none given keeps them.
		return setTags(ctx, tx, in.UserPoolId, in.UserPoolTags)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateUserPoolResponse{}, nil
}

// checkReplicaTier refuses the feature plan tier for a pool with a
// secondary replica when the plan lacks multi-Region replication (Lite).
// It runs in the transaction that locked the pool's row, which
// CreateUserPoolReplica's also locks.
func checkReplicaTier(ctx context.Context, tx store.Store, id, tier string) error {
	if userpool.RequireTier(tier, model.UserPoolTierTypeEssentials, "Multi-Region replication") == nil {
		return nil
	}
	reps, _, err := tx.ListReplicas(ctx, id, store.Page{Limit: 1})
	if err != nil {
		return fmt.Errorf("list replicas: %w", err)
	}
	if len(reps) == 0 {
		return nil
	}
	return userpool.RequireTier(tier, model.UserPoolTierTypeEssentials, "Multi-Region replication (the user pool has a replica in "+reps[0].Region+")")
}

// update runs fn on a decoded pool inside st's read-modify-write.
func (s *Service) update(ctx context.Context, st store.Pools, id string, fn func(p *userpool.Pool, rec *store.Pool) error) error {
	_, err := st.UpdatePool(ctx, id, func(rec *store.Pool) error {
		p, err := userpool.Decode(rec)
		if err != nil {
			return err
		}
		if err := fn(p, rec); err != nil {
			return err
		}
		if rec.Config, err = encode(&p.Settings); err != nil {
			return err
		}
		rec.UpdatedAt = s.Now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return userpool.NotFound(id)
	}
	if err != nil {
		return fmt.Errorf("update pool: %w", err)
	}
	return nil
}

// DeleteUserPool deletes a pool and everything in it, unless deletion
// protection is active.
func (s *Service) DeleteUserPool(ctx context.Context, in *model.DeleteUserPoolRequest) (*model.Empty, error) {
	err := s.Store.Tx(ctx, func(tx store.Store) error {
		p, err := s.Pools.Load(ctx, tx, in.UserPoolId)
		if err != nil {
			return err
		}
		if p.Settings.DeletionProtection == model.DeletionProtectionTypeActive {
			return &model.InvalidParameterException{Message: "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first."}
		}
		if err := tx.DeletePool(ctx, p.ID); err != nil {
			return fmt.Errorf("delete pool: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.Empty{}, nil
}

// ListUserPools lists pools a page at a time.
func (s *Service) ListUserPools(ctx context.Context, in *model.ListUserPoolsRequest) (*model.ListUserPoolsResponse, error) {
	recs, next, err := s.Store.ListPools(ctx, ops.Page(in.NextToken, in.MaxResults, 60))
	if err != nil {
		return nil, ops.ListError(err, ops.InvalidNextToken, "list pools")
	}
	ids := make([]string, len(recs))
	for i := range recs {
		ids[i] = recs[i].ID
	}
	replicas, err := s.Store.ReplicaRegions(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("replica regions: %w", err)
	}
	out := &model.ListUserPoolsResponse{UserPools: []model.UserPoolDescriptionType{}, NextToken: next}
	for i := range recs {
		p, err := userpool.Decode(&recs[i])
		if err != nil {
			return nil, err
		}
		out.UserPools = append(out.UserPools, model.UserPoolDescriptionType{
			Id: p.ID, Name: p.Name, LambdaConfig: p.Settings.LambdaConfig,
			CreationDate: model.NewTime(p.CreatedAt), LastModifiedDate: model.NewTime(p.UpdatedAt),
			ReplicaRegions: replicas[p.ID],
		})
	}
	return out, nil
}

// AddCustomAttributes adds custom attributes to a pool's schema.
func (s *Service) AddCustomAttributes(ctx context.Context, in *model.AddCustomAttributesRequest) (*model.AddCustomAttributesResponse, error) {
	err := s.update(ctx, s.Store, in.UserPoolId, func(p *userpool.Pool, _ *store.Pool) error {
		schema, err := userpool.AddCustomAttributes(p.Settings.SchemaAttributes, in.CustomAttributes)
		if err != nil {
			return err
		}
		p.Settings.SchemaAttributes = schema
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.AddCustomAttributesResponse{}, nil
}
