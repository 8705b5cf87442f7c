package sqlite

import (
	"encoding/base64"
	"encoding/binary"
	"slices"

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
// with p, in byte order, and false when there is none. With it, "starts with
// p" becomes the index range p <= v < prefixEnd(p). The result need not be
// valid UTF-8: SQLite compares text byte by byte.
func prefixEnd(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
