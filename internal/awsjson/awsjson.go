// Package awsjson serves the AWS JSON 1.1 protocol that the Cognito user
// pools API speaks: POST / with X-Amz-Target naming the operation. It
// decodes the request into the operation's generated input shape, validates
// it against the model, calls the operation's handler and encodes the
// result. It is the only writer of wire errors: __type, message, the
// x-amzn-ErrorType header and the HTTP status.
package awsjson

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
)

// TargetPrefix is the X-Amz-Target prefix of the Cognito user pools API.
const TargetPrefix = "AWSCognitoIdentityProviderService."

// DefaultMaxBody is the default limit on a request body. The largest
// legitimate requests carry branding assets.
const DefaultMaxBody = 8 << 20

type handler func(ctx context.Context, in model.Input) (any, error)

// IAMAuth authenticates the requests of IAM-authorized operations. Its
// errors should be APIErrors (a ProtocolError with AWS's exception name).
type IAMAuth interface {
	// Authenticate checks the signature of r, whose body is body, and
	// returns who made it.
	Authenticate(r *http.Request, body []byte) (Principal, error)
}

// Principal is who signed a request.
type Principal interface {
	// Allow says whether the principal may call op on the user pool poolID
	// (empty when the request names none).
	Allow(op, poolID string) error
}

// Mux routes AWS JSON 1.1 requests to operation handlers. Every operation of
// the model is routed: one without a handler answers NotImplementedException.
type Mux struct {
	// Logger receives one debug record per request (operation, request ID,
	// outcome, duration) and the cause of every internal error. Inputs are
	// never logged.
	Logger *slog.Logger
	// MaxBody limits request bodies; DefaultMaxBody when zero.
	MaxBody int64
	// CORSOrigins lists the origins browsers may call from; "*" allows any.
	CORSOrigins []string
	// Observe, when set, is told the operation, outcome ("ok" or the
	// exception name) and duration of every request.
	Observe func(op, outcome string, took time.Duration)
	// IAM authenticates the requests of IAM-authorized operations; nil
	// leaves them open to unsigned requests, and then refuses them from
	// other origins, so that no web page can drive them.
	IAM IAMAuth
	// Throttle, when set, sees every request once it is authenticated and
	// decoded, with the user pool it names (empty when none); an error
	// answers the request instead of its handler (TooManyRequestsException
	// when a rate limit is reached).
	Throttle func(ctx context.Context, op, poolID string, in model.Input) error
	// Gate, when set, sees every request once it is authenticated and
	// decoded, before Throttle, with the user pool it names (empty when
	// none); an error answers the request instead of its handler (the
	// OperationNotEnabledException of an operation a pool's secondary
	// region does not serve).
	Gate func(ctx context.Context, op, poolID string, in model.Input) error

	handlers map[string]handler
}

// NewMux returns a Mux with no operation handled yet.
func NewMux(logger *slog.Logger) *Mux {
	return &Mux{Logger: logger, CORSOrigins: []string{"*"}, handlers: map[string]handler{}}
}

// Handle registers h as the handler of operation op. It panics when op is
// not in the model, is registered twice, or when h's types are not the
// operation's input and output shapes: all programming errors caught at
// start-up.
func Handle[I any, O any](m *Mux, op string, h func(context.Context, *I) (*O, error)) {
	row, ok := model.OperationByName(op)
	if !ok {
		panic("awsjson: unknown operation " + op)
	}
	if _, dup := m.handlers[op]; dup {
		panic("awsjson: operation registered twice: " + op)
	}
	if _, ok := any(row.NewInput()).(*I); !ok {
		panic(fmt.Sprintf("awsjson: %s takes %T, not *%s", op, row.NewInput(), reflect.TypeFor[I]()))
	}
	if row.NewOutput != nil {
		if _, ok := row.NewOutput().(*O); !ok {
			panic(fmt.Sprintf("awsjson: %s returns %T, not *%s", op, row.NewOutput(), reflect.TypeFor[O]()))
		}
	}
	m.handlers[op] = func(ctx context.Context, in model.Input) (any, error) {
		out, err := h(ctx, any(in).(*I))
		if err != nil {
			return nil, err
		}
		if row.NewOutput == nil || out == nil {
			return struct{}{}, nil
		}
		return out, nil
	}
}

// Handled reports whether op has a handler.
func (m *Mux) Handled(op string) bool {
	_, ok := m.handlers[op]
	return ok
}

type ctxKey struct{}

// RequestID returns the id of the request being served, for logs.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// ServeHTTP serves one AWS JSON request, or a CORS preflight.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.cors(w, r)
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusOK)
		return
	}
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	ctx := context.WithValue(r.Context(), ctxKey{}, reqID)
	start := time.Now()
	op, out, err := m.serve(ctx, w, r)
	if err == nil {
		var body []byte
		if body, err = json.Marshal(out); err == nil {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusOK)
			w.Write(body)
			m.observe(ctx, op, "ok", start)
			return
		}
		err = fmt.Errorf("encode %s output: %w", op, err)
	}
	code := m.writeError(ctx, w, op, err)
	m.observe(ctx, op, code, start)
}

// observe reports a request to Observe, and logs it at debug level: its
// operation, ID, outcome and duration, never its input.
func (m *Mux) observe(ctx context.Context, op, outcome string, start time.Time) {
	took := time.Since(start)
	if m.Logger.Enabled(ctx, slog.LevelDebug) {
		m.Logger.DebugContext(ctx, "request", "op", op, "request_id", RequestID(ctx), "outcome", outcome, "took", took)
	}
	if m.Observe != nil {
		if _, known := model.OperationByName(op); !known {
			op = ""
		}
		m.Observe(op, outcome, took)
	}
}

// newRequestID returns a random (version 4) UUID, the form of AWS request
// ids. It is written here rather than taken from github.com/google/uuid,
// which imports database/sql/driver, a package awsjson must not depend on.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (m *Mux) serve(ctx context.Context, w http.ResponseWriter, r *http.Request) (string, any, error) {
	if r.Method != http.MethodPost {
		return "", nil, &model.ProtocolError{Code: "UnknownOperationException", Message: "Only POST requests are accepted.", Status: http.StatusMethodNotAllowed}
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, TargetPrefix)
	row, known := model.OperationByName(op)
	if !ok || !known {
		return op, nil, &model.ProtocolError{Code: "UnknownOperationException", Message: "Unknown operation: " + target, Status: http.StatusBadRequest}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/x-amz-json-1.1" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/x-amz-json-1.1" && mt != "application/json") {
			return op, nil, &model.ProtocolError{Code: "SerializationException", Message: "Unsupported Content-Type: " + ct, Status: http.StatusBadRequest}
		}
	}
	max := m.MaxBody
	if max == 0 {
		max = DefaultMaxBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			return op, nil, &model.ProtocolError{Code: "RequestEntityTooLargeException", Message: fmt.Sprintf("Request body exceeds %d bytes.", max), Status: http.StatusRequestEntityTooLarge}
		}
		return op, nil, &model.ProtocolError{Code: "SerializationException", Message: "Could not read the request body.", Status: http.StatusBadRequest}
	}
	var who Principal
	if row.Auth == model.AuthIAM {
		if m.IAM == nil {
			if crossOrigin(r) {
				return op, nil, &model.ProtocolError{Code: "AccessDeniedException", Status: http.StatusForbidden,
					Message: "Cross-origin requests to IAM-authorized operations are refused while they accept unsigned requests (start Cognate with --iam-credentials)."}
			}
		} else if who, err = m.IAM.Authenticate(r, body); err != nil {
			return op, nil, err
		}
	}
	in, err := Decode(row, body)
	if err != nil {
		return op, nil, err
	}
	pool := poolOf(in)
	if who != nil {
		if err := who.Allow(op, pool); err != nil {
			return op, nil, err
		}
	}
	if m.Gate != nil {
		if err := m.Gate(ctx, op, pool, in); err != nil {
			return op, nil, err
		}
	}
	if m.Throttle != nil {
		if err := m.Throttle(ctx, op, pool, in); err != nil {
			return op, nil, err
		}
	}
	h := m.handlers[op]
	if h == nil {
		return op, nil, &model.ProtocolError{Code: "NotImplementedException", Message: op + " is not implemented yet.", Status: http.StatusNotImplemented}
	}
	out, err := call(ctx, h, in)
	return op, out, err
}

// crossOrigin reports whether a browser sent r from another origin than
// the server's: its Origin names another host, or is "null".
func crossOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return r.Header.Get("Sec-Fetch-Site") == "cross-site" || r.Header.Get("Sec-Fetch-Site") == "same-site"
	}
	_, host, ok := strings.Cut(origin, "://")
	return !ok || !strings.EqualFold(host, r.Host)
}

// poolOf returns the user pool an input names: its UserPoolId, or the pool
// of a user pool ARN in ResourceArn; empty when it names none.
func poolOf(in model.Input) string {
	v := reflect.ValueOf(in)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	if f := v.FieldByName("UserPoolId"); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	if f := v.FieldByName("ResourceArn"); f.IsValid() && f.Kind() == reflect.String {
		if _, id, ok := strings.Cut(f.String(), ":userpool/"); ok {
			return id
		}
	}
	return ""
}

// Refuse answers a request with err, an APIError, as the API answers
// errors: for checks made before a request reaches the Mux.
func (m *Mux) Refuse(w http.ResponseWriter, r *http.Request, err error) {
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	ctx := context.WithValue(r.Context(), ctxKey{}, reqID)
	code := m.writeError(ctx, w, "", err)
	m.Logger.DebugContext(ctx, "request refused", "request_id", reqID, "outcome", code)
}

// call runs a handler, turning a panic into an internal error that carries
// its cause and stack for the log; the caller sees InternalErrorException.
func call(ctx context.Context, h handler, in model.Input) (out any, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, in)
}

// Decode parses a request body into the operation's input shape and
// validates it against the model. Errors are wire errors:
// SerializationException for a body that is not a JSON object of the right
// types or has an object with a key twice, InvalidParameterException for a
// constraint violation. Member names match exactly, as in AWS JSON: one
// that differs in case is an unknown member, ignored.
func Decode(row *model.Operation, body []byte) (model.Input, error) {
	in := row.NewInput()
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	body, err := exactMembers(reflect.TypeOf(in), body)
	if err != nil {
		return nil, &model.ProtocolError{Code: "SerializationException", Message: "Duplicate key in a JSON object of the request body.", Status: http.StatusBadRequest}
	}
	if err := json.Unmarshal(body, in); err != nil {
		return nil, &model.ProtocolError{Code: "SerializationException", Message: serializationMessage(err), Status: http.StatusBadRequest}
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return in, nil
}

// serializationMessage describes a decoding failure without echoing values.
func serializationMessage(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		if te.Field != "" {
			return fmt.Sprintf("Unexpected %s for member '%s' (expected %s).", te.Value, te.Field, jsonKind(te.Type))
		}
		return fmt.Sprintf("Unexpected %s (expected %s).", te.Value, jsonKind(te.Type))
	}
	return "Request body is not valid JSON."
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int32, reflect.Int64, reflect.Float64:
		return "number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "base64 string"
		}
		return "list"
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}

// writeError writes err as the wire error and returns its exception name.
func (m *Mux) writeError(ctx context.Context, w http.ResponseWriter, op string, err error) string {
	apiErr, ok := errors.AsType[model.APIError](err)
	if !ok {
		m.Logger.ErrorContext(ctx, "internal error", "op", op, "request_id", RequestID(ctx), "err", err)
		apiErr = &model.InternalErrorException{Message: "Internal server error."}
	}
	fields := map[string]any{}
	if _, proto := apiErr.(*model.ProtocolError); !proto {
		// Generated exception shapes may carry members besides the message.
		if b, err := json.Marshal(apiErr); err == nil {
			json.Unmarshal(b, &fields)
		}
	}
	fields["__type"] = apiErr.ErrorCode()
	fields["message"] = apiErr.ErrorMessage()
	body, _ := json.Marshal(fields)
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-ErrorType", apiErr.ErrorCode())
	w.WriteHeader(apiErr.HTTPStatus())
	w.Write(body)
	return apiErr.ErrorCode()
}

var corsAllowHeaders = strings.Join([]string{
	"content-type", "x-amz-target", "x-amz-user-agent", "authorization", "amz-sdk-invocation-id",
	"amz-sdk-request", "cache-control", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
}, ", ")

func (m *Mux) cors(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	allowed := ""
	for _, o := range m.CORSOrigins {
		if o == "*" {
			allowed = "*"
			break
		}
		if strings.EqualFold(o, origin) {
			allowed = origin
			break
		}
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	if allowed == "" {
		return
	}
	h.Set("Access-Control-Allow-Origin", allowed)
	h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date")
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		h.Set("Access-Control-Max-Age", "86400")
		// Private Network Access: a public page may call a Cognate on a
		// private address or loopback when its origin is allowed.
		if r.Header.Get("Access-Control-Request-Private-Network") == "true" {
			h.Set("Access-Control-Allow-Private-Network", "true")
		}
	}
}
