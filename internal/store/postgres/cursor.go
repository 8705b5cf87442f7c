package postgres

import (
	"encoding/base64"
	"encoding/binary"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/cognate-idp/cognate/internal/store"
)

// cursorVersion starts every cursor, so that the format can change.
const cursorVersion = 1

// A cursor is an opaque pagination token: the listing it belongs to (scope:
// its kind, pool and filter) and the sort key of the last row returned (pos).
// It is base64url of a version byte and two length-prefixed string lists.
type cursor struct {
	scope []string
	pos   []string
}

func (c cursor) String() string {
	b := []byte{cursorVersion}
	b = appendStrings(b, c.scope)
	b = appendStrings(b, c.pos)
	return base64.RawURLEncoding.EncodeToString(b)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// readStrings reads what appendStrings wrote and returns the rest of b.
func readStrings(b []byte) ([]string, []byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, nil, false
	}
	b = b[k:]
	ss := make([]string, 0, n)
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, nil, false
		}
		ss = append(ss, string(b[k:k+int(l)]))
		b = b[k+int(l):]
	}
	return ss, b, true
}

// position returns the sort key a page starts after, or nil for the first
// page. The cursor must belong to scope and hold npos values; ErrBadCursor
// otherwise.
func position(page store.Page, npos int, scope ...string) ([]string, error) {
	if page.Cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(page.Cursor)
	if err != nil || len(b) == 0 || b[0] != cursorVersion {
		return nil, store.ErrBadCursor
	}
	sc, b, ok := readStrings(b[1:])
	if !ok || !slices.Equal(sc, scope) {
		return nil, store.ErrBadCursor
	}
	pos, b, ok := readStrings(b)
	if !ok || len(b) != 0 || len(pos) != npos {
		return nil, store.ErrBadCursor
	}
	return pos, nil
}

// prefixEnd returns the least string greater than every string that starts
// with p, in code point order (which is the byte order of UTF-8 and of
// COLLATE "C"), and false when there is none. With it, "starts with p"
// becomes the index range p <= v < prefixEnd(p). Unlike a byte-wise
// successor, the result is valid UTF-8, as PostgreSQL requires of text.
func prefixEnd(p string) (string, bool) {
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		p = p[:len(p)-size]
		if r < unicode.MaxRune {
			r++
			if r == 0xD800 { // surrogates cannot be encoded
				r = 0xE000
			}
			return p + string(r), true
		}
	}
	return "", false
}
