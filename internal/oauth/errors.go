package oauth

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/cognate-idp/cognate/internal/model"
)

// Error is an OAuth 2.0 error (RFC 6749 section 5.2, RFC 7009, RFC 6750):
// its code, a description for the developer and the HTTP status.
type Error struct {
	Code        string
	Description string
	Status      int
	// bearer adds WWW-Authenticate: Bearer error="<Code>" (RFC 6750).
	bearer bool
}

func (e *Error) Error() string {
	if e.Description == "" {
		return e.Code
	}
	return e.Code + ": " + e.Description
}

// oauthError is an Error with HTTP 400, the status Cognito's token
// endpoint gives every error.
func oauthError(code, description string) *Error {
	return &Error{Code: code, Description: description, Status: http.StatusBadRequest}
}

var errServer = &Error{Code: "server_error", Description: "The server could not complete the request.", Status: http.StatusInternalServerError}

// fromCognito maps the sign-in core's Cognito exceptions to OAuth errors:
// refusals of a token, code or user (NotAuthorizedException and the like)
// are invalid_grant, bad parameters invalid_request, and a trigger's refusal
// or anything else Cognito-shaped invalid_request with its message. Errors
// that are not Cognito exceptions (a broken store) are returned as they are,
// for a 500.
func fromCognito(err error) error {
	var oe *Error
	if errors.As(err, &oe) {
		return oe
	}
	var api model.APIError
	if !errors.As(err, &api) {
		return err
	}
	switch api.ErrorCode() {
	case "NotAuthorizedException", "UserNotFoundException", "RefreshTokenReuseException",
		"UserNotConfirmedException", "PasswordResetRequiredException", "ExpiredCodeException", "CodeMismatchException":
		return oauthError("invalid_grant", api.ErrorMessage())
	case "UnauthorizedException":
		return oauthError("unauthorized_client", api.ErrorMessage())
	case "InternalErrorException":
		return errServer
	}
	return oauthError("invalid_request", api.ErrorMessage())
}

// writeError writes err as RFC 6749's JSON error: an *Error as it is,
// anything else as a bare server_error.
func writeError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = errServer
	}
	body := map[string]string{"error": e.Code}
	if e.Description != "" {
		body["error_description"] = e.Description
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	if e.bearer {
		h.Set("WWW-Authenticate", `Bearer error="`+e.Code+`", error_description="`+headerSafe(e.Description)+`"`)
	}
	w.WriteHeader(e.Status)
	w.Write(b)
}

// headerSafe keeps the characters RFC 6750 allows in error_description.
func headerSafe(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E) {
			out = append(out, c)
		}
	}
	return string(out)
}

// writeJSON answers 200 with a JSON body that must not be cached.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, errServer)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}
