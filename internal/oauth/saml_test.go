package oauth

import "testing"

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
