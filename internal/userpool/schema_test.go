package userpool

import (
	"errors"
	"testing"

	"github.com/cognate-idp/cognate/internal/model"
)

// CreateUserPool's Schema checks, with the messages reported from Cognito.
func TestNewSettingsSchema(t *testing.T) {
	str := func(lo, hi string) *model.StringAttributeConstraintsType {
		return &model.StringAttributeConstraintsType{MinLength: lo, MaxLength: hi}
	}
	num := func(lo, hi string) *model.NumberAttributeConstraintsType {
		return &model.NumberAttributeConstraintsType{MinValue: lo, MaxValue: hi}
	}
	yes := ptr(true)
	for _, tc := range []struct {
		attr model.SchemaAttributeType
		want string // the InvalidParameterException message, "" for none
	}{
		{model.SchemaAttributeType{Name: "email", Required: yes, StringAttributeConstraints: str("5", "100")}, ""},
		{model.SchemaAttributeType{Name: "email", StringAttributeConstraints: str("invalid_value", "")}, "Invalid StringAttributeConstraints for schema attribute email"},
		{model.SchemaAttributeType{Name: "email", StringAttributeConstraints: str("-1", "")}, "Invalid StringAttributeConstraints for schema attribute email"},
		{model.SchemaAttributeType{Name: "name", StringAttributeConstraints: str("", "2049")}, "user.name: String attributes cannot have a length of more than 2048"},
		{model.SchemaAttributeType{Name: "name", StringAttributeConstraints: str("20", "10")}, "user.name: Max length cannot be less than min length."},
		// A narrowed minimum is checked against the standard maximum.
		{model.SchemaAttributeType{Name: "birthdate", StringAttributeConstraints: str("11", "")}, "user.birthdate: Max length cannot be less than min length."},
		{model.SchemaAttributeType{Name: "updated_at", NumberAttributeConstraints: num("x", "")}, "Invalid NumberAttributeConstraints for schema attribute updated_at"},
		{model.SchemaAttributeType{Name: "updated_at", NumberAttributeConstraints: num("10", "5")}, "user.updated_at: Max value cannot be less than min value."},
		{model.SchemaAttributeType{Name: "email", AttributeDataType: "Number"}, "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"},
		{model.SchemaAttributeType{Name: "email", DeveloperOnlyAttribute: yes}, "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"},
		{model.SchemaAttributeType{Name: "email", AttributeDataType: "String"}, ""},
		{model.SchemaAttributeType{Name: "team"}, "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."},
		{model.SchemaAttributeType{Name: "team", AttributeDataType: "String", StringAttributeConstraints: str("1", "3000")}, "user.custom:team: String attributes cannot have a length of more than 2048"},
		{model.SchemaAttributeType{Name: "level", AttributeDataType: "Number", NumberAttributeConstraints: num("9", "1")}, "user.custom:level: Max value cannot be less than min value."},
		{model.SchemaAttributeType{Name: "level", AttributeDataType: "Number", NumberAttributeConstraints: num("1", "9")}, ""},
	} {
		s, err := NewSettings(&model.CreateUserPoolRequest{PoolName: "p", Schema: []model.SchemaAttributeType{tc.attr}})
		var ipe *model.InvalidParameterException
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v", tc.attr, err)
		case tc.want != "" && (!errors.As(err, &ipe) || ipe.Message != tc.want):
			t.Errorf("%+v: error %v, want InvalidParameterException %q", tc.attr, err, tc.want)
		case tc.want != "" && s != nil:
			t.Errorf("%+v: settings returned with an error", tc.attr)
		}
	}
	// What was accepted is what DescribeUserPool shows.
	s, err := NewSettings(&model.CreateUserPoolRequest{PoolName: "p", Schema: []model.SchemaAttributeType{
		{Name: "email", Required: ptr(true), StringAttributeConstraints: &model.StringAttributeConstraintsType{MaxLength: "100"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range s.SchemaAttributes {
		if a.Name == "email" && (!*a.Required || a.StringAttributeConstraints.MinLength != "0" || a.StringAttributeConstraints.MaxLength != "100" || *a.DeveloperOnlyAttribute) {
			t.Errorf("email %+v %+v", a, *a.StringAttributeConstraints)
		}
	}
}
