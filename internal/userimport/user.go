package userimport

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Columns of the CSV header that are not attributes.
const (
	ColUsername   = "cognito:username"
	ColMFAEnabled = "cognito:mfa_enabled"
)

// Header is the CSV header of a pool, as GetCSVHeader returns it: the
// pool's attributes in schema order without sub, then cognito:mfa_enabled
// and cognito:username.
func Header(p *userpool.Pool) []string {
	header := []string{}
	for _, a := range p.Settings.SchemaAttributes {
		if a.Name != "sub" {
			header = append(header, a.Name)
		}
	}
	return append(header, ColMFAEnabled, ColUsername)
}

// isBool reports whether v is true or false.
func isBool(v string) bool { return v == "true" || v == "false" }

// NewUser makes the user a row describes, in RESET_REQUIRED without a
// password, or says why the row is refused: cognito:username and
// cognito:mfa_enabled given, birthdate as mm/dd/yyyy (kept as
// yyyy-mm-dd), updated_at in epoch seconds, the _verified attributes true
// or false, at least one of the pool's auto-verified attributes verified,
// and every value valid for the pool's schema.
func NewUser(p *userpool.Pool, row *Row, m userpool.Minter) (*store.User, error) {
	name := row.Values[ColUsername]
	if name == "" {
		return nil, errors.New("cognito:username is required")
	}
	mfa := strings.ToLower(row.Values[ColMFAEnabled])
	if !isBool(mfa) {
		return nil, errors.New("cognito:mfa_enabled must be true or false")
	}
	attrs := maps.Clone(row.Values)
	delete(attrs, ColUsername)
	delete(attrs, ColMFAEnabled)
	if b, ok := attrs["birthdate"]; ok {
		d, err := time.Parse("01/02/2006", b)
		if err != nil {
			return nil, fmt.Errorf("birthdate %q is not a date in the format mm/dd/yyyy", b)
		}
		attrs["birthdate"] = d.Format(time.DateOnly)
	}
	if u, ok := attrs["updated_at"]; ok {
		if _, err := strconv.ParseInt(u, 10, 64); err != nil {
			return nil, fmt.Errorf("updated_at %q is not a time in epoch seconds", u)
		}
	}
	for _, v := range []string{"email_verified", "phone_number_verified"} {
		if val, ok := attrs[v]; ok {
			if val = strings.ToLower(val); !isBool(val) {
				return nil, fmt.Errorf("%s must be true or false", v)
			}
			attrs[v] = val
		}
	}
	if auto := p.Settings.AutoVerifiedAttributes; len(auto) > 0 {
		verified := false
		for _, a := range auto {
			verified = verified || (attrs[a] != "" && attrs[a+"_verified"] == "true")
		}
		if !verified {
			return nil, fmt.Errorf("at least one auto-verified attribute (%s) must be given and verified (%s_verified true)", strings.Join(auto, ", "), auto[0])
		}
	}
	if mfa == "true" && attrs["phone_number"] == "" {
		return nil, errors.New("cognito:mfa_enabled is true but phone_number is empty")
	}
	list := make([]model.AttributeType, 0, len(attrs))
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		list = append(list, model.AttributeType{Name: k, Value: attrs[k]})
	}
	if err := p.CheckAttributeValues(list, false); err != nil {
		return nil, errors.New(errorMessage(err))
	}
	u, err := p.NewUser(userpool.NewUser{Username: name, Attributes: attrs, Status: model.UserStatusTypeResetRequired}, m)
	if err != nil {
		return nil, errors.New(errorMessage(err))
	}
	if mfa == "true" {
		if err := authn.WriteState(u, &authn.State{MFA: []string{model.ChallengeNameTypeSmsMfa}}); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// errorMessage is the message of an API error, or the error's text.
func errorMessage(err error) string {
	var ae interface{ ErrorMessage() string }
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}
