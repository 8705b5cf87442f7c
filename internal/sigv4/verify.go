package sigv4

import (
	"bufio"
	"crypto/hmac"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Key is an access key the server accepts, from the credentials file.
type Key struct {
	AccessKeyID string
	Secret      string
	// AccountID is the key's account, for messages; empty for the server's.
	AccountID string
	// Pools and Actions limit what the key may do: user pool IDs, and
	// operation names (with or without the "cognito-idp:" prefix, * as a
	// wildcard). Empty means no limit.
	Pools, Actions []string
}

// Keys maps access key IDs to keys.
type Keys map[string]*Key

var (
	accountRE = regexp.MustCompile(`^\d{12}$`)
	poolRE    = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)
)

// ParseCredentials reads a credentials file: one key a line, the access
// key ID then the secret access key, separated by white space, optionally
// followed by a 12-digit account ID and by the user pool IDs and the
// operations (AdminGetUser, cognito-idp:List*) the key is limited to.
// Blank lines and lines starting with # are skipped.
func ParseCredentials(r io.Reader) (Keys, error) {
	keys := Keys{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if len(f) < 2 {
			return nil, fmt.Errorf("line %d: want an access key ID and a secret access key", n)
		}
		k := &Key{AccessKeyID: f[0], Secret: f[1]}
		if _, dup := keys[k.AccessKeyID]; dup {
			return nil, fmt.Errorf("line %d: access key ID %s given twice", n, k.AccessKeyID)
		}
		rest := f[2:]
		if len(rest) > 0 && accountRE.MatchString(rest[0]) {
			k.AccountID, rest = rest[0], rest[1:]
		}
		for _, s := range rest {
			switch {
			case poolRE.MatchString(s):
				k.Pools = append(k.Pools, s)
			default:
				a := strings.TrimPrefix(s, "cognito-idp:")
				if _, err := path.Match(a, ""); err != nil || a == "" {
					return nil, fmt.Errorf("line %d: %q is neither a user pool ID nor an operation pattern", n, s)
				}
				k.Actions = append(k.Actions, a)
			}
		}
		keys[k.AccessKeyID] = k
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no keys")
	}
	return keys, nil
}

// LoadCredentials reads a credentials file (see ParseCredentials).
func LoadCredentials(file string) (Keys, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("credentials file: %w", err)
	}
	defer f.Close()
	keys, err := ParseCredentials(f)
	if err != nil {
		return nil, fmt.Errorf("credentials file %s: %w", file, err)
	}
	return keys, nil
}

// Verifier checks signatures made with its keys for one region and service.
type Verifier struct {
	Keys    Keys
	Region  string
	Service string
	// AccountID is the server's account, for messages about keys without one.
	AccountID string
	Now       func() time.Time
}

// Verify checks req's signature and returns the key that made it.
func (v *Verifier) Verify(req *Request) (*Key, error) {
	h := req.Header.Get("Authorization")
	if h == "" {
		return nil, fail(CodeMissingToken, "Missing Authentication Token")
	}
	a, err := ParseAuthorization(h)
	if err != nil {
		return nil, err
	}
	t, amzDate, err := requestDate(req.Header)
	if err != nil {
		return nil, err
	}
	key, ok := v.Keys[a.AccessKeyID]
	if !ok {
		return nil, fail(CodeUnrecognizedClient, "The security token included in the request is invalid.")
	}
	switch {
	case a.Terminator != "aws4_request":
		return nil, fail(CodeInvalidSignature, "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", printable(a.Terminator))
	case a.Service != v.Service:
		return nil, fail(CodeInvalidSignature, "Credential should be scoped to correct service: '%s'.", v.Service)
	case a.Region != v.Region:
		return nil, fail(CodeInvalidSignature, "Credential should be scoped to a valid region, not '%s'.", printable(a.Region))
	case a.Date != amzDate[:8]:
		return nil, fail(CodeInvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", printable(a.Date), amzDate[:8], amzDate)
	case !slices.Contains(a.SignedHeaders, "host"):
		return nil, fail(CodeInvalidSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	now := v.Now().UTC()
	switch {
	case t.Before(now.Add(-MaxSkew)):
		return nil, fail(CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - 5 min.)",
			amzDate, now.Add(-MaxSkew).Format(amzDateLayout), now.Format(amzDateLayout))
	case t.After(now.Add(MaxSkew)):
		return nil, fail(CodeInvalidSignature, "Signature not yet current: %s is still later than %s (%s + 5 min.)",
			amzDate, now.Add(MaxSkew).Format(amzDateLayout), now.Format(amzDateLayout))
	}
	want := Signature(SigningKey(key.Secret, a.Date, a.Region, a.Service), StringToSign(amzDate, a.Scope(), CanonicalRequest(req, a.SignedHeaders)))
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return nil, fail(CodeInvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return key, nil
}

// Allow checks that key may call operation op on the user pool poolID
// (empty for an operation on no one pool): AccessDeniedException if not.
func (v *Verifier) Allow(key *Key, op, poolID string) error {
	ok := len(key.Actions) == 0
	for _, a := range key.Actions {
		if m, _ := path.Match(a, op); m {
			ok = true
			break
		}
	}
	if ok && len(key.Pools) > 0 {
		ok = poolID != "" && slices.Contains(key.Pools, poolID)
	}
	if ok {
		return nil
	}
	account := key.AccountID
	if account == "" {
		account = v.AccountID
	}
	resource := "*"
	if poolID != "" {
		resource = fmt.Sprintf("arn:aws:%s:%s:%s:userpool/%s", v.Service, v.Region, v.AccountID, poolID)
	}
	return fail(CodeAccessDenied, "User: arn:aws:iam::%s:user/%s is not authorized to perform: %s:%s on resource: %s",
		account, key.AccessKeyID, v.Service, op, resource)
}
