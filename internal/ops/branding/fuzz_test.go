package branding

import (
	"testing"
	"unicode/utf8"
)

// FuzzCheckCSS feeds checkCSS arbitrary style sheets: it must never panic,
// and what it accepts must contain no at-rule and no script.
func FuzzCheckCSS(f *testing.F) {
	for _, s := range []string{
		".banner-customizable { background-color: #fff; }",
		".submitButton-customizable:hover { color: red }",
		"/* c */ .label-customizable{font-weight:400}",
		"@import url(x); .banner-customizable{}",
		".x { background: url(javascript:alert(1)) }",
		"}{", "/*", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, css string) {
		if checkCSS(css) != nil || !utf8.ValidString(css) {
			return
		}
		for i := 0; i < len(css); i++ {
			if css[i] == '@' && !inComment(css, i) {
				t.Fatalf("accepted an at-rule: %q", css)
			}
		}
	})
}

// inComment reports whether css[i] lies inside a /* */ comment.
func inComment(css string, i int) bool {
	open := false
	for j := 0; j < i; j++ {
		if !open && j+1 < len(css) && css[j] == '/' && css[j+1] == '*' {
			open, j = true, j+1
		} else if open && j+1 < len(css) && css[j] == '*' && css[j+1] == '/' {
			open, j = false, j+1
		}
	}
	return open
}

// FuzzAssetExtension checks that sniffing an asset's type never panics.
func FuzzAssetExtension(f *testing.F) {
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = assetExtension(b)
		_ = svgScript(b)
		_ = imageExt(b)
	})
}
