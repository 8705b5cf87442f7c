package e2e

import (
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestCreateUserPoolDefaults(t *testing.T) {
	_, c := start(t)
	before := time.Now().Add(-time.Second)
	p := newPool(t, c, &cip.CreateUserPoolInput{PoolName: aws.String("defaults"), UserPoolTags: map[string]string{"team": "id"}})
	if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(aws.ToString(p.Id)) {
		t.Errorf("pool ID %q is not <region>_<9 alphanumerics>", aws.ToString(p.Id))
	}
	if want := "arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + aws.ToString(p.Id); aws.ToString(p.Arn) != want {
		t.Errorf("Arn = %q, want %q", aws.ToString(p.Arn), want)
	}
	if p.CreationDate == nil || p.CreationDate.Before(before) || p.LastModifiedDate == nil {
		t.Errorf("dates not set: %v %v", p.CreationDate, p.LastModifiedDate)
	}
	pp := p.Policies.PasswordPolicy
	if aws.ToInt32(pp.MinimumLength) != 8 || !pp.RequireUppercase || !pp.RequireLowercase || !pp.RequireNumbers || !pp.RequireSymbols || pp.TemporaryPasswordValidityDays != 7 {
		t.Errorf("default password policy = %+v", pp)
	}
	if p.MfaConfiguration != types.UserPoolMfaTypeOff || p.DeletionProtection != types.DeletionProtectionTypeInactive || p.UserPoolTier != types.UserPoolTierTypeEssentials {
		t.Errorf("defaults: mfa %s, deletion protection %s, tier %s", p.MfaConfiguration, p.DeletionProtection, p.UserPoolTier)
	}
	if p.EstimatedNumberOfUsers != 0 || p.UserPoolTags["team"] != "id" {
		t.Errorf("EstimatedNumberOfUsers %d, tags %v", p.EstimatedNumberOfUsers, p.UserPoolTags)
	}
	names := map[string]types.SchemaAttributeType{}
	for _, a := range p.SchemaAttributes {
		names[aws.ToString(a.Name)] = a
	}
	for _, n := range []string{"sub", "email", "email_verified", "phone_number", "given_name", "family_name", "updated_at", "birthdate"} {
		if _, ok := names[n]; !ok {
			t.Errorf("schema lacks standard attribute %s", n)
		}
	}
	if sub := names["sub"]; aws.ToBool(sub.Mutable) || !aws.ToBool(sub.Required) {
		t.Errorf("sub must be required and immutable: %+v", sub)
	}
	if p.VerificationMessageTemplate == nil || p.VerificationMessageTemplate.DefaultEmailOption != types.DefaultEmailOptionTypeConfirmWithCode {
		t.Errorf("VerificationMessageTemplate = %+v", p.VerificationMessageTemplate)
	}
}

func TestUserPoolLifecycle(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, &cip.CreateUserPoolInput{
		PoolName:         aws.String("life"),
		AliasAttributes:  []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		MfaConfiguration: types.UserPoolMfaTypeOff,
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(12), RequireSymbols: false, TemporaryPasswordValidityDays: 3,
		}},
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true),
				StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("64")}},
			{Name: aws.String("email"), Required: aws.Bool(true)},
		},
	})
	id := p.Id
	got := must[*cip.DescribeUserPoolOutput](t)(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})).UserPool
	if aws.ToString(got.Name) != "life" || got.AliasAttributes[0] != types.AliasAttributeTypeEmail {
		t.Fatalf("described %+v", got)
	}
	if aws.ToInt32(got.Policies.PasswordPolicy.MinimumLength) != 12 || got.Policies.PasswordPolicy.RequireSymbols || got.Policies.PasswordPolicy.TemporaryPasswordValidityDays != 3 {
		t.Errorf("password policy not kept: %+v", got.Policies.PasswordPolicy)
	}
	found := map[string]bool{}
	for _, a := range got.SchemaAttributes {
		found[aws.ToString(a.Name)] = true
		if aws.ToString(a.Name) == "email" && !aws.ToBool(a.Required) {
			t.Error("email was made required at creation but is not")
		}
	}
	if !found["custom:tenant"] {
		t.Error("custom attribute not stored as custom:tenant")
	}

	// AddCustomAttributes, then duplicates are refused.
	must[*cip.AddCustomAttributesOutput](t)(c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: id, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber, NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("0"), MaxValue: aws.String("10")}},
	}}))
	_, err := c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: id, CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}}})
	wantErr(t, err, "InvalidParameterException", "Existing attribute")

	// UpdateUserPool: what is given changes, what is left out returns to its default.
	must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{
		UserPoolId: id, DeletionProtection: types.DeletionProtectionTypeActive,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	}))
	got = must[*cip.DescribeUserPoolOutput](t)(c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})).UserPool
	if got.DeletionProtection != types.DeletionProtectionTypeActive || len(got.AutoVerifiedAttributes) != 1 {
		t.Errorf("update not applied: %+v", got)
	}
	if aws.ToInt32(got.Policies.PasswordPolicy.MinimumLength) != 8 {
		t.Errorf("password policy left out of UpdateUserPool should return to default, got %+v", got.Policies.PasswordPolicy)
	}
	if !found["custom:tenant"] || len(got.AliasAttributes) != 1 || aws.ToString(got.Name) != "life" {
		t.Errorf("immutable settings changed by update: %+v", got)
	}
	if !got.LastModifiedDate.After(*got.CreationDate) && !got.LastModifiedDate.Equal(*got.CreationDate) {
		t.Errorf("LastModifiedDate %v before CreationDate %v", got.LastModifiedDate, got.CreationDate)
	}

	// Deletion protection blocks delete until it is turned off.
	_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: id})
	wantErr(t, err, "InvalidParameterException", "deletion protection")
	must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id}))
	must[*cip.DeleteUserPoolOutput](t)(c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: id}))
	_, err = c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	wantErr(t, err, "ResourceNotFoundException", "does not exist")
	_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: id})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestCreateUserPoolErrors(t *testing.T) {
	_, c := start(t)
	cases := []struct {
		name string
		in   *cip.CreateUserPoolInput
		code string
		msg  string
	}{
		{"username and alias attributes", &cip.CreateUserPoolInput{
			UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			AliasAttributes:    []types.AliasAttributeType{types.AliasAttributeTypePhoneNumber}}, "InvalidParameterException", "usernameAttributes"},
		{"required custom attribute", &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
			{Name: aws.String("x"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true)}}}, "InvalidParameterException", "Required custom attributes"},
		{"password too short", &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(4)}}}, "InvalidParameterException", ""},
		{"bad pool name", &cip.CreateUserPoolInput{PoolName: aws.String("bad/name")}, "InvalidParameterException", "failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"password history in Lite", &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypeLite, Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{PasswordHistorySize: aws.Int32(3)}}}, "FeatureUnavailableInTierException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.in.PoolName == nil {
				tc.in.PoolName = aws.String("p")
			}
			_, err := c.CreateUserPool(ctx, tc.in)
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	// Nothing was created by the failures.
	out := must[*cip.ListUserPoolsOutput](t)(c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)}))
	if len(out.UserPools) != 0 {
		t.Errorf("failed creates left %d pools", len(out.UserPools))
	}
}

func TestListUserPoolsPaginates(t *testing.T) {
	_, c := start(t)
	want := map[string]bool{}
	for i := 0; i < 7; i++ {
		want[aws.ToString(newPool(t, c, nil).Id)] = true
	}
	seen := map[string]bool{}
	pages := cip.NewListUserPoolsPaginator(c, &cip.ListUserPoolsInput{MaxResults: aws.Int32(3)})
	n := 0
	for pages.HasMorePages() {
		page := must[*cip.ListUserPoolsOutput](t)(pages.NextPage(ctx))
		n++
		for _, p := range page.UserPools {
			if seen[aws.ToString(p.Id)] {
				t.Errorf("pool %s listed twice", aws.ToString(p.Id))
			}
			seen[aws.ToString(p.Id)] = true
			if p.CreationDate == nil || p.LambdaConfig == nil {
				t.Errorf("description lacks fields: %+v", p)
			}
		}
	}
	if n != 3 || len(seen) != len(want) {
		t.Errorf("%d pages, %d pools; want 3 pages, %d pools", n, len(seen), len(want))
	}
	_, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(61)})
	wantErr(t, err, "InvalidParameterException", "Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60")
	_, err = c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(5), NextToken: aws.String("garbage")})
	wantErr(t, err, "InvalidParameterException", "")
}
