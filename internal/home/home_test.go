package home

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPage(t *testing.T) {
	for _, tc := range []struct {
		page      Page
		want, not []string
	}{
		{Page{Version: "v1.2.3"}, []string{"<title>Cognate v1.2.3</title>", "--endpoint-url http://example.test:9229 ", "http://example.test:9229/&lt;pool ID&gt;/.well-known/jwks.json"}, []string{"outbox", "reset"}},
		{Page{Version: "devel", Outbox: true, Dev: true}, []string{`href="/_cognate/outbox.html"`, "POST http://example.test:9229/_cognate/reset"}, nil},
		{Page{Version: "<b>"}, []string{"Cognate &lt;b&gt;"}, []string{"<b>"}},
	} {
		mux := http.NewServeMux()
		tc.page.Register(mux)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.test:9229/", nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("%+v: %d %v", tc.page, rec.Code, rec.Header())
		}
		for _, w := range tc.want {
			if !strings.Contains(string(body), w) {
				t.Errorf("%+v: page lacks %q:\n%s", tc.page, w, body)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(string(body), n) {
				t.Errorf("%+v: page has %q:\n%s", tc.page, n, body)
			}
		}
		// Only the root is the page.
		rec = httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.test:9229/other", nil))
		if rec.Code != 404 {
			t.Errorf("GET /other: %d", rec.Code)
		}
	}
}
