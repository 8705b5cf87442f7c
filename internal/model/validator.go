package model

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Validator collects constraint violations in the form Cognito reports them:
// "Value 'x' at 'memberPath' failed to satisfy constraint: Member must ...".
// Values of shapes the model marks sensitive are never echoed.
type Validator struct {
	errs []string
}

// Err returns nil when nothing failed, or an *InvalidParameterException
// whose message lists every violation.
func (v *Validator) Err() error {
	n := len(v.errs)
	if n == 0 {
		return nil
	}
	plural := "s"
	if n == 1 {
		plural = ""
	}
	return &InvalidParameterException{
		Message: fmt.Sprintf("%d validation error%s detected: %s", n, plural, strings.Join(v.errs, "; ")),
	}
}

func (v *Validator) add(path, value string, show bool, constraint string) {
	if show {
		v.errs = append(v.errs, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, path, constraint))
		return
	}
	v.errs = append(v.errs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", path, constraint))
}

func (v *Validator) field(path, name string) string {
	name = strings.ToLower(name[:1]) + name[1:]
	if path == "" {
		return name
	}
	return path + "." + name
}

func (v *Validator) elem(path string, i int) string {
	return path + "." + strconv.Itoa(i+1) + ".member"
}

func (v *Validator) mapKey(path string) string   { return path + ".key" }
func (v *Validator) mapValue(path string) string { return path + ".value" }

func (v *Validator) null(path string) {
	v.errs = append(v.errs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path))
}

// javaLen is the length of s as Java's String.length counts it (UTF-16
// code units), which is how Cognito measures string lengths.
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

func (v *Validator) minLen(path, s string, min int, sensitive bool) {
	if javaLen(s) < min {
		v.add(path, s, !sensitive, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
}

func (v *Validator) maxLen(path, s string, max int, sensitive bool) {
	if javaLen(s) > max {
		v.add(path, s, !sensitive, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

// lazyRegexp returns a function that compiles expr on its first call and
// returns the same *regexp.Regexp from then on. The model's patterns are
// compiled on first use rather than at start-up: their Unicode classes take
// tens of milliseconds to compile, most requests use few of them, and
// start-up time counts.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

func (v *Validator) pattern(path, s string, re func() *regexp.Regexp, source string, sensitive bool) {
	if !re().MatchString(s) {
		v.add(path, s, !sensitive, "Member must satisfy regular expression pattern: "+source)
	}
}

func (v *Validator) enum(path, s string, values []string, sensitive bool) {
	for _, e := range values {
		if s == e {
			return
		}
	}
	v.add(path, s, !sensitive, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

func (v *Validator) minValue(path string, n, min int64) {
	if n < min {
		v.add(path, strconv.FormatInt(n, 10), true, fmt.Sprintf("Member must have value greater than or equal to %d", min))
	}
}

func (v *Validator) maxValue(path string, n, max int64) {
	if n > max {
		v.add(path, strconv.FormatInt(n, 10), true, fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
}

func (v *Validator) minItems(path string, n, min int) {
	if n < min {
		v.add(path, "", false, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
}

func (v *Validator) maxItems(path string, n, max int) {
	if n > max {
		v.add(path, "", false, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

func (v *Validator) minBlob(path string, n, min int) { v.minItems(path, n, min) }
func (v *Validator) maxBlob(path string, n, max int) { v.maxItems(path, n, max) }
