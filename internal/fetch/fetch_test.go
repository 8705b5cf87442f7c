package fetch

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestPublic(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		public bool
	}{
		{"93.184.215.14", true},
		{"8.8.8.8", true},
		{"2606:4700:4700::1111", true},
		{"::ffff:93.184.215.14", true},
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"::ffff:192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata services
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"fd00:ec2::254", false},
		{"fc00::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"100.64.0.1", false},
		{"198.18.0.1", false},
		{"192.0.2.1", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"255.255.255.255", false},
		{"64:ff9b::a00:1", false},
		{"2002:a00:1::", false},
		{"2001:db8::1", false},
	} {
		if got := Public(netip.MustParseAddr(tc.addr)); got != tc.public {
			t.Errorf("Public(%s) = %v, want %v", tc.addr, got, tc.public)
		}
	}
}

func TestRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) }))
	defer srv.Close()
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secret")) }))
	defer tls.Close()
	f := &Fetcher{}
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, u := range []string{
		// An address literal is refused before any connection.
		tls.URL,
		"https://[::1]" + port,
		"https://169.254.169.254/latest/meta-data/",
		// A name is refused once resolved, when dialled: the check is on
		// the address connected to, not on the name.
		"https://localhost" + tls.URL[strings.LastIndex(tls.URL, ":"):],
	} {
		_, err := f.Get(t.Context(), u)
		if !errors.Is(err, ErrForbiddenAddress) {
			t.Errorf("Get %s: got %v, want ErrForbiddenAddress", u, err)
		}
	}
	for _, u := range []string{srv.URL, "ftp://example.com/x", "file:///etc/passwd"} {
		if _, err := f.Get(t.Context(), u); !errors.Is(err, ErrScheme) {
			t.Errorf("Get %s: got %v, want ErrScheme", u, err)
		}
	}
}

func TestRedirects(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("document")) }))
	defer target.Close()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, target.URL, http.StatusFound)
		case "/file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		default:
			http.Redirect(w, r, srv.URL+"/loop", http.StatusFound)
		}
	}))
	defer srv.Close()
	f := &Fetcher{AllowPrivate: true}
	if body, err := f.Get(t.Context(), srv.URL+"/moved"); err != nil || string(body) != "document" {
		t.Fatalf("Get with a redirect: %q, %v", body, err)
	}
	// Every redirect is checked as the first URL is.
	if _, err := f.Get(t.Context(), srv.URL+"/file"); !errors.Is(err, ErrScheme) {
		t.Errorf("Get with a redirect to a file: %v", err)
	}
	if _, err := f.Get(t.Context(), srv.URL+"/loop"); err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Errorf("Get with a redirect loop: %v", err)
	}
}

func TestLimits(t *testing.T) {
	big := strings.Repeat("x", 2048)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Write([]byte(big))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		case "/missing":
			http.NotFound(w, r)
		default:
			w.Write([]byte("ok"))
		}
	}))
	defer srv.Close()
	f := &Fetcher{AllowPrivate: true, MaxBytes: 1024, Timeout: 200 * time.Millisecond}
	if body, err := f.Get(t.Context(), srv.URL+"/"); err != nil || string(body) != "ok" {
		t.Fatalf("Get: %q, %v", body, err)
	}
	if _, err := f.Get(t.Context(), srv.URL+"/big"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Get of a large document: %v", err)
	}
	f.MaxBytes = 2048
	if body, err := (&Fetcher{AllowPrivate: true, MaxBytes: 2048}).Get(t.Context(), srv.URL+"/big"); err != nil || len(body) != 2048 {
		t.Errorf("Get of a document at the limit: %d bytes, %v", len(body), err)
	}
	var se *StatusError
	if _, err := f.Get(t.Context(), srv.URL+"/missing"); !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("Get of a missing document: %v", err)
	}
	start := time.Now()
	if _, err := f.Get(t.Context(), srv.URL+"/slow"); err == nil {
		t.Error("Get of a slow document succeeded")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the timeout took %v", d)
	}
}

// TestDo: a request built by the caller (a token request) goes out under
// the Fetcher's rules; names under .localhost are dialled on loopback, and
// only when private addresses are allowed; an error answer's body is kept.
func TestDo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_request"}`))
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	post := func(f *Fetcher, url, ct string) ([]byte, error) {
		req, err := http.NewRequest(http.MethodPost, url, strings.NewReader("a=b"))
		if err != nil {
			t.Fatal(err)
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		return f.Do(req)
	}
	allowed := &Fetcher{AllowPrivate: true}
	body, err := post(allowed, "http://idp.auth.localhost:"+port+"/token", "application/x-www-form-urlencoded")
	if err != nil || string(body) != `{"ok":true}` {
		t.Fatalf("Do via .localhost: %q, %v", body, err)
	}
	_, err = post(allowed, srv.URL+"/token", "")
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusBadRequest || se.Body != `{"error":"invalid_request"}` {
		t.Errorf("error answer: %v", err)
	}
	if _, err := post(&Fetcher{}, "https://idp.auth.localhost:"+port+"/token", ""); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("a .localhost name was dialled without AllowPrivate: %v", err)
	}
}
