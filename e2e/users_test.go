package e2e

import (
	"fmt"
	"regexp"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestAdminCreateAndGetUser(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePreferredUsername}}).Id
	out := must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: pool, Username: aws.String("alice"), TemporaryPassword: aws.String("Temp-Passw0rd!"),
		UserAttributes:         []types.AttributeType{attr("email", "alice@example.com"), attr("email_verified", "true"), attr("given_name", "Alice"), attr("preferred_username", "al")},
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
	})).User
	if aws.ToString(out.Username) != "alice" || out.UserStatus != types.UserStatusTypeForceChangePassword || !out.Enabled {
		t.Fatalf("created %+v", out)
	}
	a := attrs(out.Attributes)
	if !uuidRE.MatchString(a["sub"]) || a["email"] != "alice@example.com" {
		t.Errorf("attributes %v", a)
	}
	for _, name := range []string{"alice", "alice@example.com", "al"} {
		got, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String(name)})
		if err != nil {
			t.Fatalf("AdminGetUser(%s): %v", name, err)
		}
		if aws.ToString(got.Username) != "alice" || attrs(got.UserAttributes)["sub"] != a["sub"] || got.UserCreateDate == nil {
			t.Errorf("AdminGetUser(%s) = %+v", name, got)
		}
	}
	_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("ALICE")})
	wantErr(t, err, "UserNotFoundException", "User does not exist.")

	// Duplicates and alias conflicts.
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("alice"), MessageAction: types.MessageActionTypeSuppress})
	wantErr(t, err, "UsernameExistsException", "")
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("bob"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{attr("email", "alice@example.com"), attr("email_verified", "true")}})
	wantErr(t, err, "AliasExistsException", "email")
	// An unverified email is no alias, so it can be shared.
	createUser(t, c, aws.ToString(pool), "carol", attr("email", "alice@example.com"))
	// ForceAliasCreation moves the alias.
	must[*cip.AdminCreateUserOutput](t)(c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("dave"), MessageAction: types.MessageActionTypeSuppress, ForceAliasCreation: true,
		UserAttributes: []types.AttributeType{attr("email", "alice@example.com"), attr("email_verified", "true")}}))
	got := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("alice@example.com")}))
	if aws.ToString(got.Username) != "dave" {
		t.Errorf("alias still resolves to %s after ForceAliasCreation", aws.ToString(got.Username))
	}
	alice := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("alice")}))
	if attrs(alice.UserAttributes)["email_verified"] != "false" {
		t.Errorf("the alias's previous holder should be unverified: %v", attrs(alice.UserAttributes))
	}

	// Usernames that look like an alias are refused in alias pools.
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("eve@example.com")})
	wantErr(t, err, "InvalidParameterException", "email format")
}

func TestAdminCreateUserErrors(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
		{Name: aws.String("given_name"), Required: aws.Bool(true)},
		{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber},
	}}).Id
	cases := []struct {
		name string
		in   cip.AdminCreateUserInput
		code string
		msg  string
	}{
		{"unknown attribute", cip.AdminCreateUserInput{UserAttributes: []types.AttributeType{attr("given_name", "x"), attr("custom:nope", "1")}}, "InvalidParameterException", "Attribute does not exist in the schema"},
		{"missing required attribute", cip.AdminCreateUserInput{}, "InvalidParameterException", "given_name: The attribute is required"},
		{"bad number", cip.AdminCreateUserInput{UserAttributes: []types.AttributeType{attr("given_name", "x"), attr("custom:level", "high")}}, "InvalidParameterException", ""},
		{"bad email", cip.AdminCreateUserInput{UserAttributes: []types.AttributeType{attr("given_name", "x"), attr("email", "not-an-email")}}, "InvalidParameterException", "Invalid email address format."},
		{"bad phone", cip.AdminCreateUserInput{UserAttributes: []types.AttributeType{attr("given_name", "x"), attr("phone_number", "555-1234")}}, "InvalidParameterException", "Invalid phone number format."},
		{"sub is not writable", cip.AdminCreateUserInput{UserAttributes: []types.AttributeType{attr("given_name", "x"), attr("sub", "abc")}}, "InvalidParameterException", "sub"},
		{"weak temporary password", cip.AdminCreateUserInput{TemporaryPassword: aws.String("short"), UserAttributes: []types.AttributeType{attr("given_name", "x")}}, "InvalidPasswordException", "Password not long enough"},
		{"resend to unknown user", cip.AdminCreateUserInput{MessageAction: types.MessageActionTypeResend}, "UserNotFoundException", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.UserPoolId, in.Username = pool, aws.String("u-"+tc.name[:3])
			_, err := c.AdminCreateUser(ctx, &in)
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("x"), TemporaryPassword: aws.String("has space")})
	wantErr(t, err, "InvalidParameterException", "Value at 'temporaryPassword' failed to satisfy constraint")
	list := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool}))
	if len(list.Users) != 0 {
		t.Errorf("failed creates left users: %d", len(list.Users))
	}
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String("us-east-1_nopool000"), Username: aws.String("x")})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestEmailAsUsername(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, &cip.CreateUserPoolInput{
		UsernameAttributes:    []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
		UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
	}).Id
	u := createUser(t, c, aws.ToString(pool), "Bob@Example.com")
	if !uuidRE.MatchString(aws.ToString(u.Username)) || attrs(u.Attributes)["sub"] != aws.ToString(u.Username) || attrs(u.Attributes)["email"] != "Bob@Example.com" {
		t.Errorf("email-as-username user %+v", u)
	}
	got := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("bob@example.com")}))
	if aws.ToString(got.Username) != aws.ToString(u.Username) {
		t.Errorf("case-insensitive lookup by email found %s", aws.ToString(got.Username))
	}
	_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("BOB@example.com"), MessageAction: types.MessageActionTypeSuppress})
	wantErr(t, err, "UsernameExistsException", "")
	_, err = c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("plainname")})
	wantErr(t, err, "InvalidParameterException", "Username should be an email.")
}

func TestCaseInsensitiveUsernames(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, &cip.CreateUserPoolInput{UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}}).Id
	createUser(t, c, aws.ToString(pool), "MixedCase")
	got := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("mixedcase")}))
	if aws.ToString(got.Username) != "MixedCase" {
		t.Errorf("Username = %q, want the name as created", aws.ToString(got.Username))
	}
	_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool, Username: aws.String("MIXEDCASE")})
	wantErr(t, err, "UsernameExistsException", "")
	list := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(`username = "MIXEDcase"`)}))
	if len(list.Users) != 1 {
		t.Errorf("username filter in a case-insensitive pool found %d users", len(list.Users))
	}
}

func TestUpdateAndDeleteAttributes(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, &cip.CreateUserPoolInput{
		AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("family_name"), Required: aws.Bool(true)},
			{Name: aws.String("badge"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
		},
	}).Id
	p := aws.ToString(pool)
	createUser(t, c, p, "u1", attr("family_name", "One"), attr("email", "one@example.com"), attr("email_verified", "true"), attr("custom:badge", "b1"))
	createUser(t, c, p, "u2", attr("family_name", "Two"))

	must[*cip.AdminUpdateUserAttributesOutput](t)(c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String("u1"),
		UserAttributes: []types.AttributeType{attr("given_name", "Uno"), attr("email", "uno@example.com")}}))
	a := attrs(must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("u1")})).UserAttributes)
	if a["given_name"] != "Uno" || a["email"] != "uno@example.com" || a["email_verified"] != "false" {
		t.Errorf("after update: %v", a)
	}
	// The old verified alias no longer resolves, and the new one is unverified.
	_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("one@example.com")})
	wantErr(t, err, "UserNotFoundException", "")

	// Verified aliases conflict.
	must[*cip.AdminUpdateUserAttributesOutput](t)(c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String("u1"),
		UserAttributes: []types.AttributeType{attr("email_verified", "true")}}))
	_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String("u2"),
		UserAttributes: []types.AttributeType{attr("email", "uno@example.com"), attr("email_verified", "true")}})
	wantErr(t, err, "AliasExistsException", "")
	a2 := attrs(must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("u2")})).UserAttributes)
	if _, ok := a2["email"]; ok {
		t.Errorf("a refused update changed the user: %v", a2)
	}

	_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String("u1"), UserAttributes: []types.AttributeType{attr("custom:badge", "b2")}})
	wantErr(t, err, "InvalidParameterException", "immutable")
	_, err = c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: pool, Username: aws.String("u1"), UserAttributeNames: []string{"family_name"}})
	wantErr(t, err, "InvalidParameterException", "required")
	must[*cip.AdminDeleteUserAttributesOutput](t)(c.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: pool, Username: aws.String("u1"), UserAttributeNames: []string{"given_name", "email"}}))
	a = attrs(must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("u1")})).UserAttributes)
	if _, ok := a["given_name"]; ok || a["email"] != "" || a["email_verified"] != "" {
		t.Errorf("after delete: %v", a)
	}
	_, err = c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String("ghost"), UserAttributes: []types.AttributeType{attr("given_name", "x")}})
	wantErr(t, err, "UserNotFoundException", "")
}

func TestEnableDisableDelete(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, nil).Id
	createUser(t, c, aws.ToString(pool), "u")
	must[*cip.AdminDisableUserOutput](t)(c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: pool, Username: aws.String("u")}))
	if got := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("u")})); got.Enabled {
		t.Error("still enabled after AdminDisableUser")
	}
	list := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(`status = "Disabled"`)}))
	if len(list.Users) != 1 {
		t.Errorf("status = Disabled found %d users", len(list.Users))
	}
	must[*cip.AdminEnableUserOutput](t)(c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: pool, Username: aws.String("u")}))
	if got := must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("u")})); !got.Enabled {
		t.Error("still disabled after AdminEnableUser")
	}
	must[*cip.AdminDeleteUserOutput](t)(c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: aws.String("u")}))
	_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("u")})
	wantErr(t, err, "UserNotFoundException", "")
	_, err = c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: aws.String("u")})
	wantErr(t, err, "UserNotFoundException", "")
	_, err = c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: pool, Username: aws.String("u")})
	wantErr(t, err, "UserNotFoundException", "")
}

func TestListUsersFilters(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, nil).Id
	p := aws.ToString(pool)
	createUser(t, c, p, "jon", attr("email", "jon@example.com"), attr("given_name", "Jon"), attr("family_name", "Reddy"), attr("name", "Jon Reddy"), attr("phone_number", "+15550001"), attr("preferred_username", "jr"))
	createUser(t, c, p, "jonathan", attr("email", "jonathan@example.com"), attr("given_name", "Jonathan"), attr("family_name", "Smith"))
	sub := attrs(createUser(t, c, p, "mary", attr("email", "mary@example.org"), attr("given_name", "Mary"), attr("family_name", "Reddy")).Attributes)["sub"]
	must[*cip.AdminDisableUserOutput](t)(c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: pool, Username: aws.String("mary")}))

	cases := []struct {
		filter string
		want   []string
	}{
		{``, []string{"jon", "jonathan", "mary"}},
		{`username = "jon"`, []string{"jon"}},
		{`username ^= "jon"`, []string{"jon", "jonathan"}},
		{`username="JON"`, nil},
		{`email = "mary@example.org"`, []string{"mary"}},
		{`email ^= "jon"`, []string{"jon", "jonathan"}},
		{`given_name ^= "Jon"`, []string{"jon", "jonathan"}},
		{`family_name = "Reddy"`, []string{"jon", "mary"}},
		{`name = "Jon Reddy"`, []string{"jon"}},
		{`phone_number = "+15550001"`, []string{"jon"}},
		{`preferred_username = "jr"`, []string{"jon"}},
		{`sub = "` + sub + `"`, []string{"mary"}},
		{`cognito:user_status = "force_change_password"`, []string{"jon", "jonathan", "mary"}},
		{`cognito:user_status = "CONFIRMED"`, nil},
		{`status = "Enabled"`, []string{"jon", "jonathan"}},
		{`status = "Disabled"`, []string{"mary"}},
		{`status = "disabled"`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.filter, func(t *testing.T) {
			out := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(tc.filter)}))
			var got []string
			for _, u := range out.Users {
				got = append(got, aws.ToString(u.Username))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("ListUsers(%s) = %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
	for _, bad := range []string{`email == "x"`, `email = x`, `custom:x = "1"`, `email = "unterminated`} {
		_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(bad)})
		wantErr(t, err, "InvalidParameterException", "")
	}
	// AttributesToGet limits the attributes returned.
	out := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Filter: aws.String(`username = "jon"`), AttributesToGet: []string{"email"}}))
	if a := attrs(out.Users[0].Attributes); len(a) != 1 || a["email"] != "jon@example.com" {
		t.Errorf("AttributesToGet [email] gave %v", a)
	}
}

func TestListUsersPaginationWhileChanging(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, nil).Id
	p := aws.ToString(pool)
	for i := 0; i < 25; i++ {
		createUser(t, c, p, fmt.Sprintf("user%02d", i), attr("family_name", "Same"))
	}
	seen := map[string]int{}
	var token *string
	page := 0
	for {
		out := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Limit: aws.Int32(4), PaginationToken: token, Filter: aws.String(`family_name = "Same"`)}))
		for _, u := range out.Users {
			seen[aws.ToString(u.Username)]++
		}
		page++
		// Users come and go between pages.
		createUser(t, c, p, fmt.Sprintf("new%02d", page), attr("family_name", "Same"))
		if page == 2 {
			must[*cip.AdminDeleteUserOutput](t)(c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: aws.String("user24")}))
		}
		if out.PaginationToken == nil {
			break
		}
		token = out.PaginationToken
	}
	for i := 0; i < 24; i++ {
		if n := seen[fmt.Sprintf("user%02d", i)]; n != 1 {
			t.Errorf("user%02d listed %d times", i, n)
		}
	}
	_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, PaginationToken: aws.String("bm90LWEtdG9rZW4")})
	wantErr(t, err, "InvalidParameterException", "")
	_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: pool, Limit: aws.Int32(61)})
	wantErr(t, err, "InvalidParameterException", "Member must have value less than or equal to 60")
}

// Two writers updating one user at once never lose each other's change.
func TestConcurrentAttributeUpdates(t *testing.T) {
	_, c := start(t)
	pool := newPool(t, c, &cip.CreateUserPoolInput{Schema: func() []types.SchemaAttributeType {
		var s []types.SchemaAttributeType
		for i := 0; i < 16; i++ {
			s = append(s, types.SchemaAttributeType{Name: aws.String(fmt.Sprintf("a%d", i)), AttributeDataType: types.AttributeDataTypeString})
		}
		return s
	}()}).Id
	createUser(t, c, aws.ToString(pool), "target")
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String("target"),
				UserAttributes: []types.AttributeType{attr(fmt.Sprintf("custom:a%d", i), "set")}})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	a := attrs(must[*cip.AdminGetUserOutput](t)(c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("target")})).UserAttributes)
	for i := 0; i < 16; i++ {
		if a[fmt.Sprintf("custom:a%d", i)] != "set" {
			t.Errorf("update of custom:a%d was lost", i)
		}
	}
}
