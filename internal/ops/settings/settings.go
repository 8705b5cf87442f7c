// Package settings implements the pool settings operations that live
// outside UpdateUserPool: MFA and passkeys (SetUserPoolMfaConfig,
// GetUserPoolMfaConfig), threat protection (SetRiskConfiguration,
// DescribeRiskConfiguration), log export (SetLogDeliveryConfiguration,
// GetLogDeliveryConfiguration), the user import CSV header (GetCSVHeader),
// the SAML signing certificate (GetSigningCertificate) and the account's
// provisioned request-rate limits (GetProvisionedLimit,
// UpdateProvisionedLimit).
package settings

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/samlcert"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Service serves the settings operations.
type Service struct {
	ops.Deps
	Certificates *samlcert.Issuer
}

// Register mounts the operations on m.
func (s *Service) Register(m *awsjson.Mux) {
	awsjson.Handle(m, model.OpSetUserPoolMfaConfig, s.SetUserPoolMfaConfig)
	awsjson.Handle(m, model.OpGetUserPoolMfaConfig, s.GetUserPoolMfaConfig)
	awsjson.Handle(m, model.OpSetRiskConfiguration, s.SetRiskConfiguration)
	awsjson.Handle(m, model.OpDescribeRiskConfiguration, s.DescribeRiskConfiguration)
	awsjson.Handle(m, model.OpSetLogDeliveryConfiguration, s.SetLogDeliveryConfiguration)
	awsjson.Handle(m, model.OpGetLogDeliveryConfiguration, s.GetLogDeliveryConfiguration)
	awsjson.Handle(m, model.OpGetCSVHeader, s.GetCSVHeader)
	awsjson.Handle(m, model.OpGetSigningCertificate, s.GetSigningCertificate)
	awsjson.Handle(m, model.OpGetProvisionedLimit, s.GetProvisionedLimit)
	awsjson.Handle(m, model.OpUpdateProvisionedLimit, s.UpdateProvisionedLimit)
}

func invalid(format string, args ...any) error {
	return &model.InvalidParameterException{Message: fmt.Sprintf(format, args...)}
}

// checkClient returns the ResourceNotFoundException of a client that is
// not in the pool.
func checkClient(ctx context.Context, st store.Clients, poolID, clientID string) error {
	_, err := st.GetClient(ctx, poolID, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return appclient.NotFound(clientID)
	}
	if err != nil {
		return fmt.Errorf("get client: %w", err)
	}
	return nil
}

// GetCSVHeader returns the header row of the CSV file that user import jobs
// read: the pool's attributes in schema order (standard attributes, then
// custom ones), without sub, which the pool assigns, followed by
// cognito:mfa_enabled and cognito:username.
func (s *Service) GetCSVHeader(ctx context.Context, in *model.GetCSVHeaderRequest) (*model.GetCSVHeaderResponse, error) {
	p, err := s.Pools.Load(ctx, s.Store, in.UserPoolId)
	if err != nil {
		return nil, err
	}
	header := []string{}
	for _, a := range p.Settings.SchemaAttributes {
		if a.Name == "sub" {
			continue
		}
		header = append(header, a.Name)
	}
	header = append(header, "cognito:mfa_enabled", "cognito:username")
	return &model.GetCSVHeaderResponse{UserPoolId: p.ID, CSVHeader: header}, nil
}

// GetSigningCertificate returns the pool's SAML signing certificate, the
// base64 of its DER encoding as Cognito returns it. The first call makes
// it; a year on, a new one replaces it in the answers.
func (s *Service) GetSigningCertificate(ctx context.Context, in *model.GetSigningCertificateRequest) (*model.GetSigningCertificateResponse, error) {
	if _, err := s.Pools.Load(ctx, s.Store, in.UserPoolId); err != nil {
		return nil, err
	}
	c, err := s.Certificates.Current(ctx, in.UserPoolId)
	if errors.Is(err, samlcert.ErrPoolNotFound) {
		return nil, userpool.NotFound(in.UserPoolId)
	}
	if err != nil {
		return nil, err
	}
	return &model.GetSigningCertificateResponse{Certificate: base64.StdEncoding.EncodeToString(c.Cert.Raw)}, nil
}

// arnService reports whether arn is an ARN of service (in any partition)
// whose resource part starts with resource.
func arnService(arn, service, resource string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != service {
		return false
	}
	return strings.HasPrefix(parts[5], resource)
}
