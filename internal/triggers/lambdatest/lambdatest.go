// Package lambdatest runs an in-process stand-in for AWS Lambda in Go
// tests: it serves the Lambda Invoke API (POST
// /2015-03-31/functions/NAME/invocations, as the AWS SDK sends it) and
// per-function HTTP endpoints (POST /endpoints/NAME), runs Go functions as
// the handlers and records every event they receive.
package lambdatest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/cognate-idp/cognate/internal/triggers"
)

// Handler is a function: it receives the event and answers with what is
// encoded as the function's response payload (usually the event), or
// fails with an error whose text is the errorMessage.
type Handler func(ctx context.Context, event map[string]any) (any, error)

// Server is a running stand-in. Add functions with Handle.
type Server struct {
	// URL is the Invoke API's endpoint (--lambda-endpoint).
	URL string

	mu       sync.Mutex
	handlers map[string]Handler
	events   map[string][]map[string]any
	// unsigned counts Invoke API requests without an Authorization header.
	unsigned int
}

// Start runs a stand-in until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{handlers: map[string]Handler{}, events: map[string][]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", s.invoke)
	mux.HandleFunc("POST /endpoints/{name}", s.endpoint)
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// Handle sets the handler of the function name (a name, not an ARN: the
// server looks functions up by the name part of an ARN).
func (s *Server) Handle(name string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[name] = h
}

// EndpointURL is the per-function HTTP endpoint of the function name.
func (s *Server) EndpointURL(name string) string {
	return s.URL + "/endpoints/" + url.PathEscape(name)
}

// Events returns the events the function name has received, oldest first.
func (s *Server) Events(name string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.events[name]...)
}

// Unsigned counts the Invoke API requests that came without a SigV4
// Authorization header.
func (s *Server) Unsigned() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unsigned
}

// run decodes the event and runs the function's handler.
func (s *Server) run(r *http.Request) (name string, out []byte, status int, fnErr error) {
	name = triggers.FunctionName(r.PathValue("name"))
	s.mu.Lock()
	h := s.handlers[name]
	s.mu.Unlock()
	if h == nil {
		return name, nil, http.StatusNotFound, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return name, nil, http.StatusBadRequest, nil
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		return name, nil, http.StatusBadRequest, nil
	}
	s.mu.Lock()
	s.events[name] = append(s.events[name], ev)
	s.mu.Unlock()
	res, err := h(r.Context(), ev)
	if err != nil {
		return name, nil, http.StatusOK, err
	}
	if raw, ok := res.(json.RawMessage); ok {
		return name, raw, http.StatusOK, nil
	}
	out, err = json.Marshal(res)
	if err != nil {
		return name, nil, http.StatusOK, err
	}
	return name, out, http.StatusOK, nil
}

// errorPayload is a Lambda runtime's error payload.
func errorPayload(err error) []byte {
	typ := "Error"
	var te interface{ ErrorType() string }
	if errors.As(err, &te) {
		typ = te.ErrorType()
	}
	b, _ := json.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": typ})
	return b
}

// invoke serves the Invoke API; an Event invocation runs the handler,
// then answers 202 without its answer.
func (s *Server) invoke(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") == "" {
		s.mu.Lock()
		s.unsigned++
		s.mu.Unlock()
	}
	name, out, status, fnErr := s.run(r)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case status == http.StatusNotFound:
		w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
		w.WriteHeader(status)
		io.WriteString(w, `{"Type":"User","message":"Function not found: `+name+`"}`)
	case status != http.StatusOK:
		w.Header().Set("X-Amzn-ErrorType", "InvalidRequestContentException")
		w.WriteHeader(status)
		io.WriteString(w, `{"Type":"User","message":"Could not parse request body into json"}`)
	case r.Header.Get("X-Amz-Invocation-Type") == "Event":
		// Queued: the caller learns nothing of the function's answer.
		w.WriteHeader(http.StatusAccepted)
	case fnErr != nil:
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		w.Write(errorPayload(fnErr))
	default:
		w.Write(out)
	}
}

// endpoint serves a per-function HTTP endpoint: a failure is a 500 with
// the error payload.
func (s *Server) endpoint(w http.ResponseWriter, r *http.Request) {
	_, out, status, fnErr := s.run(r)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case status != http.StatusOK:
		w.WriteHeader(status)
	case fnErr != nil:
		w.WriteHeader(http.StatusInternalServerError)
		w.Write(errorPayload(fnErr))
	default:
		w.Write(out)
	}
}

// Respond returns a Handler that sets the event's response members and
// answers with the event, as most trigger functions do.
func Respond(response map[string]any) Handler {
	return func(_ context.Context, ev map[string]any) (any, error) {
		resp, _ := ev["response"].(map[string]any)
		if resp == nil {
			resp = map[string]any{}
		}
		for k, v := range response {
			resp[k] = v
		}
		ev["response"] = resp
		return ev, nil
	}
}
