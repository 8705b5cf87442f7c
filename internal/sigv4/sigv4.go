// Package sigv4 verifies AWS Signature Version 4 on requests, as AWS
// verifies the requests of IAM-authorized Cognito operations: the
// Authorization header's credential scope, date and signature, with AWS's
// five-minute clock skew and AWS's exceptions. It knows keys from a
// credentials file (see ParseCredentials) and nothing of HTTP routing.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm accepted.
const Algorithm = "AWS4-HMAC-SHA256"

// MaxSkew is how far a request's date may be from the server's clock.
const MaxSkew = 5 * time.Minute

// Error is a verification failure with AWS's exception name; every one is
// answered with HTTP 400.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func fail(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Exceptions AWS answers for signatures.
const (
	CodeMissingToken       = "MissingAuthenticationTokenException"
	CodeIncomplete         = "IncompleteSignatureException"
	CodeUnrecognizedClient = "UnrecognizedClientException"
	CodeInvalidSignature   = "InvalidSignatureException"
	CodeAccessDenied       = "AccessDeniedException"
)

// Authorization is a parsed Authorization header.
type Authorization struct {
	Algorithm string
	// AccessKeyID, Date (YYYYMMDD), Region, Service and Terminator are the
	// parts of the Credential scope.
	AccessKeyID, Date, Region, Service, Terminator string
	SignedHeaders                                  []string
	Signature                                      string
}

// Scope is the credential scope the string to sign names.
func (a *Authorization) Scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + a.Terminator
}

// ParseAuthorization reads an Authorization header of the form
// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=hex". It returns
// IncompleteSignatureException naming what is missing or malformed.
func ParseAuthorization(h string) (*Authorization, error) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	a := &Authorization{Algorithm: alg}
	if alg != Algorithm {
		return nil, fail(CodeIncomplete, "Unsupported AWS 'algorithm': '%s'.", printable(alg))
	}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			if strings.TrimSpace(part) == "" {
				continue
			}
			return nil, fail(CodeIncomplete, "Authorization header requires each component to be of the form key=value.")
		}
		if seen[k] {
			return nil, fail(CodeIncomplete, "Authorization header has the '%s' parameter twice.", printable(k))
		}
		seen[k] = true
		switch k {
		case "Credential":
			parts := strings.Split(v, "/")
			if len(parts) != 5 || parts[0] == "" {
				return nil, fail(CodeIncomplete, "Authorization header requires 'Credential' of the form access-key-id/date/region/service/aws4_request.")
			}
			a.AccessKeyID, a.Date, a.Region, a.Service, a.Terminator = parts[0], parts[1], parts[2], parts[3], parts[4]
		case "SignedHeaders":
			a.SignedHeaders = strings.Split(v, ";")
		case "Signature":
			a.Signature = v
		}
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if !seen[k] {
			missing = append(missing, fmt.Sprintf("Authorization header requires '%s' parameter.", k))
		}
	}
	if len(missing) > 0 {
		return nil, fail(CodeIncomplete, "%s", strings.Join(missing, " "))
	}
	if !slices.IsSorted(a.SignedHeaders) || slices.Contains(a.SignedHeaders, "") {
		return nil, fail(CodeIncomplete, "Authorization header requires 'SignedHeaders' to be lowercase header names, sorted and separated by semicolons.")
	}
	for _, name := range a.SignedHeaders {
		if name != strings.ToLower(name) {
			return nil, fail(CodeIncomplete, "Authorization header requires 'SignedHeaders' to be lowercase header names, sorted and separated by semicolons.")
		}
	}
	return a, nil
}

// printable keeps a value from the request short and plain before it goes
// into a message.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return s
}

// Request is what a signature covers.
type Request struct {
	Method string
	// Path is the decoded path, RawQuery the query as sent.
	Path, RawQuery string
	Host           string
	Header         http.Header
	Body           []byte
}

// FromHTTP takes the parts of r a signature covers; body is r's body, read.
func FromHTTP(r *http.Request, body []byte) *Request {
	return &Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Host: r.Host, Header: r.Header, Body: body}
}

// CanonicalRequest is the canonical form of req for the signed headers.
func CanonicalRequest(req *Request, signed []string) string {
	var b strings.Builder
	b.WriteString(req.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalPath(req.Path))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(req.RawQuery))
	b.WriteByte('\n')
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(req, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	sum := sha256.Sum256(req.Body)
	b.WriteString(hex.EncodeToString(sum[:]))
	return b.String()
}

// canonicalPath normalizes p (dot segments, repeated slashes) and encodes
// each segment.
func canonicalPath(p string) string {
	if p == "" {
		return "/"
	}
	clean := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	segs := strings.Split(clean, "/")
	for i, s := range segs {
		segs[i] = encode(s)
	}
	return strings.Join(segs, "/")
}

// canonicalQuery sorts the parameters by encoded name, then value.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var pairs [][2]string
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			dk = k
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			dv = v
		}
		pairs = append(pairs, [2]string{encode(dk), encode(dv)})
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0] + "=" + p[1]
	}
	return strings.Join(out, "&")
}

// encode is RFC 3986 percent-encoding of everything but the unreserved
// characters, in upper-case hex.
func encode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// headerValue is a header's canonical value: its values in order, each
// trimmed with inner runs of spaces collapsed, joined by commas.
func headerValue(req *Request, name string) string {
	if name == "host" {
		return req.Host
	}
	var vals []string
	for k, vs := range req.Header {
		if strings.EqualFold(k, name) {
			for _, v := range vs {
				vals = append(vals, strings.Join(strings.Fields(v), " "))
			}
		}
	}
	return strings.Join(vals, ",")
}

// StringToSign is what the signature is the HMAC of.
func StringToSign(amzDate, scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// SigningKey derives the key of a secret for a date, region and service.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

// Signature is the hex signature of a string to sign.
func Signature(key []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

// amzDateLayout is the ISO 8601 basic form of X-Amz-Date.
const amzDateLayout = "20060102T150405Z"

// requestDate reads X-Amz-Date, or Date (RFC 1123), in the ISO 8601 basic
// form the string to sign uses.
func requestDate(h http.Header) (time.Time, string, error) {
	if v := h.Get("X-Amz-Date"); v != "" {
		t, err := time.Parse(amzDateLayout, v)
		if err != nil {
			return time.Time{}, "", fail(CodeIncomplete, "X-Amz-Date must be in ISO 8601 basic format, such as 20150830T123600Z.")
		}
		return t, v, nil
	}
	if v := h.Get("Date"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return time.Time{}, "", fail(CodeIncomplete, "Date must be an HTTP date.")
		}
		return t.UTC(), t.UTC().Format(amzDateLayout), nil
	}
	return time.Time{}, "", fail(CodeIncomplete, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
}
