package seed

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder fills Go values from a YAML node tree by the values' JSON member
// names, which are the API's, strictly: an unknown key, a duplicate key or
// a value of the wrong kind is an error naming its line. It records the
// line of every member it fills under the path the model's validator
// reports ("clients.1.member.clientName"), so that validation errors can
// name lines too.
type decoder struct {
	file string
	// lines maps a validator path to where its value is in the file.
	lines map[string]place
	errs  []lineError
}

// lineError is an error at a line of the file.
type lineError struct {
	line int
	err  error
}

// err returns the errors found, ordered by line, or nil.
func (d *decoder) err() error {
	if len(d.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(d.errs, func(a, b lineError) int { return a.line - b.line })
	errs := make([]error, len(d.errs))
	for i, e := range d.errs {
		errs[i] = e.err
	}
	return errors.Join(errs...)
}

// place is where a member is in the file: its line and how to name it.
type place struct {
	line int
	name string
}

// forbidden are keys of the embedded API requests that a seed file must not
// give, with the reason.
var forbidden = map[string]string{
	"UserPoolId": "the pool is the one the entry is listed under",
}

func (d *decoder) fail(line int, name, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if name != "" {
		msg = name + ": " + msg
	}
	d.errs = append(d.errs, lineError{line: line, err: fmt.Errorf("%s:%d: %s", d.file, line, msg)})
}

// joinPath returns the validator path of a member of path.
func joinPath(path, member string) string {
	member = strings.ToLower(member[:1]) + member[1:]
	if path == "" {
		return member
	}
	return path + "." + member
}

// joinName returns the display name of a member of name.
func joinName(name, member string) string {
	if name == "" {
		return member
	}
	return name + "." + member
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// field is a settable member of a struct with its JSON name.
type field struct {
	name string
	v    reflect.Value
}

// fields returns the members of struct v by JSON name, with the members of
// embedded structs promoted as encoding/json promotes them, and its Line
// member (a field named Line tagged json:"-"), which is set to the line of
// the struct's mapping.
func fields(v reflect.Value) (map[string]field, []reflect.Value) {
	out := map[string]field{}
	var lines []reflect.Value
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			if sf.Name == "Line" && sf.Type.Kind() == reflect.Int {
				lines = append(lines, v.Field(i))
			}
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			inner, innerLines := fields(v.Field(i))
			for k, f := range inner {
				if _, ok := out[k]; !ok {
					out[k] = f
				}
			}
			lines = append(lines, innerLines...)
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		out[name] = field{name: name, v: v.Field(i)}
	}
	return out, lines
}

// decode fills v from n. path is the validator path of v, name its display
// name.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path, name string) {
	n = resolve(n)
	if n == nil {
		return
	}
	d.lines[path] = place{line: n.Line, name: name}
	if isNull(n) {
		return // an empty value is a value left out
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path, name)
	case reflect.Struct:
		d.decodeStruct(n, v, path, name)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			d.fail(n.Line, name, "binary values cannot be given in a seed file")
			return
		}
		if n.Kind != yaml.SequenceNode {
			d.fail(n.Line, name, "must be a list")
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, s.Index(i), path+"."+strconv.Itoa(i+1)+".member", fmt.Sprintf("%s[%d]", name, i))
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.fail(n.Line, name, "must be a mapping of names to values")
			return
		}
		if v.Type().Key().Kind() != reflect.String {
			d.fail(n.Line, name, "is not supported in a seed file")
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := resolve(n.Content[i]), n.Content[i+1]
			if k.Kind != yaml.ScalarNode || isNull(k) {
				d.fail(k.Line, name, "keys must be strings")
				continue
			}
			key := reflect.ValueOf(k.Value).Convert(v.Type().Key())
			if m.MapIndex(key).IsValid() {
				d.fail(k.Line, name, "key %q is given twice", k.Value)
				continue
			}
			elem := reflect.New(v.Type().Elem()).Elem()
			d.decode(val, elem, path+".value", name+"."+k.Value)
			m.SetMapIndex(key, elem)
		}
		d.lines[path+".key"] = place{line: n.Line, name: name}
		v.Set(m)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n.Line, name, "must be a single value, not a list or mapping")
			return
		}
		// Any scalar reads as its text: email_verified: true is "true".
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			d.fail(n.Line, name, "must be true or false")
			return
		}
		v.SetBool(b)
	case reflect.Int32, reflect.Int64, reflect.Int:
		var i int64
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
			d.fail(n.Line, name, "must be a whole number")
			return
		}
		if v.Kind() == reflect.Int32 && (i < math.MinInt32 || i > math.MaxInt32) {
			d.fail(n.Line, name, "%d is out of range", i)
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		var f float64
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&f) != nil {
			d.fail(n.Line, name, "must be a number")
			return
		}
		v.SetFloat(f)
	default:
		d.fail(n.Line, name, "is not supported in a seed file")
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path, name string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n.Line, name, "must be a mapping of keys to values")
		return
	}
	if _, ok := v.Addr().Interface().(json.Unmarshaler); ok {
		d.fail(n.Line, name, "is not supported in a seed file")
		return
	}
	known, lines := fields(v)
	defer func() {
		for _, l := range lines {
			l.SetInt(int64(n.Line))
		}
	}()
	// Merge keys (<<: *anchor) come first, so that the mapping's own keys
	// override what they bring.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			val := resolve(n.Content[i+1])
			merged := []*yaml.Node{val}
			if val.Kind == yaml.SequenceNode {
				merged = val.Content
			}
			for _, m := range merged {
				if m = resolve(m); m.Kind != yaml.MappingNode {
					d.fail(k.Line, name, "a merge key (<<) must name a mapping")
					continue
				}
				d.decodeStruct(m, v, path, name)
			}
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.fail(k.Line, name, "keys must be names")
			continue
		}
		key := k.Value
		member := joinName(name, key)
		if seen[key] {
			d.fail(k.Line, member, "given twice")
			continue
		}
		seen[key] = true
		if why, ok := forbidden[key]; ok {
			if _, has := known[key]; has {
				d.fail(k.Line, member, "cannot be given in a seed file: %s", why)
				continue
			}
		}
		f, ok := known[key]
		if !ok {
			d.fail(k.Line, member, "unknown key%s", suggest(key, known))
			continue
		}
		d.lines[joinPath(path, key)] = place{line: k.Line, name: member}
		// The member's value is recorded at its key's line.
		d.decode(val, f.v, joinPath(path, key), member)
		d.lines[joinPath(path, key)] = place{line: k.Line, name: member}
	}
}

// suggest returns " (did you mean X?)" for the known key closest to key,
// or "" when none is close.
func suggest(key string, known map[string]field) string {
	best, bestDist := "", -1
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range known {
			if _, bad := forbidden[k]; !bad && !yield(k) {
				return
			}
		}
	}) {
		if strings.EqualFold(k, key) {
			return fmt.Sprintf(" (did you mean %s?)", k)
		}
		// Allow about one edit in three characters.
		dist := distance(strings.ToLower(k), strings.ToLower(key))
		if dist <= max(2, max(len(k), len(key))/3) && (bestDist < 0 || dist < bestDist) {
			best, bestDist = k, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
