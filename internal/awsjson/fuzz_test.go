package awsjson_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/model"
)

// fuzzOps are the operations FuzzDecode feeds: between them they hold
// every kind of member (required and optional strings with length, pattern
// and enum constraints, numbers with bounds, lists and maps of strings and
// structures, blobs, documents, nested structures and sensitive values).
var fuzzOps = []string{
	model.OpListUsers,
	model.OpSignUp,
	model.OpAdminCreateUser,
	model.OpAdminUpdateUserAttributes,
	model.OpAdminInitiateAuth,
	model.OpTagResource,
	model.OpCreateUserPoolClient,
	model.OpCreateManagedLoginBranding,
	model.OpSetUICustomization,
	model.OpUpdateUserPool,
}

var fuzzSeeds = []string{
	`{"UserPoolId":"us-east-1_AbCdEf123","Limit":60,"Filter":"email ^= \"a\"","AttributesToGet":["email","sub"]}`,
	`{"ClientId":"abc","Username":"alice","Password":"P@ssw0rd!","UserAttributes":[{"Name":"email","Value":"a@example.com"}],"ClientMetadata":{"k":"v"}}`,
	`{"UserPoolId":"us-east-1_x","Username":"bob","DesiredDeliveryMediums":["EMAIL"],"MessageAction":"SUPPRESS","TemporaryPassword":"Temp1234!"}`,
	`{"UserPoolId":"us-east-1_x","Username":"bob","UserAttributes":[]}`,
	`{"UserPoolId":"us-east-1_x","ClientId":"c","AuthFlow":"ADMIN_USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"u","PASSWORD":"p"},"ContextData":{"IpAddress":"1.2.3.4","ServerName":"s","ServerPath":"/","HttpHeaders":[{"headerName":"h","headerValue":"v"}]}}`,
	`{"ResourceArn":"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x","Tags":{"a":"b","":"c"}}`,
	`{"UserPoolId":"us-east-1_x","ClientName":"web","CallbackURLs":["https://example.com/cb"],"AllowedOAuthFlows":["code"],"TokenValidityUnits":{"AccessToken":"hours"},"AccessTokenValidity":1}`,
	`{"UserPoolId":"us-east-1_x","ClientId":"c","Settings":{"a":[1,2,{"b":null}]},"Assets":[{"Category":"FAVICON_ICO","ColorMode":"LIGHT","Extension":"ICO","Bytes":"AAEC"}]}`,
	`{"UserPoolId":"us-east-1_x","ImageFile":"","CSS":".a{}"}`,
	`{"UserPoolId":"us-east-1_x","Policies":{"PasswordPolicy":{"MinimumLength":8}},"LambdaConfig":{"PreSignUp":"arn:aws:lambda:us-east-1:123456789012:function:f"}}`,
	``,
	`null`,
	`[]`,
	`{"UserPoolId":5}`,
	`{"Limit":1e400}`,
	`{"UserPoolId":"\ud800"}`,
	"{\"UserPoolId\":\"\xff\"}",
}

// jsonEqual compares documents by their canonical encoding, since
// re-encoding compacts them. The filter keeps it off blobs: cmp applies a
// comparer to every value assignable to its type, []byte included.
var jsonEqual = cmp.FilterPath(func(p cmp.Path) bool {
	return p.Last().Type() == reflect.TypeFor[json.RawMessage]()
}, cmp.Comparer(func(a, b json.RawMessage) bool {
	ca, errA := json.Marshal(a)
	cb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ca, cb)
}))

var timeEqual = cmp.Comparer(func(a, b model.Time) bool { return a.Equal(b.Time) })

// FuzzDecode checks that every body either decodes into a valid input that
// survives a JSON round trip unchanged and still valid, or is refused with
// a 400-class APIError: never a panic, a 500 or an error of another kind.
func FuzzDecode(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, pick uint8, body []byte) {
		row, ok := model.OperationByName(fuzzOps[int(pick)%len(fuzzOps)])
		if !ok {
			t.Fatal("unknown operation")
		}
		in, err := awsjson.Decode(row, body)
		if err != nil {
			apiErr, ok := errors.AsType[model.APIError](err)
			if !ok {
				t.Fatalf("%s: Decode error %T %v is not an APIError", row.Name, err, err)
			}
			if apiErr.HTTPStatus() != http.StatusBadRequest {
				t.Fatalf("%s: Decode error %v has status %d, want 400", row.Name, err, apiErr.HTTPStatus())
			}
			if c := apiErr.ErrorCode(); c != "SerializationException" && c != "InvalidParameterException" {
				t.Fatalf("%s: Decode error code %s", row.Name, c)
			}
			return
		}
		again, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("%s: re-encoding %#v: %v", row.Name, in, err)
		}
		in2, err := awsjson.Decode(row, again)
		if err != nil {
			t.Fatalf("%s: %s decoded and validated, but its re-encoding %s fails: %v", row.Name, body, again, err)
		}
		if diff := cmp.Diff(in, in2, jsonEqual, timeEqual); diff != "" {
			t.Fatalf("%s: round trip of %s through %s changed the input (-first +second):\n%s", row.Name, body, again, diff)
		}
		third, err := json.Marshal(in2)
		if err != nil || !bytes.Equal(again, third) {
			t.Fatalf("%s: encoding is not stable:\n%s\n%s (%v)", row.Name, again, third, err)
		}
	})
}

// FuzzServeHTTP checks the whole request path: whatever the target, content
// type and body, the answer is a well-formed AWS JSON response with a
// request id, and no input makes the server fail with a 500.
func FuzzServeHTTP(f *testing.F) {
	f.Add("AdminGetUser", "application/x-amz-json-1.1", []byte(`{"UserPoolId":"us-east-1_x","Username":"alice"}`))
	f.Add("AdminGetUser", "application/x-amz-json-1.1", []byte(`{"UserPoolId":"us-east-1_x","Username":"ghost"}`))
	f.Add("AdminDeleteUser", "application/json", []byte(`{"UserPoolId":"us-east-1_x","Username":"x"}`))
	f.Add("ListUsers", "", []byte(`{"UserPoolId":"us-east-1_x"}`))
	f.Add("Nope", "text/plain", []byte(`{`))
	f.Add("", "application/x-amz-json-1.1; charset=", []byte(strings.Repeat("[", 100)))

	m := awsjson.NewMux(slog.New(slog.DiscardHandler))
	m.MaxBody = 4 << 10
	awsjson.Handle(m, model.OpAdminGetUser, func(ctx context.Context, in *model.AdminGetUserRequest) (*model.AdminGetUserResponse, error) {
		if in.Username == "boom" { // the one deliberate internal error
			return nil, &model.UserNotFoundException{Message: "User does not exist."}
		}
		return adminGetUser(ctx, in)
	})
	awsjson.Handle(m, model.OpAdminDeleteUser, func(context.Context, *model.AdminDeleteUserRequest) (*model.Empty, error) {
		return nil, nil
	})
	f.Fuzz(func(t *testing.T, op, ctype string, body []byte) {
		if strings.ContainsAny(op+ctype, "\r\n\x00") {
			t.Skip("not a valid header value")
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", awsjson.TargetPrefix+op)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, req)

		if _, err := uuid.Parse(rec.Header().Get("X-Amzn-Requestid")); err != nil {
			t.Errorf("x-amzn-RequestId = %q", rec.Header().Get("X-Amzn-Requestid"))
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/x-amz-json-1.1" {
			t.Errorf("Content-Type = %q", ct)
		}
		var fields map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &fields); err != nil {
			t.Fatalf("body %q is not a JSON object: %v", rec.Body, err)
		}
		switch rec.Code {
		case http.StatusOK:
			return
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusNotImplemented:
		default:
			t.Fatalf("status %d for %s %q: %s", rec.Code, op, body, rec.Body)
		}
		et := rec.Header().Get("X-Amzn-Errortype")
		if et == "" || fields["__type"] != et {
			t.Errorf("x-amzn-ErrorType %q, __type %v", et, fields["__type"])
		}
		if _, ok := fields["message"].(string); !ok {
			t.Errorf("no message in %s", rec.Body)
		}
	})
}
