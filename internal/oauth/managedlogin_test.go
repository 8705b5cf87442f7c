package oauth

import (
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/model"
)

func TestBuildStyle(t *testing.T) {
	settings := map[string]any{
		"categories": map[string]any{"global": map[string]any{"colorSchemeMode": "DYNAMIC"}},
		"components": map[string]any{
			"pageBackground": map[string]any{
				"lightMode": map[string]any{"color": "ffffffff"},
				"darkMode":  map[string]any{"color": "000000ff"},
			},
			"pageText": map[string]any{"lightMode": map[string]any{"headingColor": "red;}</style><script>"}},
		},
	}
	assets := []model.AssetType{
		{Category: "PAGE_BACKGROUND", ColorMode: "DARK", Extension: "JPEG", Bytes: []byte{1}},
		{Category: "PAGE_BACKGROUND", ColorMode: "LIGHT", Extension: "PNG", Bytes: []byte{2}},
		{Category: "FORM_LOGO", ColorMode: "LIGHT", Extension: "PNG", Bytes: []byte{3}},
	}
	st := buildStyle(settings, assets)
	css := string(st.css)
	for _, want := range []string{":root{--page-bg:#ffffffff;}", "@media (prefers-color-scheme: dark){:root{--page-bg:#000000ff;}}", `url("data:image/png;base64,Ag==")`} {
		if !strings.Contains(css, want) {
			t.Errorf("style %q lacks %q", css, want)
		}
	}
	if strings.Contains(css, "script") || strings.Contains(css, "--heading") {
		t.Errorf("style %q took a value that is not a color", css)
	}
	if st.logo != "" {
		t.Errorf("logo %q shown though the style does not enable it", st.logo)
	}
}
