package users

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFilter(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Filter // nil with ok for "every user"
		ok   bool
	}{
		{name: "empty", in: "", ok: true},
		{name: "spaces only", in: " \t ", ok: true},
		{name: "equals", in: `email = "alice@example.com"`, ok: true,
			want: &Filter{Attribute: "email", Value: "alice@example.com"}},
		{name: "prefix", in: `username ^= "ali"`, ok: true,
			want: &Filter{Attribute: "username", Prefix: true, Value: "ali"}},
		{name: "no spaces", in: `email="a@b"`, ok: true,
			want: &Filter{Attribute: "email", Value: "a@b"}},
		{name: "no spaces prefix", in: `email^="a"`, ok: true,
			want: &Filter{Attribute: "email", Prefix: true, Value: "a"}},
		{name: "space before operator only", in: `name ="Ann"`, ok: true,
			want: &Filter{Attribute: "name", Value: "Ann"}},
		{name: "space after operator only", in: `name= "Ann"`, ok: true,
			want: &Filter{Attribute: "name", Value: "Ann"}},
		{name: "tabs and surrounding space", in: "\t phone_number\t^=\t\"+1555\"  ", ok: true,
			want: &Filter{Attribute: "phone_number", Prefix: true, Value: "+1555"}},
		{name: "colon in attribute", in: `cognito:user_status = "UNCONFIRMED"`, ok: true,
			want: &Filter{Attribute: "cognito:user_status", Value: "UNCONFIRMED"}},
		{name: "empty value", in: `given_name = ""`, ok: true,
			want: &Filter{Attribute: "given_name", Value: ""}},
		{name: "empty prefix", in: `given_name ^= ""`, ok: true,
			want: &Filter{Attribute: "given_name", Prefix: true, Value: ""}},
		{name: "escaped quote", in: `name = "say \"hi\""`, ok: true,
			want: &Filter{Attribute: "name", Value: `say "hi"`}},
		{name: "escaped backslash", in: `name = "a\\b"`, ok: true,
			want: &Filter{Attribute: "name", Value: `a\b`}},
		{name: "escaped ordinary character", in: `name = "\a\b"`, ok: true,
			want: &Filter{Attribute: "name", Value: "ab"}},
		{name: "escaped backslash before closing quote", in: `name = "a\\"`, ok: true,
			want: &Filter{Attribute: "name", Value: `a\`}},
		{name: "spaces and operators inside value", in: `name = " a ^= b = c "`, ok: true,
			want: &Filter{Attribute: "name", Value: " a ^= b = c "}},
		{name: "unicode value", in: `family_name ^= "Müller 日本 😀"`, ok: true,
			want: &Filter{Attribute: "family_name", Prefix: true, Value: "Müller 日本 😀"}},

		{name: "attribute only", in: `email`},
		{name: "no attribute", in: `= "x"`},
		{name: "no attribute prefix", in: `^= "x"`},
		{name: "no operator", in: `email "x"`},
		{name: "no value", in: `email =`},
		{name: "unquoted value", in: `email = alice`},
		{name: "single quotes", in: `email = 'alice'`},
		{name: "unterminated", in: `email = "alice`},
		{name: "escaped closing quote", in: `email = "alice\"`},
		{name: "trailing backslash", in: `email = "alice\`},
		{name: "text after value", in: `email = "a" and name = "b"`},
		{name: "second value", in: `email = "a""b"`},
		{name: "double operator", in: `email == "a"`},
		{name: "split prefix operator", in: `email ^ = "a"`},
		{name: "caret only", in: `email ^ "a"`},
		{name: "reversed operator", in: `email =^ "a"`},
		{name: "other operator", in: `email != "a"`},
		{name: "space inside attribute", in: `given name = "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFilter(tt.in)
			if !tt.ok {
				if err == nil {
					t.Fatalf("ParseFilter(%q) = %+v, want an error", tt.in, got)
				}
				if !errors.Is(err, errFilter) || got != nil {
					t.Errorf("ParseFilter(%q) = %+v, %v; want nil, errFilter", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFilter(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestFilterString(t *testing.T) {
	tests := []struct {
		f    Filter
		want string
	}{
		{Filter{Attribute: "email", Value: "a@b"}, `email = "a@b"`},
		{Filter{Attribute: "name", Prefix: true, Value: ""}, `name ^= ""`},
		{Filter{Attribute: "name", Value: `a "b" \c`}, `name = "a \"b\" \\c"`},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("%+v.String() = %s, want %s", tt.f, got, tt.want)
		}
		back, err := ParseFilter(tt.want)
		if err != nil || *back != tt.f {
			t.Errorf("ParseFilter(%s) = %+v, %v; want %+v", tt.want, back, err, tt.f)
		}
	}
}

// FuzzParseFilter checks that ParseFilter never panics and that whatever it
// accepts, it reads back unchanged from its own String.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		``, ` `, `email = "a"`, `username ^= "al"`, `name="a\"b\\c"`, `a^=""`,
		`email = "a`, `email = "a" x`, `= "a"`, `email "a"`, "\xff=\"\xfe\"",
		"\u00a0email = \"x\"", "email\u00a0= \"x\"", `x = "\`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseFilter(s)
		if err != nil {
			if p != nil {
				t.Fatalf("ParseFilter(%q) = %+v with error %v", s, p, err)
			}
			return
		}
		if p == nil {
			return
		}
		if p.Attribute == "" {
			t.Fatalf("ParseFilter(%q) has an empty attribute", s)
		}
		out := p.String()
		back, err := ParseFilter(out)
		if err != nil {
			t.Fatalf("ParseFilter(%q) = %+v, but ParseFilter(%q) fails: %v", s, p, out, err)
		}
		if back == nil || *back != *p {
			t.Fatalf("ParseFilter(%q) = %+v, but ParseFilter(%q) = %+v", s, p, out, back)
		}
		if again := back.String(); again != out {
			t.Fatalf("String is not stable: %q then %q", out, again)
		}
	})
}
