package oauth

import (
	"strings"
	"testing"
)

func TestSAMLMetadata(t *testing.T) {
	const idp = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example">` +
		`<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
		`<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>` +
		`</md:IDPSSODescriptor></md:EntityDescriptor>`
	const sp = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example">` +
		`<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`
	tests := []struct {
		name, doc, entity string
	}{
		{"entity", idp, "https://idp.example"},
		{"entities, the IdP second", `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">` + sp + idp + `</md:EntitiesDescriptor>`, "https://idp.example"},
		{"no IdP", sp, ""},
		{"not XML", "<md:EntityDescriptor", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, err := samlMetadata([]byte(tt.doc))
			if tt.entity == "" {
				if err == nil {
					t.Fatalf("got %s, want an error", md.EntityID)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if md.EntityID != tt.entity || len(md.IDPSSODescriptors) != 1 || md.IDPSSODescriptors[0].SingleSignOnServices[0].Location != "https://idp.example/sso" {
				t.Fatalf("got %+v", md)
			}
		})
	}
}

func TestSPEntityID(t *testing.T) {
	if got := SPEntityID("us-east-1_abc"); got != "urn:amazon:cognito:sp:us-east-1_abc" {
		t.Fatal(got)
	}
}

// FuzzSAMLMetadata: any document is read or refused, never a panic, and
// what is read has an IdP.
func FuzzSAMLMetadata(f *testing.F) {
	f.Add(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:IDPSSODescriptor/></md:EntityDescriptor>`)
	f.Add(`<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"></md:EntitiesDescriptor>`)
	f.Fuzz(func(t *testing.T, doc string) {
		md, err := samlMetadata([]byte(doc))
		if err == nil && len(md.IDPSSODescriptors) == 0 {
			t.Fatalf("read metadata without an IdP from %q", doc)
		}
	})
}

func TestEncryptedOnly(t *testing.T) {
	const resp = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">`
	tests := []struct {
		name, doc string
		ok        bool
	}{
		{"encrypted", resp + `<saml:Issuer>x</saml:Issuer><saml:EncryptedAssertion><x/></saml:EncryptedAssertion></samlp:Response>`, true},
		{"plain", resp + `<saml:Assertion ID="a"/></samlp:Response>`, false},
		{"both", resp + `<saml:EncryptedAssertion/><saml:Assertion ID="a"/></samlp:Response>`, false},
		{"none", resp + `<saml:Issuer>x</saml:Issuer></samlp:Response>`, false},
		{"nested deeper only", resp + `<x><saml:EncryptedAssertion/></x></samlp:Response>`, false},
		{"other namespace", `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><samlp:EncryptedAssertion/></samlp:Response>`, false},
		{"not XML", resp + `<saml:EncryptedAssertion>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := encryptedOnly([]byte(tt.doc)); (err == nil) != tt.ok {
				t.Fatalf("got %v, want ok %v", err, tt.ok)
			}
		})
	}
}

// FuzzEncryptedOnly: any document is taken or refused, never a panic, and
// one taken has no plain assertion under its root.
func FuzzEncryptedOnly(f *testing.F) {
	f.Add(`<r><a:EncryptedAssertion xmlns:a="urn:oasis:names:tc:SAML:2.0:assertion"/></r>`)
	f.Add(`<r><a:Assertion xmlns:a="urn:oasis:names:tc:SAML:2.0:assertion"/></r>`)
	f.Fuzz(func(t *testing.T, doc string) {
		if encryptedOnly([]byte(doc)) == nil && strings.Contains(doc, "Assertion") && !strings.Contains(doc, "EncryptedAssertion") {
			t.Fatalf("took %q", doc)
		}
	})
}
