package idps

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
)

func testCert(t testing.TB) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "idp"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// metadataDoc returns IdP metadata whose IDPSSODescriptor holds body.
func metadataDoc(body string) string {
	return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/entity">
<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` + body + `</md:IDPSSODescriptor></md:EntityDescriptor>`
}

func TestParseMetadata(t *testing.T) {
	cert := testCert(t)
	key := func(use string) string {
		attr := ""
		if use != "" {
			attr = ` use="` + use + `"`
		}
		// Certificates are often wrapped over several lines.
		wrapped := cert[:40] + "\n        " + cert[40:]
		return `<md:KeyDescriptor` + attr + `><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + wrapped + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
	}
	const (
		redirect = `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>`
		post     = `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/post"/>`
		slo      = `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>`
	)
	for _, tc := range []struct {
		name, doc string
		sso, slo  string
		wantErr   string
	}{
		{"complete", metadataDoc(key("signing") + slo + post + redirect), "https://idp.example.com/sso", "https://idp.example.com/slo", ""},
		{"key without use", metadataDoc(key("") + redirect), "https://idp.example.com/sso", "", ""},
		{"in an EntitiesDescriptor", `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
			<EntityDescriptor entityID="sp"><SPSSODescriptor/></EntityDescriptor>` +
			strings.TrimPrefix(metadataDoc(key("signing")+redirect), "") + `</EntitiesDescriptor>`, "https://idp.example.com/sso", "", ""},
		{"POST binding only", metadataDoc(key("signing") + post), "", "", "No SingleSignOn Http redirect binding location found in metadata."},
		{"encryption key only", metadataDoc(key("encryption") + redirect), "", "", "no signing certificate"},
		{"not a certificate", metadataDoc(`<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>aGVsbG8=</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` + redirect),
			"", "", "not a certificate"},
		{"not base64", metadataDoc(`<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>@@@</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` + redirect),
			"", "", "not base64"},
		{"no entityID", strings.Replace(metadataDoc(key("signing")+redirect), ` entityID="https://idp.example.com/entity"`, "", 1), "", "", "entityID"},
		{"wrong namespace", `<EntityDescriptor xmlns="urn:example" entityID="x"><IDPSSODescriptor/></EntityDescriptor>`, "", "", "EntityDescriptor"},
		{"service provider", `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor/></EntityDescriptor>`, "", "", "IDPSSODescriptor"},
		{"truncated", metadataDoc(key("signing") + redirect)[:200], "", "", "well-formed"},
		{"empty", "", "", "", "no root element"},
		{"entity expansion", `<!DOCTYPE d [<!ENTITY a "aaaaaaaa">]><d>&a;</d>`, "", "", "Unable to unmarshall metadata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md, err := ParseMetadata([]byte(tc.doc))
			if tc.wantErr != "" {
				var ipe *model.InvalidParameterException
				if !errors.As(err, &ipe) || !strings.Contains(ipe.Message, tc.wantErr) {
					t.Fatalf("got %v, want InvalidParameterException with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if md.EntityID != "https://idp.example.com/entity" || md.SSORedirect != tc.sso || md.SLORedirect != tc.slo || len(md.Certificates) != 1 ||
				md.Certificates[0].Subject.CommonName != "idp" {
				t.Errorf("got %+v", md)
			}
		})
	}
}

// certToken stands for a real certificate in FuzzParseMetadata's inputs:
// the fuzzer works on short documents (a certificate is hundreds of base64
// characters, which made every minimization crawl) and still reaches the
// certificate parsing through the token.
const certToken = "$CERT"

// FuzzParseMetadata checks that any document either gives usable metadata
// (an entity ID, a redirect sign-on URL and a certificate) or is refused
// with an InvalidParameterException, never another error or a panic. Its
// seed corpus (testdata/fuzz/FuzzParseMetadata and the seeds below) covers
// each shape of document TestParseMetadata names.
func FuzzParseMetadata(f *testing.F) {
	cert := testCert(f)
	const (
		key      = `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + certToken + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
		redirect = `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://i/s"/>`
		slo      = `<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://i/l"/>`
	)
	for _, doc := range []string{
		metadataDoc(key + redirect),
		metadataDoc(key + slo + redirect),
		`<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><EntityDescriptor entityID="e"><IDPSSODescriptor/></EntityDescriptor></EntitiesDescriptor>`,
		`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><SPSSODescriptor/></EntityDescriptor>`,
		`<!DOCTYPE d [<!ENTITY a "aa">]><d>&a;</d>`,
		"<a>",
	} {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		md, err := ParseMetadata([]byte(strings.ReplaceAll(doc, certToken, cert)))
		if err != nil {
			var ipe *model.InvalidParameterException
			if !errors.As(err, &ipe) {
				t.Fatalf("error %T %v is not an InvalidParameterException", err, err)
			}
			return
		}
		if md.EntityID == "" || md.SSORedirect == "" || len(md.Certificates) == 0 {
			t.Fatalf("accepted incomplete metadata %+v", md)
		}
	})
}
