package branding

import (
	"testing"
)

// templateCSS sets every customizable class with the properties of
// Cognito's own CSS template, which must pass as it is.
const templateCSS = `
.logo-customizable { max-width: 60%; max-height: 30%; }
.banner-customizable { padding: 25px 0px 25px 0px; background-color: lightgray; }
.label-customizable { font-weight: 400; }
.textDescription-customizable { padding-top: 10px; padding-bottom: 10px; display: block; font-size: 16px; }
.idpDescription-customizable { padding-top: 10px; padding-bottom: 10px; display: block; font-size: 16px; }
.legalText-customizable { color: #747474; font-size: 11px; }
.submitButton-customizable { font-size: 14px; font-weight: bold; margin: 20px 0px 10px 0px; height: 40px; width: 100%; color: #fff; background-color: #337ab7; }
.submitButton-customizable:hover { color: #fff; background-color: #286090; }
.errorMessage-customizable { padding: 5px; font-size: 14px; width: 100%; background: #F5F5F5; border: 2px solid #D64958; color: #D64958; }
.inputField-customizable { width: 100%; height: 34px; color: #555; background-color: #fff; border: 1px solid #ccc; }
.inputField-customizable:focus { border-color: #66afe9; outline: 0; }
.idpButton-customizable { height: 40px; width: 100%; text-align: center; margin-bottom: 15px; color: #fff; background-color: #5bc0de; border-color: #46b8da; }
.idpButton-customizable:hover { color: #fff; background-color: #31b0d5; }
.socialButton-customizable { border-radius: 2px; height: 40px; margin-bottom: 15px; padding: 1px; text-align: left; width: 100%; }
.redirect-customizable { text-align: center; }
.passwordCheck-notValid-customizable { color: #DF3312; }
.passwordCheck-valid-customizable { color: #19BF00; }
.background-customizable { background-color: #fff; }
`

func TestCheckCSS(t *testing.T) {
	for _, css := range []string{"", templateCSS, "/* only a comment */", ".label-customizable{color:red}"} {
		if err := checkCSS(css); err != nil {
			t.Errorf("checkCSS(%q): %v", css, err)
		}
	}
	for _, css := range []string{
		".label-customizable { color: red; } div { color: red; }",
		".label-customizable .x { color: red; }",
		".label-customizable { color: red; /* unclosed }",
		".label-customizable { color red; }",
		".label-customizable { color: expression(alert(1)); }",
		".label-customizable { color: \\72 ed; }",
		".label-customizable, .logo-customizable { max-width: 10%; }", // label may not set max-width
		"@supports (display: grid) { }",
		".label-customizable { color: red; } }",
	} {
		if err := checkCSS(css); err == nil {
			t.Errorf("checkCSS(%q) passed", css)
		}
	}
}

func TestDefaultSettingsAreValid(t *testing.T) {
	if _, err := checkSettings([]byte(defaultSettings)); err != nil {
		t.Fatalf("the default settings fail their own checks: %v", err)
	}
}

func TestSVGScript(t *testing.T) {
	for svg, want := range map[string]bool{
		`<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>`: false,
		`<svg><desc>only one</desc></svg>`:                                           false,
		`<svg onload="alert(1)"></svg>`:                                              true,
		`<svg><a href="javascript:alert(1)">x</a></svg>`:                             true,
		`<svg><script>alert(1)</script></svg>`:                                       true,
		`<svg><foreignObject><iframe src="x"/></foreignObject></svg>`:                true,
		"<svg>\n<rect\nonclick = 'x'/></svg>":                                        true,
		`<svg><text>once upon a time</text></svg>`:                                   false,
	} {
		if got := svgScript([]byte(svg)); got != want {
			t.Errorf("svgScript(%q) = %v, want %v", svg, got, want)
		}
	}
}
