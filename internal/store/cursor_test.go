package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPrefixEnd(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"abc", "abd", true},
		{"a", "b", true},
		{"é", "ê", true},
		{"a\U0010FFFF", "b", true},
		{"\U0010FFFF", "", false},
		{"\uD7FF", "\uE000", true},
		{"", "", false},
	}
	for _, tc := range cases {
		got, ok := PrefixEnd(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("PrefixEnd(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCursorScope(t *testing.T) {
	c := Cursor{Scope: []string{"users", "pool-a"}, Pos: []string{"k1"}}.String()
	if pos, err := Position(Page{Cursor: c}, 1, "users", "pool-a"); err != nil || !slices.Equal(pos, []string{"k1"}) {
		t.Fatalf("Position = %v, %v", pos, err)
	}
	for _, tc := range []struct {
		cursor string
		npos   int
		scope  []string
	}{
		{c, 1, []string{"users", "pool-b"}},
		{c, 2, []string{"users", "pool-a"}},
		{"not base64!", 1, []string{"users", "pool-a"}},
		{c[:len(c)-2], 1, []string{"users", "pool-a"}},
	} {
		if _, err := Position(Page{Cursor: tc.cursor}, tc.npos, tc.scope...); !errors.Is(err, ErrBadCursor) {
			t.Errorf("Position(%q, %d, %v) = %v, want ErrBadCursor", tc.cursor, tc.npos, tc.scope, err)
		}
	}
}

// FuzzPosition: any token is either refused with ErrBadCursor or decodes to
// a position that encodes back to the same token.
func FuzzPosition(f *testing.F) {
	f.Add(Cursor{Scope: []string{"s"}, Pos: []string{"a", "b"}}.String(), "s", 2)
	f.Add("", "s", 1)
	f.Fuzz(func(t *testing.T, tok, scope string, npos int) {
		if npos < 0 || npos > 8 {
			return
		}
		pos, err := Position(Page{Cursor: tok}, npos, scope)
		if err != nil {
			if !errors.Is(err, ErrBadCursor) {
				t.Fatalf("error %v is not ErrBadCursor", err)
			}
			return
		}
		if tok == "" {
			return
		}
		if again := (Cursor{Scope: []string{scope}, Pos: pos}).String(); again != tok {
			t.Fatalf("round trip %q -> %q", tok, again)
		}
	})
}

// FuzzPrefixEnd: every string with the prefix sorts below the bound, which is
// valid UTF-8.
func FuzzPrefixEnd(f *testing.F) {
	f.Add("abc", "def")
	f.Fuzz(func(t *testing.T, p, rest string) {
		if !utf8.ValidString(p) || !utf8.ValidString(rest) {
			return
		}
		end, ok := PrefixEnd(p)
		if !ok {
			return
		}
		if !utf8.ValidString(end) || strings.Compare(p+rest, end) >= 0 || strings.Compare(p, end) >= 0 {
			t.Fatalf("PrefixEnd(%q) = %q does not bound %q", p, end, p+rest)
		}
	})
}
