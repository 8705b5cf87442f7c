package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// startIDP starts a server that may fetch identity provider documents from
// loopback addresses over http, as --allow-private-idp-urls allows, so that
// tests can serve them from httptest servers.
func startIDP(t *testing.T, opts server.Options) *testserver.Server {
	t.Helper()
	cfg := testserver.NewConfig(t)
	cfg.AllowPrivateIDPURLs = true
	return testserver.StartWith(t, cfg, opts)
}

func createIDP(t *testing.T, c *cip.Client, in *cip.CreateIdentityProviderInput) *types.IdentityProviderType {
	t.Helper()
	out, err := c.CreateIdentityProvider(ctx, in)
	if err != nil {
		t.Fatalf("CreateIdentityProvider %s: %v", aws.ToString(in.ProviderName), err)
	}
	return out.IdentityProvider
}

func describeIDP(t *testing.T, c *cip.Client, pool *string, name string) *types.IdentityProviderType {
	t.Helper()
	out, err := c.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: pool, ProviderName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeIdentityProvider %s: %v", name, err)
	}
	return out.IdentityProvider
}

func googleInput(pool *string) *cip.CreateIdentityProviderInput {
	return &cip.CreateIdentityProviderInput{
		UserPoolId: pool, ProviderName: aws.String("Google"), ProviderType: types.IdentityProviderTypeTypeGoogle,
		ProviderDetails: map[string]string{
			"client_id": "1example23456789.apps.googleusercontent.com", "client_secret": "google-secret-value",
			"authorize_scopes": "email profile openid",
		},
		AttributeMapping: map[string]string{"email": "email", "given_name": "given_name"},
		IdpIdentifiers:   []string{"gmail.com", "GoogleIdP"},
	}
}

func TestIdentityProviderLifecycle(t *testing.T) {
	clock := testserver.NewClock(time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC))
	s := testserver.StartWith(t, testserver.NewConfig(t), server.Options{Now: clock.Now})
	c := s.Client
	p := newPool(t, c, nil)
	created := clock.Now()
	want := &types.IdentityProviderType{
		UserPoolId: p.Id, ProviderName: aws.String("Google"), ProviderType: types.IdentityProviderTypeTypeGoogle,
		ProviderDetails: map[string]string{
			"client_id": "1example23456789.apps.googleusercontent.com", "client_secret": "google-secret-value",
			"authorize_scopes":              "email profile openid",
			"attributes_url":                "https://people.googleapis.com/v1/people/me?personFields=",
			"attributes_url_add_attributes": "true",
			"authorize_url":                 "https://accounts.google.com/o/oauth2/v2/auth",
			"oidc_issuer":                   "https://accounts.google.com",
			"token_request_method":          "POST",
			"token_url":                     "https://www.googleapis.com/oauth2/v4/token",
		},
		AttributeMapping: map[string]string{"email": "email", "given_name": "given_name", "username": "sub"},
		IdpIdentifiers:   []string{"gmail.com", "GoogleIdP"},
		CreationDate:     aws.Time(created), LastModifiedDate: aws.Time(created),
	}
	diff(t, "CreateIdentityProvider", want, createIDP(t, c, googleInput(p.Id)))
	diff(t, "DescribeIdentityProvider", want, describeIDP(t, c, p.Id, "Google"))
	for _, id := range []string{"gmail.com", "GoogleIdP"} {
		got := must[*cip.GetIdentityProviderByIdentifierOutput](t)(c.GetIdentityProviderByIdentifier(ctx,
			&cip.GetIdentityProviderByIdentifierInput{UserPoolId: p.Id, IdpIdentifier: aws.String(id)}))
		diff(t, "GetIdentityProviderByIdentifier "+id, want, got.IdentityProvider)
	}

	// An update replaces what it gives and keeps the rest; the computed
	// details Describe showed may be sent back as they are.
	clock.Advance(time.Hour)
	details := want.ProviderDetails
	details["authorize_scopes"] = "openid email"
	details["client_secret"] = "rotated-secret"
	updated := must[*cip.UpdateIdentityProviderOutput](t)(c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{
		UserPoolId: p.Id, ProviderName: aws.String("Google"), ProviderDetails: details,
		AttributeMapping: map[string]string{"email": "email", "username": "sub"},
	}))
	want.AttributeMapping = map[string]string{"email": "email", "username": "sub"}
	want.LastModifiedDate = aws.Time(clock.Now())
	diff(t, "UpdateIdentityProvider", want, updated.IdentityProvider)
	updated = must[*cip.UpdateIdentityProviderOutput](t)(c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{
		UserPoolId: p.Id, ProviderName: aws.String("Google"), IdpIdentifiers: []string{"googlemail.com"},
	}))
	want.IdpIdentifiers = []string{"googlemail.com"}
	diff(t, "UpdateIdentityProvider of identifiers", want, updated.IdentityProvider)
	_, err := c.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: p.Id, IdpIdentifier: aws.String("gmail.com")})
	wantErr(t, err, "ResourceNotFoundException", "gmail.com")

	// Everything, the sealed secret included, survives a restart.
	s.Restart(t)
	c = s.Client
	diff(t, "DescribeIdentityProvider after a restart", want, describeIDP(t, c, p.Id, "Google"))

	must[*cip.DeleteIdentityProviderOutput](t)(c.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Google")}))
	_, err = c.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Google")})
	wantErr(t, err, "ResourceNotFoundException", "Google")
	_, err = c.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Google")})
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = c.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: p.Id, IdpIdentifier: aws.String("googlemail.com")})
	wantErr(t, err, "ResourceNotFoundException", "")
	// The name and identifiers are free again.
	createIDP(t, c, googleInput(p.Id))
}

func TestSocialProviderDetails(t *testing.T) {
	s, c := start(t)
	p := newPool(t, c, nil)
	for _, tc := range []struct {
		typ     types.IdentityProviderTypeType
		details map[string]string
		want    map[string]string
		mapping map[string]string
	}{
		{
			types.IdentityProviderTypeTypeFacebook,
			map[string]string{"client_id": "1example23456789", "client_secret": "fb-secret", "authorize_scopes": "public_profile, email", "api_version": "v17.0"},
			map[string]string{
				"client_id": "1example23456789", "client_secret": "fb-secret", "authorize_scopes": "public_profile, email", "api_version": "v17.0",
				"attributes_url": "https://graph.facebook.com/v17.0/me?fields=", "attributes_url_add_attributes": "true",
				"authorize_url": "https://www.facebook.com/v17.0/dialog/oauth", "token_request_method": "GET",
				"token_url": "https://graph.facebook.com/v17.0/oauth/access_token",
			},
			map[string]string{"username": "id"},
		},
		{
			types.IdentityProviderTypeTypeLoginWithAmazon,
			map[string]string{"client_id": "amzn1.application-oa2-client.1example23456789", "client_secret": "lwa-secret", "authorize_scopes": "profile postal_code"},
			map[string]string{
				"client_id": "amzn1.application-oa2-client.1example23456789", "client_secret": "lwa-secret", "authorize_scopes": "profile postal_code",
				"attributes_url": "https://api.amazon.com/user/profile", "attributes_url_add_attributes": "false",
				"authorize_url": "https://www.amazon.com/ap/oa", "token_request_method": "POST", "token_url": "https://api.amazon.com/auth/o2/token",
			},
			map[string]string{"username": "user_id"},
		},
		{
			// The private key is kept but never shown.
			types.IdentityProviderTypeTypeSignInWithApple,
			map[string]string{"client_id": "com.example.cognito", "team_id": "3EXAMPLE", "key_id": "2EXAMPLE",
				"private_key": "-----BEGIN PRIVATE KEY-----apple-private-key-----END PRIVATE KEY-----", "authorize_scopes": "email name"},
			map[string]string{
				"client_id": "com.example.cognito", "team_id": "3EXAMPLE", "key_id": "2EXAMPLE", "authorize_scopes": "email name",
				"attributes_url_add_attributes": "false", "authorize_url": "https://appleid.apple.com/auth/authorize",
				"oidc_issuer": "https://appleid.apple.com", "token_request_method": "POST", "token_url": "https://appleid.apple.com/auth/token",
			},
			map[string]string{"username": "sub"},
		},
	} {
		name := string(tc.typ)
		got := createIDP(t, c, &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String(name), ProviderType: tc.typ, ProviderDetails: tc.details})
		diff(t, name+" details", tc.want, got.ProviderDetails)
		diff(t, name+" attribute mapping", tc.mapping, got.AttributeMapping)
		diff(t, name+" described details", tc.want, describeIDP(t, c, p.Id, name).ProviderDetails)
	}
	// Secrets are sealed at rest: the database holds none of them.
	if os.Getenv(testserver.StoreEnv) != "postgres" {
		s.Stop()
		var db []byte
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(s.Config.DB + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			db = append(db, b...)
		}
		for _, secret := range []string{"fb-secret", "lwa-secret", "apple-private-key"} {
			if bytes.Contains(db, []byte(secret)) {
				t.Errorf("the database holds %s in the clear", secret)
			}
		}
	}
}

func TestIdentityProviderErrors(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, &cip.CreateUserPoolInput{
		Schema: []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}},
	})
	createIDP(t, c, googleInput(p.Id))
	oidc := func(name string, details map[string]string) *cip.CreateIdentityProviderInput {
		d := map[string]string{"client_id": "id", "client_secret": "secret", "attributes_request_method": "GET",
			"oidc_issuer": "https://idp.example.com", "authorize_scopes": "openid email",
			"authorize_url": "https://idp.example.com/authorize", "token_url": "https://idp.example.com/token",
			"attributes_url": "https://idp.example.com/userinfo", "jwks_uri": "https://idp.example.com/jwks"}
		for k, v := range details {
			if v == "" {
				delete(d, k)
			} else {
				d[k] = v
			}
		}
		return &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String(name), ProviderType: types.IdentityProviderTypeTypeOidc, ProviderDetails: d}
	}
	withMapping := oidc("Mapped", nil)
	withMapping.AttributeMapping = map[string]string{"email": "email", "custom:tenant": "tid", "custom:nope": "x", "favorite_color": "c"}
	withID := oidc("Other", nil)
	withID.IdpIdentifiers = []string{"GoogleIdP"}
	twice := oidc("Twice", nil)
	twice.IdpIdentifiers = []string{"a", "a"}
	samlNoMetadata := &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Corp"), ProviderType: types.IdentityProviderTypeTypeSaml,
		ProviderDetails: map[string]string{"IDPSignout": "true"}}
	samlBad := func(file string) *cip.CreateIdentityProviderInput {
		return &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Corp"), ProviderType: types.IdentityProviderTypeTypeSaml,
			ProviderDetails: map[string]string{"MetadataFile": file}}
	}
	for _, tc := range []struct {
		name      string
		in        *cip.CreateIdentityProviderInput
		code, msg string
	}{
		{"missing pool", func() *cip.CreateIdentityProviderInput { in := googleInput(aws.String("us-east-1_none")); return in }(),
			"ResourceNotFoundException", "us-east-1_none"},
		{"taken name", googleInput(p.Id), "DuplicateProviderException", "Google already exists in user pool " + aws.ToString(p.Id)},
		{"taken identifier", withID, "DuplicateProviderException", "GoogleIdP"},
		{"repeated identifier", twice, "InvalidParameterException", "Duplicate IdP identifier a"},
		{"reserved name", oidc("Cognito", nil), "InvalidParameterException", "reserved"},
		{"reserved name in capitals", oidc("COGNITO", nil), "InvalidParameterException", "reserved"},
		{"social provider named otherwise", func() *cip.CreateIdentityProviderInput {
			in := googleInput(p.Id)
			in.ProviderName = aws.String("MyGoogle")
			return in
		}(), "InvalidParameterException", "Provider MyGoogle cannot be of type Google."},
		{"social name for another type", oidc("Facebook", nil), "InvalidParameterException", "Provider Facebook cannot be of type OIDC."},
		{"missing social detail", func() *cip.CreateIdentityProviderInput {
			in := googleInput(p.Id)
			in.ProviderName = aws.String("LoginWithAmazon")
			in.ProviderType = types.IdentityProviderTypeTypeLoginWithAmazon
			delete(in.ProviderDetails, "client_secret")
			in.IdpIdentifiers = nil
			return in
		}(), "InvalidParameterException", "client_id, client_secret and authorize_scopes are all required idp details."},
		{"missing OIDC detail", oidc("NoIssuer", map[string]string{"oidc_issuer": ""}), "InvalidParameterException", "are all required idp details"},
		{"unknown detail", oidc("Extra", map[string]string{"authorization_endpoint": "https://idp.example.com/a"}), "InvalidParameterException", "authorization_endpoint"},
		{"OIDC without openid", oidc("NoOpenID", map[string]string{"authorize_scopes": "email"}), "InvalidParameterException", "openid"},
		{"bad attributes_request_method", oidc("Put", map[string]string{"attributes_request_method": "PUT"}), "InvalidParameterException", "GET or POST"},
		{"plain http issuer", oidc("Plain", map[string]string{"oidc_issuer": "http://idp.example.com"}), "InvalidParameterException", "https"},
		{"mapping to attributes the pool lacks", withMapping, "InvalidParameterException", "AttributeMapping contains invalid mapping: [custom:nope, favorite_color]"},
		{"Apple scope", &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("SignInWithApple"), ProviderType: types.IdentityProviderTypeTypeSignInWithApple,
			ProviderDetails: map[string]string{"client_id": "a", "team_id": "t", "key_id": "k", "private_key": "p", "authorize_scopes": "email phone"}},
			"InvalidParameterException", "phone"},
		{"SAML without metadata", samlNoMetadata, "InvalidParameterException", "At least one of the MetadataURL or MetadataFile should be provided."},
		{"SAML metadata that is not XML", samlBad("not xml at all <"), "InvalidParameterException", "Unable to unmarshall metadata"},
		{"SAML metadata of another kind", samlBad(`<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>`), "InvalidParameterException", "EntityDescriptor"},
		{"SAML metadata without an IdP", samlBad(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="sp"><md:SPSSODescriptor/></md:EntityDescriptor>`),
			"InvalidParameterException", "IDPSSODescriptor"},
		{"SAML metadata without a redirect binding", samlBad(samlMetadata(t, "https://idp.example.com", false)),
			"InvalidParameterException", "No SingleSignOn Http redirect binding location found in metadata."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateIdentityProvider(ctx, tc.in)
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	list := must[*cip.ListIdentityProvidersOutput](t)(c.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: p.Id}))
	if len(list.Providers) != 1 {
		t.Errorf("refused providers were stored: %+v", list.Providers)
	}

	_, err := c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Missing"),
		AttributeMapping: map[string]string{"email": "email"}})
	wantErr(t, err, "ResourceNotFoundException", "Missing")
	_, err = c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("COGNITO")})
	wantErr(t, err, "UnsupportedIdentityProviderException", "")
	_, err = c.DeleteIdentityProvider(ctx, &cip.DeleteIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("COGNITO")})
	wantErr(t, err, "UnsupportedIdentityProviderException", "")
	// An update's details replace the stored ones as a whole.
	_, err = c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Google"),
		ProviderDetails: map[string]string{"authorize_scopes": "openid"}})
	wantErr(t, err, "InvalidParameterException", "are all required idp details")
	_, err = c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Google"),
		AttributeMapping: map[string]string{"nickname": "n", "custom:nope": "x"}})
	wantErr(t, err, "InvalidParameterException", "[custom:nope]")
	must[*cip.CreateIdentityProviderOutput](t)(c.CreateIdentityProvider(ctx, oidc("Okta", nil)))
	_, err = c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Okta"),
		IdpIdentifiers: []string{"okta", "gmail.com"}})
	wantErr(t, err, "DuplicateProviderException", "gmail.com")
	if got := describeIDP(t, c, p.Id, "Google"); got.ProviderDetails["authorize_scopes"] != "email profile openid" || got.AttributeMapping["given_name"] != "given_name" {
		t.Errorf("a refused update changed the provider: %+v", got)
	}
	_, err = c.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: p.Id, NextToken: aws.String("bogus")})
	wantErr(t, err, "InvalidParameterException", "NextToken")
	for _, op := range []func() error{
		func() error {
			_, err := c.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: aws.String("us-east-1_none"), ProviderName: aws.String("Google")})
			return err
		},
		func() error {
			_, err := c.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: aws.String("us-east-1_none")})
			return err
		},
		func() error {
			_, err := c.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: aws.String("us-east-1_none"), IdpIdentifier: aws.String("x")})
			return err
		},
	} {
		wantErr(t, op(), "ResourceNotFoundException", "us-east-1_none")
	}
}

// oidcIssuer serves an OpenID Connect discovery document, and counts the
// requests for it.
func oidcIssuer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize", "token_endpoint": srv.URL + "/token",
			"userinfo_endpoint": srv.URL + "/userinfo", "jwks_uri": srv.URL + "/jwks", "response_types_supported": []string{"code"},
		})
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestOIDCDiscovery(t *testing.T) {
	s := startIDP(t, server.Options{})
	c := s.Client
	p := newPool(t, c, nil)
	issuer, hits := oidcIssuer(t)
	in := &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Okta"), ProviderType: types.IdentityProviderTypeTypeOidc,
		ProviderDetails: map[string]string{"client_id": "okta-client", "client_secret": "okta-secret", "attributes_request_method": "GET",
			"oidc_issuer": issuer.URL + "/", "authorize_scopes": "openid email profile"},
		AttributeMapping: map[string]string{"email": "email"},
	}
	got := createIDP(t, c, in)
	want := map[string]string{
		"client_id": "okta-client", "client_secret": "okta-secret", "attributes_request_method": "GET", "oidc_issuer": issuer.URL + "/",
		"authorize_scopes": "openid email profile", "attributes_url_add_attributes": "false",
		"authorize_url": issuer.URL + "/authorize", "token_url": issuer.URL + "/token", "attributes_url": issuer.URL + "/userinfo", "jwks_uri": issuer.URL + "/jwks",
	}
	diff(t, "discovered details", want, got.ProviderDetails)
	diff(t, "discovered details described", want, describeIDP(t, c, p.Id, "Okta").ProviderDetails)
	diff(t, "OIDC attribute mapping", map[string]string{"email": "email", "username": "sub"}, got.AttributeMapping)
	if hits.Load() != 1 {
		t.Errorf("the discovery document was read %d times", hits.Load())
	}

	// Details given are kept; only the missing ones are discovered.
	in.ProviderName = aws.String("Partial")
	in.ProviderDetails["authorize_url"] = "http://login.example.com/oauth2/authorize"
	got = createIDP(t, c, in)
	want["authorize_url"] = "http://login.example.com/oauth2/authorize"
	diff(t, "partly discovered details", want, got.ProviderDetails)

	// With every endpoint given, nothing is fetched.
	before := hits.Load()
	in.ProviderName = aws.String("Complete")
	in.ProviderDetails = map[string]string{"client_id": "c", "client_secret": "s", "attributes_request_method": "POST",
		"oidc_issuer": "https://idp.example.com", "authorize_scopes": "openid", "authorize_url": "https://idp.example.com/a",
		"token_url": "https://idp.example.com/t", "attributes_url": "https://idp.example.com/u", "jwks_uri": "https://idp.example.com/k"}
	createIDP(t, c, in)
	if hits.Load() != before {
		t.Error("the discovery document was read although every endpoint was given")
	}

	in.ProviderName = aws.String("Gone")
	in.ProviderDetails = map[string]string{"client_id": "c", "client_secret": "s", "attributes_request_method": "GET",
		"oidc_issuer": issuer.URL + "/nowhere", "authorize_scopes": "openid"}
	_, err := c.CreateIdentityProvider(ctx, in)
	wantErr(t, err, "InvalidParameterException", "Unable to contact well-known endpoint "+issuer.URL+"/nowhere/.well-known/openid-configuration")

	// An update with details discovers again.
	updated := must[*cip.UpdateIdentityProviderOutput](t)(c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{
		UserPoolId: p.Id, ProviderName: aws.String("Complete"),
		ProviderDetails: map[string]string{"client_id": "c", "client_secret": "s", "attributes_request_method": "GET",
			"oidc_issuer": issuer.URL, "authorize_scopes": "openid"},
	}))
	if d := updated.IdentityProvider.ProviderDetails; d["jwks_uri"] != issuer.URL+"/jwks" || d["attributes_request_method"] != "GET" {
		t.Errorf("details after an update: %v", d)
	}
}

// TestPrivateIDPURLsRefused checks that, without --allow-private-idp-urls,
// Cognate makes no request to an IdP URL on a loopback address: given as an
// address, or as a name that resolves to one.
func TestPrivateIDPURLsRefused(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	var hits atomic.Int32
	idp := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer idp.Close()
	port := idp.URL[strings.LastIndex(idp.URL, ":"):]
	for _, base := range []string{idp.URL, "https://localhost" + port, "https://[::1]" + port} {
		_, err := c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Local"),
			ProviderType: types.IdentityProviderTypeTypeOidc,
			ProviderDetails: map[string]string{"client_id": "c", "client_secret": "s", "attributes_request_method": "GET",
				"oidc_issuer": base, "authorize_scopes": "openid"}})
		wantErr(t, err, "InvalidParameterException", "not public")
		_, err = c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("LocalSAML"),
			ProviderType: types.IdentityProviderTypeTypeSaml, ProviderDetails: map[string]string{"MetadataURL": base + "/metadata"}})
		wantErr(t, err, "InvalidParameterException", "not public")
	}
	// The cloud metadata service's link-local address is refused too.
	_, err := c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Metadata"),
		ProviderType: types.IdentityProviderTypeTypeSaml, ProviderDetails: map[string]string{"MetadataURL": "https://169.254.169.254/latest/meta-data/"}})
	wantErr(t, err, "InvalidParameterException", "not public")
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback IdP received %d requests", n)
	}
}

// samlMetadata returns IdP metadata with a fresh signing certificate, and a
// single sign-on service with the HTTP-Redirect binding when redirect is
// set (HTTP-POST only otherwise).
func samlMetadata(t *testing.T, base string, redirect bool) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	binding := "HTTP-POST"
	if redirect {
		binding = "HTTP-Redirect"
	}
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="%[1]s/entity">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%[2]s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="%[1]s/slo"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="%[1]s/sso/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:%[3]s" Location="%[1]s/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`, base, base64.StdEncoding.EncodeToString(der), binding)
}

func TestSAMLProvider(t *testing.T) {
	s := startIDP(t, server.Options{})
	c := s.Client
	p := newPool(t, c, nil)
	file := samlMetadata(t, "https://corp.example.com", true)
	got := createIDP(t, c, &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Corp"), ProviderType: types.IdentityProviderTypeTypeSaml,
		ProviderDetails:  map[string]string{"MetadataFile": file, "IDPSignout": "true", "IDPInit": "false", "RequestSigningAlgorithm": "rsa-sha256"},
		AttributeMapping: map[string]string{"email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"},
		IdpIdentifiers:   []string{"corp.example.com"},
	})
	want := map[string]string{"MetadataFile": file, "IDPSignout": "true", "IDPInit": "false", "RequestSigningAlgorithm": "rsa-sha256",
		"SSORedirectBindingURI": "https://corp.example.com/sso", "SLORedirectBindingURI": "https://corp.example.com/slo"}
	diff(t, "SAML details", want, got.ProviderDetails)
	diff(t, "SAML attribute mapping", map[string]string{"email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}, got.AttributeMapping)

	var hits atomic.Int32
	var metadata string
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/metadata" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(metadata))
	}))
	defer idp.Close()
	metadata = samlMetadata(t, idp.URL, true)
	got = createIDP(t, c, &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Remote"), ProviderType: types.IdentityProviderTypeTypeSaml,
		ProviderDetails: map[string]string{"MetadataURL": idp.URL + "/metadata"}})
	want = map[string]string{"MetadataURL": idp.URL + "/metadata", "SSORedirectBindingURI": idp.URL + "/sso", "SLORedirectBindingURI": idp.URL + "/slo"}
	diff(t, "SAML details from a metadata URL", want, got.ProviderDetails)
	diff(t, "SAML details from a metadata URL, described", want, describeIDP(t, c, p.Id, "Remote").ProviderDetails)

	_, err := c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Missing"),
		ProviderType: types.IdentityProviderTypeTypeSaml, ProviderDetails: map[string]string{"MetadataURL": idp.URL + "/gone"}})
	wantErr(t, err, "InvalidParameterException", "Non-ok status code 404 returned from remote metadata source "+idp.URL+"/gone")
	_, err = c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Both"),
		ProviderType: types.IdentityProviderTypeTypeSaml, ProviderDetails: map[string]string{"MetadataURL": idp.URL + "/metadata", "MetadataFile": file}})
	wantErr(t, err, "InvalidParameterException", "Only one of MetadataURL or MetadataFile")
	_, err = c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("Flags"),
		ProviderType: types.IdentityProviderTypeTypeSaml, ProviderDetails: map[string]string{"MetadataFile": file, "IDPSignout": "yes"}})
	wantErr(t, err, "InvalidParameterException", "IDPSignout")

	// An update with details fetches the metadata again.
	metadata = samlMetadata(t, idp.URL+"/v2", true)
	before := hits.Load()
	updated := must[*cip.UpdateIdentityProviderOutput](t)(c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{
		UserPoolId: p.Id, ProviderName: aws.String("Remote"), ProviderDetails: map[string]string{"MetadataURL": idp.URL + "/metadata", "IDPSignout": "false"},
	}))
	if hits.Load() != before+1 || updated.IdentityProvider.ProviderDetails["SSORedirectBindingURI"] != idp.URL+"/v2/sso" {
		t.Errorf("after an update: %d fetches, details %v", hits.Load()-before, updated.IdentityProvider.ProviderDetails)
	}
}

func TestListIdentityProviders(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	other := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	var want []string
	for i := range 5 {
		name := fmt.Sprintf("idp-%d", (i*3)%5)
		in := &cip.CreateIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String(name), ProviderType: types.IdentityProviderTypeTypeOidc,
			ProviderDetails: map[string]string{"client_id": "c", "client_secret": "s", "attributes_request_method": "GET",
				"oidc_issuer": "https://idp.example.com", "authorize_scopes": "openid", "authorize_url": "https://idp.example.com/a",
				"token_url": "https://idp.example.com/t", "attributes_url": "https://idp.example.com/u", "jwks_uri": "https://idp.example.com/k"}}
		createIDP(t, c, in)
		in.UserPoolId = other.Id
		createIDP(t, c, in)
		want = append(want, fmt.Sprintf("idp-%d", i))
	}
	var got []string
	var token *string
	for pages := 0; ; pages++ {
		out := must[*cip.ListIdentityProvidersOutput](t)(c.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{
			UserPoolId: p.Id, MaxResults: aws.Int32(2), NextToken: token,
		}))
		if len(out.Providers) > 2 || pages > 3 {
			t.Fatalf("page %d has %d providers", pages, len(out.Providers))
		}
		for _, d := range out.Providers {
			got = append(got, aws.ToString(d.ProviderName))
			if d.ProviderType != types.IdentityProviderTypeTypeOidc || d.CreationDate == nil || d.LastModifiedDate == nil {
				t.Errorf("listed %+v", d)
			}
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	diff(t, "ListIdentityProviders", want, got)

	// Deleting the pool removes its providers; the other pool keeps its own.
	must[*cip.DeleteUserPoolOutput](t)(c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: p.Id}))
	_, err := c.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: p.Id, ProviderName: aws.String("idp-0")})
	wantErr(t, err, "ResourceNotFoundException", "")
	if out := must[*cip.ListIdentityProvidersOutput](t)(c.ListIdentityProviders(ctx, &cip.ListIdentityProvidersInput{UserPoolId: other.Id})); len(out.Providers) != 5 {
		t.Errorf("the other pool has %d providers", len(out.Providers))
	}
}

func TestClientSupportedIdentityProviders(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, nil)
	in := &cip.CreateUserPoolClientInput{UserPoolId: p.Id, ClientName: aws.String("web"), SupportedIdentityProviders: []string{"COGNITO", "Google"}}
	_, err := c.CreateUserPoolClient(ctx, in)
	wantErr(t, err, "InvalidParameterException", "The provider Google does not exist for User Pool "+aws.ToString(p.Id))
	createIDP(t, c, googleInput(p.Id))
	client := must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, in)).UserPoolClient
	diff(t, "SupportedIdentityProviders", []string{"COGNITO", "Google"}, client.SupportedIdentityProviders)
	_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: p.Id, ClientId: client.ClientId,
		SupportedIdentityProviders: []string{"Google", "Okta"}})
	wantErr(t, err, "InvalidParameterException", "The provider Okta does not exist")
	must[*cip.UpdateUserPoolClientOutput](t)(c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: p.Id, ClientId: client.ClientId,
		SupportedIdentityProviders: []string{"Google"}}))
}
