package store

import (
	"encoding/base64"
	"encoding/binary"
	"slices"
	"unicode"
	"unicode/utf8"
)

// cursorVersion starts every cursor, so that the format can change.
const cursorVersion = 1

// Cursor is the opaque pagination token the backends share: the listing it
// belongs to (Scope: its kind, pool and filter) and the sort key of the last
// row returned (Pos).
// It is base64url of a version byte and two length-prefixed string lists.
type Cursor struct {
	Scope []string
	Pos   []string
}

// String encodes the cursor.
func (c Cursor) String() string {
	b := []byte{cursorVersion}
	b = appendStrings(b, c.Scope)
	b = appendStrings(b, c.Pos)
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

// Position returns the sort key a page starts after, or nil for the first
// page. The cursor must belong to scope and hold npos values; ErrBadCursor
// otherwise.
func Position(page Page, npos int, scope ...string) ([]string, error) {
	if page.Cursor == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(page.Cursor)
	if err != nil || len(b) == 0 || b[0] != cursorVersion {
		return nil, ErrBadCursor
	}
	sc, b, ok := readStrings(b[1:])
	if !ok || !slices.Equal(sc, scope) {
		return nil, ErrBadCursor
	}
	pos, b, ok := readStrings(b)
	if !ok || len(b) != 0 || len(pos) != npos {
		return nil, ErrBadCursor
	}
	return pos, nil
}

// PrefixEnd returns the least string greater than every string that starts
// with p, in code point order (which is the byte order of UTF-8 and of
// COLLATE "C"), and false when there is none. With it, "starts with p"
// becomes the index range p <= v < PrefixEnd(p). The result is valid
// UTF-8, as PostgreSQL requires of text, and serves SQLite too, which
// compares text byte by byte.
func PrefixEnd(p string) (string, bool) {
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
