package tokens

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"

	"github.com/cognate-idp/cognate/internal/store"
)

// Paths of a pool's public documents, under the server's root, as
// Cognito serves them under https://cognito-idp.<region>.amazonaws.com.
const (
	JWKSPath      = "/{poolId}/.well-known/jwks.json"
	DiscoveryPath = "/{poolId}/.well-known/openid-configuration"
)

// documentCacheControl lets clients cache the documents for an hour.
// Clients that meet an unknown kid fetch the JWKS again (aws-jwt-verify
// does), so a key added later is not held up by the cache.
const documentCacheControl = "public, max-age=3600"

// poolIDRE is Cognito's UserPoolIdType pattern; a path that does not
// match cannot name a pool and gets a 404 without a store lookup.
var poolIDRE = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

const maxPoolIDLen = 55

// Register mounts the JWKS and OpenID discovery documents of every pool
// on mux: GET JWKSPath and GET DiscoveryPath. Both are public, as in
// Cognito, and readable from any origin.
func (s *Signer) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+JWKSPath, s.serveJWKS)
	mux.HandleFunc("GET "+DiscoveryPath, s.serveDiscovery)
}

// serveJWKS answers with the pool's public keys, making them if the pool
// has none yet.
func (s *Signer) serveJWKS(w http.ResponseWriter, r *http.Request) {
	poolID, ok := s.pool(w, r)
	if !ok {
		return
	}
	p, err := s.Store.GetPool(r.Context(), poolID)
	if err == nil {
		s.CheckPool(poolID, p.CreatedAt)
	} else if !errors.Is(err, store.ErrNotFound) {
		s.internalError(w, r, err)
		return
	}
	ks, err := s.keySet(r.Context(), poolID, true)
	if errors.Is(err, ErrPoolNotFound) {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "User pool "+poolID+" does not exist.")
		return
	}
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeDocument(w, ks.jwks)
}

// Discovery is a pool's OpenID Connect discovery document (OpenID Connect
// Discovery 1.0 section 3), with the members Cognito publishes, in its
// order.
type Discovery struct {
	AuthorizationEndpoint             string   `json:"authorization_endpoint,omitempty"`
	EndSessionEndpoint                string   `json:"end_session_endpoint,omitempty"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	Issuer                            string   `json:"issuer"`
	JWKSURI                           string   `json:"jwks_uri"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	RevocationEndpoint                string   `json:"revocation_endpoint,omitempty"`
	ScopesSupported                   []string `json:"scopes_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	TokenEndpoint                     string   `json:"token_endpoint,omitempty"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint,omitempty"`
}

// Discovery returns a pool's discovery document. As in Cognito, the OAuth
// endpoints are those of the pool's domain, whose base URL is domainBase;
// a pool without a domain (domainBase empty) has none, and the document
// leaves them out.
func (s *Signer) Discovery(poolID, domainBase string) *Discovery {
	iss := s.Issuer(poolID)
	d := &Discovery{
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		Issuer:                            iss,
		JWKSURI:                           iss + "/.well-known/jwks.json",
		ResponseTypesSupported:            []string{"code", "token"},
		ScopesSupported:                   []string{"openid", "email", "phone", "profile"},
		SubjectTypesSupported:             []string{"public"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
	}
	if domainBase != "" {
		d.AuthorizationEndpoint = domainBase + "/oauth2/authorize"
		d.EndSessionEndpoint = domainBase + "/logout"
		d.RevocationEndpoint = domainBase + "/oauth2/revoke"
		d.TokenEndpoint = domainBase + "/oauth2/token"
		d.UserinfoEndpoint = domainBase + "/oauth2/userInfo"
	}
	return d
}

func (s *Signer) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	poolID, ok := s.pool(w, r)
	if !ok {
		return
	}
	base := ""
	if s.DomainBase != nil {
		var err error
		if base, err = s.DomainBase(r.Context(), poolID); err != nil {
			s.internalError(w, r, err)
			return
		}
	}
	body, err := json.Marshal(s.Discovery(poolID, base))
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeDocument(w, body)
}

// pool returns the pool the path names, or answers 404 if there is no
// such pool.
func (s *Signer) pool(w http.ResponseWriter, r *http.Request) (string, bool) {
	poolID := r.PathValue("poolId")
	if len(poolID) > maxPoolIDLen || !poolIDRE.MatchString(poolID) {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "User pool does not exist.")
		return "", false
	}
	_, err := s.Store.GetPool(r.Context(), poolID)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "User pool "+poolID+" does not exist.")
		return "", false
	}
	if err != nil {
		s.internalError(w, r, err)
		return "", false
	}
	return poolID, true
}

func (s *Signer) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log().ErrorContext(r.Context(), "serving a pool document", "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "InternalErrorException", "Internal server error.")
}

func writeDocument(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", documentCacheControl)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(body)
}

// writeError answers with a small JSON error: {"code": ..., "message": ...}.
func writeError(w http.ResponseWriter, status int, code, message string) {
	body, _ := json.Marshal(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{code, message})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(body)
}
