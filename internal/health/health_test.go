package health

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/cognate-idp/cognate/internal/store/sqlite"
)

// Liveness answers whatever the store does; readiness follows the store,
// a real SQLite one, open and then closed.
func TestHealth(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	(&Routes{Store: st, Log: slog.New(slog.DiscardHandler)}).Register(mux)
	get := func(path string) int {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	if get("/health") != 200 || get("/health/ready") != 200 {
		t.Fatalf("open store: /health %d, /health/ready %d", get("/health"), get("/health/ready"))
	}
	st.Close()
	if get("/health") != 200 || get("/health/ready") != 503 {
		t.Fatalf("closed store: /health %d, /health/ready %d", get("/health"), get("/health/ready"))
	}
}
