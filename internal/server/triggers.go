package server

import (
	"context"
	"maps"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/kmscrypt"
	"github.com/cognate-idp/cognate/internal/seed"
	"github.com/cognate-idp/cognate/internal/triggers"
)

// newHooks returns the Lambda triggers: functions mapped to HTTP endpoints
// (--lambda-functions, then the seed file's LambdaFunctions) are invoked
// there, the rest through the Invoke API at --lambda-endpoint. Without an
// endpoint an unmapped function is not found, as a deleted function is on
// AWS. Custom senders' codes are encrypted with data keys from the KMS at
// --kms-endpoint (AWS's own without it).
func newHooks(ctx context.Context, cfg *config.Config, f *seed.File) (*triggers.Lambda, error) {
	urls := map[string]string{}
	if f != nil {
		maps.Copy(urls, f.LambdaFunctions)
	}
	if cfg.LambdaFunctions != "" {
		m, err := triggers.ReadFunctions(cfg.LambdaFunctions)
		if err != nil {
			return nil, err
		}
		maps.Copy(urls, m)
	}
	ep := &triggers.Endpoints{URLs: urls}
	if cfg.LambdaEndpoint != "" {
		api, err := triggers.NewAWSLambda(ctx, cfg.LambdaEndpoint, cfg.Region, nil)
		if err != nil {
			return nil, err
		}
		ep.Next = api
	}
	keys := kmscrypt.NewKMS(cfg.KMSEndpoint, cfg.Region, nil)
	return &triggers.Lambda{Invoker: ep, Region: cfg.Region, Keys: keys}, nil
}
