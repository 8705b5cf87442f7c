package users

import (
	"errors"
	"strings"
)

// Filter is a parsed ListUsers filter: `Attribute = "value"` or
// `Attribute ^= "value"`.
type Filter struct {
	Attribute string
	Prefix    bool
	Value     string
}

// errFilter is the parse failure; ListUsers reports it as an
// InvalidParameterException with filterMessage.
var errFilter = errors.New("invalid filter")

// filterMessage is Cognito's message for a filter it cannot parse.
const filterMessage = "Error while parsing filter."

// ParseFilter parses a ListUsers filter. The value is in double quotes;
// inside it a backslash escapes the next character. Spaces around the
// operator are optional. An empty or all-space filter selects every user and
// returns nil.
func ParseFilter(s string) (*Filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	i := strings.IndexAny(s, "=^ \t")
	if i <= 0 {
		return nil, errFilter
	}
	f := &Filter{Attribute: s[:i]}
	rest := strings.TrimLeft(s[i:], " \t")
	switch {
	case strings.HasPrefix(rest, "^="):
		f.Prefix = true
		rest = rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return nil, errFilter
	}
	rest = strings.TrimLeft(rest, " \t")
	if !strings.HasPrefix(rest, `"`) {
		return nil, errFilter
	}
	var val strings.Builder
	escaped, closed := false, false
	for j, r := range rest[1:] {
		switch {
		case escaped:
			val.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case r == '"':
			if strings.TrimSpace(rest[1+j+1:]) != "" {
				return nil, errFilter
			}
			closed = true
		default:
			val.WriteRune(r)
		}
		if closed {
			break
		}
	}
	if !closed {
		return nil, errFilter
	}
	f.Value = val.String()
	return f, nil
}

// String writes the filter back in the grammar ParseFilter reads.
func (f *Filter) String() string {
	op := " = "
	if f.Prefix {
		op = " ^= "
	}
	v := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(f.Value)
	return f.Attribute + op + `"` + v + `"`
}
