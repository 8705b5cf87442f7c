// Package ratelimit holds Cognito's request-rate quotas of the user pools
// API: the categories of operations with their default rates, which
// operation falls in which, and a Limiter that enforces them with
// TooManyRequestsException. Requests are counted in the store, in fixed
// one-second windows, so that every replica on one database shares the
// account's quotas.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// Category is one of Cognito's API request-rate categories.
type Category struct {
	// Name is the category's name, as GetProvisionedLimit takes it.
	Name string
	// Free is the default rate, in requests per second.
	Free int32
	// Adjustable says whether UpdateProvisionedLimit can raise it.
	Adjustable bool
	// PerPool says whether each of the category's operations is also
	// limited to PerPoolRate requests per second on one user pool.
	PerPool bool
}

// PerPoolRate is the rate at which one operation of a PerPool category may
// be called on one user pool.
const PerPoolRate = 5

// PerUserRate is the rate at which the user read operations, and apart the
// user write operations, may be called for one user, as "Quotas in Amazon
// Cognito" sets it.
const PerUserRate = 10

// perUser are the categories also limited for each user, with the name of
// their per-user quota.
var perUser = map[string]string{"UserRead": "read", "UserUpdate": "write"}

// ChallengeFactor is how many times the UserAuthentication rate the
// responses to authentication challenges get before they count against
// UserAuthentication itself.
const ChallengeFactor = 3

// Message is the message of TooManyRequestsException, as Cognito words it.
const Message = "Rate exceeded"

// categories are the user pools API categories with their defaults, as
// "Quotas in Amazon Cognito" lists them.
var categories = map[string]Category{}

func init() {
	for _, c := range []Category{
		{"UserAuthentication", 120, true, false},
		{"UserCreation", 50, true, false},
		{"UserFederation", 25, true, false},
		{"UserAccountRecovery", 30, false, false},
		{"UserRead", 120, true, false},
		{"UserUpdate", 25, false, false},
		{"UserToken", 120, true, false},
		{"UserResourceRead", 50, true, false},
		{"UserResourceUpdate", 25, false, false},
		{"UserList", 30, false, false},
		{"UserPoolRead", 15, false, false},
		{"UserPoolUpdate", 15, false, false},
		{"UserPoolResourceRead", 20, false, true},
		{"UserPoolResourceUpdate", 15, false, true},
		{"UserPoolClientRead", 15, false, true},
		{"UserPoolClientUpdate", 15, false, true},
		{"ClientAuthentication", 150, false, false},
		{"LimitManagement", 1, false, false},
	} {
		categories[c.Name] = c
	}
}

// Lookup returns the category named name.
func Lookup(name string) (Category, bool) {
	c, ok := categories[name]
	return c, ok
}

// Names returns the categories' names, sorted.
func Names() []string { return slices.Sorted(maps.Keys(categories)) }

// operations maps each operation of the model that Cognito's quota page
// lists to its category. ClientAuthentication and UserFederation count
// requests to the hosted endpoints (see hosted). RespondToAuthChallenge
// and AdminRespondToAuthChallenge are handled apart (see Limiter.Allow).
var operations = map[string]string{}

func init() {
	for cat, ops := range map[string][]string{
		"UserAuthentication":  {"InitiateAuth", "AdminInitiateAuth", "GetTokensFromRefreshToken"},
		"UserCreation":        {"SignUp", "ConfirmSignUp", "AdminCreateUser", "AdminConfirmSignUp"},
		"UserAccountRecovery": {"ChangePassword", "ConfirmForgotPassword", "ForgotPassword", "AdminResetUserPassword", "AdminSetUserPassword"},
		"UserRead":            {"AdminGetUser", "AdminGetUserAuthFactors", "GetUser"},
		"UserUpdate": {"AdminAddUserToGroup", "AdminDeleteUserAttributes", "AdminUpdateUserAttributes", "AdminDeleteUser",
			"AdminDisableUser", "AdminEnableUser", "AdminLinkProviderForUser", "AdminDisableProviderForUser", "VerifyUserAttribute",
			"DeleteUser", "DeleteUserAttributes", "UpdateUserAttributes", "AdminUserGlobalSignOut", "GlobalSignOut", "AdminRemoveUserFromGroup"},
		"UserToken": {"RevokeToken"},
		"UserResourceRead": {"AdminGetDevice", "AdminListGroupsForUser", "AdminListDevices", "GetDevice", "ListDevices",
			"GetUserAttributeVerificationCode", "ResendConfirmationCode", "AdminListUserAuthEvents"},
		"UserResourceUpdate": {"AdminForgetDevice", "AdminUpdateAuthEventFeedback", "AdminSetUserMFAPreference",
			"AdminSetUserSettings", "AdminUpdateDeviceStatus", "UpdateDeviceStatus", "UpdateAuthEventFeedback", "ConfirmDevice",
			"SetUserMFAPreference", "SetUserSettings", "VerifySoftwareToken", "AssociateSoftwareToken", "ForgetDevice"},
		"UserList":       {"ListUsers", "ListUsersInGroup"},
		"UserPoolRead":   {"DescribeUserPool", "ListUserPools"},
		"UserPoolUpdate": {"CreateUserPool", "UpdateUserPool", "DeleteUserPool"},
		"UserPoolResourceRead": {"DescribeIdentityProvider", "DescribeResourceServer", "DescribeUserImportJob", "DescribeUserPoolDomain",
			"GetCSVHeader", "GetGroup", "GetSigningCertificate", "GetIdentityProviderByIdentifier", "GetUserPoolMfaConfig", "ListGroups",
			"ListIdentityProviders", "ListResourceServers", "ListTagsForResource", "ListUserImportJobs", "DescribeRiskConfiguration",
			"GetUICustomization", "DescribeManagedLoginBranding", "DescribeManagedLoginBrandingByClient"},
		"UserPoolResourceUpdate": {"AddCustomAttributes", "CreateGroup", "CreateIdentityProvider", "CreateResourceServer",
			"CreateUserImportJob", "CreateUserPoolDomain", "DeleteGroup", "DeleteIdentityProvider", "DeleteResourceServer",
			"DeleteUserPoolDomain", "SetUserPoolMfaConfig", "StartUserImportJob", "StopUserImportJob", "UpdateGroup",
			"UpdateIdentityProvider", "UpdateResourceServer", "UpdateUserPoolDomain", "SetRiskConfiguration", "SetUICustomization",
			"TagResource", "UntagResource", "CreateManagedLoginBranding", "UpdateManagedLoginBranding", "DeleteManagedLoginBranding"},
		"UserPoolClientRead":   {"DescribeUserPoolClient", "ListUserPoolClients"},
		"UserPoolClientUpdate": {"CreateUserPoolClient", "DeleteUserPoolClient", "UpdateUserPoolClient"},
		"LimitManagement":      {"GetProvisionedLimit", "UpdateProvisionedLimit"},
	} {
		for _, op := range ops {
			operations[op] = cat
		}
	}
}

// hosted maps the hosted endpoints to the categories their requests count
// against, as Cognito counts them: the managed login pages as the API
// operations they stand for, the token endpoint by grant (the
// authorization_code grant apart, see Limiter.AllowHosted), the federation
// callbacks as UserFederation.
var hosted = map[string]string{
	HostedToken + "client_credentials": "ClientAuthentication",
	HostedToken + "refresh_token":      "UserAuthentication",
	"login":                            "UserAuthentication",
	"newPassword":                      "UserAccountRecovery",
	"signup":                           "UserCreation",
	"confirmUser":                      "UserCreation",
	"resendCode":                       "UserResourceRead",
	"forgotPassword":                   "UserAccountRecovery",
	"confirmForgotPassword":            "UserAccountRecovery",
	"idpresponse":                      "UserFederation",
	"saml2/idpresponse":                "UserFederation",
	"revoke":                           "UserToken",
	"userInfo":                         "UserRead",
}

// HostedToken prefixes the grant_type to name a request to the token
// endpoint for Limiter.AllowHosted ("token:refresh_token").
const HostedToken = "token:"

// CategoryOf returns the category of operation op; false when Cognito
// lists it in none (it is then not limited).
func CategoryOf(op string) (Category, bool) {
	name, ok := operations[op]
	if !ok {
		return Category{}, false
	}
	return categories[name], true
}

// LimitKey is the store's name of the provisioned limit of a category.
func LimitKey(category string) string { return model.LimitClassApiCategory + "/" + category }

// Limiter enforces the account's request-rate quotas.
type Limiter struct {
	// Store counts requests and holds the provisioned limits.
	Store store.ProvisionedLimits
	// Account names the counters, so that accounts sharing a database
	// have their own quotas.
	Account string
	// Now is the clock that picks the window.
	Now func() time.Time
}

// Allow counts one request of operation op on the user pool poolID (empty
// when it names none), whose input is in, and returns
// TooManyRequestsException when it goes past a quota.
func (l *Limiter) Allow(ctx context.Context, op, poolID string, in model.Input) error {
	window := l.Now().Unix()
	if op == "RespondToAuthChallenge" || op == "AdminRespondToAuthChallenge" {
		return l.allowChallenge(ctx, window, in)
	}
	c, ok := CategoryOf(op)
	if !ok {
		return nil
	}
	if c.PerPool && poolID != "" {
		over, err := l.over(ctx, "pool/"+poolID+"/"+op, window, PerPoolRate)
		if err != nil || over {
			return throttled(err)
		}
	}
	if quota, ok := perUser[c.Name]; ok {
		if user := userKey(poolID, in); user != "" {
			over, err := l.over(ctx, l.Account+"/"+quota+"/"+user, window, PerUserRate)
			if err != nil || over {
				return throttled(err)
			}
		}
	}
	return l.allowCategory(ctx, c, window)
}

// userKey names the user a request reads or writes, for the per-user
// quotas: the pool and the Username of an admin operation (as given,
// case-folded), or a hash of the access token of a user's own operation
// (the token is verified only by the handler, so a forged one must not
// spend the quota of the user it claims); "" when it names neither.
func userKey(poolID string, in model.Input) string {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	if f := v.FieldByName("Username"); f.IsValid() && f.Kind() == reflect.String && poolID != "" {
		return "user/" + poolID + "/" + strings.ToLower(f.String())
	}
	if f := v.FieldByName("AccessToken"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
		sum := sha256.Sum256([]byte(f.String()))
		return "token/" + hex.EncodeToString(sum[:16])
	}
	return ""
}

// AllowHosted counts one request to a hosted endpoint (a key of hosted:
// "login", "token:client_credentials", ...) against its category, and
// returns TooManyRequestsException past the quota. The authorization_code
// grant of the token endpoint has the rate of UserAuthentication but does
// not consume it: it is counted on its own. Endpoints in no category are
// not limited.
func (l *Limiter) AllowHosted(ctx context.Context, endpoint string) error {
	window := l.Now().Unix()
	if endpoint == HostedToken+"authorization_code" {
		rate, err := l.rate(ctx, categories["UserAuthentication"])
		if err != nil {
			return err
		}
		over, err := l.over(ctx, l.Account+"/UserAuthenticationCodeGrants", window, rate)
		if err != nil || over {
			return throttled(err)
		}
		return nil
	}
	name, ok := hosted[endpoint]
	if !ok {
		return nil
	}
	return l.allowCategory(ctx, categories[name], window)
}

// allowChallenge counts a challenge response: NEW_PASSWORD_REQUIRED
// against UserAccountRecovery; the others against their own quota of
// ChallengeFactor times UserAuthentication's, and past it against
// UserAuthentication.
func (l *Limiter) allowChallenge(ctx context.Context, window int64, in model.Input) error {
	var name string
	switch in := in.(type) {
	case *model.RespondToAuthChallengeRequest:
		name = in.ChallengeName
	case *model.AdminRespondToAuthChallengeRequest:
		name = in.ChallengeName
	}
	if name == model.ChallengeNameTypeNewPasswordRequired {
		return l.allowCategory(ctx, categories["UserAccountRecovery"], window)
	}
	auth := categories["UserAuthentication"]
	rate, err := l.rate(ctx, auth)
	if err != nil {
		return err
	}
	over, err := l.over(ctx, l.Account+"/UserAuthenticationChallenges", window, ChallengeFactor*rate)
	if err != nil || !over {
		return err
	}
	return l.allowCategory(ctx, auth, window)
}

func (l *Limiter) allowCategory(ctx context.Context, c Category, window int64) error {
	rate, err := l.rate(ctx, c)
	if err != nil {
		return err
	}
	over, err := l.over(ctx, l.Account+"/"+c.Name, window, rate)
	if err != nil || over {
		return throttled(err)
	}
	return nil
}

// rate returns the rate of category c: its provisioned limit when it is
// adjustable and one was set, else its default.
func (l *Limiter) rate(ctx context.Context, c Category) (int64, error) {
	if !c.Adjustable {
		return int64(c.Free), nil
	}
	v, err := l.Store.GetProvisionedLimit(ctx, LimitKey(c.Name))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return int64(c.Free), nil
	case err != nil:
		return 0, fmt.Errorf("rate limit %s: %w", c.Name, err)
	}
	return v, nil
}

// over counts a request of key in window and reports whether it is past
// rate.
func (l *Limiter) over(ctx context.Context, key string, window, rate int64) (bool, error) {
	n, err := l.Store.CountRequest(ctx, key, window)
	if err != nil {
		return false, fmt.Errorf("rate limit %s: %w", key, err)
	}
	return n > rate, nil
}

// throttled returns err, or TooManyRequestsException when err is nil.
func throttled(err error) error {
	if err != nil {
		return err
	}
	return &model.TooManyRequestsException{Message: Message}
}
