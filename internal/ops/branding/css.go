package branding

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/model"
)

// cssProperties are the classes the classic hosted UI lets a stylesheet
// style, each with the properties it may set: those Cognito documents for
// the class, and those its own CSS template sets.
var cssProperties = map[string][]string{
	".background-customizable":             {"background-color"},
	".banner-customizable":                 {"padding", "background-color"},
	".errorMessage-customizable":           {"margin", "padding", "font-size", "width", "background", "border", "color", "box-sizing"},
	".idpButton-customizable":              {"height", "width", "text-align", "margin-bottom", "color", "background-color", "border-color"},
	".idpButton-customizable:hover":        {"color", "background-color"},
	".idpDescription-customizable":         {"padding-top", "padding-bottom", "display", "font-size", "color"},
	".inputField-customizable":             {"width", "height", "color", "background-color", "border"},
	".inputField-customizable:focus":       {"border-color", "outline"},
	".label-customizable":                  {"font-weight", "color"},
	".legalText-customizable":              {"color", "font-size"},
	".logo-customizable":                   {"max-width", "max-height", "background-color"},
	".passwordCheck-notValid-customizable": {"color"},
	".passwordCheck-valid-customizable":    {"color"},
	".redirect-customizable":               {"text-align"},
	".socialButton-customizable":           {"height", "text-align", "width", "margin-bottom", "border-radius", "padding"},
	".submitButton-customizable":           {"font-size", "font-weight", "margin", "width", "height", "color", "background-color"},
	".submitButton-customizable:hover":     {"color", "background-color"},
	".textDescription-customizable":        {"padding-top", "padding-bottom", "display", "font-size", "color"},
}

var propertyName = regexp.MustCompile(`^[a-z-]+$`)

// forbiddenValues are what a property value may not hold: script, and the
// ways to load or run something from a stylesheet.
var forbiddenValues = []string{"javascript:", "vbscript:", "expression(", "url(", "<script", "behavior:", "-moz-binding", `\`}

func cssError(format string, args ...any) error {
	return &model.InvalidParameterException{Message: "Invalid CSS: " + fmt.Sprintf(format, args...)}
}

// checkCSS checks a stylesheet for SetUICustomization: rules whose
// selectors are the customizable classes only, setting only the properties
// each class allows, with no at-rules (@import, @media, ...) and no script.
func checkCSS(css string) error {
	s, err := stripComments(css)
	if err != nil {
		return err
	}
	for {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		if s[0] == '@' {
			return cssError("at-rules such as @import, @supports, @page and @media are not allowed.")
		}
		open := strings.IndexByte(s, '{')
		if open < 0 {
			return cssError("text after the last rule: %q.", clip(s))
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			return cssError("a rule is not closed with }.")
		}
		end += open
		selectors, body := s[:open], s[open+1:end]
		if strings.ContainsAny(body, "{") {
			return cssError("nested blocks are not allowed.")
		}
		for _, sel := range strings.Split(selectors, ",") {
			sel = strings.TrimSpace(sel)
			if _, ok := cssProperties[sel]; !ok {
				return cssError("%q is not one of the customizable classes (.background-customizable, .banner-customizable, ...).", clip(sel))
			}
		}
		if err := checkDeclarations(strings.TrimSpace(selectors), body); err != nil {
			return err
		}
		s = s[end+1:]
	}
}

// checkDeclarations checks a rule's declarations against the properties
// its selectors allow (each of them, for a rule with several selectors).
func checkDeclarations(selectors, body string) error {
	for _, decl := range strings.Split(body, ";") {
		decl = strings.TrimSpace(decl)
		if decl == "" {
			continue
		}
		name, value, ok := strings.Cut(decl, ":")
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		if !ok || !propertyName.MatchString(name) || value == "" {
			return cssError("%q in %s is not a property declaration.", clip(decl), selectors)
		}
		if !allowedByAll(selectors, name) {
			return cssError("the property %s cannot be customized in %s.", name, selectors)
		}
		lower := strings.ToLower(value)
		for _, bad := range forbiddenValues {
			if strings.Contains(lower, bad) {
				return cssError("the value of %s in %s contains %q, which is not allowed.", name, selectors, bad)
			}
		}
		if strings.Contains(value, "@") {
			return cssError("the value of %s in %s contains an at-rule.", name, selectors)
		}
	}
	return nil
}

// allowedByAll reports whether every selector of a rule allows property.
func allowedByAll(selectors, property string) bool {
	for _, sel := range strings.Split(selectors, ",") {
		if !slices.Contains(cssProperties[strings.TrimSpace(sel)], property) {
			return false
		}
	}
	return true
}

// stripComments removes /* comments */.
func stripComments(css string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(css, "/*")
		if i < 0 {
			b.WriteString(css)
			return b.String(), nil
		}
		b.WriteString(css[:i])
		j := strings.Index(css[i+2:], "*/")
		if j < 0 {
			return "", cssError("a comment is not closed with */.")
		}
		b.WriteByte(' ')
		css = css[i+2+j+2:]
	}
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
