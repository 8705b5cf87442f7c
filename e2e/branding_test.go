package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// pngImage returns a small PNG image, of a color of its own for each seed.
func pngImage(t *testing.T, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: seed, G: 100, B: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegImage(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 4)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const svgLogo = `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#0972d3"/></svg>`

const css = `/* the banner */
.banner-customizable {
  padding: 25px 0px 25px 0px;
  background-color: lightgray;
}
.submitButton-customizable, .idpButton-customizable { color: #fff; background-color: #337ab7; }
.submitButton-customizable:hover { color: #fff; background-color: #286090; }
.logo-customizable { max-width: 60%; max-height: 30%; }
`

var cssVersion = regexp.MustCompile(`^\d{14}$`)

func TestUICustomization(t *testing.T) {
	clock := testserver.NewClock(time.Date(2025, 10, 2, 9, 30, 0, 0, time.UTC))
	s := testserver.StartWith(t, testserver.NewConfig(t), server.Options{Now: clock.Now})
	c := s.Client
	p := newPool(t, c, nil)
	web := newClient(t, c, p.Id, "web")
	mobile := newClient(t, c, p.Id, "mobile")
	logo := pngImage(t, 1)

	// The pool must have a domain first.
	_, err := c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: p.Id, ClientId: aws.String("ALL"), CSS: aws.String(css)})
	wantErr(t, err, "InvalidParameterException", "domain")
	must[*cip.CreateUserPoolDomainOutput](t)(c.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: p.Id, Domain: aws.String("brand-test")}))

	// Nothing set: an empty answer.
	got := must[*cip.GetUICustomizationOutput](t)(c.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: p.Id}))
	diff(t, "nothing set", &types.UICustomizationType{}, got.UICustomization)

	// The pool's customization, for every client without its own.
	set := must[*cip.SetUICustomizationOutput](t)(c.SetUICustomization(ctx, &cip.SetUICustomizationInput{
		UserPoolId: p.Id, ClientId: aws.String("ALL"), CSS: aws.String(css), ImageFile: logo,
	}))
	pool := set.UICustomization
	if !cssVersion.MatchString(aws.ToString(pool.CSSVersion)) || aws.ToString(pool.CSSVersion) != "20251002093000" {
		t.Errorf("CSSVersion %q", aws.ToString(pool.CSSVersion))
	}
	if !strings.HasPrefix(aws.ToString(pool.ImageUrl), s.URL+"/") || !strings.Contains(aws.ToString(pool.ImageUrl), aws.ToString(pool.CSSVersion)) {
		t.Errorf("ImageUrl %q", aws.ToString(pool.ImageUrl))
	}
	want := &types.UICustomizationType{
		UserPoolId: p.Id, ClientId: aws.String("ALL"), CSS: aws.String(css), CSSVersion: pool.CSSVersion, ImageUrl: pool.ImageUrl,
		CreationDate: aws.Time(clock.Now()), LastModifiedDate: aws.Time(clock.Now()),
	}
	diff(t, "SetUICustomization", want, pool)
	for _, client := range []*string{nil, aws.String("ALL"), web} {
		got := must[*cip.GetUICustomizationOutput](t)(c.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: p.Id, ClientId: client}))
		diff(t, "GetUICustomization "+aws.ToString(client), want, got.UICustomization)
	}

	// The logo is served at its ImageUrl.
	resp, err := http.Get(aws.ToString(pool.ImageUrl))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(body, logo) {
		t.Errorf("GET ImageUrl: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}

	// A client's own customization overrides the pool's, for it alone.
	clock.Advance(time.Hour)
	clientCSS := ".label-customizable { font-weight: 400; color: #222; }"
	jpg := jpegImage(t)
	cset := must[*cip.SetUICustomizationOutput](t)(c.SetUICustomization(ctx, &cip.SetUICustomizationInput{
		UserPoolId: p.Id, ClientId: web, CSS: aws.String(clientCSS), ImageFile: jpg,
	}))
	cwant := &types.UICustomizationType{
		UserPoolId: p.Id, ClientId: web, CSS: aws.String(clientCSS), CSSVersion: aws.String("20251002103000"), ImageUrl: cset.UICustomization.ImageUrl,
		CreationDate: aws.Time(clock.Now()), LastModifiedDate: aws.Time(clock.Now()),
	}
	diff(t, "client customization", cwant, cset.UICustomization)
	got = must[*cip.GetUICustomizationOutput](t)(c.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: p.Id, ClientId: web}))
	diff(t, "client read back", cwant, got.UICustomization)
	got = must[*cip.GetUICustomizationOutput](t)(c.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: p.Id, ClientId: mobile}))
	diff(t, "other client", want, got.UICustomization)
	if resp, err := http.Get(aws.ToString(cwant.ImageUrl)); err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("GET client ImageUrl: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// A request sets CSS and logo together: CSS alone drops the logo, and
	// the old logo URL stops answering.
	clock.Advance(time.Hour)
	cset = must[*cip.SetUICustomizationOutput](t)(c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: p.Id, ClientId: web, CSS: aws.String(clientCSS)}))
	if cset.UICustomization.ImageUrl != nil || !cset.UICustomization.CreationDate.Equal(*cwant.CreationDate) {
		t.Errorf("CSS-only update: %+v", cset.UICustomization)
	}
	if resp, err := http.Get(aws.ToString(cwant.ImageUrl)); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET replaced ImageUrl: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// Neither removes a client's customization: it goes back to the pool's.
	must[*cip.SetUICustomizationOutput](t)(c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: p.Id, ClientId: web}))
	got = must[*cip.GetUICustomizationOutput](t)(c.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: p.Id, ClientId: web}))
	diff(t, "client reset", want, got.UICustomization)

	big := append(pngImage(t, 2), make([]byte, 101*1024)...)
	bad := []struct {
		name string
		in   *cip.SetUICustomizationInput
		code string
		msg  string
	}{
		{"unknown class", &cip.SetUICustomizationInput{CSS: aws.String(".header { color: red; }")}, "InvalidParameterException", ".header"},
		{"element selector", &cip.SetUICustomizationInput{CSS: aws.String("body { color: red; }")}, "InvalidParameterException", "body"},
		{"property of another class", &cip.SetUICustomizationInput{CSS: aws.String(".label-customizable { background-color: red; }")}, "InvalidParameterException", "background-color"},
		{"import", &cip.SetUICustomizationInput{CSS: aws.String(`@import url("https://example.com/x.css");`)}, "InvalidParameterException", "@import"},
		{"media query", &cip.SetUICustomizationInput{CSS: aws.String("@media (max-width: 600px) { .label-customizable { color: red; } }")}, "InvalidParameterException", "@media"},
		{"script in a value", &cip.SetUICustomizationInput{CSS: aws.String(".background-customizable { background-color: url(javascript:alert(1)); }")}, "InvalidParameterException", ""},
		{"unclosed rule", &cip.SetUICustomizationInput{CSS: aws.String(".label-customizable { color: red;")}, "InvalidParameterException", "closed"},
		{"logo too large", &cip.SetUICustomizationInput{ImageFile: big}, "InvalidParameterException", "100 KB"},
		{"not an image", &cip.SetUICustomizationInput{ImageFile: []byte("GIF89a....")}, "InvalidParameterException", "PNG or JPEG"},
		{"unknown client", &cip.SetUICustomizationInput{ClientId: aws.String("nosuchclient"), CSS: aws.String(clientCSS)}, "ResourceNotFoundException", "nosuchclient"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.UserPoolId = p.Id
			if tc.in.ClientId == nil {
				tc.in.ClientId = aws.String("ALL")
			}
			_, err := c.SetUICustomization(ctx, tc.in)
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	got = must[*cip.GetUICustomizationOutput](t)(c.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: p.Id}))
	diff(t, "after refused changes", want, got.UICustomization)

	_, err = c.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: p.Id, ClientId: aws.String("nosuchclient")})
	wantErr(t, err, "ResourceNotFoundException", "nosuchclient")
	_, err = c.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: aws.String("us-east-1_nosuch")})
	wantErr(t, err, "ResourceNotFoundException", "")

	// Neither, for ALL, removes the pool's customization and its logo.
	must[*cip.SetUICustomizationOutput](t)(c.SetUICustomization(ctx, &cip.SetUICustomizationInput{UserPoolId: p.Id, ClientId: aws.String("ALL")}))
	got = must[*cip.GetUICustomizationOutput](t)(c.GetUICustomization(ctx, &cip.GetUICustomizationInput{UserPoolId: p.Id, ClientId: web}))
	diff(t, "all removed", &types.UICustomizationType{}, got.UICustomization)
	if resp, err := http.Get(aws.ToString(pool.ImageUrl)); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET removed ImageUrl: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

// settingsOf decodes a style's settings document.
func settingsOf(t *testing.T, b *types.ManagedLoginBrandingType) map[string]any {
	t.Helper()
	m := map[string]any{}
	if b.Settings == nil {
		t.Fatal("no Settings")
	}
	if err := b.Settings.UnmarshalSmithyDocument(&m); err != nil {
		t.Fatal(err)
	}
	return numbers(m).(map[string]any)
}

// numbers turns the SDK's document numbers into float64s, as
// encoding/json decodes them.
func numbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = numbers(x)
		}
	case []any:
		for i, x := range v {
			v[i] = numbers(x)
		}
	case interface{ Float64() (float64, error) }:
		f, _ := v.Float64()
		return f
	}
	return v
}

// at returns the value at a dotted path of a settings document.
func at(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

func TestManagedLoginBranding(t *testing.T) {
	clock := testserver.NewClock(time.Date(2025, 11, 5, 14, 0, 0, 0, time.UTC))
	s := testserver.StartWith(t, testserver.NewConfig(t), server.Options{Now: clock.Now})
	c := s.Client
	p := newPool(t, c, nil)
	web := newClient(t, c, p.Id, "web")
	mobile := newClient(t, c, p.Id, "mobile")

	settings := map[string]any{
		"categories": map[string]any{"global": map[string]any{"colorSchemeMode": "DARK", "pageHeader": map[string]any{"enabled": true}}},
		"componentClasses": map[string]any{
			"buttons":    map[string]any{"borderRadius": 16.0},
			"focusState": map[string]any{"lightMode": map[string]any{"borderColor": "02b2cbff"}},
		},
	}
	logo := pngImage(t, 3)
	assets := []types.AssetType{
		{Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeLight, Extension: types.AssetExtensionTypePng, Bytes: logo},
		{Category: types.AssetCategoryTypeFaviconSvg, ColorMode: types.ColorSchemeModeTypeDynamic, Extension: types.AssetExtensionTypeSvg, Bytes: []byte(svgLogo)},
	}
	created := must[*cip.CreateManagedLoginBrandingOutput](t)(c.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{
		UserPoolId: p.Id, ClientId: web, Settings: document.NewLazyDocument(settings), Assets: assets,
	})).ManagedLoginBranding
	if !uuidV4.MatchString(aws.ToString(created.ManagedLoginBrandingId)) {
		t.Errorf("ManagedLoginBrandingId %q", aws.ToString(created.ManagedLoginBrandingId))
	}
	id := created.ManagedLoginBrandingId
	want := &types.ManagedLoginBrandingType{
		ManagedLoginBrandingId: id, UserPoolId: p.Id, UseCognitoProvidedValues: false, Assets: assets,
		CreationDate: aws.Time(clock.Now()), LastModifiedDate: aws.Time(clock.Now()),
	}
	check := func(what string, got *types.ManagedLoginBrandingType, settings map[string]any) {
		t.Helper()
		diff(t, what+" settings", settings, settingsOf(t, got))
		g := *got
		g.Settings = nil
		diff(t, what, want, &g)
	}
	check("CreateManagedLoginBranding", created, settings)
	byID := must[*cip.DescribeManagedLoginBrandingOutput](t)(c.DescribeManagedLoginBranding(ctx, &cip.DescribeManagedLoginBrandingInput{UserPoolId: p.Id, ManagedLoginBrandingId: id}))
	check("DescribeManagedLoginBranding", byID.ManagedLoginBranding, settings)
	byClient := must[*cip.DescribeManagedLoginBrandingByClientOutput](t)(c.DescribeManagedLoginBrandingByClient(ctx, &cip.DescribeManagedLoginBrandingByClientInput{UserPoolId: p.Id, ClientId: web}))
	check("DescribeManagedLoginBrandingByClient", byClient.ManagedLoginBranding, settings)

	// ReturnMergedResources fills in the defaults under what the style sets.
	merged := settingsOf(t, must[*cip.DescribeManagedLoginBrandingOutput](t)(c.DescribeManagedLoginBranding(ctx, &cip.DescribeManagedLoginBrandingInput{
		UserPoolId: p.Id, ManagedLoginBrandingId: id, ReturnMergedResources: true,
	})).ManagedLoginBranding)
	for path, want := range map[string]any{
		"categories.global.colorSchemeMode":                 "DARK",
		"categories.global.pageHeader.enabled":              true,
		"categories.global.spacingDensity":                  "REGULAR",
		"componentClasses.buttons.borderRadius":             16.0,
		"componentClasses.focusState.lightMode.borderColor": "02b2cbff",
		"componentClasses.focusState.darkMode.borderColor":  "539fe5ff",
	} {
		if got := at(merged, path); got != want {
			t.Errorf("merged %s = %v, want %v", path, got, want)
		}
	}
	if at(merged, "components.primaryButton") == nil {
		t.Error("merged settings lack the default components")
	}

	// One style per client.
	_, err := c.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: p.Id, ClientId: web, UseCognitoProvidedValues: true})
	wantErr(t, err, "ManagedLoginBrandingExistsException", "")

	// Update keeps what it leaves out: settings merge, assets replace theirs.
	clock.Advance(time.Minute)
	dark := pngImage(t, 4)
	up := must[*cip.UpdateManagedLoginBrandingOutput](t)(c.UpdateManagedLoginBranding(ctx, &cip.UpdateManagedLoginBrandingInput{
		UserPoolId: p.Id, ManagedLoginBrandingId: id,
		Settings: document.NewLazyDocument(map[string]any{"categories": map[string]any{"global": map[string]any{"colorSchemeMode": "DYNAMIC"}}}),
		Assets: []types.AssetType{
			{Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeLight, Extension: types.AssetExtensionTypePng, Bytes: dark},
			{Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeDark, Extension: types.AssetExtensionTypePng, Bytes: dark},
		},
	})).ManagedLoginBranding
	settings["categories"].(map[string]any)["global"].(map[string]any)["colorSchemeMode"] = "DYNAMIC"
	want.Assets = []types.AssetType{
		{Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeLight, Extension: types.AssetExtensionTypePng, Bytes: dark},
		assets[1],
		{Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeDark, Extension: types.AssetExtensionTypePng, Bytes: dark},
	}
	want.LastModifiedDate = aws.Time(clock.Now())
	check("UpdateManagedLoginBranding", up, settings)
	byID = must[*cip.DescribeManagedLoginBrandingOutput](t)(c.DescribeManagedLoginBranding(ctx, &cip.DescribeManagedLoginBrandingInput{UserPoolId: p.Id, ManagedLoginBrandingId: id}))
	check("after update", byID.ManagedLoginBranding, settings)

	bad := []struct {
		name string
		in   *cip.UpdateManagedLoginBrandingInput
		msg  string
	}{
		{"Cognito's values and settings", &cip.UpdateManagedLoginBrandingInput{UseCognitoProvidedValues: true, Settings: document.NewLazyDocument(map[string]any{"categories": map[string]any{}})}, "UseCognitoProvidedValues"},
		{"settings not an object", &cip.UpdateManagedLoginBrandingInput{Settings: document.NewLazyDocument([]any{"x"})}, "JSON object"},
		{"unknown section", &cip.UpdateManagedLoginBrandingInput{Settings: document.NewLazyDocument(map[string]any{"theme": map[string]any{}})}, "theme"},
		{"bad color", &cip.UpdateManagedLoginBrandingInput{Settings: document.NewLazyDocument(map[string]any{"components": map[string]any{"pageBackground": map[string]any{"lightMode": map[string]any{"color": "blue"}}}})}, "color"},
		{"bad option", &cip.UpdateManagedLoginBrandingInput{Settings: document.NewLazyDocument(map[string]any{"categories": map[string]any{"global": map[string]any{"colorSchemeMode": "SEPIA"}}})}, "colorSchemeMode"},
		{"bytes not of the extension", &cip.UpdateManagedLoginBrandingInput{Assets: []types.AssetType{
			{Category: types.AssetCategoryTypePageBackground, ColorMode: types.ColorSchemeModeTypeLight, Extension: types.AssetExtensionTypeJpeg, Bytes: logo}}}, "JPEG"},
		{"favicon not an ICO file", &cip.UpdateManagedLoginBrandingInput{Assets: []types.AssetType{
			{Category: types.AssetCategoryTypeFaviconIco, ColorMode: types.ColorSchemeModeTypeDynamic, Extension: types.AssetExtensionTypePng, Bytes: logo}}}, "ICO"},
		{"one category and mode twice", &cip.UpdateManagedLoginBrandingInput{Assets: []types.AssetType{
			{Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeDark, Extension: types.AssetExtensionTypePng, Bytes: logo},
			{Category: types.AssetCategoryTypeFormLogo, ColorMode: types.ColorSchemeModeTypeDark, Extension: types.AssetExtensionTypePng, Bytes: dark}}}, "two images"},
		{"SVG with script", &cip.UpdateManagedLoginBrandingInput{Assets: []types.AssetType{
			{Category: types.AssetCategoryTypePageHeaderLogo, ColorMode: types.ColorSchemeModeTypeLight, Extension: types.AssetExtensionTypeSvg,
				Bytes: []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`)}}}, "script"},
		{"no bytes", &cip.UpdateManagedLoginBrandingInput{Assets: []types.AssetType{
			{Category: types.AssetCategoryTypePageHeaderLogo, ColorMode: types.ColorSchemeModeTypeLight, Extension: types.AssetExtensionTypeSvg}}}, "Bytes"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.UserPoolId, tc.in.ManagedLoginBrandingId = p.Id, id
			_, err := c.UpdateManagedLoginBranding(ctx, tc.in)
			wantErr(t, err, "InvalidParameterException", tc.msg)
		})
	}
	byID = must[*cip.DescribeManagedLoginBrandingOutput](t)(c.DescribeManagedLoginBranding(ctx, &cip.DescribeManagedLoginBrandingInput{UserPoolId: p.Id, ManagedLoginBrandingId: id}))
	check("after refused updates", byID.ManagedLoginBranding, settings)

	// Back to Cognito's values: the style's own settings and assets go.
	up = must[*cip.UpdateManagedLoginBrandingOutput](t)(c.UpdateManagedLoginBranding(ctx, &cip.UpdateManagedLoginBrandingInput{
		UserPoolId: p.Id, ManagedLoginBrandingId: id, UseCognitoProvidedValues: true,
	})).ManagedLoginBranding
	want.UseCognitoProvidedValues, want.Assets = true, []types.AssetType{}
	check("UseCognitoProvidedValues", up, map[string]any{})

	// A style with Cognito's values from the start, for another client.
	other := must[*cip.CreateManagedLoginBrandingOutput](t)(c.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{
		UserPoolId: p.Id, ClientId: mobile, UseCognitoProvidedValues: true,
	})).ManagedLoginBranding
	if !other.UseCognitoProvidedValues || aws.ToString(other.ManagedLoginBrandingId) == aws.ToString(id) {
		t.Errorf("second style: %+v", other)
	}
	_, err = c.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: p.Id, ClientId: aws.String("nosuchclient"), UseCognitoProvidedValues: true})
	wantErr(t, err, "ResourceNotFoundException", "nosuchclient")
	_, err = c.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: p.Id, ClientId: web, UseCognitoProvidedValues: true, Assets: assets})
	wantErr(t, err, "InvalidParameterException", "UseCognitoProvidedValues")

	// Delete, and the client may have a style again.
	must[*cip.DeleteManagedLoginBrandingOutput](t)(c.DeleteManagedLoginBranding(ctx, &cip.DeleteManagedLoginBrandingInput{UserPoolId: p.Id, ManagedLoginBrandingId: id}))
	_, err = c.DescribeManagedLoginBranding(ctx, &cip.DescribeManagedLoginBrandingInput{UserPoolId: p.Id, ManagedLoginBrandingId: id})
	wantErr(t, err, "ResourceNotFoundException", aws.ToString(id))
	_, err = c.DeleteManagedLoginBranding(ctx, &cip.DeleteManagedLoginBrandingInput{UserPoolId: p.Id, ManagedLoginBrandingId: id})
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = c.DescribeManagedLoginBrandingByClient(ctx, &cip.DescribeManagedLoginBrandingByClientInput{UserPoolId: p.Id, ClientId: web})
	wantErr(t, err, "ResourceNotFoundException", "")
	must[*cip.CreateManagedLoginBrandingOutput](t)(c.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: p.Id, ClientId: web, UseCognitoProvidedValues: true}))

	// A style goes with its client.
	must[*cip.DeleteUserPoolClientOutput](t)(c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: p.Id, ClientId: mobile}))
	_, err = c.DescribeManagedLoginBranding(ctx, &cip.DescribeManagedLoginBrandingInput{UserPoolId: p.Id, ManagedLoginBrandingId: other.ManagedLoginBrandingId})
	wantErr(t, err, "ResourceNotFoundException", "")

	// Pools do not see each other's styles, and a deleted pool takes its styles.
	q := newPool(t, c, nil)
	_, err = c.DescribeManagedLoginBranding(ctx, &cip.DescribeManagedLoginBrandingInput{UserPoolId: q.Id, ManagedLoginBrandingId: byID.ManagedLoginBranding.ManagedLoginBrandingId})
	wantErr(t, err, "ResourceNotFoundException", "")
	must[*cip.DeleteUserPoolOutput](t)(c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: p.Id}))
	_, err = c.DescribeManagedLoginBrandingByClient(ctx, &cip.DescribeManagedLoginBrandingByClientInput{UserPoolId: p.Id, ClientId: web})
	wantErr(t, err, "ResourceNotFoundException", aws.ToString(p.Id))
}
