package oauth

import (
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCatalogue checks the message files: one per language the pages
// speak, each with exactly English's keys, the {0} of the texts that take
// an argument kept, and every key the templates use defined.
func TestCatalogue(t *testing.T) {
	if got, want := slices.Sorted(maps.Keys(catalogue)), slices.Sorted(maps.Keys(languages)); !slices.Equal(got, want) {
		t.Fatalf("message files for %v, want one per language %v", got, want)
	}
	en := catalogue[fallbackLang]
	for lang, m := range catalogue {
		for key, v := range en {
			got, ok := m[key]
			switch {
			case !ok || strings.TrimSpace(got) == "":
				t.Errorf("%s: no text for %q", lang, key)
			case strings.Contains(v, "{0}") != strings.Contains(got, "{0}"):
				t.Errorf("%s: %q is %q, which does not keep the {0} of %q", lang, key, got, v)
			}
		}
		for key := range m {
			if _, ok := en[key]; !ok {
				t.Errorf("%s: %q is not an English key", lang, key)
			}
		}
	}
	used := regexp.MustCompile(`\.TF? "([^"]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s uses %q, which messages/en.json lacks", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestText(t *testing.T) {
	for _, tc := range []struct{ lang, key, want string }{
		{"de", "login.submit", "Anmelden"},
		{"ja", "label.password", "パスワード"},
		{"xx", "login.submit", "Sign in"},
		{"", "label.password", "Password"},
		{"fr", "no.such.key", "no.such.key"},
	} {
		if got := text(tc.lang, tc.key); got != tc.want {
			t.Errorf("text(%q, %q) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
	p := &page{Lang: "es"}
	if got := p.TF("confirm.sentTo", "a***@e***"); !strings.Contains(got, "a***@e***") || strings.Contains(got, "{0}") {
		t.Errorf("TF = %q", got)
	}
}
