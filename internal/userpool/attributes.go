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

// schemaProblems collects the attributes of a request that do not fit the
// schema, to report them all at once as Cognito does: creating operations
// (SignUp, AdminCreateUser) as "Attributes did not conform to the schema:
// NAME: WHY" lines, updating ones as "user.NAME: WHY" lines, each line
// ending in a newline. docs/fidelity.md gives the reported AWS output.
type schemaProblems struct {
	updating bool
	lines    []string
}

func (sp *schemaProblems) add(name, why string) {
	if sp.updating {
		name = "user." + name
	}
	sp.lines = append(sp.lines, name+": "+why+"\n")
}

// err returns the InvalidParameterException for the problems, or nil.
func (sp *schemaProblems) err() error {
	if len(sp.lines) == 0 {
		return nil
	}
	msg := strings.Join(sp.lines, "")
	if !sp.updating {
		msg = "Attributes did not conform to the schema: " + msg
	}
	return invalid("%s", msg)
}

const (
	notInSchema = "Attribute does not exist in the schema."
	isRequired  = "The attribute is required."
)

// CheckAttributeValues checks attribute values against the pool's schema:
// the attribute exists, the value fits its type and length, and email and
// phone numbers are well formed. updating says the request changes an
// existing user (immutable attributes may not be given, and problems are
// worded as the update operations word them). sub is never writable.
func (p *Pool) CheckAttributeValues(attrs []model.AttributeType, updating bool) error {
	seen := map[string]bool{}
	problems := &schemaProblems{updating: updating}
	for _, a := range attrs {
		if seen[a.Name] {
			return invalid("Duplicate attribute %s in the request.", a.Name)
		}
		seen[a.Name] = true
		sa := p.Attribute(a.Name)
		if sa == nil {
			problems.add(a.Name, notInSchema)
			continue
		}
		if a.Name == "sub" {
			return invalid("Cannot modify the non-mutable attribute sub.")
		}
		if updating && sa.Mutable != nil && !*sa.Mutable {
			return invalid("Cannot modify an already provided immutable attribute: %s", a.Name)
		}
		why, err := checkValue(sa, a.Value)
		if err != nil {
			return err
		}
		if why != "" {
			problems.add(sa.Name, why)
		}
	}
	return problems.err()
}

// CheckDeletable checks that attributes may be removed from a user: they
// exist, and are neither required nor immutable.
func (p *Pool) CheckDeletable(names []string) error {
	problems := &schemaProblems{updating: true}
	for _, n := range names {
		sa := p.Attribute(n)
		switch {
		case sa == nil:
			problems.add(n, notInSchema)
		case sa.Required != nil && *sa.Required:
			problems.add(n, isRequired)
		case sa.Mutable != nil && !*sa.Mutable:
			return invalid("Cannot modify an already provided immutable attribute: %s", n)
		}
	}
	return problems.err()
}

// CheckRequired checks that a user's attributes include every attribute the
// schema marks required; updating words the problems as the update
// operations do.
func (p *Pool) CheckRequired(attrs map[string]string, updating bool) error {
	problems := &schemaProblems{updating: updating}
	for _, sa := range p.Settings.SchemaAttributes {
		if sa.Required != nil && *sa.Required && sa.Name != "sub" && attrs[sa.Name] == "" {
			problems.add(sa.Name, isRequired)
		}
	}
	return problems.err()
}

// IsTrue reports whether a Boolean attribute's value is true. Cognito
// accepts "true" and "false" in any case ("True" is common) and keeps the
// value as given, so every reader of a Boolean attribute asks this.
func IsTrue(v string) bool { return strings.EqualFold(v, "true") }

// checkValue checks a value against its schema attribute: why is the
// schema problem ("" for none), err another refusal (a malformed email
// address or phone number).
func checkValue(sa *model.SchemaAttributeType, v string) (why string, err error) {
	switch sa.AttributeDataType {
	case "Boolean":
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return "Attribute value must be 'true' or 'false'.", nil
		}
	case "Number":
		n, err := parseInt(v)
		if err != nil {
			return "Number attribute value must be an integer.", nil
		}
		if c := sa.NumberAttributeConstraints; c != nil {
			if lo, err := parseInt(c.MinValue); err == nil && n < lo {
				return fmt.Sprintf("Number must be greater than or equal to %d.", lo), nil
			}
			if hi, err := parseInt(c.MaxValue); err == nil && n > hi {
				return fmt.Sprintf("Number must be less than or equal to %d.", hi), nil
			}
		}
	case "DateTime":
		if _, err := parseInt(v); err != nil && v != "" {
			return "DateTime attribute value must be epoch seconds.", nil
		}
	default:
		if c := sa.StringAttributeConstraints; c != nil {
			n := int64(len(utf16.Encode([]rune(v))))
			if lo, err := parseInt(c.MinLength); err == nil && n < lo && v != "" {
				return fmt.Sprintf("String must be no fewer than %d characters", lo), nil
			}
			if hi, err := parseInt(c.MaxLength); err == nil && n > hi {
				return fmt.Sprintf("String must be no longer than %d characters", hi), nil
			}
		}
	}
	switch sa.Name {
	case "email":
		if v != "" && !ValidEmail(v) {
			return "", invalid("Invalid email address format.")
		}
	case "phone_number":
		if v != "" && !ValidPhone(v) {
			return "", invalid("Invalid phone number format.")
		}
	}
	return "", nil
}
