// Package health serves the server's liveness and readiness checks for
// load balancers and orchestrators: GET /health answers while the process
// serves, GET /health/ready only while the store answers too.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

// Timeout bounds the store check of a readiness request.
const Timeout = 2 * time.Second

// Routes serves the checks.
type Routes struct {
	Store store.Store
	Log   *slog.Logger
}

// Register mounts GET /health and GET /health/ready on mux.
func (h *Routes) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		write(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /health/ready", h.ready)
}

// ready reads from the store: a pool that cannot exist is not found when
// the store works.
func (h *Routes) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), Timeout)
	defer cancel()
	_, err := h.Store.GetPool(ctx, "health-check")
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.Log.WarnContext(ctx, "readiness check: the store does not answer", "err", err)
		write(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "store": "error"})
		return
	}
	write(w, http.StatusOK, map[string]string{"status": "ok", "store": "ok"})
}

func write(w http.ResponseWriter, status int, body map[string]string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}
