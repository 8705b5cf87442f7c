package sigv4

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The AWS Signature Version 4 test suite (testdata/aws4_testsuite, from
// botocore, Apache-2.0): for each request, the canonical request, string
// to sign and Authorization header AWS publishes.
const (
	suiteKey    = "AKIDEXAMPLE"
	suiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

var suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

// readSuiteRequest parses a .req file: a request line, headers (a line
// starting with white space continues the previous value) and a body.
func readSuiteRequest(t *testing.T, file string) *Request {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(raw), "\n\n")
	lines := strings.Split(head, "\n")
	method, target, _ := strings.Cut(lines[0], " ")
	target = strings.TrimSuffix(target, " HTTP/1.1")
	p, query, _ := strings.Cut(target, "?")
	req := &Request{Method: method, Path: p, RawQuery: query, Header: http.Header{}, Body: []byte(body)}
	var last string
	for _, l := range lines[1:] {
		if l != "" && (l[0] == ' ' || l[0] == '\t') {
			vs := req.Header[last]
			vs[len(vs)-1] += " " + strings.TrimSpace(l)
			continue
		}
		k, v, _ := strings.Cut(l, ":")
		last = http.CanonicalHeaderKey(k)
		if last == "Host" {
			req.Host = v
			continue
		}
		req.Header[last] = append(req.Header[last], v)
	}
	return req
}

func TestSuite(t *testing.T) {
	reqs, err := filepath.Glob("testdata/aws4_testsuite/*/*.req")
	if err != nil {
		t.Fatal(err)
	}
	nested, _ := filepath.Glob("testdata/aws4_testsuite/*/*/*.req")
	reqs = append(reqs, nested...)
	if len(reqs) < 25 {
		t.Fatalf("only %d test cases", len(reqs))
	}
	v := &Verifier{Keys: Keys{suiteKey: {AccessKeyID: suiteKey, Secret: suiteSecret}}, Region: "us-east-1", Service: "service", Now: func() time.Time { return suiteTime }}
	for _, file := range reqs {
		base := strings.TrimSuffix(file, ".req")
		if strings.HasSuffix(base, ".s") { // .sreq, the signed form, matched by *.req
			continue
		}
		t.Run(strings.TrimPrefix(base, "testdata/aws4_testsuite/"), func(t *testing.T) {
			want := func(ext string) string {
				b, err := os.ReadFile(base + ext)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			req := readSuiteRequest(t, file)
			if strings.Contains(want(".creq"), "x-amz-security-token") && req.Header.Get("X-Amz-Security-Token") == "" {
				t.Skip("the request file leaves out the session token it was signed with")
			}
			authz := want(".authz")
			a, err := ParseAuthorization(authz)
			if err != nil {
				t.Fatalf("ParseAuthorization(%q): %v", authz, err)
			}
			creq := CanonicalRequest(req, a.SignedHeaders)
			if creq != want(".creq") {
				t.Fatalf("canonical request:\n%s\nwant:\n%s", creq, want(".creq"))
			}
			sts := StringToSign("20150830T123600Z", a.Scope(), creq)
			if sts != want(".sts") {
				t.Fatalf("string to sign:\n%s\nwant:\n%s", sts, want(".sts"))
			}
			req.Header.Set("Authorization", authz)
			if _, err := v.Verify(req); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			req.Body = append(req.Body, 'x')
			var e *Error
			if _, err := v.Verify(req); !errors.As(err, &e) || e.Code != CodeInvalidSignature {
				t.Fatalf("Verify of a changed body: %v", err)
			}
		})
	}
}

// The signing key example of AWS's documentation.
func TestSigningKey(t *testing.T) {
	got := SigningKey(suiteSecret, "20120215", "us-east-1", "iam")
	const want = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
	if h := strings.ToLower(strings.TrimSpace(hexString(got))); h != want {
		t.Fatalf("signing key %s, want %s", h, want)
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestVerifyErrors(t *testing.T) {
	v := &Verifier{Keys: Keys{suiteKey: {AccessKeyID: suiteKey, Secret: suiteSecret}}, Region: "us-east-1", Service: "service", Now: func() time.Time { return suiteTime }}
	vanilla := func() *Request {
		req := readSuiteRequest(t, "testdata/aws4_testsuite/get-vanilla/get-vanilla.req")
		b, _ := os.ReadFile("testdata/aws4_testsuite/get-vanilla/get-vanilla.authz")
		req.Header.Set("Authorization", string(b))
		return req
	}
	for _, tc := range []struct {
		name, code, msg string
		edit            func(r *Request)
		now             time.Time
	}{
		{"unsigned", CodeMissingToken, "Missing Authentication Token", func(r *Request) { r.Header.Del("Authorization") }, suiteTime},
		{"no signature", CodeIncomplete, "requires 'Signature'", func(r *Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date")
		}, suiteTime},
		{"other algorithm", CodeIncomplete, "Unsupported AWS 'algorithm'", func(r *Request) { r.Header.Set("Authorization", "AWS3 x") }, suiteTime},
		{"no date", CodeIncomplete, "X-Amz-Date", func(r *Request) { r.Header.Del("X-Amz-Date") }, suiteTime},
		{"unknown key", CodeUnrecognizedClient, "The security token included in the request is invalid.", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), suiteKey, "AKIDOTHER", 1))
		}, suiteTime},
		{"wrong region", CodeInvalidSignature, "Credential should be scoped to a valid region, not 'eu-west-1'.", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "us-east-1", "eu-west-1", 1))
		}, suiteTime},
		{"wrong signature", CodeInvalidSignature, "The request signature we calculated does not match", func(r *Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=5", "Signature=6", 1))
		}, suiteTime},
		{"expired", CodeInvalidSignature, "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T124101Z - 5 min.)",
			func(*Request) {}, suiteTime.Add(MaxSkew + time.Second)},
		{"future", CodeInvalidSignature, "Signature not yet current", func(*Request) {}, suiteTime.Add(-MaxSkew - time.Second)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := vanilla()
			tc.edit(req)
			v.Now = func() time.Time { return tc.now }
			_, err := v.Verify(req)
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("got %v, want %s containing %q", err, tc.code, tc.msg)
			}
		})
	}
	v.Now = func() time.Time { return suiteTime.Add(MaxSkew) }
	if _, err := v.Verify(vanilla()); err != nil {
		t.Fatalf("at the edge of the skew: %v", err)
	}
}

func TestParseCredentials(t *testing.T) {
	keys, err := ParseCredentials(strings.NewReader("# admin keys\nAKIDADMIN secretA\n\nAKIDLIMITED secretB 123456789012 us-east-1_Abc cognito-idp:List* AdminGetUser\n"))
	if err != nil {
		t.Fatal(err)
	}
	v := &Verifier{Region: "us-east-1", Service: "cognito-idp", AccountID: "000000000000"}
	if err := v.Allow(keys["AKIDADMIN"], "DeleteUserPool", "us-east-1_Other"); err != nil {
		t.Errorf("unlimited key refused: %v", err)
	}
	lim := keys["AKIDLIMITED"]
	if lim.Secret != "secretB" || lim.AccountID != "123456789012" {
		t.Fatalf("limited key %+v", lim)
	}
	for _, tc := range []struct {
		op, pool string
		ok       bool
	}{
		{"ListUsers", "us-east-1_Abc", true},
		{"AdminGetUser", "us-east-1_Abc", true},
		{"AdminGetUser", "us-east-1_Other", false},
		{"AdminDeleteUser", "us-east-1_Abc", false},
		{"ListUserPools", "", false},
	} {
		err := v.Allow(lim, tc.op, tc.pool)
		var e *Error
		if tc.ok != (err == nil) || (err != nil && (!errors.As(err, &e) || e.Code != CodeAccessDenied)) {
			t.Errorf("Allow(%s, %q) = %v, want ok %v", tc.op, tc.pool, err, tc.ok)
		}
	}
	for _, bad := range []string{"", "# nothing\n", "AKIDONLY\n", "A s\nA t\n", "A s [\n"} {
		if _, err := ParseCredentials(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseCredentials(%q) succeeded", bad)
		}
	}
}

// FuzzParseAuthorization: any header either parses into a complete
// Authorization or is refused with IncompleteSignatureException, without
// panicking.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=host,Signature=")
	f.Add("AWS4-HMAC-SHA256 ,,=,")
	f.Add("AWS4-HMAC-SHA256 Credential=x, Credential=y")
	f.Add("")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeIncomplete {
				t.Fatalf("error %v is not IncompleteSignatureException", err)
			}
			return
		}
		if a.Algorithm != Algorithm || a.AccessKeyID == "" || len(a.SignedHeaders) == 0 {
			t.Fatalf("accepted incomplete %+v", a)
		}
	})
}
