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

var (
	rawMessage  = reflect.TypeFor[json.RawMessage]()
	unmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

// fieldCache maps a struct type to its members: JSON name to Go type.
var fieldCache sync.Map

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
