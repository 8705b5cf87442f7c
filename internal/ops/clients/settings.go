package clients

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/appclient"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops/idps"
	"github.com/cognate-idp/cognate/internal/ops/resourceservers"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

func ptr[T any](v T) *T { return &v }

func invalid(format string, args ...any) error {
	return &model.InvalidParameterException{Message: fmt.Sprintf(format, args...)}
}

// copySettings copies a Create or UpdateUserPoolClient request's settings
// into a client settings document (the request shapes name them exactly as
// UserPoolClientType does) and fills in Cognito's defaults.
func copySettings(dst *model.UserPoolClientType, req any) error {
	b, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("copy client settings: %w", err)
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return fmt.Errorf("copy client settings: %w", err)
	}
	dst.UserPoolId, dst.ClientId, dst.ClientName, dst.ClientSecret = "", "", "", ""
	applyDefaults(dst)
	return nil
}

func applyDefaults(c *model.UserPoolClientType) {
	if c.RefreshTokenValidity == nil || *c.RefreshTokenValidity == 0 {
		c.RefreshTokenValidity = ptr(int32(30))
	}
	if c.AccessTokenValidity == nil {
		c.AccessTokenValidity = ptr(int32(60))
	}
	if c.IdTokenValidity == nil {
		c.IdTokenValidity = ptr(int32(60))
	}
	if c.TokenValidityUnits == nil {
		c.TokenValidityUnits = &model.TokenValidityUnitsType{}
	}
	u := c.TokenValidityUnits
	if u.AccessToken == "" {
		u.AccessToken = "minutes"
	}
	if u.IdToken == "" {
		u.IdToken = "minutes"
	}
	if u.RefreshToken == "" {
		u.RefreshToken = "days"
	}
	if c.AllowedOAuthFlowsUserPoolClient == nil {
		c.AllowedOAuthFlowsUserPoolClient = ptr(false)
	}
	if c.EnableTokenRevocation == nil {
		c.EnableTokenRevocation = ptr(true)
	}
	if c.EnablePropagateAdditionalUserContextData == nil {
		c.EnablePropagateAdditionalUserContextData = ptr(false)
	}
	if c.AuthSessionValidity == nil {
		c.AuthSessionValidity = ptr(int32(3))
	}
	if c.PreventUserExistenceErrors == "" {
		c.PreventUserExistenceErrors = "LEGACY"
	}
}

func encode(c *model.UserPoolClientType) ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode client settings: %w", err)
	}
	return b, nil
}

// standardScopes are the OAuth scopes every pool knows.
var standardScopes = []string{"phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"}

// checkSettings applies the rules Cognito enforces on client settings.
func checkSettings(p *userpool.Pool, c *model.UserPoolClientType, hasSecret bool) error {
	legacy, allow := false, false
	for _, f := range c.ExplicitAuthFlows {
		if strings.HasPrefix(f, "ALLOW_") {
			allow = true
		} else {
			legacy = true
		}
	}
	if legacy && allow {
		return invalid("ExplicitAuthFlows can not have both ALLOW_ prefixed and legacy values.")
	}
	units := c.TokenValidityUnits
	if d := appclient.Duration(*c.AccessTokenValidity, units.AccessToken); d < 5*time.Minute || d > 24*time.Hour {
		return invalid("Invalid range for token validity: AccessTokenValidity must be between 5 minutes and 1 day.")
	}
	if d := appclient.Duration(*c.IdTokenValidity, units.IdToken); d < 5*time.Minute || d > 24*time.Hour {
		return invalid("Invalid range for token validity: IdTokenValidity must be between 5 minutes and 1 day.")
	}
	if d := appclient.Duration(*c.RefreshTokenValidity, units.RefreshToken); d < time.Hour || d > 3650*24*time.Hour {
		return invalid("Invalid range for token validity: RefreshTokenValidity must be between 60 minutes and 10 years.")
	}
	for _, u := range append(slices.Clone(c.CallbackURLs), c.LogoutURLs...) {
		if err := checkRedirect(u); err != nil {
			return err
		}
	}
	if c.DefaultRedirectURI != "" {
		if err := checkRedirect(c.DefaultRedirectURI); err != nil {
			return err
		}
		if !slices.Contains(c.CallbackURLs, c.DefaultRedirectURI) {
			return invalid("DefaultRedirectURI must be one of the CallbackURLs.")
		}
	}
	for _, sc := range c.AllowedOAuthScopes {
		// Custom scopes ("<resource server>/<scope>") are checked against
		// the pool's resource servers by checkCustomScopes.
		if !slices.Contains(standardScopes, sc) && !strings.Contains(sc, "/") {
			return scopeDoesNotExist(sc)
		}
	}
	flows := c.AllowedOAuthFlows
	if slices.Contains(flows, "client_credentials") {
		if slices.Contains(flows, "code") || slices.Contains(flows, "implicit") {
			return invalid("client_credentials flow can not be selected along with code flow or implicit flow.")
		}
		if !hasSecret {
			return invalid("client_credentials flow can not be selected if client does not have a client secret.")
		}
	}
	if *c.AllowedOAuthFlowsUserPoolClient {
		if len(flows) == 0 || len(c.AllowedOAuthScopes) == 0 {
			return invalid("AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.")
		}
		if (slices.Contains(flows, "code") || slices.Contains(flows, "implicit")) && len(c.CallbackURLs) == 0 {
			return invalid("CallbackURLs are required if user pool client is allowed to use the code or implicit OAuth flows.")
		}
	}
	if err := checkAttributes(p, c.ReadAttributes, "read", false); err != nil {
		return err
	}
	return checkAttributes(p, c.WriteAttributes, "write", true)
}

func scopeDoesNotExist(scope string) error {
	return &model.ScopeDoesNotExistException{Message: fmt.Sprintf("Invalid scope requested: %s", scope)}
}

// checkCustomScopes checks that every custom scope among scopes is defined
// by a resource server of the pool.
func checkCustomScopes(ctx context.Context, st store.ResourceServers, poolID string, scopes []string) error {
	for _, sc := range scopes {
		if slices.Contains(standardScopes, sc) {
			continue
		}
		ok, err := resourceservers.HasScope(ctx, st, poolID, sc)
		if err != nil {
			return err
		}
		if !ok {
			return scopeDoesNotExist(sc)
		}
	}
	return nil
}

// checkProviders checks that every provider a client supports is COGNITO
// (the pool's own directory) or an identity provider of the pool.
func checkProviders(ctx context.Context, st store.IdentityProviders, poolID string, names []string) error {
	for _, name := range names {
		if name == "COGNITO" {
			continue
		}
		ok, err := idps.Exists(ctx, st, poolID, name)
		if err != nil {
			return err
		}
		if !ok {
			return invalid("The provider %s does not exist for User Pool %s", name, poolID)
		}
	}
	return nil
}

// checkAttributes checks a client's read or write attributes: each must be
// in the pool's schema, and write attributes must be mutable.
func checkAttributes(p *userpool.Pool, names []string, what string, write bool) error {
	for _, n := range names {
		a := p.Attribute(n)
		if a == nil || (write && (n == "sub" || (a.Mutable != nil && !*a.Mutable) || n == "email_verified" || n == "phone_number_verified")) {
			return invalid("Invalid %s attributes specified while creating a client", what)
		}
	}
	return nil
}

// checkRedirect checks a callback or sign-out URL: absolute, no fragment,
// and HTTPS unless it points at localhost (custom app schemes are allowed).
// Cognate also lets http name a host under .localhost, which is loopback
// (RFC 6761) as localhost is: its own prefix domains are served as
// <prefix>.auth.localhost, whose /oauth2/idpresponse a pool of the same
// server may name when it acts as another pool's identity provider.
func checkRedirect(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return invalid("Invalid URL: %s is not an absolute URL.", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return invalid("Invalid URL: %s must not contain a fragment.", raw)
	}
	if h := strings.ToLower(u.Hostname()); u.Scheme == "http" && h != "localhost" && !strings.HasSuffix(h, ".localhost") {
		return invalid("Invalid URL: %s must use HTTPS unless it is http://localhost.", raw)
	}
	return nil
}
