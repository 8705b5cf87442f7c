// Package tags implements the tagging operations on user pools
// (TagResource, UntagResource and ListTagsForResource) and the rules a
// pool's tags follow wherever they are set, CreateUserPool and
// UpdateUserPool included.
package tags

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// MaxTags is how many tags a user pool can have.
const MaxTags = 50

// Service serves the tagging operations.
type Service struct {
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpTagResource, s.TagResource)
	awsjson.Handle(m, model.OpUntagResource, s.UntagResource)
	awsjson.Handle(m, model.OpListTagsForResource, s.ListTagsForResource)
}

// Problem returns what is wrong with a pool's whole set of tags, or "" when
// it is valid: at most MaxTags, and no key in the "aws:" namespace, which
// AWS reserves. The model checks the lengths of keys and values.
func Problem(tags map[string]string) string {
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return fmt.Sprintf("Tag key %s is invalid: the aws: prefix is reserved for AWS use.", k)
		}
	}
	if len(tags) > MaxTags {
		return fmt.Sprintf("A user pool can have at most %d tags.", MaxTags)
	}
	return ""
}

// poolID returns the ID of the pool an ARN names. An ARN that does not name
// a user pool is invalid; one that names a pool of another region or
// account names a pool that does not exist here.
func (s *Service) poolID(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "cognito-idp" || !strings.HasPrefix(parts[5], "userpool/") {
		return "", &model.InvalidParameterException{Message: fmt.Sprintf("Invalid ARN %s: it must name a user pool, as arn:aws:cognito-idp:<region>:<account>:userpool/<user pool ID>.", arn)}
	}
	id := strings.TrimPrefix(parts[5], "userpool/")
	if arn != userpool.ARN(s.Region, s.AccountID, id) {
		return "", userpool.NotFound(id)
	}
	return id, nil
}

// update applies fn to the tags of the pool arn names: in a secondary
// region of the pool, to its replica's own tags.
func (s *Service) update(ctx context.Context, arn string, fn func(tags map[string]string) error) error {
	id, err := s.poolID(arn)
	if err != nil {
		return err
	}
	if s.secondary(id) {
		_, err = s.Store.UpdateReplica(ctx, id, s.Region, func(r *store.Replica) error {
			if r.Tags == nil {
				r.Tags = map[string]string{}
			}
			r.UpdatedAt = s.Now()
			return fn(r.Tags)
		})
	} else {
		_, err = s.Store.UpdateTags(ctx, id, fn)
	}
	if errors.Is(err, store.ErrNotFound) {
		return userpool.NotFound(id)
	}
	if err != nil {
		return fmt.Errorf("update tags: %w", err)
	}
	return nil
}

// secondary reports whether this region is a secondary region of pool id:
// not the one its ID starts with. A replica's tags are its own.
func (s *Service) secondary(id string) bool {
	region, _, _ := strings.Cut(id, "_")
	return region != s.Region
}

// TagResource adds tags to a user pool, replacing the values of keys it has.
func (s *Service) TagResource(ctx context.Context, in *model.TagResourceRequest) (*model.TagResourceResponse, error) {
	err := s.update(ctx, in.ResourceArn, func(tags map[string]string) error {
		maps.Copy(tags, in.Tags)
		if msg := Problem(tags); msg != "" {
			return &model.InvalidParameterException{Message: msg}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.TagResourceResponse{}, nil
}

// UntagResource removes tags from a user pool; keys it does not have are
// ignored.
func (s *Service) UntagResource(ctx context.Context, in *model.UntagResourceRequest) (*model.UntagResourceResponse, error) {
	err := s.update(ctx, in.ResourceArn, func(tags map[string]string) error {
		for _, k := range in.TagKeys {
			delete(tags, k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.UntagResourceResponse{}, nil
}

// ListTagsForResource returns a user pool's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *model.ListTagsForResourceRequest) (*model.ListTagsForResourceResponse, error) {
	id, err := s.poolID(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	if s.secondary(id) {
		var r *store.Replica
		if r, err = s.Store.GetReplica(ctx, id, s.Region); err == nil {
			tags = r.Tags
		}
	} else {
		tags, err = s.Store.GetTags(ctx, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, userpool.NotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("get tags: %w", err)
	}
	return &model.ListTagsForResourceResponse{Tags: tags}, nil
}
