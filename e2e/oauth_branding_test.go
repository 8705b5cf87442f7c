package e2e

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestHostedManagedLoginStyle checks that a domain of managed login
// (version 2) shows its pages in the client's managed login style (the
// settings' colors and the form logo, within the strict CSP), and that a
// domain of the classic hosted UI (version 1) shows the classic CSS.
func TestHostedManagedLoginStyle(t *testing.T) {
	e := newHostedEnv(t)
	clientID := e.webClient(t, nil)
	must[*cip.SetUICustomizationOutput](t)(e.c.SetUICustomization(ctx, &cip.SetUICustomizationInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String("ALL"), CSS: aws.String(css),
	}))
	settings := map[string]any{
		"components": map[string]any{
			"pageBackground": map[string]any{"lightMode": map[string]any{"color": "123456ff"}},
			"primaryButton":  map[string]any{"lightMode": map[string]any{"defaults": map[string]any{"backgroundColor": "ab12cdff", "textColor": "ffffffff"}}},
			"form":           map[string]any{"logo": map[string]any{"enabled": true}},
		},
		"componentClasses": map[string]any{"buttons": map[string]any{"borderRadius": 16.0}},
	}
	must[*cip.CreateManagedLoginBrandingOutput](t)(e.c.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(clientID), Settings: document.NewLazyDocument(settings),
		Assets: []types.AssetType{{Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeLight, Extension: types.AssetExtensionTypePng, Bytes: pngImage(t, 2)}},
	}))
	version := func(v int32) {
		must[*cip.UpdateUserPoolDomainOutput](t)(e.c.UpdateUserPoolDomain(ctx, &cip.UpdateUserPoolDomainInput{
			UserPoolId: aws.String(e.pool), Domain: aws.String(hostedPrefix), ManagedLoginVersion: aws.Int32(v),
		}))
	}

	version(2)
	resp := e.get(t, e.base+"/login?"+codeQuery(clientID))
	page := body(t, resp)
	for _, want := range []string{"--page-bg:#123456ff;", "--button-bg:#ab12cdff;", "--button-radius:16px;", `class="logo-customizable" src="data:image/png;base64,`} {
		if !strings.Contains(page, want) {
			t.Errorf("managed login page without %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "lightgray") {
		t.Errorf("managed login page shows the classic CSS:\n%s", page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "img-src 'self' data:") {
		t.Errorf("CSP %q", csp)
	}

	version(1)
	page = body(t, e.get(t, e.base+"/login?"+codeQuery(clientID)))
	if !strings.Contains(page, "lightgray") || strings.Contains(page, "--page-bg:") {
		t.Errorf("classic hosted UI page:\n%s", page)
	}
}
