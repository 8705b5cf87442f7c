package userpool

import (
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/cognate-idp/cognate/internal/model"
)

func parseInt(s string) (int64, error) { return strconv.ParseInt(strings.TrimSpace(s), 10, 64) }

var phoneRE = regexp.MustCompile(`^\+[0-9]{4,15}$`)

// ValidPhone reports whether s is a phone number in the E.164 form Cognito
// accepts (+ and digits).
func ValidPhone(s string) bool { return phoneRE.MatchString(s) }

// ValidEmail reports whether s is a bare email address.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && strings.Contains(s, "@")
}

func schemaError(name, why string) error {
	return invalid("Attributes did not conform to the schema: %s: %s", name, why)
}

// CheckAttributeValues checks attribute values against the pool's schema:
// the attribute exists, the value fits its type and length, and email and
// phone numbers are well formed. When updating is set, immutable attributes
// may not be given. sub is never writable.
func (p *Pool) CheckAttributeValues(attrs []model.AttributeType, updating bool) error {
	seen := map[string]bool{}
	for _, a := range attrs {
		if seen[a.Name] {
			return invalid("Duplicate attribute %s in the request.", a.Name)
		}
		seen[a.Name] = true
		sa := p.Attribute(a.Name)
		if sa == nil {
			return schemaError(a.Name, "Attribute does not exist in the schema.")
		}
		if a.Name == "sub" {
			return invalid("Cannot modify the non-mutable attribute sub.")
		}
		if updating && sa.Mutable != nil && !*sa.Mutable {
			return invalid("Cannot modify an already provided immutable attribute: %s", a.Name)
		}
		if err := checkValue(sa, a.Value); err != nil {
			return err
		}
	}
	return nil
}

// CheckDeletable checks that attributes may be removed from a user: they
// exist, and are neither required nor immutable.
func (p *Pool) CheckDeletable(names []string) error {
	for _, n := range names {
		sa := p.Attribute(n)
		if sa == nil {
			return schemaError(n, "Attribute does not exist in the schema.")
		}
		if sa.Required != nil && *sa.Required {
			return schemaError(n, "The attribute is required")
		}
		if sa.Mutable != nil && !*sa.Mutable {
			return invalid("Cannot modify an already provided immutable attribute: %s", n)
		}
	}
	return nil
}

// CheckRequired checks that a user's attributes include every attribute the
// schema marks required.
func (p *Pool) CheckRequired(attrs map[string]string) error {
	for _, sa := range p.Settings.SchemaAttributes {
		if sa.Required != nil && *sa.Required && sa.Name != "sub" && attrs[sa.Name] == "" {
			return schemaError(sa.Name, "The attribute is required")
		}
	}
	return nil
}

// IsTrue reports whether a Boolean attribute's value is true. Cognito
// accepts "true" and "false" in any case ("True" is common) and keeps the
// value as given, so every reader of a Boolean attribute asks this.
func IsTrue(v string) bool { return strings.EqualFold(v, "true") }

func checkValue(sa *model.SchemaAttributeType, v string) error {
	switch sa.AttributeDataType {
	case "Boolean":
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return schemaError(sa.Name, "Attribute value must be 'true' or 'false'.")
		}
	case "Number":
		n, err := parseInt(v)
		if err != nil {
			return schemaError(sa.Name, "Number attribute value must be an integer.")
		}
		if c := sa.NumberAttributeConstraints; c != nil {
			if lo, err := parseInt(c.MinValue); err == nil && n < lo {
				return schemaError(sa.Name, fmt.Sprintf("Number must be greater than or equal to %d.", lo))
			}
			if hi, err := parseInt(c.MaxValue); err == nil && n > hi {
				return schemaError(sa.Name, fmt.Sprintf("Number must be less than or equal to %d.", hi))
			}
		}
	case "DateTime":
		if _, err := parseInt(v); err != nil && v != "" {
			return schemaError(sa.Name, "DateTime attribute value must be epoch seconds.")
		}
	default:
		if c := sa.StringAttributeConstraints; c != nil {
			n := int64(len(utf16.Encode([]rune(v))))
			if lo, err := parseInt(c.MinLength); err == nil && n < lo && v != "" {
				return schemaError(sa.Name, fmt.Sprintf("String must be no fewer than %d characters", lo))
			}
			if hi, err := parseInt(c.MaxLength); err == nil && n > hi {
				return schemaError(sa.Name, fmt.Sprintf("String must be no longer than %d characters", hi))
			}
		}
	}
	switch sa.Name {
	case "email":
		if v != "" && !ValidEmail(v) {
			return invalid("Invalid email address format.")
		}
	case "phone_number":
		if v != "" && !ValidPhone(v) {
			return invalid("Invalid phone number format.")
		}
	}
	return nil
}
