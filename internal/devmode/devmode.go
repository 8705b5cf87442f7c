// Package devmode serves the routes of development mode (serve --dev), which
// test suites call between tests: POST /_cognate/reset deletes every user
// pool, and moto's server-mode routes do what they mean for Cognate, so that
// suites moving from moto keep their fixtures. The configuration allows the
// mode only on loopback addresses: the routes have no authentication.
package devmode

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/cognate-idp/cognate/internal/store"
)

// Paths of the routes.
const (
	ResetPath         = "/_cognate/reset"
	MotoResetPath     = "/moto-api/reset"
	MotoResetAuthPath = "/moto-api/reset-auth"
)

// Reset serves the reset routes.
type Reset struct {
	Store store.Store
	Log   *slog.Logger
}

// Register mounts the routes on mux.
func (h *Reset) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+ResetPath, h.serveReset)
	mux.HandleFunc("POST "+MotoResetPath, h.serveMotoReset)
	mux.HandleFunc("POST "+MotoResetAuthPath, serveMotoResetAuth)
}

// DeleteAllPools deletes every user pool and everything in it, deletion
// protection or not, in one transaction, and returns how many it deleted.
func DeleteAllPools(ctx context.Context, st store.Store) (int, error) {
	var n int
	err := st.Tx(ctx, func(tx store.Store) error {
		var ids []string
		page := store.Page{Limit: 60}
		for {
			pools, next, err := tx.ListPools(ctx, page)
			if err != nil {
				return fmt.Errorf("list pools: %w", err)
			}
			for _, p := range pools {
				ids = append(ids, p.ID)
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		for _, id := range ids {
			if err := tx.DeletePool(ctx, id); err != nil {
				return fmt.Errorf("delete pool %s: %w", id, err)
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// reset deletes every pool and logs it; it writes a 500 and returns false
// on failure.
func (h *Reset) reset(w http.ResponseWriter, r *http.Request) (int, bool) {
	n, err := DeleteAllPools(r.Context(), h.Store)
	if err != nil {
		h.Log.Error("development reset failed", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"Error": "reset failed: see the server's log"})
		return 0, false
	}
	h.Log.Info("development reset: deleted every user pool", "pools", n, "route", r.URL.Path)
	return n, true
}

// serveReset answers {"deletedPools": N}.
func (h *Reset) serveReset(w http.ResponseWriter, r *http.Request) {
	if n, ok := h.reset(w, r); ok {
		writeJSON(w, http.StatusOK, map[string]int{"deletedPools": n})
	}
}

// serveMotoReset answers as moto's POST /moto-api/reset does:
// {"status": "ok"}.
func (h *Reset) serveMotoReset(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.reset(w, r); ok {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}

// serveMotoResetAuth answers moto's POST /moto-api/reset-auth. In moto the
// body is a number of requests to let through unauthenticated before IAM
// authorization starts, and the answer gives the previous number (moto's
// default is infinity: never authorize). It resets no data. Cognate has no
// such counter, so it changes nothing, and answers as moto does with its
// default as the previous value.
func serveMotoResetAuth(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64))
	if err == nil {
		_, err = strconv.ParseFloat(strings.TrimSpace(string(body)), 64)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"Error": "the body must be a number of unauthenticated requests, as moto expects"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": "inf"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
