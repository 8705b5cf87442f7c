package replicas

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// anyStatus are the operations a secondary replica serves whatever its
// status: reads of the pool's configuration and directory, its own status
// and tags, which are the replica's own.
var anyStatus = set(
	model.OpDescribeUserPool, model.OpDescribeUserPoolClient, model.OpListUserPoolClients, model.OpListUserPoolClientSecrets,
	model.OpGetGroup, model.OpListGroups, model.OpDescribeIdentityProvider, model.OpListIdentityProviders,
	model.OpGetIdentityProviderByIdentifier, model.OpDescribeResourceServer, model.OpListResourceServers,
	model.OpDescribeUserPoolDomain, model.OpGetUserPoolMfaConfig, model.OpGetSigningCertificate, model.OpGetUICustomization,
	model.OpDescribeRiskConfiguration, model.OpDescribeManagedLoginBranding, model.OpDescribeManagedLoginBrandingByClient,
	model.OpDescribeTerms, model.OpListTerms, model.OpGetLogDeliveryConfiguration, model.OpGetCSVHeader,
	model.OpListUserImportJobs, model.OpDescribeUserImportJob,
	model.OpAdminGetUser, model.OpListUsers, model.OpListUsersInGroup, model.OpAdminListGroupsForUser,
	model.OpAdminGetUserAuthFactors, model.OpAdminGetDevice, model.OpAdminListDevices, model.OpAdminListUserAuthEvents,
	model.OpListUserPoolReplicas, model.OpUpdateUserPoolReplica,
	model.OpListTagsForResource, model.OpTagResource, model.OpUntagResource,
)

// whenActive are the end-user operations an ACTIVE secondary replica
// serves: sign-in and its tokens, reading the signed-in user and the
// devices sign-in remembers. None creates a user or changes a user's
// attributes or password.
var whenActive = set(
	model.OpInitiateAuth, model.OpRespondToAuthChallenge, model.OpAdminInitiateAuth, model.OpAdminRespondToAuthChallenge,
	model.OpGetTokensFromRefreshToken, model.OpRevokeToken, model.OpGlobalSignOut, model.OpAdminUserGlobalSignOut,
	model.OpGetUser, model.OpGetUserAuthFactors, model.OpGetDevice, model.OpListDevices,
	model.OpConfirmDevice, model.OpUpdateDeviceStatus, model.OpForgetDevice, model.OpListWebAuthnCredentials,
)

func set(ops ...string) map[string]bool {
	m := make(map[string]bool, len(ops))
	for _, op := range ops {
		m[op] = true
	}
	return m
}

// Gate answers the requests this region must not serve: in a pool's
// primary region it passes everything; in a region where the pool has no
// replica the pool does not exist (ResourceNotFoundException); in its
// secondary region it passes the operations a secondary serves (the
// end-user ones only while the replica is ACTIVE) and refuses the others
// with OperationNotEnabledException, as Cognito's secondary replicas do:
// users are neither created (SignUp, AdminCreateUser) nor changed
// (attributes, passwords, MFA settings), and configuration is written in
// the primary region. The pool is the one the request names, the one of
// its ClientId, or the issuer of its AccessToken.
func (s *Service) Gate(ctx context.Context, op, poolID string, in model.Input) error {
	if op == model.OpCreateUserPoolReplica || op == model.OpDeleteUserPoolReplica || op == model.OpUpdateUserPoolReplica {
		return nil // their handlers check the region themselves
	}
	if poolID == "" {
		var err error
		if poolID, err = s.poolOf(ctx, in); err != nil || poolID == "" {
			return err
		}
	}
	primary := PrimaryRegion(poolID)
	if primary == s.Region {
		return nil
	}
	r, err := s.replica(ctx, poolID, s.Region)
	if err != nil {
		return err
	}
	switch {
	case anyStatus[op]:
		return nil
	case whenActive[op] && r.Status != model.ReplicaStatusTypeActive:
		return &model.OperationNotEnabledException{Message: fmt.Sprintf("The replica of user pool %s in %s is %s: it serves end users only while it is ACTIVE.", poolID, s.Region, r.Status)}
	case whenActive[op] && softwareTokenChallenge(in):
		return &model.OperationNotEnabledException{Message: fmt.Sprintf("Secondary replicas do not support TOTP MFA: users with a software token sign in to user pool %s in its primary Region %s.", poolID, primary)}
	case whenActive[op]:
		return nil
	}
	return &model.OperationNotEnabledException{Message: fmt.Sprintf("%s is not enabled in %s, a secondary Region of user pool %s: call it in the primary Region %s.", op, s.Region, poolID, primary)}
}

// softwareTokenChallenge reports whether in answers a SOFTWARE_TOKEN_MFA
// challenge.
func softwareTokenChallenge(in model.Input) bool {
	switch in := in.(type) {
	case *model.RespondToAuthChallengeRequest:
		return in.ChallengeName == model.ChallengeNameTypeSoftwareTokenMfa
	case *model.AdminRespondToAuthChallengeRequest:
		return in.ChallengeName == model.ChallengeNameTypeSoftwareTokenMfa
	}
	return false
}

// poolOf returns the pool of a request that names none: the pool of its
// ClientId, or the pool in the issuer of its AccessToken; empty when it
// has neither or they name nothing (the handler then answers as it does).
// The token is not verified here: its handler verifies it.
func (s *Service) poolOf(ctx context.Context, in model.Input) (string, error) {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return "", nil
	}
	if f := v.FieldByName("ClientId"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
		id := f.String()
		if pool, ok := s.clientPools.Load(id); ok {
			return pool.(string), nil
		}
		c, err := s.Store.GetClientByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("get client: %w", err)
		}
		if s.clientPoolsSize.Load() < clientPoolsMax {
			if _, loaded := s.clientPools.LoadOrStore(id, c.PoolID); !loaded {
				s.clientPoolsSize.Add(1)
			}
		}
		return c.PoolID, nil
	}
	if f := v.FieldByName("AccessToken"); f.IsValid() && f.Kind() == reflect.String {
		return tokenPool(f.String()), nil
	}
	return "", nil
}

// tokenPool returns the pool ID that ends the iss claim of a JWT, or "".
func tokenPool(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	i := strings.LastIndexByte(claims.Iss, '/')
	if i < 0 || !strings.Contains(claims.Iss[i+1:], "_") {
		return ""
	}
	return claims.Iss[i+1:]
}

// hostedOps are the operations the hosted endpoints stand for, as the Gate
// judges them: sign-in and its tokens, or the sign-up, confirmation and
// password writes a secondary does not serve. Federated sign-in is judged
// as sign-in.
var hostedOps = map[string]string{
	"login":                    model.OpInitiateAuth,
	"token:authorization_code": model.OpInitiateAuth,
	"token:refresh_token":      model.OpGetTokensFromRefreshToken,
	"token:client_credentials": model.OpInitiateAuth,
	"idpresponse":              model.OpInitiateAuth,
	"saml2/idpresponse":        model.OpInitiateAuth,
	"revoke":                   model.OpRevokeToken,
	"userInfo":                 model.OpGetUser,
	"newPassword":              model.OpChangePassword,
	"mfa":                      model.OpRespondToAuthChallenge,
	"selectMfa":                model.OpRespondToAuthChallenge,
	"mfaSetup":                 model.OpAssociateSoftwareToken,
	"totpSetup":                model.OpVerifySoftwareToken,
	"passkey":                  model.OpRespondToAuthChallenge,
	"passkeys/start":           model.OpStartWebAuthnRegistration,
	"passkeys/add":             model.OpCompleteWebAuthnRegistration,
	"signup":                   model.OpSignUp,
	"confirmUser":              model.OpConfirmSignUp,
	"resendCode":               model.OpResendConfirmationCode,
	"forgotPassword":           model.OpForgotPassword,
	"confirmForgotPassword":    model.OpConfirmForgotPassword,
}

// GateHosted is the Gate of the hosted endpoints: a request to endpoint
// (named as ratelimit.Limiter.AllowHosted names them) of pool poolID's
// domain is judged as the operation it stands for.
func (s *Service) GateHosted(ctx context.Context, poolID, endpoint string) error {
	op, ok := hostedOps[endpoint]
	if !ok {
		return nil
	}
	return s.Gate(ctx, op, poolID, nil)
}
