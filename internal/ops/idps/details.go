package idps

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
)

// Provider types.
const (
	TypeSAML     = model.IdentityProviderTypeTypeSaml
	TypeOIDC     = model.IdentityProviderTypeTypeOidc
	TypeGoogle   = model.IdentityProviderTypeTypeGoogle
	TypeFacebook = model.IdentityProviderTypeTypeFacebook
	TypeAmazon   = model.IdentityProviderTypeTypeLoginwithamazon
	TypeApple    = model.IdentityProviderTypeTypeSigninwithapple
)

// social reports whether typ is a social provider type, whose provider must
// be named as the type.
func social(typ string) bool {
	switch typ {
	case TypeGoogle, TypeFacebook, TypeAmazon, TypeApple:
		return true
	}
	return false
}

// secretKeys are the details sealed at rest. Describe returns client_secret
// but never private_key, as Cognito does.
var secretKeys = []string{"client_secret", "private_key"}

// describedSecrets are the secret details Describe returns.
var describedSecrets = []string{"client_secret"}

// Details keys each type accepts in a request: those it requires, those it
// may have, and those Cognito computes (accepted, and replaced by the
// computed value, so that a described provider can be sent back as it is).
type keySet struct {
	required, optional, computed []string
	// missing is the error for a required key left out.
	missing string
}

var detailKeys = map[string]keySet{
	TypeGoogle: {
		required: []string{"client_id", "client_secret", "authorize_scopes"},
		computed: []string{"attributes_url", "attributes_url_add_attributes", "authorize_url", "oidc_issuer", "token_request_method", "token_url"},
		missing:  "client_id, client_secret and authorize_scopes are all required idp details.",
	},
	TypeAmazon: {
		required: []string{"client_id", "client_secret", "authorize_scopes"},
		computed: []string{"attributes_url", "attributes_url_add_attributes", "authorize_url", "token_request_method", "token_url"},
		missing:  "client_id, client_secret and authorize_scopes are all required idp details.",
	},
	TypeFacebook: {
		required: []string{"client_id", "client_secret", "authorize_scopes"},
		optional: []string{"api_version"},
		computed: []string{"attributes_url", "attributes_url_add_attributes", "authorize_url", "token_request_method", "token_url"},
		missing:  "client_id, client_secret and authorize_scopes are all required idp details.",
	},
	TypeApple: {
		required: []string{"client_id", "team_id", "key_id", "private_key", "authorize_scopes"},
		computed: []string{"attributes_url_add_attributes", "authorize_url", "oidc_issuer", "token_request_method", "token_url"},
		missing:  "client_id, team_id, key_id, private_key and authorize_scopes are all required idp details.",
	},
	TypeOIDC: {
		required: []string{"client_id", "client_secret", "attributes_request_method", "oidc_issuer", "authorize_scopes"},
		optional: []string{"authorize_url", "token_url", "attributes_url", "jwks_uri"},
		computed: []string{"attributes_url_add_attributes"},
		missing:  "client_id, client_secret, attributes_request_method, oidc_issuer and authorize_scopes are all required idp details.",
	},
	TypeSAML: {
		optional: []string{"MetadataFile", "MetadataURL", "IDPSignout", "IDPInit", "EncryptedResponses", "RequestSigningAlgorithm"},
		computed: []string{"SSORedirectBindingURI", "SLORedirectBindingURI", "ActiveEncryptionCertificate"},
	},
}

// Endpoints of the social providers, as Cognito fills them in.
var socialEndpoints = map[string]map[string]string{
	TypeGoogle: {
		"attributes_url":                "https://people.googleapis.com/v1/people/me?personFields=",
		"attributes_url_add_attributes": "true",
		"authorize_url":                 "https://accounts.google.com/o/oauth2/v2/auth",
		"oidc_issuer":                   "https://accounts.google.com",
		"token_request_method":          "POST",
		"token_url":                     "https://www.googleapis.com/oauth2/v4/token",
	},
	TypeAmazon: {
		"attributes_url":                "https://api.amazon.com/user/profile",
		"attributes_url_add_attributes": "false",
		"authorize_url":                 "https://www.amazon.com/ap/oa",
		"token_request_method":          "POST",
		"token_url":                     "https://api.amazon.com/auth/o2/token",
	},
	TypeApple: {
		"attributes_url_add_attributes": "false",
		"authorize_url":                 "https://appleid.apple.com/auth/authorize",
		"oidc_issuer":                   "https://appleid.apple.com",
		"token_request_method":          "POST",
		"token_url":                     "https://appleid.apple.com/auth/token",
	},
}

// facebookVersion is the form of a Facebook Graph API version.
var facebookVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// appleScopes are the scopes Sign in with Apple offers.
var appleScopes = []string{"email", "name"}

// defaultUsername is the IdP claim each type maps to the username unless
// the attribute mapping says otherwise.
var defaultUsername = map[string]string{
	TypeGoogle: "sub", TypeOIDC: "sub", TypeApple: "sub", TypeFacebook: "id", TypeAmazon: "user_id",
}

// normalized is a request's ProviderDetails checked and completed.
type normalized struct {
	// details are the details as Describe returns them, secrets included.
	details map[string]string
	// issuer is the SAML IdP's entity ID.
	issuer string
	// metadata is the SAML metadata fetched from MetadataURL.
	metadata string
}

// normalize checks a request's ProviderDetails for a provider of type typ
// and completes them as Cognito does: the endpoints of social providers,
// the endpoints an OIDC issuer publishes in its discovery document, and the
// single sign-on URLs of SAML metadata.
func (s *Service) normalize(ctx context.Context, typ string, in map[string]string) (*normalized, error) {
	keys := detailKeys[typ]
	known := slices.Concat(keys.required, keys.optional, keys.computed)
	for _, k := range slices.Sorted(maps.Keys(in)) {
		if !slices.Contains(known, k) {
			return nil, invalid("Invalid ProviderDetails key for %s: %s", typ, k)
		}
	}
	for _, k := range keys.required {
		if strings.TrimSpace(in[k]) == "" {
			return nil, invalid("%s", keys.missing)
		}
	}
	out := &normalized{details: map[string]string{}}
	for _, k := range slices.Concat(keys.required, keys.optional) {
		if v, ok := in[k]; ok {
			out.details[k] = v
		}
	}
	d := out.details
	switch typ {
	case TypeGoogle, TypeAmazon:
		maps.Copy(d, socialEndpoints[typ])
	case TypeApple:
		for _, sc := range strings.Fields(d["authorize_scopes"]) {
			if !slices.Contains(appleScopes, sc) {
				return nil, invalid("Invalid authorize_scopes for SignInWithApple: %s. Sign in with Apple offers the scopes email and name.", sc)
			}
		}
		maps.Copy(d, socialEndpoints[typ])
	case TypeFacebook:
		v := d["api_version"]
		if v != "" && !facebookVersion.MatchString(v) {
			return nil, invalid("Invalid api_version %s: a Facebook Graph API version looks like v17.0.", v)
		}
		graph, dialog := "https://graph.facebook.com/", "https://www.facebook.com/"
		if v != "" {
			graph, dialog = graph+v+"/", dialog+v+"/"
		}
		d["attributes_url"] = graph + "me?fields="
		d["attributes_url_add_attributes"] = "true"
		d["authorize_url"] = dialog + "dialog/oauth"
		d["token_request_method"] = "GET"
		d["token_url"] = graph + "oauth/access_token"
	case TypeOIDC:
		if err := s.completeOIDC(ctx, d); err != nil {
			return nil, err
		}
	case TypeSAML:
		if err := s.completeSAML(ctx, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func invalid(format string, args ...any) error {
	return &model.InvalidParameterException{Message: fmt.Sprintf(format, args...)}
}
