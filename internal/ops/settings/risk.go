package settings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// kindRisk is the settings document of a risk configuration, the pool's
// and each app client's.
const kindRisk = "risk"

// riskDoc is what a risk configuration document keeps.
type riskDoc struct {
	CompromisedCredentials *model.CompromisedCredentialsRiskConfigurationType `json:"compromisedCredentials,omitempty"`
	AccountTakeover        *model.AccountTakeoverRiskConfigurationType        `json:"accountTakeover,omitempty"`
	RiskException          *model.RiskExceptionConfigurationType              `json:"riskException,omitempty"`
}

func (d *riskDoc) empty() bool {
	return d.CompromisedCredentials == nil && d.AccountTakeover == nil && d.RiskException == nil
}

func riskType(poolID, clientID string, rec *store.PoolSetting) (*model.RiskConfigurationType, error) {
	out := &model.RiskConfigurationType{UserPoolId: poolID, ClientId: clientID}
	if rec == nil {
		return out, nil
	}
	var d riskDoc
	if err := json.Unmarshal(rec.Doc, &d); err != nil {
		return nil, fmt.Errorf("decode risk configuration: %w", err)
	}
	out.CompromisedCredentialsRiskConfiguration = d.CompromisedCredentials
	out.AccountTakeoverRiskConfiguration = d.AccountTakeover
	out.RiskExceptionConfiguration = d.RiskException
	out.LastModifiedDate = model.NewTime(rec.UpdatedAt)
	return out, nil
}

// checkRisk applies Cognito's rules to a risk configuration.
func checkRisk(d *riskDoc) error {
	if at := d.AccountTakeover; at != nil {
		notify := false
		if a := at.Actions; a != nil {
			for _, act := range []*model.AccountTakeoverActionType{a.LowAction, a.MediumAction, a.HighAction} {
				if act != nil && act.Notify != nil && *act.Notify {
					notify = true
				}
			}
		}
		if notify && at.NotifyConfiguration == nil {
			return invalid("NotifyConfiguration is required when an account takeover action notifies users.")
		}
		if nc := at.NotifyConfiguration; nc != nil {
			if !arnService(nc.SourceArn, "ses", "identity/") {
				return invalid("NotifyConfiguration SourceArn %q is not the ARN of an Amazon SES identity.", nc.SourceArn)
			}
			for name, e := range map[string]*model.NotifyEmailType{"BlockEmail": nc.BlockEmail, "NoActionEmail": nc.NoActionEmail, "MfaEmail": nc.MfaEmail} {
				if e != nil && e.HtmlBody == "" && e.TextBody == "" {
					return invalid("NotifyConfiguration %s needs an HtmlBody or a TextBody.", name)
				}
			}
		}
	}
	if cc := d.CompromisedCredentials; cc != nil {
		seen := map[string]bool{}
		for _, f := range cc.EventFilter {
			if seen[f] {
				return invalid("Duplicate value %s in EventFilter.", f)
			}
			seen[f] = true
		}
	}
	if re := d.RiskException; re != nil {
		for _, list := range [][]string{re.BlockedIPRangeList, re.SkippedIPRangeList} {
			for _, r := range list {
				if _, err := netip.ParsePrefix(r); err != nil {
					return invalid("%q is not an IP address range in CIDR notation.", r)
				}
			}
		}
	}
	return nil
}

// SetRiskConfiguration sets the threat protection configuration of the
// pool, or of one app client when ClientId is given. A request with no
// configuration resets it: the pool's to the defaults, a client's to the
// pool's. Configuring threat protection needs the Plus feature plan.
func (s *Service) SetRiskConfiguration(ctx context.Context, in *model.SetRiskConfigurationRequest) (*model.SetRiskConfigurationResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if in.ClientId != "" {
		if err := checkClient(ctx, s.Store, p.ID, in.ClientId); err != nil {
			return nil, err
		}
	}
	d := &riskDoc{
		CompromisedCredentials: in.CompromisedCredentialsRiskConfiguration,
		AccountTakeover:        in.AccountTakeoverRiskConfiguration,
		RiskException:          in.RiskExceptionConfiguration,
	}
	if !d.empty() {
		if err := userpool.RequireTier(userpool.Tier(&p.Settings), model.UserPoolTierTypePlus, "Threat protection (risk configuration)"); err != nil {
			return nil, err
		}
		if err := checkRisk(d); err != nil {
			return nil, err
		}
	}
	var doc []byte
	if !d.empty() {
		if doc, err = json.Marshal(d); err != nil {
			return nil, fmt.Errorf("encode risk configuration: %w", err)
		}
	}
	now := s.Now()
	rec, err := s.Store.UpdatePoolSetting(ctx, p.ID, in.ClientId, kindRisk, func(rec *store.PoolSetting) error {
		rec.Doc, rec.UpdatedAt = doc, now
		if rec.CreatedAt.IsZero() {
			rec.CreatedAt = now
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, s.missing(ctx, p.ID, in.ClientId)
	}
	if err != nil {
		return nil, fmt.Errorf("set risk configuration: %w", err)
	}
	if doc == nil {
		rec = nil
	}
	out, err := riskType(p.ID, in.ClientId, rec)
	if err != nil {
		return nil, err
	}
	return &model.SetRiskConfigurationResponse{RiskConfiguration: out}, nil
}

// missing returns the error for a pool or client that went away during a
// request.
func (s *Service) missing(ctx context.Context, poolID, clientID string) error {
	if _, err := s.Pools.Load(ctx, s.Store, poolID); err != nil {
		return err
	}
	if clientID != "" {
		return checkClient(ctx, s.Store, poolID, clientID)
	}
	return userpool.NotFound(poolID)
}

// DescribeRiskConfiguration returns the risk configuration of the pool, or
// of an app client: the client's own, else the pool's, which the client
// uses. The pool's has no ClientId, as the API reference documents ("When
// this parameter isn't present, the risk configuration applies to all user
// pool app clients that don't have client-level settings").
func (s *Service) DescribeRiskConfiguration(ctx context.Context, in *model.DescribeRiskConfigurationRequest) (*model.DescribeRiskConfigurationResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if in.ClientId != "" {
		if err := checkClient(ctx, s.Store, p.ID, in.ClientId); err != nil {
			return nil, err
		}
		rec, err := s.Store.GetPoolSetting(ctx, p.ID, in.ClientId, kindRisk)
		if err == nil {
			out, err := riskType(p.ID, in.ClientId, rec)
			if err != nil {
				return nil, err
			}
			return &model.DescribeRiskConfigurationResponse{RiskConfiguration: out}, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("get risk configuration: %w", err)
		}
	}
	rec, err := s.Store.GetPoolSetting(ctx, p.ID, "", kindRisk)
	if errors.Is(err, store.ErrNotFound) {
		rec, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get risk configuration: %w", err)
	}
	out, err := riskType(p.ID, "", rec)
	if err != nil {
		return nil, err
	}
	return &model.DescribeRiskConfigurationResponse{RiskConfiguration: out}, nil
}
