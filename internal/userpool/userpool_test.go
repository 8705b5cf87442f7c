package userpool

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

func newPool(t *testing.T, req *model.CreateUserPoolRequest) *Pool {
	t.Helper()
	s, err := NewSettings(req)
	if err != nil {
		t.Fatal(err)
	}
	return &Pool{ID: "us-east-1_test", Settings: *s}
}

func TestAliases(t *testing.T) {
	attrs := map[string]string{"email": "Bob@Example.com", "email_verified": "true", "phone_number": "+15550001", "preferred_username": "Bobby"}
	cases := []struct {
		name string
		req  model.CreateUserPoolRequest
		want []string
	}{
		{"no aliases", model.CreateUserPoolRequest{}, nil},
		{"verified email alias", model.CreateUserPoolRequest{AliasAttributes: []string{"email", "phone_number"}}, []string{"email:Bob@Example.com"}},
		{"preferred_username always", model.CreateUserPoolRequest{AliasAttributes: []string{"preferred_username"}}, []string{"preferred_username:Bobby"}},
		{"email as username, folded", model.CreateUserPoolRequest{UsernameAttributes: []string{"email"}, UsernameConfiguration: &model.UsernameConfigurationType{CaseSensitive: ptr(false)}}, []string{"email:bob@example.com"}},
		{"phone as username, verified or not", model.CreateUserPoolRequest{UsernameAttributes: []string{"phone_number"}}, []string{"phone_number:+15550001"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.PoolName = "p"
			if got := newPool(t, &tc.req).Aliases(attrs); !slices.Equal(got, tc.want) {
				t.Errorf("Aliases = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckAttributeValues(t *testing.T) {
	p := newPool(t, &model.CreateUserPoolRequest{PoolName: "p", Schema: []model.SchemaAttributeType{
		{Name: "badge", AttributeDataType: "String", Mutable: ptr(false), StringAttributeConstraints: &model.StringAttributeConstraintsType{MaxLength: "4"}},
		{Name: "level", AttributeDataType: "Number", NumberAttributeConstraints: &model.NumberAttributeConstraintsType{MinValue: "1", MaxValue: "9"}},
	}})
	cases := []struct {
		name     string
		attr     model.AttributeType
		updating bool
		ok       bool
	}{
		{"plain", model.AttributeType{Name: "given_name", Value: "Ann"}, false, true},
		{"unknown", model.AttributeType{Name: "custom:nope", Value: "x"}, false, false},
		{"sub", model.AttributeType{Name: "sub", Value: "x"}, false, false},
		{"boolean", model.AttributeType{Name: "email_verified", Value: "yes"}, false, false},
		{"number in range", model.AttributeType{Name: "custom:level", Value: "5"}, false, true},
		{"number out of range", model.AttributeType{Name: "custom:level", Value: "10"}, false, false},
		{"not a number", model.AttributeType{Name: "custom:level", Value: "five"}, false, false},
		{"too long", model.AttributeType{Name: "custom:badge", Value: "abcde"}, false, false},
		{"immutable at creation", model.AttributeType{Name: "custom:badge", Value: "ab"}, false, true},
		{"immutable on update", model.AttributeType{Name: "custom:badge", Value: "ab"}, true, false},
		{"email", model.AttributeType{Name: "email", Value: "a@b.example"}, false, true},
		{"bad email", model.AttributeType{Name: "email", Value: "Ann <a@b.example>"}, false, false},
		{"bad phone", model.AttributeType{Name: "phone_number", Value: "5550001"}, false, false},
	}
	for _, tc := range cases {
		err := p.CheckAttributeValues([]model.AttributeType{tc.attr}, tc.updating)
		if ok := err == nil; ok != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
		if err != nil {
			if _, isIPE := errors.AsType[*model.InvalidParameterException](err); !isIPE {
				t.Errorf("%s: %T is not InvalidParameterException", tc.name, err)
			}
		}
	}
}

func TestUpdateSettingsKeepsWhatCannotChange(t *testing.T) {
	old, err := NewSettings(&model.CreateUserPoolRequest{PoolName: "p", AliasAttributes: []string{"email"}, UserPoolTags: map[string]string{"a": "b"},
		Schema: []model.SchemaAttributeType{{Name: "x", AttributeDataType: "String"}}, MfaConfiguration: "OFF",
		Policies: &model.UserPoolPolicyType{PasswordPolicy: &model.PasswordPolicyType{MinimumLength: ptr(int32(12))}}})
	if err != nil {
		t.Fatal(err)
	}
	next, err := UpdateSettings(old, &model.UpdateUserPoolRequest{UserPoolId: "us-east-1_test", DeletionProtection: "ACTIVE"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(next.AliasAttributes, []string{"email"}) || next.UserPoolTags["a"] != "b" || len(next.SchemaAttributes) != len(old.SchemaAttributes) {
		t.Errorf("update lost immutable settings: %+v", next)
	}
	if *next.Policies.PasswordPolicy.MinimumLength != 8 || next.DeletionProtection != "ACTIVE" {
		t.Errorf("update: policy %+v, deletion protection %s", next.Policies.PasswordPolicy, next.DeletionProtection)
	}
}

type fakePools struct {
	store.Pools
	rec *store.Pool
}

func (f fakePools) GetPool(_ context.Context, id string) (*store.Pool, error) {
	if f.rec == nil || f.rec.ID != id {
		return nil, store.ErrNotFound
	}
	c := *f.rec
	return &c, nil
}

// The decode memo never serves settings other than the stored ones.
func TestMemoSeesChangedSettings(t *testing.T) {
	ctx := t.Context()
	s, _ := NewSettings(&model.CreateUserPoolRequest{PoolName: "p"})
	cfg, _ := Encode(s)
	f := fakePools{rec: &store.Pool{ID: "us-east-1_memo", Name: "p", Config: cfg}}
	m := NewMemo(1)
	if p, err := m.Load(ctx, f, "us-east-1_memo"); err != nil || p.Settings.MfaConfiguration != "OFF" {
		t.Fatalf("Load = %+v, %v", p, err)
	}
	if len(m.m) != 1 {
		t.Fatalf("memo holds %d pools after a load", len(m.m))
	}
	s.MfaConfiguration = "OPTIONAL"
	f.rec.Config, _ = Encode(s)
	if p, _ := m.Load(ctx, f, "us-east-1_memo"); p.Settings.MfaConfiguration != "OPTIONAL" {
		t.Errorf("Load served stale settings: %s", p.Settings.MfaConfiguration)
	}
	if _, err := m.Load(ctx, f, "us-east-1_other"); err == nil {
		t.Error("missing pool loaded")
	} else if _, ok := errors.AsType[*model.ResourceNotFoundException](err); !ok {
		t.Errorf("missing pool: %v", err)
	}
	// Two memos share nothing; a nil memo decodes every time.
	if p, err := NewMemo(1).Load(ctx, f, "us-east-1_memo"); err != nil || p.Settings.MfaConfiguration != "OPTIONAL" {
		t.Errorf("second memo: %+v, %v", p, err)
	}
	if p, err := Load(ctx, f, "us-east-1_memo"); err != nil || p.Settings.MfaConfiguration != "OPTIONAL" {
		t.Errorf("Load without a memo: %+v, %v", p, err)
	}
}
