package settings

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// apiCategory is one of Cognito's API request-rate categories: its default
// rate in requests per second, and whether it can be raised.
type apiCategory struct {
	free       int32
	adjustable bool
}

// categories are the user pools API categories with their default quotas,
// as Cognito's quotas documentation lists them.
var categories = map[string]apiCategory{
	"UserAuthentication":     {120, true},
	"UserCreation":           {50, true},
	"UserFederation":         {25, true},
	"UserAccountRecovery":    {30, false},
	"UserRead":               {120, true},
	"UserUpdate":             {25, false},
	"UserResourceRead":       {50, true},
	"UserResourceUpdate":     {25, false},
	"UserList":               {30, false},
	"UserPoolRead":           {15, false},
	"UserPoolUpdate":         {15, false},
	"UserPoolResourceRead":   {20, false},
	"UserPoolResourceUpdate": {15, false},
	"UserPoolClientRead":     {15, false},
	"UserPoolClientUpdate":   {15, false},
	"UserToken":              {120, false},
	"ClientAuthentication":   {150, true},
}

// MaxProvisionedFactor bounds provisioned limits: Cognate's account-level
// maximum for a category (what Service Quotas holds in AWS) is this many
// times its default.
const MaxProvisionedFactor = 10

// limitKey is the store's name of a provisioned limit.
func limitKey(category string) string { return model.LimitClassApiCategory + "/" + category }

// category returns the category a limit definition names.
func category(d *model.LimitDefinitionType) (string, apiCategory, error) {
	if d == nil || d.LimitClass != model.LimitClassApiCategory {
		return "", apiCategory{}, invalid("LimitClass must be API_CATEGORY.")
	}
	name, ok := d.Attributes["Category"]
	if !ok || len(d.Attributes) != 1 {
		return "", apiCategory{}, invalid("Attributes must name the API category, and only it, with the key Category.")
	}
	c, ok := categories[name]
	if !ok {
		return "", apiCategory{}, &model.ResourceNotFoundException{Message: fmt.Sprintf("No provisioned limit for category %q. Categories: %s.",
			name, strings.Join(slices.Sorted(maps.Keys(categories)), ", "))}
	}
	return name, c, nil
}

func (s *Service) limit(ctx context.Context, name string, c apiCategory) (*model.LimitType, error) {
	v := int64(c.free)
	got, err := s.Store.GetProvisionedLimit(ctx, limitKey(name))
	switch {
	case err == nil:
		v = got
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("get provisioned limit: %w", err)
	}
	return &model.LimitType{
		LimitDefinition:       &model.LimitDefinitionType{LimitClass: model.LimitClassApiCategory, Attributes: map[string]string{"Category": name}},
		ProvisionedLimitValue: ptr(int32(v)),
		FreeLimitValue:        ptr(c.free),
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
// maximum. Cognate stores and reports the rate; it does not throttle.
func (s *Service) UpdateProvisionedLimit(ctx context.Context, in *model.UpdateProvisionedLimitRequest) (*model.UpdateProvisionedLimitResponse, error) {
	name, c, err := category(in.LimitDefinition)
	if err != nil {
		return nil, err
	}
	if !c.adjustable {
		return nil, invalid("The %s category limit is not adjustable.", name)
	}
	v := *in.RequestedLimitValue
	if v < c.free {
		return nil, invalid("RequestedLimitValue %d is below the default limit of %d requests per second for %s.", v, c.free, name)
	}
	if ceiling := c.free * MaxProvisionedFactor; v > ceiling {
		return nil, &model.ServiceQuotaExceededException{Message: fmt.Sprintf("RequestedLimitValue %d exceeds the account's maximum of %d requests per second for %s.", v, ceiling, name)}
	}
	if err := s.Store.SetProvisionedLimit(ctx, limitKey(name), int64(v), s.Now()); err != nil {
		return nil, fmt.Errorf("set provisioned limit: %w", err)
	}
	l, err := s.limit(ctx, name, c)
	if err != nil {
		return nil, err
	}
	return &model.UpdateProvisionedLimitResponse{Limit: l}, nil
}
