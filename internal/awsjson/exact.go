package awsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"sync"
)

// errDuplicateKey reports an object with a key twice.
var errDuplicateKey = errors.New("duplicate key")

// exactMembers rewrites a request body for encoding/json, which matches
// member names without regard to case and keeps the last of duplicate keys,
// so that it decodes as AWS JSON does: a member name matches only exactly
// (a key that differs in case is an unknown member, ignored like any
// other), and an object with a key twice is refused with errDuplicateKey.
// t is the type the body decodes into. A body that is not valid JSON comes
// back as it is, for encoding/json to describe the error.
func exactMembers(t reflect.Type, body []byte) ([]byte, error) {
	if plain(t, body) {
		return body, nil // nothing to rewrite: most requests
	}
	return rewriteMembers(t, body)
}

// plain reports whether body decodes into t the same with encoding/json as
// with AWS JSON, as it is (plainValue).
func plain(t reflect.Type, body []byte) bool {
	end, ok := plainValue(t, body, 0)
	return ok && skipSpace(body, end) == len(body)
}

// rewriteMembers is exactMembers' general way: it copies the body token by
// token, dropping members whose names match only in another case.
func rewriteMembers(t reflect.Type, body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var out bytes.Buffer
	out.Grow(len(body))
	if err := copyValue(dec, t, &out); err != nil {
		if errors.Is(err, errDuplicateKey) {
			return nil, err
		}
		return body, nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return body, nil // trailing data: encoding/json refuses it
	}
	return out.Bytes(), nil
}

// copyValue copies the next JSON value from dec to out. t is the Go type it
// decodes into, nil for a value that is dropped or kept whole (a document).
func copyValue(dec *json.Decoder, t reflect.Type, out *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t == rawMessage || reflect.PointerTo(t).Implements(unmarshaler)) {
		t = nil // decoded by its own method, or kept whole: no member names
	}
	d, ok := tok.(json.Delim)
	if !ok {
		b, err := json.Marshal(tok)
		if err != nil {
			return err
		}
		out.Write(b)
		return nil
	}
	switch d {
	case '[':
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		out.WriteByte('[')
		for i := 0; dec.More(); i++ {
			if i > 0 {
				out.WriteByte(',')
			}
			if err := copyValue(dec, elem, out); err != nil {
				return err
			}
		}
		out.WriteByte(']')
	case '{':
		var fields map[string]reflect.Type
		var elem reflect.Type
		switch {
		case t != nil && t.Kind() == reflect.Struct:
			fields = structFields(t)
		case t != nil && t.Kind() == reflect.Map:
			elem = t.Elem()
		}
		out.WriteByte('{')
		seen := map[string]bool{}
		n := 0
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := tok.(string)
			if seen[key] {
				return errDuplicateKey
			}
			seen[key] = true
			vt, keep := elem, true
			if fields != nil {
				vt, keep = fields[key]
			}
			if !keep {
				var dropped bytes.Buffer
				if err := copyValue(dec, nil, &dropped); err != nil {
					return err
				}
				continue
			}
			if n > 0 {
				out.WriteByte(',')
			}
			n++
			kb, _ := json.Marshal(key)
			out.Write(kb)
			out.WriteByte(':')
			if err := copyValue(dec, vt, out); err != nil {
				return err
			}
		}
		out.WriteByte('}')
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

// plainObjectKeys is the most keys plainValue compares pairwise in one
// object; a larger object goes the general way, which uses a map.
const plainObjectKeys = 32

// plainValue scans the JSON value that starts at body[i], decoding into t
// (nil for a value without member names, as in copyValue), and returns
// where it ends. ok means the value needs no rewriting for encoding/json:
// no object in it has a key twice, and no key of a struct's object is a
// member name in another case. Without ok (also for anything plainValue
// does not parse: an escaped key, a large object, a syntax error) the
// general way decides; ok is never wrong, and the value is then decoded as
// it is, so a syntax error plainValue skips over is still encoding/json's
// to report.
func plainValue(t reflect.Type, body []byte, i int) (end int, ok bool) {
	i = skipSpace(body, i)
	if i == len(body) {
		return i, false
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (t == rawMessage || reflect.PointerTo(t).Implements(unmarshaler)) {
		t = nil
	}
	switch body[i] {
	case '"':
		return skipString(body, i)
	case '[':
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		i = skipSpace(body, i+1)
		if i < len(body) && body[i] == ']' {
			return i + 1, true
		}
		for {
			if i, ok = plainValue(elem, body, i); !ok {
				return i, false
			}
			var done bool
			if i, done, ok = afterValue(body, i, ']'); !ok || done {
				return i, ok
			}
		}
	case '{':
		var fields, folded map[string]reflect.Type
		var elem reflect.Type
		switch {
		case t != nil && t.Kind() == reflect.Struct:
			fields, folded = structFields(t), foldedFields(t)
		case t != nil && t.Kind() == reflect.Map:
			elem = t.Elem()
		}
		var keys [plainObjectKeys][]byte
		n := 0
		i = skipSpace(body, i+1)
		if i < len(body) && body[i] == '}' {
			return i + 1, true
		}
		for {
			if i == len(body) || body[i] != '"' || n == len(keys) {
				return i, false
			}
			start := i + 1
			if i, ok = skipString(body, i); !ok {
				return i, false
			}
			key := body[start : i-1]
			if !plainKey(key) {
				return i, false // compared after decoding, the general way
			}
			for _, k := range keys[:n] {
				if bytes.Equal(k, key) {
					return i, false
				}
			}
			keys[n] = key
			n++
			vt := elem
			if fields != nil {
				var exact bool
				if vt, exact = fields[string(key)]; !exact && folds(folded, key) {
					return i, false // encoding/json would match it; AWS JSON does not
				}
			}
			i = skipSpace(body, i)
			if i == len(body) || body[i] != ':' {
				return i, false
			}
			if i, ok = plainValue(vt, body, i+1); !ok {
				return i, false
			}
			var done bool
			if i, done, ok = afterValue(body, i, '}'); !ok || done {
				return i, ok
			}
		}
	}
	// A number or a literal: encoding/json checks its spelling.
	for i < len(body) && !strings.ContainsRune(",]} \t\r\n", rune(body[i])) {
		i++
	}
	return i, true
}

// afterValue reads what follows a value in an array or object: a comma,
// and then next is where the next element starts, or closing, and then
// done is true and next is just past it. Not ok for anything else.
func afterValue(body []byte, i int, closing byte) (next int, done, ok bool) {
	i = skipSpace(body, i)
	switch {
	case i == len(body):
		return i, false, false
	case body[i] == ',':
		return skipSpace(body, i+1), false, true
	case body[i] == closing:
		return i + 1, true, true
	}
	return i, false, false
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(body []byte, i int) int {
	for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n') {
		i++
	}
	return i
}

// skipString returns the index just past the string that starts at
// body[i] (a quote); not ok if it does not end.
func skipString(body []byte, i int) (int, bool) {
	for i++; i < len(body); i++ {
		switch body[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return i, false
}

// plainKey reports whether a key's bytes are what it decodes to: ASCII
// without escapes. (Invalid UTF-8 decodes to U+FFFD, so two different keys
// outside ASCII may decode to one; and encoding/json folds some non-ASCII
// letters onto ASCII ones when it matches member names.)
func plainKey(key []byte) bool {
	for _, c := range key {
		if c >= 0x80 || c == '\\' {
			return false
		}
	}
	return true
}

// folds reports whether an ASCII key that is not a member name would still
// match one in encoding/json, which ignores case.
func folds(folded map[string]reflect.Type, key []byte) bool {
	var buf [64]byte
	if len(key) > len(buf) {
		return true
	}
	for j, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[j] = c
	}
	_, ok := folded[string(buf[:len(key)])]
	return ok
}

var (
	rawMessage  = reflect.TypeFor[json.RawMessage]()
	unmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

// fieldCache maps a struct type to its members: JSON name to Go type;
// foldedCache to the same keyed by the name in ASCII lower case.
var fieldCache, foldedCache sync.Map

func foldedFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := foldedCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	f := map[string]reflect.Type{}
	for name, ft := range structFields(t) {
		f[strings.ToLower(name)] = ft
	}
	foldedCache.Store(t, f)
	return f
}

func structFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	f := map[string]reflect.Type{}
	for sf := range t.Fields() {
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = sf.Name
		}
		f[name] = sf.Type
	}
	fieldCache.Store(t, f)
	return f
}
