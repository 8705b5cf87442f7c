// Package domains implements the user pool domain operations:
// CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain and
// DeleteUserPoolDomain. A pool may have a prefix domain
// (<prefix>.auth.<region>.amazoncognito.com) and a custom domain (a name of
// its own with a certificate) at once; both serve its managed login pages
// and OAuth endpoints, and Lookup finds the pool a request's host names.
package domains

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// MaxCustomDomains is how many custom domains an account can have: Cognito's
// quota, across all of the account's pools.
const MaxCustomDomains = 4

// Managed login branding versions.
const (
	ClassicHostedUI = 1 // the classic hosted UI, the default
	ManagedLogin    = 2 // managed login with the branding editor
)

// Service serves the domain operations.
type Service struct {
	ops.Deps
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpCreateUserPoolDomain, s.CreateUserPoolDomain)
	awsjson.Handle(m, model.OpDescribeUserPoolDomain, s.DescribeUserPoolDomain)
	awsjson.Handle(m, model.OpUpdateUserPoolDomain, s.UpdateUserPoolDomain)
	awsjson.Handle(m, model.OpDeleteUserPoolDomain, s.DeleteUserPoolDomain)
}

// Settings is a domain's settings document.
type Settings struct {
	ManagedLoginVersion int32                         `json:"managedLoginVersion"`
	CustomDomainConfig  *model.CustomDomainConfigType `json:"customDomainConfig,omitempty"`
	Routing             *model.RoutingType            `json:"routing,omitempty"`
}

// Decode returns a stored domain's settings.
func Decode(d *store.Domain) (*Settings, error) {
	var set Settings
	if err := json.Unmarshal(d.Config, &set); err != nil {
		return nil, fmt.Errorf("decode domain %s settings: %w", d.Name, err)
	}
	return &set, nil
}

func encode(set *Settings) ([]byte, error) {
	b, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("encode domain settings: %w", err)
	}
	return b, nil
}

func invalid(format string, args ...any) error {
	return &model.InvalidParameterException{Message: fmt.Sprintf(format, args...)}
}

// noSuchDomain is Cognito's error for a domain that is not the pool's, or a
// pool that does not exist, in the operations that name both.
func noSuchDomain() error { return invalid("No such domain or user pool exists.") }

// reservedWords may not appear in a prefix domain.
var reservedWords = []string{"aws", "amazon", "cognito"}

// checkPrefix checks a prefix domain: one label, without a reserved word.
// The model has checked its characters and length.
func checkPrefix(name string) error {
	if strings.Contains(name, ".") {
		return invalid(`The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)
	}
	for _, w := range reservedWords {
		if strings.Contains(name, w) {
			return invalid("Domain cannot contain reserved word: %s", w)
		}
	}
	return nil
}

// checkCustom checks a custom domain's name and configuration: a fully
// qualified name, and an ACM certificate in us-east-1, where Cognito's
// CloudFront distributions take their certificates from. Cognate does not
// look the certificate up, nor the name in DNS.
func checkCustom(name string, cfg *model.CustomDomainConfigType) error {
	if !strings.Contains(name, ".") {
		return invalid("The custom domain %s is not a fully qualified domain name, such as auth.example.com.", name)
	}
	return checkCertificate(cfg)
}

func checkCertificate(cfg *model.CustomDomainConfigType) error {
	parts := strings.SplitN(cfg.CertificateArn, ":", 6)
	if len(parts) != 6 || parts[2] != "acm" || parts[3] != "us-east-1" || !strings.HasPrefix(parts[5], "certificate/") {
		return invalid("The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain.")
	}
	return nil
}

// checkVersion checks a managed login version against the pool's feature
// plan: managed login needs a plan other than Lite.
func checkVersion(p *userpool.Pool, v int32) error {
	if v != ClassicHostedUI && v != ManagedLogin {
		return invalid("ManagedLoginVersion must be %d (hosted UI, classic) or %d (managed login).", ClassicHostedUI, ManagedLogin)
	}
	if v == ManagedLogin && p.Settings.UserPoolTier == model.UserPoolTierTypeLite {
		return &model.FeatureUnavailableInTierException{Message: "Managed login is not available in the Lite feature plan. Use ManagedLoginVersion 1 (hosted UI, classic) or change the user pool's feature plan."}
	}
	return nil
}

// checkRouting rejects routing on a prefix domain: Cognito routes only
// custom domains between the replicas of a pool.
func checkRouting(custom bool, r *model.RoutingType) error {
	if r != nil && !custom {
		return invalid("Routing is supported only for custom domains.")
	}
	return nil
}

// CloudFrontDomain returns the name of the CloudFront distribution Cognito
// would serve a domain from: stable for a name, in CloudFront's form.
func CloudFrontDomain(name string) string {
	sum := sha256.Sum256([]byte("cognate-domain:" + name))
	id := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))
	return "d" + id[:13] + ".cloudfront.net"
}

// HostName returns the host name a prefix domain serves in region.
func HostName(region, prefix string) string {
	return prefix + ".auth." + region + ".amazoncognito.com"
}

// Lookup returns the domain a request's Host header names, in one indexed
// read: a prefix domain's host name in region, or a custom domain's name.
// ErrNotFound (wrapped) when no pool has it.
func Lookup(ctx context.Context, st store.Domains, region, host string) (*store.Domain, error) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	name := host
	if prefix, ok := strings.CutSuffix(host, ".auth."+region+".amazoncognito.com"); ok && !strings.Contains(prefix, ".") {
		name = prefix
	}
	d, err := st.GetDomain(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("look up domain %s: %w", host, err)
	}
	if !d.Custom && name == host {
		// A prefix is reached only through its amazoncognito.com name.
		return nil, fmt.Errorf("look up domain %s: %w", host, store.ErrNotFound)
	}
	return d, nil
}

// CreateUserPoolDomain adds a prefix domain, or a custom domain when the
// request has a CustomDomainConfig, to a pool.
func (s *Service) CreateUserPoolDomain(ctx context.Context, in *model.CreateUserPoolDomainRequest) (*model.CreateUserPoolDomainResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	custom := in.CustomDomainConfig != nil
	if custom {
		err = checkCustom(in.Domain, in.CustomDomainConfig)
	} else {
		err = checkPrefix(in.Domain)
	}
	if err != nil {
		return nil, err
	}
	set := &Settings{ManagedLoginVersion: ClassicHostedUI, CustomDomainConfig: in.CustomDomainConfig, Routing: in.Routing}
	if in.ManagedLoginVersion != nil {
		set.ManagedLoginVersion = *in.ManagedLoginVersion
	}
	if err := checkVersion(p, set.ManagedLoginVersion); err != nil {
		return nil, err
	}
	if err := checkRouting(custom, in.Routing); err != nil {
		return nil, err
	}
	cfg, err := encode(set)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	d := &store.Domain{Name: in.Domain, PoolID: p.ID, Custom: custom, Config: cfg, CreatedAt: now, UpdatedAt: now}
	err = s.Store.Tx(ctx, func(tx store.Store) error {
		ds, err := tx.ListPoolDomains(ctx, p.ID)
		if err != nil {
			return fmt.Errorf("list domains: %w", err)
		}
		for _, old := range ds {
			if old.Custom == custom {
				return invalid("User pool already has a domain configured.")
			}
		}
		err = tx.CreateDomain(ctx, d, MaxCustomDomains)
		switch {
		case errors.Is(err, store.ErrConflict):
			return invalid("Domain already associated with another user pool.")
		case errors.Is(err, store.ErrLimit):
			return &model.LimitExceededException{Message: fmt.Sprintf("The account has reached its limit of %d custom domains.", MaxCustomDomains)}
		case errors.Is(err, store.ErrNotFound):
			return userpool.NotFound(p.ID)
		case err != nil:
			return fmt.Errorf("create domain: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &model.CreateUserPoolDomainResponse{ManagedLoginVersion: &set.ManagedLoginVersion, Routing: set.Routing}
	if custom {
		out.CloudFrontDomain = CloudFrontDomain(d.Name)
	}
	return out, nil
}

// describe returns a domain as DescribeUserPoolDomain reports it.
func (s *Service) describe(d *store.Domain) (*model.DomainDescriptionType, error) {
	set, err := Decode(d)
	if err != nil {
		return nil, err
	}
	return &model.DomainDescriptionType{
		UserPoolId:             d.PoolID,
		AWSAccountId:           s.AccountID,
		Domain:                 d.Name,
		S3Bucket:               "aws-cognito-prod-" + s.Region + "-assets",
		CloudFrontDistribution: CloudFrontDomain(d.Name),
		Version:                d.UpdatedAt.UTC().Format("20060102150405"),
		Status:                 model.DomainStatusTypeActive,
		CustomDomainConfig:     set.CustomDomainConfig,
		ManagedLoginVersion:    &set.ManagedLoginVersion,
		Routing:                set.Routing,
	}, nil
}

// DescribeUserPoolDomain returns a domain's configuration. As in Cognito, a
// domain no pool has is described by an empty DomainDescription, not an
// error.
func (s *Service) DescribeUserPoolDomain(ctx context.Context, in *model.DescribeUserPoolDomainRequest) (*model.DescribeUserPoolDomainResponse, error) {
	d, err := s.Store.GetDomain(ctx, in.Domain)
	if errors.Is(err, store.ErrNotFound) {
		return &model.DescribeUserPoolDomainResponse{DomainDescription: &model.DomainDescriptionType{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get domain: %w", err)
	}
	out, err := s.describe(d)
	if err != nil {
		return nil, err
	}
	return &model.DescribeUserPoolDomainResponse{DomainDescription: out}, nil
}

// UpdateUserPoolDomain changes a domain's managed login version, and a
// custom domain's certificate or routing. Settings the request leaves out
// are kept; the name cannot change.
func (s *Service) UpdateUserPoolDomain(ctx context.Context, in *model.UpdateUserPoolDomainRequest) (*model.UpdateUserPoolDomainResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if isNotFound(err) {
		return nil, noSuchDomain()
	}
	if err != nil {
		return nil, err
	}
	var set *Settings
	d, err := s.Store.UpdateDomain(ctx, p.ID, in.Domain, func(d *store.Domain) error {
		var err error
		if set, err = Decode(d); err != nil {
			return err
		}
		if in.ManagedLoginVersion != nil {
			if err := checkVersion(p, *in.ManagedLoginVersion); err != nil {
				return err
			}
			set.ManagedLoginVersion = *in.ManagedLoginVersion
		}
		if in.CustomDomainConfig != nil {
			if !d.Custom {
				return invalid("CustomDomainConfig applies only to custom domains; %s is a prefix domain.", d.Name)
			}
			if err := checkCertificate(in.CustomDomainConfig); err != nil {
				return err
			}
			set.CustomDomainConfig = in.CustomDomainConfig
		}
		if in.Routing != nil {
			if err := checkRouting(d.Custom, in.Routing); err != nil {
				return err
			}
			set.Routing = in.Routing
		}
		if d.Config, err = encode(set); err != nil {
			return err
		}
		d.UpdatedAt = s.Now()
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuchDomain()
	}
	if err != nil {
		return nil, fmt.Errorf("update domain: %w", err)
	}
	out := &model.UpdateUserPoolDomainResponse{ManagedLoginVersion: &set.ManagedLoginVersion, Routing: set.Routing}
	if d.Custom {
		out.CloudFrontDomain = CloudFrontDomain(d.Name)
	}
	return out, nil
}

// isNotFound reports whether err is the ResourceNotFoundException of a
// missing pool.
func isNotFound(err error) bool {
	_, ok := errors.AsType[*model.ResourceNotFoundException](err)
	return ok
}

// DeleteUserPoolDomain removes a domain from its pool.
func (s *Service) DeleteUserPoolDomain(ctx context.Context, in *model.DeleteUserPoolDomainRequest) (*model.DeleteUserPoolDomainResponse, error) {
	err := s.Store.DeleteDomain(ctx, in.UserPoolId, in.Domain)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuchDomain()
	}
	if err != nil {
		return nil, fmt.Errorf("delete domain: %w", err)
	}
	return &model.DeleteUserPoolDomainResponse{}, nil
}
