package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/crewjam/saml"
	"golang.org/x/oauth2"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// samlEnv is a pool A whose app client signs users in through Corp, a
// SAML 2.0 identity provider run in-process with crewjam/saml's IdP side:
// the test plays the browser, carrying the AuthnRequest to the IdP and its
// Response back to A's /saml2/idpresponse.
type samlEnv struct {
	*fedEnv
	idp *saml.IdentityProvider
	// audience is the SP entity ID the IdP puts in its assertions.
	audience string
	acs      string
	// spCert is pool A's signing certificate, base64 DER; encCert, when
	// set, the certificate the IdP encrypts its assertions to.
	spCert, encCert string
	// idpURL is where the IdP serves its SSO service (/sso), and user is
	// who is signed in there: a browser that reaches it is answered at
	// once, as that user.
	idpURL string
	user   string
	// loggedOut are the users whose IdP sessions single logout ended.
	loggedOut []string
}

// GetSession signs the browser in at the IdP as the environment's user.
func (e *samlEnv) GetSession(http.ResponseWriter, *http.Request, *saml.IdpAuthnRequest) *saml.Session {
	return samlSession(e.user)
}

// InvalidateSession ends the IdP session of the environment's user that a
// LogoutRequest names (by NameID and SessionIndex); the IdP answers
// StatusResponder when it names none.
func (e *samlEnv) InvalidateSession(_ http.ResponseWriter, _ *http.Request, req *saml.IdpLogoutRequest) error {
	if !req.MatchesSession(samlSession(e.user)) {
		return errors.New("no such session")
	}
	e.loggedOut = append(e.loggedOut, e.user)
	return nil
}

const samlProvider = "Corp"

// spMetadata is the IdP's view of pool A as a service provider.
type spMetadata struct{ e *samlEnv }

// GetServiceProvider gives the IdP pool A's SP metadata: its entity ID
// (or a wrong one, when audience says so), its ACS and, for signed
// requests, its signing certificate.
func (m spMetadata) GetServiceProvider(*http.Request, string) (*saml.EntityDescriptor, error) {
	t := true
	keys := []saml.KeyDescriptor{{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
		X509Certificates: []saml.X509Certificate{{Data: m.e.spCert}}}}}}
	if m.e.encCert != "" {
		keys = append(keys, saml.KeyDescriptor{Use: "encryption", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
			X509Certificates: []saml.X509Certificate{{Data: m.e.encCert}}}}})
	}
	return &saml.EntityDescriptor{EntityID: m.e.audience, SPSSODescriptors: []saml.SPSSODescriptor{{
		SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
			ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol", KeyDescriptors: keys,
		}, SingleLogoutServices: []saml.Endpoint{{Binding: saml.HTTPPostBinding, Location: m.e.baseA + "/saml2/logout"}}},
		AssertionConsumerServices: []saml.IndexedEndpoint{{Binding: saml.HTTPPostBinding, Location: m.e.acs, Index: 1, IsDefault: &t}},
	}}}, nil
}

// samlKey makes an RSA key and a self-signed certificate for it.
func samlKey(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return key, cert
}

// newSAMLEnv starts a server with pool A and provider Corp, whose
// metadata lists an old certificate besides the one it signs with.
func newSAMLEnv(t *testing.T, details map[string]string, edits ...func(*config.Config)) *samlEnv {
	t.Helper()
	cfg := testserver.NewConfig(t)
	for _, edit := range edits {
		edit(cfg)
	}
	s := testserver.StartWith(t, cfg, server.Options{})
	c := s.Client
	port := mustURL(t, s.URL).Port()
	e := &samlEnv{fedEnv: &fedEnv{s: s, c: c, baseA: "http://saml-a.auth.localhost:" + port}}
	e.poolA = aws.ToString(newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("A")}).Id)
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: aws.String(e.poolA), Domain: aws.String("saml-a")}))
	e.audience, e.acs = "urn:amazon:cognito:sp:"+e.poolA, e.baseA+"/saml2/idpresponse"

	cert0, err := c.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: aws.String(e.poolA)})
	if err != nil {
		t.Fatal(err)
	}
	e.spCert = aws.ToString(cert0.Certificate)
	key, cert := samlKey(t)
	_, oldCert := samlKey(t)
	idpSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slo" {
			e.idp.ServeSLO(w, r)
			return
		}
		e.idp.ServeSSO(w, r)
	}))
	t.Cleanup(idpSrv.Close)
	e.idpURL = idpSrv.URL
	e.idp = &saml.IdentityProvider{Key: key, Certificate: cert, Logger: log.New(io.Discard, "", 0),
		MetadataURL: *mustURL(t, "https://idp.example/metadata"), SSOURL: *mustURL(t, e.idpURL+"/sso"), LogoutURL: *mustURL(t, e.idpURL+"/slo"),
		ServiceProviderProvider: spMetadata{e}, SessionProvider: e, AssertionMaker: mailAssertionMaker{}}
	md := e.idp.Metadata()
	old := md.IDPSSODescriptors[0].KeyDescriptors[0]
	old.KeyInfo.X509Data.X509Certificates = []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(oldCert.Raw)}}
	md.IDPSSODescriptors[0].KeyDescriptors = append([]saml.KeyDescriptor{old}, md.IDPSSODescriptors[0].KeyDescriptors...)
	doc, err := xml.Marshal(md)
	if err != nil {
		t.Fatal(err)
	}
	pd := map[string]string{"MetadataFile": string(doc)}
	for k, v := range details {
		pd[k] = v
	}
	must[*cip.CreateIdentityProviderOutput](t)(c.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{
		UserPoolId: aws.String(e.poolA), ProviderName: aws.String(samlProvider), ProviderType: types.IdentityProviderTypeTypeSaml,
		ProviderDetails: pd, AttributeMapping: map[string]string{"email": "mail"},
	}))
	e.clientA = aws.ToString(must[*cip.CreateUserPoolClientOutput](t)(c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(e.poolA), ClientName: aws.String("web"),
		AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes: []string{"openid", "email"}, CallbackURLs: []string{hostedCallback}, LogoutURLs: []string{hostedSignOut},
		SupportedIdentityProviders: []string{"COGNITO", samlProvider},
	})).UserPoolClient.ClientId)
	e.conf = oauth2.Config{ClientID: e.clientA, RedirectURL: hostedCallback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: e.baseA + "/oauth2/authorize", TokenURL: e.baseA + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
	e.newBrowser()
	return e
}

// session is the IdP's session of user name.
func samlSession(name string) *saml.Session {
	return &saml.Session{ID: "s-" + name, Index: "idx-" + name, NameID: name, NameIDFormat: string(saml.UnspecifiedNameIDFormat), UserEmail: name + "@corp.example"}
}

// mailAssertionMaker asserts the user's email as the attribute mail.
type mailAssertionMaker struct{}

func (mailAssertionMaker) MakeAssertion(req *saml.IdpAuthnRequest, s *saml.Session) error {
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, s); err != nil {
		return err
	}
	req.Assertion.AttributeStatements = append(req.Assertion.AttributeStatements, saml.AttributeStatement{Attributes: []saml.Attribute{{
		Name: "mail", Values: []saml.AttributeValue{{Type: "xs:string", Value: s.UserEmail}}}}})
	return nil
}

// respond has the IdP answer req for user (past: with its clock an hour
// behind) and returns the form the browser posts to the ACS.
func (e *samlEnv) respond(t *testing.T, req *saml.IdpAuthnRequest, user string, past bool) url.Values {
	t.Helper()
	if past {
		req.Now = req.Now.Add(-time.Hour)
	}
	if err := (mailAssertionMaker{}).MakeAssertion(req, samlSession(user)); err != nil {
		t.Fatal(err)
	}
	form, err := req.PostBinding()
	if err != nil {
		t.Fatal(err)
	}
	if form.URL != e.acs {
		t.Fatalf("the IdP posts to %s, want %s", form.URL, e.acs)
	}
	return url.Values{"SAMLResponse": {form.SAMLResponse}, "RelayState": {form.RelayState}}
}

// startSP sends the browser to A's authorize endpoint for Corp and returns
// the IdP's view of the AuthnRequest it is redirected with.
func (e *samlEnv) startSP(t *testing.T) *saml.IdpAuthnRequest {
	t.Helper()
	authURL := e.conf.AuthCodeURL("app-state", oauth2.SetAuthURLParam("identity_provider", samlProvider))
	toIdP := location(t, e.baseA, e.get(t, authURL))
	if !strings.HasPrefix(toIdP, e.idpURL+"/sso?") {
		t.Fatalf("authorize sent the browser to %s, want the IdP's SSO service", toIdP)
	}
	req, err := saml.NewIdpAuthnRequest(e.idp, httptest.NewRequest(http.MethodGet, toIdP, nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := req.Validate(); err != nil {
		t.Fatalf("the IdP refuses the AuthnRequest: %v", err)
	}
	return req
}

// idpInit is the IdP's unsolicited response for user, with RelayState the
// authorization request's parameters.
func (e *samlEnv) idpInit(t *testing.T, user string, past bool) url.Values {
	t.Helper()
	relay := url.Values{"identity_provider": {samlProvider}, "client_id": {e.clientA}, "redirect_uri": {hostedCallback},
		"response_type": {"code"}, "scope": {"openid email"}, "state": {"app-state"}}.Encode()
	req, err := e.idp.NewIdpInitiatedRequest(httptest.NewRequest(http.MethodGet, "https://idp.example/init", nil), e.audience, relay)
	if err != nil {
		t.Fatal(err)
	}
	return e.respond(t, req, user, past)
}

// post posts a SAML response form to A's ACS and returns where the
// browser goes on to.
func (e *samlEnv) post(t *testing.T, form url.Values) *url.URL {
	t.Helper()
	resp, err := e.http.PostForm(e.acs, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page := body(t, resp)
	m := continueRE.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("ACS answered %d:\n%s", resp.StatusCode, page)
	}
	return mustURL(t, html.UnescapeString(m[1]))
}

// refused checks that the app's callback carries Cognito's SAML error.
func refused(t *testing.T, what string, cb *url.URL) {
	t.Helper()
	q := cb.Query()
	if q.Get("code") != "" || q.Get("error") != "invalid_request" || !strings.Contains(q.Get("error_description"), "samlResponse") {
		t.Errorf("%s: callback %s, want a refusal", what, cb)
	}
}

// TestSAMLSignIn: SP-initiated sign-in with a signed AuthnRequest ends at
// the app with a code; the identity linked to a native user signs in as
// that user, with the mapped email; a second browser signs in again with a
// fresh assertion.
func TestSAMLSignIn(t *testing.T) {
	e := newSAMLEnv(t, map[string]string{"RequestSigningAlgorithm": "rsa-sha256"})
	e.idp.WantAuthnRequestsSigned = true
	native := createUser(t, e.c, e.poolA, "alice", attr("email", "alice@a.example.com"))
	nativeSub := attrs(native.Attributes)["sub"]
	must[*cip.AdminLinkProviderForUserOutput](t)(e.c.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
		UserPoolId:      aws.String(e.poolA),
		SourceUser:      &types.ProviderUserIdentifierType{ProviderName: aws.String(samlProvider), ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String("alice.corp")},
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("alice")},
	}))

	req := e.startSP(t)
	if req.Request.Signature == nil && !strings.Contains(req.HTTPRequest.URL.RawQuery, "Signature=") {
		t.Error("the AuthnRequest is not signed")
	}
	claims := e.tokensFor(t, e.post(t, e.respond(t, req, "alice.corp", false)))
	if claims["sub"] != nativeSub || claims["cognito:username"] != "alice" {
		t.Fatalf("linked SAML sign-in: claims %v", claims)
	}
	if got := attrs(e.userA(t, "alice").UserAttributes)["email"]; got != "alice.corp@corp.example" {
		t.Errorf("mapped email %q", got)
	}

	e.newBrowser()
	claims = e.tokensFor(t, e.post(t, e.respond(t, e.startSP(t), "bob.corp", false)))
	if claims["cognito:username"] != samlProvider+"_bob.corp" {
		t.Errorf("federated SAML user: claims %v", claims)
	}
}

// TestSAMLIdPInitiated: with IDPInit on, an unsolicited response whose
// RelayState holds the authorization request signs in; replaying it is
// refused, as is an expired one. With IDPInit off it is refused.
func TestSAMLIdPInitiated(t *testing.T) {
	e := newSAMLEnv(t, map[string]string{"IDPInit": "true"})
	form := e.idpInit(t, "carol.corp", false)
	claims := e.tokensFor(t, e.post(t, form))
	if claims["cognito:username"] != samlProvider+"_carol.corp" {
		t.Fatalf("IdP-initiated sign-in: claims %v", claims)
	}
	refused(t, "replayed assertion", e.post(t, form))
	refused(t, "expired assertion", e.post(t, e.idpInit(t, "carol.corp", true)))

	off := newSAMLEnv(t, nil)
	refused(t, "IdP-initiated with IDPInit off", off.post(t, off.idpInit(t, "carol.corp", false)))
}

// TestSAMLRefusals: a tampered response, one for another audience, and one
// answering another browser's request are refused.
func TestSAMLRefusals(t *testing.T) {
	e := newSAMLEnv(t, nil)

	form := e.respond(t, e.startSP(t), "dave.corp", false)
	raw, _ := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	tampered := strings.ReplaceAll(string(raw), "dave.corp", "alice.corp")
	form.Set("SAMLResponse", base64.StdEncoding.EncodeToString([]byte(tampered)))
	refused(t, "tampered signature", e.post(t, form))

	e.audience = "urn:amazon:cognito:sp:eu-west-1_other"
	refused(t, "wrong audience", e.post(t, e.respond(t, e.startSP(t), "dave.corp", false)))
	e.audience = "urn:amazon:cognito:sp:" + e.poolA

	stolen := e.respond(t, e.startSP(t), "dave.corp", false)
	e.newBrowser()
	stolen.Set("RelayState", e.startSP(t).RelayState)
	refused(t, "response to another request", e.post(t, stolen))
}

// TestSAMLEmailDomain: once Corp has IdP identifiers, A's login page asks
// for the email address instead of showing Corp's button; an address
// whose domain is one of the identifiers (in any case) goes on to Corp
// and signs in, one of another domain sees the form again with an error.
// idp_identifier at the authorize endpoint goes straight to Corp.
func TestSAMLEmailDomain(t *testing.T) {
	e := newSAMLEnv(t, nil)
	must[*cip.UpdateIdentityProviderOutput](t)(e.c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{
		UserPoolId: aws.String(e.poolA), ProviderName: aws.String(samlProvider), IdpIdentifiers: []string{"corp.example", "corp.example.org"},
	}))

	// loginPage returns A's login page and its form's action.
	loginPage := func() (string, string) {
		t.Helper()
		login := location(t, e.baseA, e.get(t, e.conf.AuthCodeURL("app-state")))
		page := body(t, e.get(t, login))
		m := actionRE.FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, `id="idp_email"`) || strings.Contains(page, `id="idp-`+samlProvider+`"`) {
			t.Fatalf("login page without the email form, or with Corp's button:\n%s", page)
		}
		return page, html.UnescapeString(m[1])
	}
	// submitEmail posts the email form and returns the answer's page.
	submitEmail := func(email string) string {
		t.Helper()
		page, action := loginPage()
		form := url.Values{"idp_email": {email}, "_csrf": {csrfRE.FindStringSubmatch(page)[1]}}
		resp, err := e.http.PostForm(e.baseA+action, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("email form answered %d", resp.StatusCode)
		}
		return body(t, resp)
	}

	page := submitEmail("dave@CORP.example.org")
	m := continueRE.FindStringSubmatch(page)
	if m == nil || !strings.HasPrefix(html.UnescapeString(m[1]), e.idpURL+"/sso?") {
		t.Fatalf("the email form did not go on to Corp:\n%s", page)
	}
	req, err := saml.NewIdpAuthnRequest(e.idp, httptest.NewRequest(http.MethodGet, html.UnescapeString(m[1]), nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := req.Validate(); err != nil {
		t.Fatalf("the IdP refuses the AuthnRequest: %v", err)
	}
	if claims := e.tokensFor(t, e.post(t, e.respond(t, req, "dave.corp", false))); claims["cognito:username"] != samlProvider+"_dave.corp" {
		t.Errorf("sign-in by email domain: claims %v", claims)
	}

	e.newBrowser()
	page = submitEmail("dave@other.example")
	if continueRE.MatchString(page) || !strings.Contains(page, "No identity provider signs in users of that email domain") || !strings.Contains(page, `value="dave@other.example"`) {
		t.Errorf("unknown domain: page\n%s", page)
	}

	to := location(t, e.baseA, e.get(t, e.conf.AuthCodeURL("app-state", oauth2.SetAuthURLParam("idp_identifier", "corp.example"))))
	if !strings.HasPrefix(to, e.idpURL+"/sso?") {
		t.Errorf("idp_identifier sent the browser to %s", to)
	}
}

// TestSAMLEncryptedResponses: with EncryptedResponses, the provider shows
// the pool's encryption certificate as ActiveEncryptionCertificate; an
// IdP that encrypts its assertion to it signs in, one that sends the
// assertion unencrypted, or encrypted to another certificate, is refused.
func TestSAMLEncryptedResponses(t *testing.T) {
	e := newSAMLEnv(t, map[string]string{"EncryptedResponses": "true"})
	describe := func() map[string]string {
		t.Helper()
		return must[*cip.DescribeIdentityProviderOutput](t)(e.c.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{
			UserPoolId: aws.String(e.poolA), ProviderName: aws.String(samlProvider)})).IdentityProvider.ProviderDetails
	}
	active := describe()["ActiveEncryptionCertificate"]
	der, err := base64.StdEncoding.DecodeString(active)
	if err != nil {
		t.Fatalf("ActiveEncryptionCertificate %q: %v", active, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil || cert.KeyUsage&x509.KeyUsageKeyEncipherment == 0 || active == e.spCert {
		t.Fatalf("ActiveEncryptionCertificate: %v, key usage %v, the signing certificate: %v", err, cert.KeyUsage, active == e.spCert)
	}
	if again := describe()["ActiveEncryptionCertificate"]; again != active {
		t.Error("ActiveEncryptionCertificate changed between two describes")
	}

	e.encCert = active
	form := e.respond(t, e.startSP(t), "frank.corp", false)
	raw, _ := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if !strings.Contains(string(raw), "EncryptedAssertion") || strings.Contains(string(raw), "frank.corp") {
		t.Fatal("the IdP did not encrypt its assertion")
	}
	if claims := e.tokensFor(t, e.post(t, form)); claims["cognito:username"] != samlProvider+"_frank.corp" || claims["email"] != "frank.corp@corp.example" {
		t.Errorf("encrypted sign-in: claims %v", claims)
	}

	e.newBrowser()
	e.encCert = ""
	refused(t, "unencrypted assertion", e.post(t, e.respond(t, e.startSP(t), "frank.corp", false)))
	_, other := samlKey(t)
	e.encCert = base64.StdEncoding.EncodeToString(other.Raw)
	e.newBrowser()
	refused(t, "assertion encrypted to another certificate", e.post(t, e.respond(t, e.startSP(t), "frank.corp", false)))

	// Without EncryptedResponses the provider shows no encryption certificate.
	must[*cip.UpdateIdentityProviderOutput](t)(e.c.UpdateIdentityProvider(ctx, &cip.UpdateIdentityProviderInput{
		UserPoolId: aws.String(e.poolA), ProviderName: aws.String(samlProvider), ProviderDetails: map[string]string{"EncryptedResponses": "false", "MetadataFile": describe()["MetadataFile"]},
	}))
	if d := describe(); d["ActiveEncryptionCertificate"] != "" {
		t.Errorf("details without EncryptedResponses: %v", d)
	}
}

// formRE reads the IdP's auto-posting form: its action and fields.
var (
	formActionRE = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	formFieldRE  = regexp.MustCompile(`name="(SAMLResponse|RelayState)" value="([^"]*)"`)
)

// TestSAMLSingleLogout: with IDPSignout, /logout sends the browser of a
// user signed in through Corp to Corp's single logout service with a
// LogoutRequest signed by the pool's certificate (query string signature)
// naming the assertion's NameID and SessionIndex; Corp ends its session
// and posts its LogoutResponse to /saml2/logout, which goes on to the
// app's logout_uri. The hosted session is gone; the response cannot be
// posted again. Without IDPSignout, /logout goes straight to logout_uri.
func TestSAMLSingleLogout(t *testing.T) {
	e := newSAMLEnv(t, map[string]string{"IDPSignout": "true"})
	e.user = "gina.corp"
	e.tokensFor(t, e.post(t, e.respond(t, e.startSP(t), e.user, false)))

	logout := e.baseA + "/logout?" + url.Values{"client_id": {e.clientA}, "logout_uri": {hostedSignOut}}.Encode()
	toIdP := location(t, e.baseA, e.get(t, logout))
	u := mustURL(t, toIdP)
	if !strings.HasPrefix(toIdP, e.idpURL+"/slo?") || u.Query().Get("SigAlg") != "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" ||
		u.Query().Get("Signature") == "" || u.Query().Get("RelayState") == "" {
		t.Fatalf("/logout sent the browser to %s, want Corp's signed single logout request", toIdP)
	}
	page := body(t, e.get(t, toIdP))
	action := formActionRE.FindStringSubmatch(page)
	if action == nil || html.UnescapeString(action[1]) != e.baseA+"/saml2/logout" || len(e.loggedOut) != 1 {
		t.Fatalf("Corp did not end the session (%v) and answer /saml2/logout:\n%s", e.loggedOut, page)
	}
	form := url.Values{}
	for _, m := range formFieldRE.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	resp, err := e.http.PostForm(e.baseA+"/saml2/logout", form)
	if err != nil {
		t.Fatal(err)
	}
	back := body(t, resp)
	m := continueRE.FindStringSubmatch(back)
	if resp.StatusCode != http.StatusOK || m == nil || html.UnescapeString(m[1]) != hostedSignOut {
		t.Fatalf("/saml2/logout answered %d:\n%s", resp.StatusCode, back)
	}

	resp, err = e.http.PostForm(e.baseA+"/saml2/logout", form)
	if err != nil {
		t.Fatal(err)
	}
	if page := body(t, resp); resp.StatusCode != http.StatusBadRequest || continueRE.MatchString(page) {
		t.Errorf("replayed LogoutResponse: %d\n%s", resp.StatusCode, page)
	}
	if to := location(t, e.baseA, e.get(t, e.conf.AuthCodeURL("app-state"))); !strings.Contains(to, "/login?") {
		t.Errorf("after single logout, authorize sent the browser to %s, want the login page", to)
	}

	off := newSAMLEnv(t, nil)
	off.user = "gina.corp"
	off.tokensFor(t, off.post(t, off.respond(t, off.startSP(t), off.user, false)))
	logout = off.baseA + "/logout?" + url.Values{"client_id": {off.clientA}, "logout_uri": {hostedSignOut}}.Encode()
	if to := location(t, off.baseA, off.get(t, logout)); to != hostedSignOut {
		t.Errorf("without IDPSignout, /logout sent the browser to %s", to)
	}
}

// TestSAMLSingleLogoutRefused: a LogoutResponse that does not answer the
// browser's LogoutRequest, or is not signed by Corp, is refused.
func TestSAMLSingleLogoutRefused(t *testing.T) {
	e := newSAMLEnv(t, map[string]string{"IDPSignout": "true"})
	e.user = "hal.corp"
	signOut := func() url.Values {
		t.Helper()
		e.newBrowser()
		e.tokensFor(t, e.post(t, e.respond(t, e.startSP(t), e.user, false)))
		toIdP := location(t, e.baseA, e.get(t, e.baseA+"/logout?"+url.Values{"client_id": {e.clientA}, "logout_uri": {hostedSignOut}}.Encode()))
		page := body(t, e.get(t, toIdP))
		form := url.Values{}
		for _, m := range formFieldRE.FindAllStringSubmatch(page, -1) {
			form.Set(m[1], html.UnescapeString(m[2]))
		}
		return form
	}
	refusedLogout := func(what string, form url.Values) {
		t.Helper()
		resp, err := e.http.PostForm(e.baseA+"/saml2/logout", form)
		if err != nil {
			t.Fatal(err)
		}
		if page := body(t, resp); resp.StatusCode != http.StatusBadRequest || continueRE.MatchString(page) {
			t.Errorf("%s: %d\n%s", what, resp.StatusCode, page)
		}
	}
	first := signOut()
	second := signOut()
	first.Set("RelayState", second.Get("RelayState"))
	refusedLogout("LogoutResponse to another request", first)

	form := signOut()
	raw, _ := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	form.Set("SAMLResponse", base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), "urn:oasis:names:tc:SAML:2.0:status:Success", "urn:oasis:names:tc:SAML:2.0:status:Requester", 1))))
	refusedLogout("tampered LogoutResponse", form)
}
