package userimport

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"a,b,c", []string{"a", "b", "c"}},
		{"", []string{""}},
		{",,", []string{"", "", ""}},
		{`Smith\, John,x`, []string{"Smith, John", "x"}},
		{`a\b,c\`, []string{`a\b`, `c\`}},
		{`"quoted",x`, []string{`"quoted"`, "x"}},
	} {
		if got := Split(tc.in); !cmp.Equal(got, tc.want) {
			t.Errorf("Split(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReader(t *testing.T) {
	file := "cognito:username,email,name,cognito:mfa_enabled\r\n" +
		"ann,ann@example.com,Ann\\, Jr.,false\n" +
		"\n" +
		"bob,,Bob,true\n" +
		"short,row\n" +
		strings.Repeat("x", MaxRowChars+1) + "\n" +
		"cy,cy@example.com,Cy,false"
	r := NewReader(strings.NewReader(file), 0, 0)
	if _, err := r.ReadHeader([]string{"email", "name", "cognito:username", "cognito:mfa_enabled"}); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Line   int64
		Values map[string]string
		Err    string
	}
	var got []result
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		res := result{Line: row.Line, Values: row.Values}
		if err != nil {
			res.Err = err.Error()
		}
		got = append(got, res)
	}
	want := []result{
		{Line: 2, Values: map[string]string{"cognito:username": "ann", "email": "ann@example.com", "name": "Ann, Jr.", "cognito:mfa_enabled": "false"}},
		{Line: 4, Values: map[string]string{"cognito:username": "bob", "name": "Bob", "cognito:mfa_enabled": "true"}},
		{Line: 5, Err: "the row has 2 values where the header has 4 columns"},
		{Line: 6, Err: ErrRowTooLong.Error()},
		{Line: 7, Values: map[string]string{"cognito:username": "cy", "email": "cy@example.com", "name": "Cy", "cognito:mfa_enabled": "false"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	if r.Offset() != int64(len(file)) {
		t.Errorf("offset %d, want %d", r.Offset(), len(file))
	}
}

func TestReaderResumes(t *testing.T) {
	file := "a,b\n1,2\n3,4\n"
	r := NewReader(strings.NewReader(file), 0, 0)
	if _, err := r.ReadHeader([]string{"b", "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	rest := NewReader(strings.NewReader(file[r.Offset():]), r.Line(), r.Offset())
	rest.SetHeader([]string{"a", "b"})
	row, err := rest.Next()
	if err != nil || row.Line != 3 || row.Values["a"] != "3" {
		t.Fatalf("resumed row %+v, %v", row, err)
	}
}

func TestReadHeaderMismatch(t *testing.T) {
	for in, want := range map[string]string{
		"":          "no header row",
		"a,a":       "names a twice",
		"a,c":       "missing: b; not in the pool: c",
		"a":         "missing: b",
		"\ufeffa,b": "",
	} {
		_, err := NewReader(strings.NewReader(in), 0, 0).ReadHeader([]string{"a", "b"})
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("ReadHeader(%q) = %v, want %q", in, err, want)
		}
	}
}

// FuzzReader: any file either fails at its header or yields rows with
// increasing line numbers and no more values than the header has, and the
// offset ends at the file's size.
func FuzzReader(f *testing.F) {
	f.Add("a,b\n1,2\n")
	f.Add("a,b\r\n1\\,x,2\r\n\n,\n")
	f.Add("b,a\n\\\n\\,\\,\n")
	f.Fuzz(func(t *testing.T, file string) {
		r := NewReader(strings.NewReader(file), 0, 0)
		if _, err := r.ReadHeader([]string{"a", "b"}); err != nil {
			return
		}
		last := int64(1)
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if row.Line <= last {
				t.Fatalf("line %d after %d", row.Line, last)
			}
			last = row.Line
			if err == nil && len(row.Values) > 2 {
				t.Fatalf("row %v has more values than columns", row.Values)
			}
		}
		if r.Offset() != int64(len(file)) {
			t.Fatalf("offset %d, file %d bytes", r.Offset(), len(file))
		}
	})
}
