package settings

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ratelimit"
	"github.com/cognate-idp/cognate/internal/store"
)

// MaxProvisionedFactor bounds provisioned limits: Cognate's account-level
// maximum for a category (what Service Quotas holds in AWS) is this many
// times its default.
const MaxProvisionedFactor = 10

// category returns the category a limit definition names.
func category(d *model.LimitDefinitionType) (string, ratelimit.Category, error) {
	if d == nil || d.LimitClass != model.LimitClassApiCategory {
		return "", ratelimit.Category{}, invalid("LimitClass must be API_CATEGORY.")
	}
	name, ok := d.Attributes["Category"]
	if !ok || len(d.Attributes) != 1 {
		return "", ratelimit.Category{}, invalid("Attributes must name the API category, and only it, with the key Category.")
	}
	c, ok := ratelimit.Lookup(name)
	if !ok {
		return "", ratelimit.Category{}, &model.ResourceNotFoundException{Message: fmt.Sprintf("No provisioned limit for category %q. Categories: %s.",
			name, strings.Join(ratelimit.Names(), ", "))}
	}
	return name, c, nil
}

func (s *Service) limit(ctx context.Context, name string, c ratelimit.Category) (*model.LimitType, error) {
	v := int64(c.Free)
	got, err := s.Store.GetProvisionedLimit(ctx, ratelimit.LimitKey(name))
	switch {
	case err == nil:
		v = got
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("get provisioned limit: %w", err)
	}
	return &model.LimitType{
		LimitDefinition:       &model.LimitDefinitionType{LimitClass: model.LimitClassApiCategory, Attributes: map[string]string{"Category": name}},
		ProvisionedLimitValue: ptr(int32(v)),
		FreeLimitValue:        ptr(c.Free),
	}, nil
}

// GetProvisionedLimit returns the request rate provisioned for an API
// category of the account, and its default.
func (s *Service) GetProvisionedLimit(ctx context.Context, in *model.GetProvisionedLimitRequest) (*model.GetProvisionedLimitResponse, error) {
	name, c, err := category(in.LimitDefinition)
	if err != nil {
		return nil, err
	}
	l, err := s.limit(ctx, name, c)
	if err != nil {
		return nil, err
	}
	return &model.GetProvisionedLimitResponse{Limit: l}, nil
}

// UpdateProvisionedLimit sets the request rate provisioned for an
// adjustable API category: at least its default and at most the account's
// maximum. With rate limits on (cognate serve --rate-limits) the new rate
// applies from the next request.
func (s *Service) UpdateProvisionedLimit(ctx context.Context, in *model.UpdateProvisionedLimitRequest) (*model.UpdateProvisionedLimitResponse, error) {
	name, c, err := category(in.LimitDefinition)
	if err != nil {
		return nil, err
	}
	if !c.Adjustable {
		return nil, invalid("The %s category limit is not adjustable.", name)
	}
	v := *in.RequestedLimitValue
	if v < c.Free {
		return nil, invalid("RequestedLimitValue %d is below the default limit of %d requests per second for %s.", v, c.Free, name)
	}
	if ceiling := c.Free * MaxProvisionedFactor; v > ceiling {
		return nil, &model.ServiceQuotaExceededException{Message: fmt.Sprintf("RequestedLimitValue %d exceeds the account's maximum of %d requests per second for %s.", v, ceiling, name)}
	}
	if err := s.Store.SetProvisionedLimit(ctx, ratelimit.LimitKey(name), int64(v), s.Now()); err != nil {
		return nil, fmt.Errorf("set provisioned limit: %w", err)
	}
	l, err := s.limit(ctx, name, c)
	if err != nil {
		return nil, err
	}
	return &model.UpdateProvisionedLimitResponse{Limit: l}, nil
}
