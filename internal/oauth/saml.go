package oauth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/cognate-idp/cognate/internal/federation"
	"github.com/cognate-idp/cognate/internal/ops/idps"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
)

// samlResponsePath is the assertion consumer service of every pool's
// domain, where SAML providers post their responses.
const samlResponsePath = "/saml2/idpresponse"

// maxSAMLForm bounds the form a SAML provider posts: Cognito takes
// assertions of up to 100,000 characters.
const maxSAMLForm = 160 << 10

// samlRefused is the error_description the app gets when a SAML response
// or its RelayState is refused.
const samlRefused = "Invalid samlResponse or relayState from identity provider"

// SPEntityID is a pool's SAML service provider entity ID: the audience
// its providers' assertions must name.
func SPEntityID(poolID string) string { return "urn:amazon:cognito:sp:" + poolID }

// samlACS is the site's assertion consumer service URL.
func samlACS(r *http.Request, st *site) *url.URL {
	scheme := "http"
	if st.secure {
		scheme = "https"
	}
	return &url.URL{Scheme: scheme, Host: r.Host, Path: samlResponsePath}
}

// serviceProvider is the pool's service provider toward a SAML provider:
// the provider's metadata (its SSO location and signing certificates, any
// of which may sign), the pool's entity ID as audience, the site's ACS URL
// as recipient and destination, and the server's clock.
func (f *Federation) serviceProvider(p *idps.Provider, acs *url.URL, now time.Time) (*saml.ServiceProvider, error) {
	doc := p.Metadata
	if doc == "" {
		doc = p.Details["MetadataFile"]
	}
	md, err := samlMetadata([]byte(doc))
	if err != nil {
		return nil, fmt.Errorf("identity provider %s metadata: %w", p.Name, err)
	}
	return &saml.ServiceProvider{
		EntityID:          SPEntityID(p.PoolID),
		AcsURL:            *acs,
		IDPMetadata:       md,
		AllowIDPInitiated: p.Details["IDPInit"] == "true",
		Clock:             dsig.NewFakeClockAt(now),
		AuthnNameIDFormat: saml.UnspecifiedNameIDFormat,
	}, nil
}

// samlMetadata reads an IdP's metadata, an EntityDescriptor or the first
// entity of an EntitiesDescriptor that has an IDPSSODescriptor (metadata
// was checked by ParseMetadata when the provider was stored).
func samlMetadata(doc []byte) (*saml.EntityDescriptor, error) {
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal(doc, &ed); err == nil && len(ed.IDPSSODescriptors) > 0 {
		return &ed, nil
	}
	var eds saml.EntitiesDescriptor
	if err := xml.Unmarshal(doc, &eds); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	for i := range eds.EntityDescriptors {
		if len(eds.EntityDescriptors[i].IDPSSODescriptors) > 0 {
			return &eds.EntityDescriptors[i], nil
		}
	}
	return nil, errors.New("no IDPSSODescriptor")
}

// toSAMLProvider sends the browser to a SAML provider's single sign-on
// service with an AuthnRequest by the HTTP-Redirect binding, signed with
// the pool's signing certificate when the provider asks for signed
// requests; the request's ID and the RelayState are bound to the browser
// by the state cookie.
func (s *Service) toSAMLProvider(w http.ResponseWriter, r *http.Request, st *site, a *authRequest, p *idps.Provider) {
	ctx := r.Context()
	now := s.Auth.Now()
	sp, err := s.Federation.serviceProvider(p, samlACS(r, st), now)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	if p.Details["RequestSigningAlgorithm"] == "rsa-sha256" {
		c, err := s.Federation.Certificates.Current(ctx, p.PoolID)
		if err != nil {
			s.internalError(w, r, true, err)
			return
		}
		sp.Key, sp.Certificate, sp.SignatureMethod = c.Key, c.Cert, dsig.RSASHA256SignatureMethod
	}
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		s.internalError(w, r, true, fmt.Errorf("identity provider %s: AuthnRequest: %w", p.Name, err))
		return
	}
	relay, err := s.IDs.Token(43)
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	q := url.Values{}
	for k, v := range a.query {
		if k != "identity_provider" && k != "idp_identifier" {
			q[k] = v
		}
	}
	if err := s.setState(w, st, samlResponsePath, true, &idpState{State: relay, Nonce: req.ID, Provider: p.Name, Query: q.Encode(), Expires: now.Add(stateLifetime)}); err != nil {
		s.internalError(w, r, true, err)
		return
	}
	u, err := req.Redirect(relay, sp)
	if err != nil {
		s.internalError(w, r, true, fmt.Errorf("identity provider %s: redirect: %w", p.Name, err))
		return
	}
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// samlResponse serves POST /saml2/idpresponse. A response whose RelayState
// is the browser's state cookie answers the AuthnRequest the cookie names
// (its InResponseTo must be that request's ID); any other is IdP-initiated,
// taken only from a provider with IDPInit on, its RelayState holding the
// authorization request's parameters as Cognito documents. The response's
// signature (by any of the provider's certificates), audience, recipient,
// destination and validity window are verified, its assertion ID spent
// once, and its NameID signs in as the subject.
func (s *Service) samlResponse(w http.ResponseWriter, r *http.Request, st *site) {
	w = &refreshRedirect{ResponseWriter: w}
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxSAMLForm)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	relay := r.PostForm.Get("RelayState")
	var orig url.Values
	var requestIDs []string
	provider := ""
	d := s.takeState(w, r, st, samlResponsePath, relay)
	if d != nil {
		var err error
		if orig, err = url.ParseQuery(d.Query); err != nil {
			s.internalError(w, r, true, err)
			return
		}
		requestIDs, provider = []string{d.Nonce}, d.Provider
	} else {
		parsed, err := url.ParseQuery(relay)
		if err != nil || parsed.Get("client_id") == "" {
			s.errorPage(w, r, http.StatusBadRequest, "The sign-in through your identity provider has expired or was not started in this browser. Go back to the app and sign in again.")
			return
		}
		orig = parsed
	}
	a, err := s.parseAuthorize(ctx, orig, st)
	if !s.answer(w, r, a, err) {
		return
	}
	if d == nil {
		if err := s.chooseProvider(ctx, a, orig); !s.answer(w, r, a, err) {
			return
		}
		if a.provider == "" {
			s.answer(w, r, a, oauthError("invalid_request", samlRefused))
			return
		}
		provider = a.provider
	}
	p, err := idps.Load(ctx, s.Store, s.Keys, a.client.Pool.ID, provider)
	if errors.Is(err, store.ErrNotFound) {
		s.answer(w, r, a, oauthError("invalid_request", "The identity provider "+provider+" no longer exists."))
		return
	}
	if err != nil {
		s.internalError(w, r, true, err)
		return
	}
	if p.Type != idps.TypeSAML || (d == nil && p.Details["IDPInit"] != "true") {
		s.answer(w, r, a, oauthError("invalid_request", samlRefused))
		return
	}
	id, sess, err := s.samlIdentity(r, st, p, r.PostForm.Get("SAMLResponse"), requestIDs)
	if err != nil {
		s.log().WarnContext(ctx, "SAML sign-in refused", "request_id", requestID(ctx), "provider", p.Name, "err", err)
		s.answer(w, r, a, oauthError("invalid_request", samlRefused))
		return
	}
	if p.Details["IDPSignout"] != "true" {
		sess = nil
	}
	s.federatedSignIn(w, r, st, a, id, sess)
}

// samlIdentity verifies a SAML response and spends its assertion's ID:
// the identity is its NameID with its attributes as claims (a list for an
// attribute of several values); the session is what single logout names.
func (s *Service) samlIdentity(r *http.Request, st *site, p *idps.Provider, encoded string, requestIDs []string) (*federation.Identity, *samlSession, error) {
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, nil, fmt.Errorf("SAMLResponse is not base64: %w", err)
	}
	now := s.Auth.Now()
	acs := samlACS(r, st)
	sp, err := s.Federation.serviceProvider(p, acs, now)
	if err != nil {
		return nil, nil, err
	}
	if p.Details["EncryptedResponses"] == "true" {
		if err := s.Federation.decryptionKeys(r.Context(), sp, p.PoolID, now); err != nil {
			return nil, nil, err
		}
		if err := encryptedOnly(raw); err != nil {
			return nil, nil, err
		}
	}
	as, err := sp.ParseXMLResponse(raw, requestIDs, *acs)
	if err != nil {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) && ire.PrivateErr != nil {
			err = fmt.Errorf("%w: %w", err, ire.PrivateErr)
		}
		return nil, nil, err
	}
	if as.Subject == nil || as.Subject.NameID == nil || as.Subject.NameID.Value == "" {
		return nil, nil, errors.New("the assertion has no NameID")
	}
	expires := now.Add(stateLifetime)
	if as.Conditions != nil && as.Conditions.NotOnOrAfter.After(now) {
		expires = as.Conditions.NotOnOrAfter
	}
	sum := sha256.Sum256([]byte(as.Issuer.Value + "\x00" + as.ID))
	if err := s.Store.SpendSAMLAssertion(r.Context(), p.PoolID, hex.EncodeToString(sum[:]), expires); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, nil, errors.New("the assertion was used before")
		}
		return nil, nil, err
	}
	claims := map[string]any{}
	for _, stmt := range as.AttributeStatements {
		for _, at := range stmt.Attributes {
			vals := make([]string, 0, len(at.Values))
			for _, v := range at.Values {
				vals = append(vals, v.Value)
			}
			switch len(vals) {
			case 0:
			case 1:
				claims[at.Name] = vals[0]
			default:
				claims[at.Name] = vals
			}
		}
	}
	sess := &samlSession{Provider: p.Name, NameID: as.Subject.NameID.Value, NameIDFormat: as.Subject.NameID.Format}
	if len(as.AuthnStatements) > 0 {
		sess.SessionIndex = as.AuthnStatements[0].SessionIndex
	}
	return &federation.Identity{
		Provider: p, Claims: claims, Subject: as.Subject.NameID.Value,
		Raw: triggers.ProviderAttributes{SAMLResponse: stringMap(claims)},
	}, sess, nil
}

// decryptionKeys gives sp the keys of the pool's encryption certificates
// that have not expired, the newest first: a provider may encrypt to any
// of them, as Cognito documents.
func (f *Federation) decryptionKeys(ctx context.Context, sp *saml.ServiceProvider, poolID string, now time.Time) error {
	certs, err := f.Encryption.All(ctx, poolID)
	if err != nil {
		return err
	}
	for i := len(certs) - 1; i >= 0; i-- {
		c := certs[i]
		if now.After(c.Cert.NotAfter) {
			continue
		}
		if sp.EncryptionKey == nil {
			sp.EncryptionKey, sp.EncryptionCertificate = c.Key, c.Cert
		} else {
			sp.DecryptionKeys = append(sp.DecryptionKeys, c.Key)
		}
	}
	if sp.EncryptionKey == nil {
		return errors.New("the pool has no encryption certificate for the provider's EncryptedResponses")
	}
	return nil
}

// encryptedOnly checks that a SAML response carries its assertions
// encrypted: a provider with EncryptedResponses must encrypt every
// assertion, so a plain Assertion in the Response is refused.
func encryptedOnly(raw []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	depth, encrypted := 0, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("the response is not XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && t.Name.Space == samlAssertionNS {
				switch t.Name.Local {
				case "Assertion":
					return errors.New("the provider requires encrypted assertions, and the response has an unencrypted one")
				case "EncryptedAssertion":
					encrypted = true
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	if !encrypted {
		return errors.New("the provider requires encrypted assertions, and the response has none")
	}
	return nil
}

// samlAssertionNS is the namespace of SAML 2.0 assertions.
const samlAssertionNS = "urn:oasis:names:tc:SAML:2.0:assertion"
