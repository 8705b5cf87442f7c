package settings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// checkLogConfiguration applies Cognito's rules to one log destination:
// message delivery errors (userNotification) go at ERROR level to a
// CloudWatch Logs group; threat protection's user activity (userAuthEvents)
// goes at INFO level to a log group, an S3 bucket or a Data Firehose stream,
// and needs the Plus feature plan.
func checkLogConfiguration(tier string, c *model.LogConfigurationType) error {
	n := 0
	if cw := c.CloudWatchLogsConfiguration; cw != nil {
		n++
		if !arnService(cw.LogGroupArn, "logs", "log-group:") {
			return invalid("LogGroupArn %q is not the ARN of a CloudWatch Logs log group.", cw.LogGroupArn)
		}
	}
	if s3 := c.S3Configuration; s3 != nil {
		n++
		if !arnService(s3.BucketArn, "s3", "") {
			return invalid("BucketArn %q is not the ARN of an Amazon S3 bucket.", s3.BucketArn)
		}
	}
	if fh := c.FirehoseConfiguration; fh != nil {
		n++
		if !arnService(fh.StreamArn, "firehose", "deliverystream/") {
			return invalid("StreamArn %q is not the ARN of an Amazon Data Firehose stream.", fh.StreamArn)
		}
	}
	if n != 1 {
		return invalid("Each log configuration needs exactly one destination: CloudWatchLogsConfiguration, S3Configuration or FirehoseConfiguration.")
	}
	switch c.EventSource {
	case model.EventSourceNameUsernotification:
		if c.LogLevel != model.LogLevelError {
			return invalid("Logs of event source userNotification must have LogLevel ERROR.")
		}
		if c.CloudWatchLogsConfiguration == nil {
			return invalid("Logs of event source userNotification can only be sent to CloudWatch Logs.")
		}
	case model.EventSourceNameUserauthevents:
		if err := userpool.RequireTier(tier, model.UserPoolTierTypePlus, "Export of user activity logs (userAuthEvents)"); err != nil {
			return err
		}
		if c.LogLevel != model.LogLevelInfo {
			return invalid("Logs of event source userAuthEvents must have LogLevel INFO.")
		}
	}
	return nil
}

// SetLogDeliveryConfiguration replaces the pool's log export destinations;
// an empty list turns log export off.
func (s *Service) SetLogDeliveryConfiguration(ctx context.Context, in *model.SetLogDeliveryConfigurationRequest) (*model.SetLogDeliveryConfigurationResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i := range in.LogConfigurations {
		c := &in.LogConfigurations[i]
		if seen[c.EventSource] {
			return nil, invalid("Only one log configuration per event source is allowed; %s appears twice.", c.EventSource)
		}
		seen[c.EventSource] = true
		if err := checkLogConfiguration(userpool.Tier(&p.Settings), c); err != nil {
			return nil, err
		}
	}
	var doc []byte
	if len(in.LogConfigurations) > 0 {
		if doc, err = json.Marshal(in.LogConfigurations); err != nil {
			return nil, fmt.Errorf("encode log delivery configuration: %w", err)
		}
	}
	now := s.Now()
	_, err = s.Store.UpdatePoolSetting(ctx, p.ID, "", userpool.KindLogDelivery, func(rec *store.PoolSetting) error {
		rec.Doc, rec.UpdatedAt = doc, now
		if rec.CreatedAt.IsZero() {
			rec.CreatedAt = now
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, userpool.NotFound(p.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("set log delivery configuration: %w", err)
	}
	out, err := userpool.LoadLogDelivery(ctx, s.Store, p.ID)
	if err != nil {
		return nil, err
	}
	return &model.SetLogDeliveryConfigurationResponse{LogDeliveryConfiguration: out}, nil
}

// GetLogDeliveryConfiguration returns the pool's log export destinations.
func (s *Service) GetLogDeliveryConfiguration(ctx context.Context, in *model.GetLogDeliveryConfigurationRequest) (*model.GetLogDeliveryConfigurationResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	out, err := userpool.LoadLogDelivery(ctx, s.Store, p.ID)
	if err != nil {
		return nil, err
	}
	return &model.GetLogDeliveryConfigurationResponse{LogDeliveryConfiguration: out}, nil
}
