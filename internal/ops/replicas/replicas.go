// Package replicas implements multi-Region replication of user pools:
// CreateUserPoolReplica, UpdateUserPoolReplica, DeleteUserPoolReplica and
// ListUserPoolReplicas, and the Gate that makes a Cognate deployment whose
// --region is a pool's secondary region serve that pool as Cognito's
// secondary replicas do.
//
// A region is a Cognate deployment with its own --region on the database
// the primary uses. A pool's primary region is the one its ID starts with;
// a replica keeps the pool's ID and shares its directory, settings, clients
// and signing keys (so tokens issued in one region verify in the other):
// the store keeps only what is the replica's own, its status and its tags.
package replicas

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/ops/tags"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// MaxSecondaries is how many secondary replicas a pool can have: Cognito
// allows one, in another region.
const MaxSecondaries = 1

// pageSize is how many replicas a page of ListUserPoolReplicas holds.
const pageSize = 10

// regionName is the form of an AWS Region name (us-east-1,
// ap-southeast-2, us-gov-west-1).
var regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// Service serves the replica operations.
type Service struct {
	ops.Deps
	// clientPools memoizes the pool of each app client ID the Gate has
	// looked up (clientPoolsSize at most): a client never moves to another
	// pool and its ID is never given to another client, so an entry never
	// goes stale; it may outlive its client, which the handler then reports
	// missing as before, unless the request reaches a region that is
	// secondary for the old pool, where it is refused as the pool's
	// would be.
	clientPools     sync.Map // client ID → pool ID
	clientPoolsSize atomic.Int64
}

// clientPoolsMax bounds the Gate's memo of client pools.
const clientPoolsMax = 100_000

// Register mounts the operations on m and makes the Gate m's.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpCreateUserPoolReplica, s.CreateUserPoolReplica)
	awsjson.Handle(m, model.OpUpdateUserPoolReplica, s.UpdateUserPoolReplica)
	awsjson.Handle(m, model.OpDeleteUserPoolReplica, s.DeleteUserPoolReplica)
	awsjson.Handle(m, model.OpListUserPoolReplicas, s.ListUserPoolReplicas)
	m.Gate = s.Gate
}

// PrimaryRegion returns the region of a pool ID: the primary region of the
// pool, which its ID starts with.
func PrimaryRegion(poolID string) string {
	region, _, _ := strings.Cut(poolID, "_")
	return region
}

// describe returns a secondary replica as the API reports it, with status.
func (s *Service) describe(r *store.Replica, status string) *model.UserPoolReplicaType {
	return &model.UserPoolReplicaType{
		RegionName:  r.Region,
		Role:        model.ReplicaRoleTypeSecondary,
		Status:      status,
		UserPoolArn: userpool.ARN(r.Region, s.AccountID, r.PoolID),
	}
}

// inPrimary returns the error of an operation that only the pool's primary
// region serves, called in this region: OperationNotEnabledException in its
// secondary region, ResourceNotFoundException where the pool has no
// replica.
func (s *Service) inPrimary(ctx context.Context, op, poolID string) error {
	primary := PrimaryRegion(poolID)
	if primary == s.Region {
		return nil
	}
	if _, err := s.replica(ctx, poolID, s.Region); err != nil {
		return err
	}
	return &model.OperationNotEnabledException{Message: fmt.Sprintf("%s must be called in the primary Region %s of user pool %s, not in its secondary Region %s.", op, primary, poolID, s.Region)}
}

// replica returns the replica of poolID in region; a missing one is the
// ResourceNotFoundException of a pool this region does not have.
func (s *Service) replica(ctx context.Context, poolID, region string) (*store.Replica, error) {
	r, err := s.Store.GetReplica(ctx, poolID, region)
	if errors.Is(err, store.ErrNotFound) {
		return nil, userpool.NotFound(poolID)
	}
	if err != nil {
		return nil, fmt.Errorf("get replica: %w", err)
	}
	return r, nil
}

// checkSecondary returns the InvalidParameterException of a RegionName
// that cannot name a secondary replica of poolID: not a region's name, or
// the primary region.
func checkSecondary(poolID, region string) error {
	if !regionName.MatchString(region) {
		return &model.InvalidParameterException{Message: fmt.Sprintf("Invalid RegionName %s: it must name an AWS Region, such as us-west-2.", region)}
	}
	if region == PrimaryRegion(poolID) {
		return &model.InvalidParameterException{Message: fmt.Sprintf("Region %s is the primary Region of user pool %s: a replica must be in another Region.", region, poolID)}
	}
	return nil
}

// CreateUserPoolReplica creates a pool's secondary replica in another
// region. It is called in the primary region, on a pool of the Essentials
// or Plus feature plan. The replica starts INACTIVE; the answer says
// CREATING, as Cognito's does while it copies the pool: Cognate's regions
// share one database, so there is nothing to copy and the replica is
// INACTIVE as soon as it is listed.
func (s *Service) CreateUserPoolReplica(ctx context.Context, in *model.CreateUserPoolReplicaRequest) (*model.CreateUserPoolReplicaResponse, error) {
	if err := checkSecondary(in.UserPoolId, in.RegionName); err != nil {
		return nil, err
	}
	if err := s.inPrimary(ctx, model.OpCreateUserPoolReplica, in.UserPoolId); err != nil {
		return nil, err
	}
	pool, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if err := userpool.RequireTier(userpool.Tier(&pool.Settings), model.UserPoolTierTypeEssentials, "Multi-Region replication"); err != nil {
		return nil, err
	}
	if msg := tags.Problem(in.UserPoolTags); msg != "" {
		return nil, &model.UserPoolTaggingException{Message: msg}
	}
	now := s.Now()
	r := &store.Replica{PoolID: in.UserPoolId, Region: in.RegionName, Status: model.ReplicaStatusTypeInactive, Tags: in.UserPoolTags, CreatedAt: now, UpdatedAt: now}
	switch err := s.Store.CreateReplica(ctx, r, MaxSecondaries); {
	case errors.Is(err, store.ErrNotFound):
		return nil, userpool.NotFound(in.UserPoolId)
	case errors.Is(err, store.ErrConflict):
		return nil, &model.InvalidParameterException{Message: fmt.Sprintf("User pool %s already has a replica in %s.", in.UserPoolId, in.RegionName)}
	case errors.Is(err, store.ErrLimit):
		return nil, &model.LimitExceededException{Message: fmt.Sprintf("User pool %s already has a secondary replica: a user pool can have at most %d.", in.UserPoolId, MaxSecondaries)}
	case err != nil:
		return nil, fmt.Errorf("create replica: %w", err)
	}
	return &model.CreateUserPoolReplicaResponse{UserPoolReplica: s.describe(r, model.ReplicaStatusTypeCreating)}, nil
}

// UpdateUserPoolReplica makes a secondary replica ACTIVE or INACTIVE. It
// can be called in the primary region and in the replica's own.
func (s *Service) UpdateUserPoolReplica(ctx context.Context, in *model.UpdateUserPoolReplicaRequest) (*model.UpdateUserPoolReplicaResponse, error) {
	if err := checkSecondary(in.UserPoolId, in.RegionName); err != nil {
		return nil, err
	}
	if PrimaryRegion(in.UserPoolId) != s.Region && in.RegionName != s.Region {
		return nil, userpool.NotFound(in.UserPoolId)
	}
	r, err := s.Store.UpdateReplica(ctx, in.UserPoolId, in.RegionName, func(r *store.Replica) error {
		r.Status, r.UpdatedAt = in.Status, s.Now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.noReplica(ctx, in.UserPoolId, in.RegionName)
	}
	if err != nil {
		return nil, fmt.Errorf("update replica: %w", err)
	}
	return &model.UpdateUserPoolReplicaResponse{UserPoolReplica: s.describe(r, r.Status)}, nil
}

// noReplica returns the ResourceNotFoundException of a replica that does
// not exist: of the pool when the pool does not, else of the replica.
func (s *Service) noReplica(ctx context.Context, poolID, region string) error {
	if _, err := s.Store.GetPool(ctx, poolID); errors.Is(err, store.ErrNotFound) {
		return userpool.NotFound(poolID)
	} else if err != nil {
		return fmt.Errorf("get pool: %w", err)
	}
	return &model.ResourceNotFoundException{Message: fmt.Sprintf("User pool %s has no replica in %s.", poolID, region)}
}

// DeleteUserPoolReplica deletes an INACTIVE secondary replica. It is called
// in the primary region. The answer says DELETING, as Cognito's does while
// it removes the replica; Cognate has removed it when it answers.
func (s *Service) DeleteUserPoolReplica(ctx context.Context, in *model.DeleteUserPoolReplicaRequest) (*model.DeleteUserPoolReplicaResponse, error) {
	if err := checkSecondary(in.UserPoolId, in.RegionName); err != nil {
		return nil, err
	}
	if err := s.inPrimary(ctx, model.OpDeleteUserPoolReplica, in.UserPoolId); err != nil {
		return nil, err
	}
	r, err := s.Store.DeleteReplica(ctx, in.UserPoolId, in.RegionName, func(r *store.Replica) error {
		if r.Status != model.ReplicaStatusTypeInactive {
			return &model.InvalidParameterException{Message: fmt.Sprintf("The replica of user pool %s in %s is %s: only an INACTIVE replica can be deleted (UpdateUserPoolReplica sets its status).", r.PoolID, r.Region, r.Status)}
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.noReplica(ctx, in.UserPoolId, in.RegionName)
	}
	if err != nil {
		return nil, fmt.Errorf("delete replica: %w", err)
	}
	return &model.DeleteUserPoolReplicaResponse{UserPoolReplica: s.describe(r, model.ReplicaStatusTypeDeleting)}, nil
}

// ListUserPoolReplicas lists a pool's replicas: the primary first, then the
// secondaries by region. It can be called in every region of the pool.
func (s *Service) ListUserPoolReplicas(ctx context.Context, in *model.ListUserPoolReplicasRequest) (*model.ListUserPoolReplicasResponse, error) {
	primary := PrimaryRegion(in.UserPoolId)
	if primary != s.Region {
		if _, err := s.replica(ctx, in.UserPoolId, s.Region); err != nil {
			return nil, err
		}
	} else if _, err := s.Store.GetPool(ctx, in.UserPoolId); errors.Is(err, store.ErrNotFound) {
		return nil, userpool.NotFound(in.UserPoolId)
	} else if err != nil {
		return nil, fmt.Errorf("get pool: %w", err)
	}
	list, next, err := s.Store.ListReplicas(ctx, in.UserPoolId, ops.Page(in.NextToken, nil, pageSize))
	if err != nil {
		return nil, ops.ListError(err, ops.InvalidNextToken, "list replicas")
	}
	out := &model.ListUserPoolReplicasResponse{NextToken: next}
	if in.NextToken == "" {
		out.UserPoolReplicas = append(out.UserPoolReplicas, model.UserPoolReplicaType{
			RegionName: primary, Role: model.ReplicaRoleTypePrimary, Status: model.ReplicaStatusTypeActive,
			UserPoolArn: userpool.ARN(primary, s.AccountID, in.UserPoolId),
		})
	}
	for i := range list {
		out.UserPoolReplicas = append(out.UserPoolReplicas, *s.describe(&list[i], list[i].Status))
	}
	return out, nil
}
