package messaging

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var textMessage = &Message{
	ID: "0f8e1c2a-4b5d-4e6f-8a9b-0c1d2e3f4a5b", PoolID: "us-east-1_abc", Username: "bob", Kind: KindInvitation,
	Destination: "+15550000001",
	Body:        Body{Text: "Your username is bob and temporary password is Sms-Temp-Pw0rd!"},
}

// hook is a webhook receiver that records requests and answers with
// status(n) for the n-th request (from 1).
type hook struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []map[string]any
	status func(n int) int
}

func newHook(t *testing.T, status func(n int) int) *hook {
	h := &hook{status: status}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &body) != nil {
			t.Errorf("webhook request: %s %s %q", r.Method, r.Header.Get("Content-Type"), b)
		}
		h.mu.Lock()
		h.bodies = append(h.bodies, body)
		n := len(h.bodies)
		h.mu.Unlock()
		w.WriteHeader(h.status(n))
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) requests() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.bodies...)
}

func TestWebhook(t *testing.T) {
	h := newHook(t, func(int) int { return http.StatusAccepted })
	w := &Webhook{URL: h.URL + "/sms?token=abc"}
	if err := w.SendSMS(t.Context(), textMessage); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{
		"destination": "+15550000001", "text": textMessage.Text, "poolId": "us-east-1_abc", "username": "bob",
		"kind": "invitation", "messageId": textMessage.ID,
	}}
	if d := cmp.Diff(want, h.requests()); d != "" {
		t.Errorf("webhook body (-want +got):\n%s", d)
	}
}

func TestWebhookFailures(t *testing.T) {
	redirected := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the webhook followed a redirect")
	}))
	defer redirected.Close()
	cases := []struct {
		name    string
		handler http.HandlerFunc
		timeout time.Duration
		wantErr string
	}{
		{"server error", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, 0, "status 500"},
		{"client error", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad number", 400) }, 0, "status 400"},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, redirected.URL, http.StatusTemporaryRedirect)
		}, 0, "status 307"},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // the server notices a closed connection once the body is read
			// Bounded, so that srv.Close never waits forever on this handler.
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, 50 * time.Millisecond, "Timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			w := &Webhook{URL: srv.URL + "/sms?token=topsecret", Timeout: tc.timeout}
			err := w.SendSMS(t.Context(), textMessage)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			mustNotContain(t, "error", err.Error(), "topsecret", textMessage.Text, textMessage.Destination)
		})
	}
	w := &Webhook{URL: "http://127.0.0.1:1/sms?token=topsecret"}
	err := w.SendSMS(t.Context(), textMessage)
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	mustNotContain(t, "error", err.Error(), "topsecret")
}

func TestParseWebhookURL(t *testing.T) {
	for _, u := range []string{"https://sms.example.com/hook", "http://127.0.0.1:8080/sms?token=x"} {
		if _, err := ParseWebhookURL(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"", "sms.example.com/hook", "ftp://sms.example.com", "https:///hook", "https://sms.example.com:x/?token=topsecret", "https://exa mple.com/?token=topsecret"} {
		_, err := ParseWebhookURL(u)
		if err == nil {
			t.Errorf("%q: no error", u)
			continue
		}
		mustNotContain(t, "error", err.Error(), "topsecret")
	}
}
