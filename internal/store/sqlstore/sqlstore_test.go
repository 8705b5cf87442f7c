package sqlstore

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/store"
)

func TestValueRows(t *testing.T) {
	for _, tc := range []struct {
		prefix          string
		first, width, n int
		want            string
	}{
		{"$1, $2, ", 3, 2, 2, "($1, $2, $3, $4), ($1, $2, $5, $6)"},
		{"", 3, 1, 3, "($3), ($4), ($5)"},
		{"$1, ", 2, 2, 1, "($1, $2, $3)"},
	} {
		if got := valueRows(tc.prefix, tc.first, tc.width, tc.n); got != tc.want {
			t.Errorf("valueRows(%q, %d, %d, %d) = %q, want %q", tc.prefix, tc.first, tc.width, tc.n, got, tc.want)
		}
	}
}

// TestDecodeSecrets reads client secrets as each backend has stored them:
// SQLite with microseconds, PostgreSQL with RFC 3339 times.
func TestDecodeSecrets(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 123456000, time.UTC)
	want := []store.ClientSecret{{ID: "s1", Sealed: []byte("sealed"), CreatedAt: at}}
	for _, doc := range []string{
		`[{"id":"s1","sealed":"c2VhbGVk","created_at":1777636800123456}]`,
		`[{"id":"s1","sealed":"c2VhbGVk","created_at":"2026-05-01T12:00:00.123456Z"}]`,
		`[{"id":"s1","sealed":"c2VhbGVk","created_at":"2026-05-01T14:00:00.123456+02:00"}]`,
	} {
		got, err := decodeSecrets([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", doc, d)
		}
	}
	if _, err := decodeSecrets([]byte(`[{"id":"s1","created_at":true}]`)); err == nil {
		t.Error("a created_at neither number nor time: no error")
	}
}
