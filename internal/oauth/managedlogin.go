package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
)

// A domain whose ManagedLoginVersion is 2 shows its pages in the app
// client's managed login style (CreateManagedLoginBranding and the
// branding editor): the main options of the style's settings document,
// merged over Cognito's defaults, become CSS custom properties that the
// pages' stylesheet reads, and the FORM_LOGO and PAGE_BACKGROUND assets
// are inlined as data: URLs, so the strict Content-Security-Policy
// (nonce'd styles, images from the site or data:) still holds. A domain
// of version 1 keeps the classic hosted UI's CSS and logo.

// styleVars maps CSS custom properties to paths in the settings document,
// where MODE stands for lightMode or darkMode.
var styleVars = []struct{ name, path string }{
	{"--page-bg", "components.pageBackground.MODE.color"},
	{"--form-bg", "components.form.MODE.backgroundColor"},
	{"--form-border", "components.form.MODE.borderColor"},
	{"--heading", "components.pageText.MODE.headingColor"},
	{"--text", "components.pageText.MODE.bodyColor"},
	{"--button-bg", "components.primaryButton.MODE.defaults.backgroundColor"},
	{"--button-fg", "components.primaryButton.MODE.defaults.textColor"},
	{"--button-hover-bg", "components.primaryButton.MODE.hover.backgroundColor"},
	{"--link", "componentClasses.link.MODE.defaults.textColor"},
	{"--label", "componentClasses.inputLabel.MODE.textColor"},
	{"--input-bg", "componentClasses.input.MODE.defaults.backgroundColor"},
	{"--input-border", "componentClasses.input.MODE.defaults.borderColor"},
	{"--error-bg", "components.alert.MODE.error.backgroundColor"},
	{"--error-border", "components.alert.MODE.error.borderColor"},
}

// styleRadii maps CSS custom properties to the style's corner radii.
var styleRadii = []struct{ name, path string }{
	{"--form-radius", "components.form.borderRadius"},
	{"--button-radius", "componentClasses.buttons.borderRadius"},
	{"--input-radius", "componentClasses.input.borderRadius"},
}

var styleHex = regexp.MustCompile(`^[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$`)

// imageTypes are the media types of the asset extensions a page shows.
var imageTypes = map[string]string{
	"PNG": "image/png", "JPEG": "image/jpeg", "SVG": "image/svg+xml", "ICO": "image/x-icon", "WEBP": "image/webp",
}

// managedLoginStyle is what a managed login style puts on a page.
type managedLoginStyle struct {
	css  template.CSS
	logo template.URL
}

// clientStyle returns the managed login style of a client, or nil when it
// has none (the pages' own look, which is Cognito's default).
func (s *Service) clientStyle(ctx context.Context, poolID, clientID string) (*managedLoginStyle, error) {
	merged := true
	out, err := s.Branding.DescribeManagedLoginBrandingByClient(ctx, &model.DescribeManagedLoginBrandingByClientRequest{
		UserPoolId: poolID, ClientId: clientID, ReturnMergedResources: &merged,
	})
	var nf *model.ResourceNotFoundException
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("managed login style: %w", err)
	}
	var settings map[string]any
	if err := json.Unmarshal(out.ManagedLoginBranding.Settings, &settings); err != nil {
		return nil, fmt.Errorf("decode managed login settings: %w", err)
	}
	return buildStyle(settings, out.ManagedLoginBranding.Assets), nil
}

// buildStyle turns a settings document and assets into a page's style.
func buildStyle(settings map[string]any, assets []model.AssetType) *managedLoginStyle {
	scheme, _ := lookup(settings, "categories.global.colorSchemeMode").(string)
	var b strings.Builder
	switch scheme {
	case "DARK":
		b.WriteString(":root{" + modeVars(settings, "darkMode") + "}")
	case "DYNAMIC":
		b.WriteString(":root{" + modeVars(settings, "lightMode") + "}")
		b.WriteString("@media (prefers-color-scheme: dark){:root{" + modeVars(settings, "darkMode") + "}}")
	default:
		b.WriteString(":root{" + modeVars(settings, "lightMode") + "}")
	}
	var radii strings.Builder
	for _, v := range styleRadii {
		if f, ok := lookup(settings, v.path).(float64); ok && f >= 0 && f <= 100 {
			radii.WriteString(v.name + ":" + strconv.FormatFloat(f, 'f', -1, 64) + "px;")
		}
	}
	if radii.Len() > 0 {
		b.WriteString(":root{" + radii.String() + "}")
	}
	mode := "LIGHT"
	if scheme == "DARK" {
		mode = "DARK"
	}
	if on, ok := lookup(settings, "components.pageBackground.image.enabled").(bool); !ok || on {
		if u := assetURL(assets, "PAGE_BACKGROUND", mode); u != "" {
			b.WriteString(`body{background-image:url("` + string(u) + `");background-size:cover}`)
		}
	}
	st := &managedLoginStyle{css: template.CSS(b.String())}
	if on, _ := lookup(settings, "components.form.logo.enabled").(bool); on {
		st.logo = assetURL(assets, "FORM_LOGO", mode)
	}
	return st
}

// modeVars returns the declarations of the custom properties of one
// color mode. Only hex colors are written, so a value cannot end the
// declaration or the style element.
func modeVars(settings map[string]any, mode string) string {
	var b strings.Builder
	for _, v := range styleVars {
		if c, ok := lookup(settings, strings.Replace(v.path, "MODE", mode, 1)).(string); ok && styleHex.MatchString(c) {
			b.WriteString(v.name + ":#" + c + ";")
		}
	}
	return b.String()
}

// lookup returns the value at a dotted path of a settings document.
func lookup(doc map[string]any, path string) any {
	var v any = doc
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// assetURL returns the data: URL of the asset of a category for a color
// mode (else the browser-adaptive one, else any), or "" if there is none.
func assetURL(assets []model.AssetType, category, mode string) template.URL {
	for _, want := range []string{mode, "DYNAMIC", ""} {
		for _, a := range assets {
			if a.Category != category || want != "" && a.ColorMode != want || len(a.Bytes) == 0 {
				continue
			}
			ctype, ok := imageTypes[strings.ToUpper(a.Extension)]
			if !ok {
				continue
			}
			return template.URL("data:" + ctype + ";base64," + base64.StdEncoding.EncodeToString(a.Bytes))
		}
	}
	return ""
}
