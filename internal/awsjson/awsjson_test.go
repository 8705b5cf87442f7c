package awsjson_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/golden"
	"github.com/cognate-idp/cognate/internal/model"
)

const (
	poolID = "us-east-1_AbCdEf123"
	// secretCause is the cause of the internal error; it must reach the log
	// and never the client.
	secretCause = "dial tcp 10.0.0.7:5432: connection refused"
)

var created = time.Date(2024, 3, 1, 12, 30, 45, 678_000_000, time.UTC)

// testMux returns a Mux with a few handlers that answer according to the
// username, and the buffer its logger writes to.
func testMux(t testing.TB) (*awsjson.Mux, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	m := awsjson.NewMux(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	awsjson.Handle(m, model.OpAdminGetUser, adminGetUser)
	awsjson.Handle(m, model.OpAdminDeleteUser, func(ctx context.Context, in *model.AdminDeleteUserRequest) (*model.Empty, error) {
		return nil, nil
	})
	return m, logs
}

func adminGetUser(ctx context.Context, in *model.AdminGetUserRequest) (*model.AdminGetUserResponse, error) {
	if awsjson.RequestID(ctx) == "" {
		return nil, errors.New("no request id in the context")
	}
	switch in.Username {
	case "alice":
		return &model.AdminGetUserResponse{
			Username:       "alice",
			Enabled:        new(true),
			UserStatus:     model.UserStatusTypeConfirmed,
			UserCreateDate: model.NewTime(created),
			UserAttributes: []model.AttributeType{
				{Name: "sub", Value: "8f1e2d3c-0000-4000-8000-000000000001"},
				{Name: "email", Value: "alice@example.com"},
			},
		}, nil
	case "ghost":
		return nil, &model.UserNotFoundException{Message: "User does not exist."}
	case "wrapped":
		return nil, fmt.Errorf("users: get: %w", &model.NotAuthorizedException{Message: "Incorrect username or password."})
	case "reason":
		return nil, &model.InvalidParameterException{
			Message:    "Cannot modify the non-mutable attribute email.",
			ReasonCode: "INVALID_ATTRIBUTE_NAME",
		}
	case "boom":
		return nil, fmt.Errorf("store: get user: %s", secretCause)
	}
	return nil, &model.ResourceNotFoundException{Message: "unexpected username " + in.Username}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type request struct {
	method  string // POST when empty
	target  string // the operation, prefixed with awsjson.TargetPrefix unless raw
	raw     bool   // send target as the whole X-Amz-Target; none when empty
	ctype   string // Content-Type; application/x-amz-json-1.1 when empty
	origin  string
	body    string
	headers map[string]string
}

func (r request) build() *http.Request {
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	req := httptest.NewRequest(method, "/", strings.NewReader(r.body))
	switch {
	case r.raw && r.target != "":
		req.Header.Set("X-Amz-Target", r.target)
	case !r.raw:
		req.Header.Set("X-Amz-Target", awsjson.TargetPrefix+r.target)
	}
	ct := r.ctype
	if ct == "" {
		ct = "application/x-amz-json-1.1"
	}
	if method != http.MethodOptions {
		req.Header.Set("Content-Type", ct)
	}
	if r.origin != "" {
		req.Header.Set("Origin", r.origin)
	}
	for k, v := range r.headers {
		req.Header.Set(k, v)
	}
	return req
}

const requestIDMask = "<request-id>"

// dump renders a response as the golden files hold it: the status line, the
// headers sorted by name, a blank line and the exact body. The request id
// is checked to be a random UUID and then masked.
func dump(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	res := rec.Result()
	h := res.Header.Clone()
	if ids := h.Values("X-Amzn-Requestid"); len(ids) > 0 {
		if len(ids) != 1 {
			t.Errorf("%d request ids: %q", len(ids), ids)
		}
		id, err := uuid.Parse(ids[0])
		if err != nil || id.Version() != 4 || id.String() != ids[0] {
			t.Errorf("x-amzn-RequestId = %q, want a lowercase random UUID (%v)", ids[0], err)
		}
		h.Set("X-Amzn-Requestid", requestIDMask)
	}
	return golden.Response(res.StatusCode, h, rec.Body.Bytes())
}

func TestWireGolden(t *testing.T) {
	restricted := func(m *awsjson.Mux) { m.CORSOrigins = []string{"https://app.example.com", "http://localhost:3000"} }
	tests := []struct {
		name   string
		setup  func(*awsjson.Mux)
		req    request
		status int
	}{
		{
			name:   "Success",
			req:    request{target: "AdminGetUser", body: `{"UserPoolId":"` + poolID + `","Username":"alice"}`},
			status: 200,
		},
		{
			name:   "SuccessNoOutput",
			req:    request{target: "AdminDeleteUser", body: `{"UserPoolId":"` + poolID + `","Username":"alice"}`},
			status: 200,
		},
		{
			name:   "SuccessPlainJSONContentType",
			req:    request{target: "AdminGetUser", ctype: "application/json; charset=utf-8", body: `{"UserPoolId":"` + poolID + `","Username":"alice"}`},
			status: 200,
		},
		{
			name:   "UserNotFound",
			req:    request{target: "AdminGetUser", body: `{"UserPoolId":"` + poolID + `","Username":"ghost"}`},
			status: 400,
		},
		{
			name:   "WrappedException",
			req:    request{target: "AdminGetUser", body: `{"UserPoolId":"` + poolID + `","Username":"wrapped"}`},
			status: 400,
		},
		{
			name:   "InvalidParameterReasonCode",
			req:    request{target: "AdminGetUser", body: `{"UserPoolId":"` + poolID + `","Username":"reason"}`},
			status: 400,
		},
		{
			name:   "InvalidParameterValidation",
			req:    request{target: "AdminGetUser", body: `{"UserPoolId":"not a pool id"}`},
			status: 400,
		},
		{
			name:   "InvalidParameterSensitive",
			req:    request{target: "AdminGetUser", body: `{"UserPoolId":"` + poolID + `","Username":"` + strings.Repeat("s", 129) + `"}`},
			status: 400,
		},
		{
			name:   "SerializationMalformed",
			req:    request{target: "AdminGetUser", body: `{"UserPoolId":`},
			status: 400,
		},
		{
			name:   "SerializationWrongType",
			req:    request{target: "AdminGetUser", body: `{"UserPoolId":5,"Username":"alice"}`},
			status: 400,
		},
		{
			name:   "SerializationNotAnObject",
			req:    request{target: "AdminGetUser", body: `["UserPoolId"]`},
			status: 400,
		},
		{
			name:   "SerializationContentType",
			req:    request{target: "AdminGetUser", ctype: "text/plain", body: `{}`},
			status: 400,
		},
		{
			name:   "UnknownOperation",
			req:    request{target: "AdminGetEverything", body: `{}`},
			status: 400,
		},
		{
			name:   "UnknownOperationOtherService",
			req:    request{raw: true, target: "DynamoDB_20120810.AdminGetUser", body: `{}`},
			status: 400,
		},
		{
			name:   "UnknownOperationMissingTarget",
			req:    request{raw: true, body: `{}`},
			status: 400,
		},
		{
			name:   "MethodNotAllowed",
			req:    request{method: http.MethodGet, target: "AdminGetUser"},
			status: 405,
		},
		{
			name:   "NotImplemented",
			req:    request{target: "ListUsers", body: `{"UserPoolId":"` + poolID + `"}`},
			status: 501,
		},
		{
			name:   "InternalError",
			req:    request{target: "AdminGetUser", body: `{"UserPoolId":"` + poolID + `","Username":"boom"}`},
			status: 500,
		},
		{
			name:   "TooLarge",
			setup:  func(m *awsjson.Mux) { m.MaxBody = 64 },
			req:    request{target: "AdminGetUser", body: `{"UserPoolId":"` + poolID + `","Username":"` + strings.Repeat("a", 64) + `"}`},
			status: 413,
		},
		{
			name:   "CORSPreflightAnyOrigin",
			req:    request{method: http.MethodOptions, origin: "https://app.example.com", headers: map[string]string{"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent"}},
			status: 200,
		},
		{
			name:   "CORSPreflightAllowed",
			setup:  restricted,
			req:    request{method: http.MethodOptions, origin: "https://APP.example.com", headers: map[string]string{"Access-Control-Request-Method": "POST"}},
			status: 200,
		},
		{
			name:   "CORSPreflightDenied",
			setup:  restricted,
			req:    request{method: http.MethodOptions, origin: "https://evil.example", headers: map[string]string{"Access-Control-Request-Method": "POST"}},
			status: 200,
		},
		// While IAM-authorized operations accept unsigned requests, other
		// origins may not call them: the refusal carries the CORS headers of
		// an allowed origin, so that its page can read why.
		{
			name:   "CORSPostAllowed",
			setup:  restricted,
			req:    request{target: "AdminGetUser", origin: "http://localhost:3000", body: `{"UserPoolId":"` + poolID + `","Username":"ghost"}`},
			status: 403,
		},
		{
			name:   "CORSPostDenied",
			setup:  restricted,
			req:    request{target: "AdminGetUser", origin: "http://localhost:3001", body: `{"UserPoolId":"` + poolID + `","Username":"alice"}`},
			status: 403,
		},
		{
			name:   "CORSPostSameOrigin",
			req:    request{target: "AdminGetUser", origin: "http://example.com", body: `{"UserPoolId":"` + poolID + `","Username":"alice"}`},
			status: 200,
		},
		{
			name: "CORSPreflightPrivateNetwork",
			req: request{method: http.MethodOptions, origin: "https://app.example.com", headers: map[string]string{
				"Access-Control-Request-Method": "POST", "Access-Control-Request-Private-Network": "true"}},
			status: 200,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, logs := testMux(t)
			if tt.setup != nil {
				tt.setup(m)
			}
			rec := httptest.NewRecorder()
			m.ServeHTTP(rec, tt.req.build())
			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d", rec.Code, tt.status)
			}
			golden.Check(t, tt.name, dump(t, rec))

			body := rec.Body.String()
			if strings.Contains(body, secretCause) || strings.Contains(rec.Header().Get("X-Amzn-Errortype"), secretCause) {
				t.Errorf("the response carries the internal cause: %s", body)
			}
			if strings.Contains(body, strings.Repeat("s", 129)) {
				t.Errorf("the response echoes a sensitive value: %s", body)
			}
			if et := rec.Header().Get("X-Amzn-Errortype"); rec.Code >= 400 && !strings.Contains(body, `"__type":"`+et+`"`) {
				t.Errorf("x-amzn-ErrorType %q does not match the body %s", et, body)
			}
			if tt.name == "InternalError" {
				id := rec.Header().Get("X-Amzn-Requestid")
				if l := logs.String(); !strings.Contains(l, secretCause) || !strings.Contains(l, id) {
					t.Errorf("log lacks the cause or the request id %s:\n%s", id, l)
				}
			}
		})
	}
}

// TestRequestIDsDiffer checks that each request gets its own id.
func TestRequestIDsDiffer(t *testing.T) {
	m, _ := testMux(t)
	seen := map[string]bool{}
	for range 20 {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, request{target: "AdminGetUser", body: `{"UserPoolId":"` + poolID + `","Username":"alice"}`}.build())
		id := rec.Header().Get("x-amzn-RequestId")
		if seen[id] {
			t.Fatalf("request id %s repeated", id)
		}
		seen[id] = true
	}
}

func TestDecode(t *testing.T) {
	row, _ := model.OperationByName(model.OpListUsers)
	tests := []struct {
		name    string
		body    string
		want    *model.ListUsersRequest
		code    string
		message string
	}{
		{name: "ok", body: `{"UserPoolId":"` + poolID + `","Limit":10,"Filter":"email = \"a\""}`,
			want: &model.ListUsersRequest{UserPoolId: poolID, Limit: new(int32(10)), Filter: `email = "a"`}},
		{name: "unknown members ignored", body: `{"UserPoolId":"` + poolID + `","Extra":[1,2,{}]}`,
			want: &model.ListUsersRequest{UserPoolId: poolID}},
		{name: "empty body", body: "", code: "InvalidParameterException",
			message: "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{name: "blank body", body: " \n\t", code: "InvalidParameterException",
			message: "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{name: "fraction", body: `{"UserPoolId":"` + poolID + `","Limit":1.5}`, code: "SerializationException",
			message: "Unexpected number 1.5 for member 'Limit' (expected number)."},
		{name: "overflow", body: `{"UserPoolId":"` + poolID + `","Limit":4294967296}`, code: "SerializationException",
			message: "Unexpected number 4294967296 for member 'Limit' (expected number)."},
		{name: "string for number", body: `{"UserPoolId":"` + poolID + `","Limit":"10"}`, code: "SerializationException",
			message: "Unexpected string for member 'Limit' (expected number)."},
		{name: "object for list", body: `{"UserPoolId":"` + poolID + `","AttributesToGet":{}}`, code: "SerializationException",
			message: "Unexpected object for member 'AttributesToGet' (expected list)."},
		{name: "number in list", body: `{"UserPoolId":"` + poolID + `","AttributesToGet":[1]}`, code: "SerializationException",
			message: "Unexpected number for member 'AttributesToGet' (expected string)."},
		{name: "trailing garbage", body: `{"UserPoolId":"` + poolID + `"} {}`, code: "SerializationException",
			message: "Request body is not valid JSON."},
		{name: "not an object", body: `"x"`, code: "SerializationException",
			message: "Unexpected string (expected object)."},
		{name: "member names are exact", body: `{"userPoolId":"` + poolID + `"}`, code: "InvalidParameterException",
			message: "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"},
		{name: "a member of another case is ignored", body: `{"UserPoolId":"` + poolID + `","LIMIT":"x","filter":1}`,
			want: &model.ListUsersRequest{UserPoolId: poolID}},
		{name: "duplicate member", body: `{"UserPoolId":"` + poolID + `","UserPoolId":"us-east-1_other"}`, code: "SerializationException",
			message: "Duplicate key in a JSON object of the request body."},
		{name: "duplicate key of an ignored member", body: `{"UserPoolId":"` + poolID + `","X":{"a":1,"a":2}}`, code: "SerializationException",
			message: "Duplicate key in a JSON object of the request body."},
		{name: "duplicate in a list of objects", body: `{"UserPoolId":"` + poolID + `","AttributesToGet":["a","a"]}`,
			want: &model.ListUsersRequest{UserPoolId: poolID, AttributesToGet: []string{"a", "a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := awsjson.Decode(row, []byte(tt.body))
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if diff := cmp.Diff(tt.want, in); diff != "" {
					t.Errorf("Decode (-want +got):\n%s", diff)
				}
				return
			}
			apiErr, ok := errors.AsType[model.APIError](err)
			if !ok {
				t.Fatalf("Decode error = %T %v, want an APIError", err, err)
			}
			if apiErr.ErrorCode() != tt.code || apiErr.ErrorMessage() != tt.message || apiErr.HTTPStatus() != 400 {
				t.Errorf("Decode error = %s %q %d, want %s %q 400", apiErr.ErrorCode(), apiErr.ErrorMessage(), apiErr.HTTPStatus(), tt.code, tt.message)
			}
		})
	}
}

func TestHandlePanics(t *testing.T) {
	noop := func(context.Context, *model.AdminGetUserRequest) (*model.AdminGetUserResponse, error) {
		return nil, nil
	}
	tests := []struct {
		name     string
		register func(m *awsjson.Mux)
		want     string
	}{
		{"unknown operation", func(m *awsjson.Mux) { awsjson.Handle(m, "AdminGetEverything", noop) },
			"awsjson: unknown operation AdminGetEverything"},
		{"duplicate", func(m *awsjson.Mux) { awsjson.Handle(m, "AdminGetUser", noop); awsjson.Handle(m, "AdminGetUser", noop) },
			"awsjson: operation registered twice: AdminGetUser"},
		{"wrong input", func(m *awsjson.Mux) {
			awsjson.Handle(m, "ListUsers", func(context.Context, *model.AdminGetUserRequest) (*model.ListUsersResponse, error) { return nil, nil })
		},
			"awsjson: ListUsers takes *model.ListUsersRequest, not *model.AdminGetUserRequest"},
		{"wrong output", func(m *awsjson.Mux) {
			awsjson.Handle(m, "ListUsers", func(context.Context, *model.ListUsersRequest) (*model.AdminGetUserResponse, error) { return nil, nil })
		},
			"awsjson: ListUsers returns *model.ListUsersResponse, not *model.AdminGetUserResponse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := awsjson.NewMux(slog.New(slog.DiscardHandler))
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("Handle did not panic")
				}
				if r != tt.want {
					t.Errorf("panic = %v, want %q", r, tt.want)
				}
			}()
			tt.register(m)
		})
	}

	m := awsjson.NewMux(slog.New(slog.DiscardHandler))
	awsjson.Handle(m, "AdminGetUser", noop)
	if !m.Handled("AdminGetUser") || m.Handled("ListUsers") {
		t.Errorf("Handled(AdminGetUser) = %v, Handled(ListUsers) = %v", m.Handled("AdminGetUser"), m.Handled("ListUsers"))
	}
}

// TestSDK drives the Mux with the real aws-sdk-go-v2 client and checks how
// the SDK surfaces each answer.
func TestSDK(t *testing.T) {
	m, _ := testMux(t)
	srv := httptest.NewServer(m)
	defer srv.Close()
	client := cip.New(cip.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   srv.Client(),
	})
	ctx := t.Context()
	get := func(username string) (*cip.AdminGetUserOutput, error) {
		return client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(username)})
	}

	t.Run("success", func(t *testing.T) {
		out, err := get("alice")
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Username) != "alice" || !out.Enabled || out.UserStatus != types.UserStatusTypeConfirmed {
			t.Errorf("output = %+v", out)
		}
		if out.UserCreateDate == nil || !out.UserCreateDate.Equal(created) {
			t.Errorf("UserCreateDate = %v, want %v", out.UserCreateDate, created)
		}
		if len(out.UserAttributes) != 2 || aws.ToString(out.UserAttributes[1].Value) != "alice@example.com" {
			t.Errorf("UserAttributes = %+v", out.UserAttributes)
		}
	})

	t.Run("no output", func(t *testing.T) {
		_, err := client.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("UserNotFoundException", func(t *testing.T) {
		_, err := get("ghost")
		e, ok := errors.AsType[*types.UserNotFoundException](err)
		if !ok {
			t.Fatalf("error = %T %v, want *types.UserNotFoundException", err, err)
		}
		if e.ErrorMessage() != "User does not exist." || e.ErrorFault() != smithy.FaultClient {
			t.Errorf("message = %q, fault = %v", e.ErrorMessage(), e.ErrorFault())
		}
		re, ok := errors.AsType[*awshttp.ResponseError](err)
		if !ok || re.HTTPStatusCode() != 400 {
			t.Fatalf("no 400 ResponseError in %v", err)
		}
		if _, err := uuid.Parse(re.ServiceRequestID()); err != nil {
			t.Errorf("ServiceRequestID = %q, want a UUID", re.ServiceRequestID())
		}
	})

	t.Run("wrapped NotAuthorizedException", func(t *testing.T) {
		_, err := get("wrapped")
		if e, ok := errors.AsType[*types.NotAuthorizedException](err); !ok || e.ErrorMessage() != "Incorrect username or password." {
			t.Errorf("error = %T %v, want *types.NotAuthorizedException", err, err)
		}
	})

	t.Run("InvalidParameterException with reasonCode", func(t *testing.T) {
		_, err := get("reason")
		e, ok := errors.AsType[*types.InvalidParameterException](err)
		if !ok {
			t.Fatalf("error = %T %v, want *types.InvalidParameterException", err, err)
		}
		if aws.ToString(e.ReasonCode) != "INVALID_ATTRIBUTE_NAME" || e.ErrorMessage() != "Cannot modify the non-mutable attribute email." {
			t.Errorf("ReasonCode = %v, message = %q", aws.ToString(e.ReasonCode), e.ErrorMessage())
		}
	})

	t.Run("InvalidParameterException from validation", func(t *testing.T) {
		_, err := client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String("nope"), Username: aws.String("alice")})
		e, ok := errors.AsType[*types.InvalidParameterException](err)
		if !ok {
			t.Fatalf("error = %T %v, want *types.InvalidParameterException", err, err)
		}
		want := `1 validation error detected: Value 'nope' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`
		if e.ErrorMessage() != want || e.ReasonCode != nil {
			t.Errorf("message = %q, ReasonCode = %v; want %q", e.ErrorMessage(), e.ReasonCode, want)
		}
	})

	t.Run("InternalErrorException", func(t *testing.T) {
		_, err := get("boom")
		e, ok := errors.AsType[*types.InternalErrorException](err)
		if !ok {
			t.Fatalf("error = %T %v, want *types.InternalErrorException", err, err)
		}
		if e.ErrorFault() != smithy.FaultServer || strings.Contains(err.Error(), secretCause) {
			t.Errorf("fault = %v, error = %v", e.ErrorFault(), err)
		}
		if re, ok := errors.AsType[*awshttp.ResponseError](err); !ok || re.HTTPStatusCode() != 500 {
			t.Errorf("no 500 ResponseError in %v", err)
		}
	})

	t.Run("NotImplementedException", func(t *testing.T) {
		_, err := client.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID)})
		e, ok := errors.AsType[smithy.APIError](err)
		if !ok || e.ErrorCode() != "NotImplementedException" || e.ErrorMessage() != "ListUsers is not implemented yet." {
			t.Fatalf("error = %T %v, want a NotImplementedException", err, err)
		}
		if re, ok := errors.AsType[*awshttp.ResponseError](err); !ok || re.HTTPStatusCode() != 501 {
			t.Errorf("no 501 ResponseError in %v", err)
		}
	})
}

// A panic in an operation is recovered: the caller gets InternalErrorException
// (500) with nothing of the cause, and the log gets the cause.
func TestPanicRecovered(t *testing.T) {
	var logs bytes.Buffer
	m := awsjson.NewMux(slog.New(slog.NewTextHandler(&logs, nil)))
	awsjson.Handle(m, model.OpAdminGetUser, func(context.Context, *model.AdminGetUserRequest) (*model.AdminGetUserResponse, error) {
		panic("the secret cause")
	})
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"UserPoolId":"`+poolID+`","Username":"alice"}`))
	req.Header.Set("X-Amz-Target", awsjson.TargetPrefix+model.OpAdminGetUser)
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("X-Amzn-Errortype") != "InternalErrorException" {
		t.Fatalf("got %d %s, want 500 InternalErrorException", rec.Code, rec.Header().Get("X-Amzn-Errortype"))
	}
	if strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("the cause reached the caller: %s", rec.Body)
	}
	if !strings.Contains(logs.String(), "the secret cause") || !strings.Contains(logs.String(), "AdminGetUser") {
		t.Errorf("the log lacks the cause: %s", logs.String())
	}
}
