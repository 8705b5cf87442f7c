package messaging

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/store"
)

func newReader(t *testing.T, o *outbox) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	(&Outbox{Store: o.st, Keys: o.keys}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func getPage(t *testing.T, url string) OutboxPage {
	t.Helper()
	resp, body := get(t, url)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET %s: %d %v %s", url, resp.StatusCode, resp.Header, body)
	}
	var p OutboxPage
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("GET %s: %v: %s", url, err, body)
	}
	return p
}

func ids(p OutboxPage) []string {
	out := []string{}
	for _, m := range p.Messages {
		out = append(out, m.ID)
	}
	return out
}

func TestOutboxJSON(t *testing.T) {
	o := newOutbox(t)
	o.enqueue(t, "m1", MediumEmail, "bob@example.com", Body{Subject: "Your temporary password", Text: "password is Pw-1"})
	o.enqueue(t, "m2", MediumSMS, "+15550000001", Body{Text: "password is Pw-2"})
	o.enqueue(t, "m3", MediumEmail, "bob@example.com", Body{Subject: "Again", Text: "password is Pw-3"})
	o.enqueueIn(t, testPool+"2", "m4", MediumEmail, "bob@example.com", Body{Text: "other pool"})
	srv := newReader(t, o)

	p := getPage(t, srv.URL+"/_cognate/outbox?pool="+testPool+"&to=bob@example.com")
	want := OutboxPage{Messages: []OutboxMessage{
		{ID: "m3", PoolID: testPool, Username: "user-m3", Kind: "invitation", Medium: "EMAIL", Destination: "bob@example.com",
			Subject: "Again", Text: "password is Pw-3", CreatedAt: time.Date(2026, 5, 1, 12, 0, 3, 0, time.UTC)},
		{ID: "m1", PoolID: testPool, Username: "user-m1", Kind: "invitation", Medium: "EMAIL", Destination: "bob@example.com",
			Subject: "Your temporary password", Text: "password is Pw-1", CreatedAt: time.Date(2026, 5, 1, 12, 0, 1, 0, time.UTC)},
	}}
	if d := cmp.Diff(want, p); d != "" {
		t.Errorf("outbox (-want +got):\n%s", d)
	}
	// The wire format, field by field.
	_, raw := get(t, srv.URL+"/_cognate/outbox?pool="+testPool+"&to=%2B15550000001")
	var generic map[string][]map[string]any
	if err := json.Unmarshal([]byte(raw), &generic); err != nil {
		t.Fatal(err)
	}
	wantRaw := map[string][]map[string]any{"messages": {{"id": "m2", "poolId": testPool, "username": "user-m2", "kind": "invitation",
		"medium": "SMS", "destination": "+15550000001", "subject": "", "text": "password is Pw-2", "createdAt": "2026-05-01T12:00:02Z"}}}
	if d := cmp.Diff(wantRaw, generic); d != "" {
		t.Errorf("wire format (-want +got):\n%s", d)
	}

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"m4", "m3", "m2", "m1"}},
		{"?pool=" + testPool, []string{"m3", "m2", "m1"}},
		{"?to=bob@example.com", []string{"m4", "m3", "m1"}},
		{"?to=+15550000001", []string{"m2"}}, // an unencoded + decodes to a space
		{"?to=%2B15550000001", []string{"m2"}},
		{"?pool=" + testPool + "&limit=2", []string{"m3", "m2"}},
		{"?pool=us-east-1_none", []string{}},
		{"?to=nobody@example.com", []string{}},
	} {
		if got := ids(getPage(t, srv.URL+"/_cognate/outbox"+tc.query)); !cmp.Equal(got, tc.want) {
			t.Errorf("%q: %v, want %v", tc.query, got, tc.want)
		}
	}
	for _, q := range []string{"?limit=0", "?limit=1001", "?limit=x"} {
		if resp, body := get(t, srv.URL+"/_cognate/outbox"+q); resp.StatusCode != 400 {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
	for _, path := range []string{"/_cognate/outbox/", "/_cognate/outbox.json", "/_cognate"} {
		if resp, _ := get(t, srv.URL+path); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	if resp, err := http.Post(srv.URL+"/_cognate/outbox", "application/json", nil); err != nil || resp.StatusCode != 405 {
		t.Errorf("POST: %v %v", resp, err)
	}
}

// A body sealed under a key the key file no longer has is listed with an
// error rather than failing the listing.
func TestOutboxUnreadableBody(t *testing.T) {
	o := newOutbox(t)
	o.enqueue(t, "ok", MediumEmail, "bob@example.com", Body{Text: "fine"})
	if err := o.st.EnqueueMessage(t.Context(), &store.Message{ID: "bad", PoolID: testPool, Kind: KindInvitation, Medium: MediumEmail,
		Destination: "bob@example.com", Body: []byte("not sealed"), CreatedAt: o.now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	p := getPage(t, newReader(t, o).URL+"/_cognate/outbox")
	if len(p.Messages) != 2 || p.Messages[0].ID != "bad" || p.Messages[0].Error == "" || p.Messages[0].Text != "" ||
		p.Messages[1].Error != "" || p.Messages[1].Text != "fine" {
		t.Errorf("messages %+v", p.Messages)
	}
}

func TestOutboxHTML(t *testing.T) {
	o := newOutbox(t)
	o.enqueue(t, "m1", MediumEmail, "bob@example.com", Body{Subject: "<b>Hi</b>", Text: "password is <script>alert(1)</script>&Pw"})
	srv := newReader(t, o)
	resp, body := get(t, srv.URL+"/_cognate/outbox.html?to=bob@example.com&pool=%22%3E%3Cscript%3E")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	// The pool filter names no pool, so nothing is listed; the filter is
	// echoed escaped.
	if strings.Contains(body, "<script>") || !strings.Contains(body, "&#34;&gt;&lt;script&gt;") {
		t.Errorf("the filter is not escaped:\n%s", body)
	}
	_, body = get(t, srv.URL+"/_cognate/outbox.html?to=bob@example.com")
	for _, want := range []string{"&lt;b&gt;Hi&lt;/b&gt;", "password is &lt;script&gt;alert(1)&lt;/script&gt;&amp;Pw", "bob@example.com", testPool, "1 message(s)"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "<b>") {
		t.Errorf("page has unescaped markup:\n%s", body)
	}
}
