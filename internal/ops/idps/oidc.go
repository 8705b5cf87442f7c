package idps

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/cognate-idp/cognate/internal/fetch"
)

// oidcEndpoints are the details of an OIDC provider that name its
// endpoints, and the members of a discovery document that give them.
var oidcEndpoints = []struct{ detail, discovery string }{
	{"authorize_url", "authorization_endpoint"},
	{"token_url", "token_endpoint"},
	{"attributes_url", "userinfo_endpoint"},
	{"jwks_uri", "jwks_uri"},
}

// completeOIDC checks an OIDC provider's details and fills in the endpoints
// they leave out from the issuer's discovery document
// (<oidc_issuer>/.well-known/openid-configuration), as Cognito does.
func (s *Service) completeOIDC(ctx context.Context, d map[string]string) error {
	if m := d["attributes_request_method"]; m != "GET" && m != "POST" {
		return invalid("Invalid attributes_request_method %s: it must be GET or POST.", m)
	}
	if !slices.Contains(strings.Fields(d["authorize_scopes"]), "openid") {
		return invalid("The authorize_scopes of an OIDC provider must include openid.")
	}
	issuer := d["oidc_issuer"]
	if err := s.Fetch.CheckURL(issuer); err != nil {
		return invalid("Invalid oidc_issuer %s: %s", issuer, urlProblem(err))
	}
	var missing bool
	for _, e := range oidcEndpoints {
		if v, ok := d[e.detail]; !ok || v == "" {
			missing = true
			delete(d, e.detail)
			continue
		}
		if err := s.Fetch.CheckURL(d[e.detail]); err != nil {
			return invalid("Invalid %s %s: %s", e.detail, d[e.detail], urlProblem(err))
		}
	}
	d["attributes_url_add_attributes"] = "false"
	if !missing {
		return nil
	}
	wellKnown := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	body, err := s.Fetch.Get(ctx, wellKnown)
	if err != nil {
		return invalid("Unable to contact well-known endpoint %s: %s", wellKnown, urlProblem(err))
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return invalid("The discovery document at %s is not a JSON object.", wellKnown)
	}
	for _, e := range oidcEndpoints {
		if _, ok := d[e.detail]; ok {
			continue
		}
		v, _ := doc[e.discovery].(string)
		if v == "" {
			return invalid("The discovery document at %s has no %s: give %s in ProviderDetails.", wellKnown, e.discovery, e.detail)
		}
		if err := s.Fetch.CheckURL(v); err != nil {
			return invalid("Invalid %s %s in the discovery document at %s: %s", e.discovery, v, wellKnown, urlProblem(err))
		}
		d[e.detail] = v
	}
	return nil
}

// urlProblem says in a few words why a URL could not be used or fetched.
func urlProblem(err error) string {
	var se *fetch.StatusError
	switch {
	case errors.As(err, &se):
		return "it answered HTTP " + strconv.Itoa(se.Code) + "."
	case errors.Is(err, fetch.ErrScheme):
		return "it must be an https URL."
	case errors.Is(err, fetch.ErrForbiddenAddress):
		return "its address is not public (start Cognate with --allow-private-idp-urls to allow it)."
	case errors.Is(err, fetch.ErrTooLarge):
		return "the document is too large."
	case errors.Is(err, context.DeadlineExceeded):
		return "the request timed out."
	}
	return "the request failed."
}
