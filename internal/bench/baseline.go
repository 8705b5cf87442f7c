package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// baselineUsers is how many synthetic usernames the baseline draws from.
const baselineUsers = 1000

// baselinePoolID is the pool id the baseline's requests name.
const baselinePoolID = "us-east-1_baseline"

// baselineBodies are the fixed answers of the baseline handler, by the
// operation in X-Amz-Target, each shaped like a small real response so that
// the SDK does the usual decoding work.
var baselineBodies = map[string][]byte{
	"AdminGetUser": []byte(`{"Username":"bench-user","UserAttributes":[{"Name":"sub","Value":"3c9a1e56-7d2b-4f0e-9a51-0b6f2d8e4c17"},` +
		`{"Name":"email","Value":"bench-user@example.com"},{"Name":"given_name","Value":"Given"},{"Name":"family_name","Value":"Bench"}],` +
		`"UserCreateDate":1767225600,"UserLastModifiedDate":1767225600,"Enabled":true,"UserStatus":"CONFIRMED"}`),
	"AdminCreateUser": []byte(`{"User":{"Username":"bench-user","Attributes":[{"Name":"sub","Value":"3c9a1e56-7d2b-4f0e-9a51-0b6f2d8e4c17"},` +
		`{"Name":"email","Value":"bench-user@example.com"},{"Name":"given_name","Value":"Given"},{"Name":"family_name","Value":"Bench"}],` +
		`"UserCreateDate":1767225600,"UserLastModifiedDate":1767225600,"Enabled":true,"UserStatus":"FORCE_CHANGE_PASSWORD"}}`),
	"ListUsers": []byte(`{"Users":[{"Username":"bench-user","Attributes":[{"Name":"sub","Value":"3c9a1e56-7d2b-4f0e-9a51-0b6f2d8e4c17"},` +
		`{"Name":"email","Value":"bench-user@example.com"},{"Name":"given_name","Value":"Given"},{"Name":"family_name","Value":"Bench"}],` +
		`"UserCreateDate":1767225600,"UserLastModifiedDate":1767225600,"Enabled":true,"UserStatus":"CONFIRMED"}]}`),
	"InitiateAuth":           baselineTokens,
	"RespondToAuthChallenge": baselineTokens,
	// The SRP challenge, for InitiateAuth with USER_SRP_AUTH: a valid SRP_B
	// so that the client does its real exponentiations.
	"InitiateAuth USER_SRP_AUTH": []byte(`{"ChallengeName":"PASSWORD_VERIFIER","Session":"baseline-session-0123456789",` +
		`"ChallengeParameters":{"SALT":"0a1b2c3d4e5f60718293a4b5c6d7e8f9","SRP_B":"` + strings.Repeat("5a", 380) + `",` +
		`"SECRET_BLOCK":"YmFzZWxpbmUgc2VjcmV0IGJsb2Nr","USER_ID_FOR_SRP":"bench-user","USERNAME":"bench-user"}}`),
}

// baselineTokens is a sign-in result of the size of a real one: two JWTs
// of about a kilobyte and an opaque refresh token.
var baselineTokens = []byte(`{"AuthenticationResult":{"AccessToken":"` + strings.Repeat("a", 1000) + `","ExpiresIn":3600,` +
	`"IdToken":"` + strings.Repeat("i", 1200) + `","RefreshToken":"` + strings.Repeat("r", 64) + `","TokenType":"Bearer"},"ChallengeParameters":{}}`)

// baselineHandler answers every POST with the fixed body for its operation
// ({} for operations it does not know), after reading the request body as a
// real server would.
func baselineHandler(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	req, _ := io.ReadAll(r.Body)
	_, operation, _ := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	if operation == "InitiateAuth" && strings.Contains(string(req), `"USER_SRP_AUTH"`) {
		operation = "InitiateAuth USER_SRP_AUTH"
	}
	body, ok := baselineBodies[operation]
	if !ok {
		body = []byte("{}")
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "00000000-0000-0000-0000-000000000000")
	_, _ = w.Write(body)
}

// runBaseline drives the workload's requests, with the same client and loop
// as a real run, against baselineHandler served on 127.0.0.1:0.
func runBaseline(ctx context.Context, cfg config) (result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, fmt.Errorf("bench: baseline listener: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(baselineHandler)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	transport := newTransport(cfg.Concurrency, false)
	client := newRawClient("http://"+ln.Addr().String(), transport)
	users := make([]user, baselineUsers)
	for i := range users {
		users[i] = benchUser("baseline", i)
	}
	var o op
	if signInWorkload(cfg.Workload) {
		o, err = signInOp(ctx, cfg.Workload, client, baselinePoolID, "baseline-client", users, cfg.Concurrency)
	} else {
		o, err = newOp(cfg.Workload, client, baselinePoolID, "baseline", users)
	}
	var res result
	if err == nil {
		res = drive(ctx, cfg.Concurrency, cfg.Duration, o)
	}
	transport.CloseIdleConnections()
	// Close rather than Shutdown: nothing is in flight once drive returns.
	if cerr := srv.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("bench: baseline server: %w", cerr))
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("bench: baseline server: %w", serr))
	}
	return res, err
}
