package awsjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/cognate-idp/cognate/internal/model"
)

// plainOps are the operations FuzzPlain decodes for: their inputs have
// structs nested in lists and maps, maps of strings, and documents.
var plainOps = []string{
	model.OpListUsers,
	model.OpSignUp,
	model.OpAdminInitiateAuth,
	model.OpCreateManagedLoginBranding,
	model.OpUpdateUserPool,
}

func TestPlain(t *testing.T) {
	row, _ := model.OperationByName(model.OpSignUp)
	typ := reflect.TypeOf(row.NewInput())
	for _, c := range []struct {
		body string
		want bool
	}{
		{`{"ClientId":"c","Username":"u","UserAttributes":[{"Name":"email","Value":"a@b"}],"ClientMetadata":{"k":"v"}}`, true},
		{` { "ClientId" : "c" , "Unknown" : [1, {"x": null}] } `, true},
		{`{}`, true},
		{`{"clientId":"c"}`, false},                             // another case: dropped by AWS JSON
		{`{"ClientId":"c","ClientId":"d"}`, false},              // twice
		{`{"UserAttributes":[{"Name":"a","name":"b"}]}`, false}, // another case, nested
		{`{"ClientMetadata":{"k":"v","K":"w"}}`, true},          // map keys are not member names
		{`{"ClientMetadata":{"k":"v","k":"w"}}`, false},
		{`{"Client\u0049d":"c"}`, false}, // escaped
		{"{\"ClientMetadata\":{\"\xff\":\"a\",\"\xfe\":\"b\"}}", false},
		{`{"ClientId":"c"`, false},
		{`{"ClientId":"c"} x`, false},
	} {
		if got := plain(typ, []byte(c.body)); got != c.want {
			t.Errorf("plain(%s) = %v, want %v", c.body, got, c.want)
		}
	}
}

// FuzzPlain checks that a body plain lets through decodes to the same
// input as the general way's rewriting of it, which must find no
// duplicate key in it.
func FuzzPlain(f *testing.F) {
	for _, s := range []string{
		`{"UserPoolId":"us-east-1_AbCdEf123","Limit":60,"Filter":"email ^= \"a\"","AttributesToGet":["email","sub"]}`,
		`{"ClientId":"abc","Username":"alice","Password":"P@ssw0rd!","UserAttributes":[{"Name":"email","Value":"a@example.com"}],"ClientMetadata":{"k":"v","K":"w"}}`,
		`{"UserPoolId":"us-east-1_x","ClientId":"c","AuthFlow":"ADMIN_USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"u","PASSWORD":"p"},"ContextData":{"IpAddress":"1.2.3.4","HttpHeaders":[{"headerName":"h","headerValue":"v"}]}}`,
		`{"UserPoolId":"us-east-1_x","ClientId":"c","Settings":{"a":[1,2.50,{"b":null,"b":true}]},"Assets":[{"Category":"FAVICON_ICO","Bytes":"AAEC"}]}`,
		`{"UserPoolId":"us-east-1_x","Policies":{"PasswordPolicy":{"MinimumLength":8,"minimumLength":9}}}`,
		`{"userPoolId":"x","UserPoolId":"y"}`,
		`[{"a":1}, "x\"y", -1.5e3, true, null]`,
	} {
		for i := range plainOps {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, pick uint8, body []byte) {
		row, _ := model.OperationByName(plainOps[int(pick)%len(plainOps)])
		typ := reflect.TypeOf(row.NewInput())
		if !plain(typ, body) {
			return
		}
		out, err := rewriteMembers(typ, body)
		if err != nil {
			t.Fatalf("%s: plain body %s, but the general way finds %v", row.Name, body, err)
		}
		a, b := row.NewInput(), row.NewInput()
		errA, errB := json.Unmarshal(body, a), json.Unmarshal(out, b)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("%s: %s decodes with error %v as it is, %v rewritten as %s", row.Name, body, errA, errB, out)
		}
		if errA != nil {
			return
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Fatalf("%s: %s decodes as it is to %s, rewritten (%s) to %s", row.Name, body, ja, out, jb)
		}
	})
}
