package model_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/model"
)

func ptr[T any](v T) *T { return &v }

// validationMessage returns the message of the InvalidParameterException in
// returns, or "" when in is valid.
func validationMessage(t *testing.T, in model.Input) string {
	t.Helper()
	err := in.Validate()
	if err == nil {
		return ""
	}
	ipe, ok := errors.AsType[*model.InvalidParameterException](err)
	if !ok {
		t.Fatalf("Validate() = %T %v, want *model.InvalidParameterException", err, err)
	}
	if ipe.HTTPStatus() != 400 || ipe.ErrorCode() != "InvalidParameterException" {
		t.Errorf("exception = %s/%d, want InvalidParameterException/400", ipe.ErrorCode(), ipe.HTTPStatus())
	}
	if ipe.ErrorMessage() != ipe.Message {
		t.Errorf("ErrorMessage() = %q, Message = %q", ipe.ErrorMessage(), ipe.Message)
	}
	return ipe.Message
}

const (
	poolID      = "us-east-1_AbCdEf123"
	poolPattern = `[\w-]+_[0-9a-zA-Z]+`
)

func TestValidateMessages(t *testing.T) {
	emoji := func(n int) string { return strings.Repeat("\U0001F600", n) }
	tests := []struct {
		name string
		in   model.Input
		want string // "" for a valid input
	}{
		{
			name: "valid",
			in:   &model.ListUsersRequest{UserPoolId: poolID, Limit: ptr[int32](60)},
		},
		{
			name: "missing required string",
			in:   &model.ListUsersRequest{},
			want: "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "too long",
			in:   &model.ListUsersRequest{UserPoolId: "us-east-1_" + strings.Repeat("a", 46)},
			want: "1 validation error detected: Value 'us-east-1_" + strings.Repeat("a", 46) +
				"' at 'userPoolId' failed to satisfy constraint: Member must have length less than or equal to 55",
		},
		{
			name: "longest allowed",
			in:   &model.ListUsersRequest{UserPoolId: "us-east-1_" + strings.Repeat("a", 45)},
		},
		{
			name: "pattern",
			in:   &model.ListUsersRequest{UserPoolId: "no-underscore"},
			want: "1 validation error detected: Value 'no-underscore' at 'userPoolId' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: " + poolPattern,
		},
		{
			name: "pattern anchored at both ends",
			in:   &model.ListUsersRequest{UserPoolId: "us-east-1_abc!"},
			want: "1 validation error detected: Value 'us-east-1_abc!' at 'userPoolId' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: " + poolPattern,
		},
		{
			name: "enum",
			in:   &model.InitiateAuthRequest{AuthFlow: "PASSWORD", ClientId: "client"},
			want: "1 validation error detected: Value 'PASSWORD' at 'authFlow' failed to satisfy constraint: " +
				"Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, " +
				"ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]",
		},
		{
			name: "enum is case sensitive",
			in:   &model.AdminCreateUserRequest{UserPoolId: poolID, Username: "alice", MessageAction: "suppress"},
			want: "1 validation error detected: Value 'suppress' at 'messageAction' failed to satisfy constraint: " +
				"Member must satisfy enum value set: [RESEND, SUPPRESS]",
		},
		{
			name: "enum in a list",
			in: &model.AdminCreateUserRequest{
				UserPoolId: poolID, Username: "alice", DesiredDeliveryMediums: []string{"EMAIL", "PIGEON"},
			},
			want: "1 validation error detected: Value 'PIGEON' at 'desiredDeliveryMediums.2.member' failed to satisfy constraint: " +
				"Member must satisfy enum value set: [SMS, EMAIL]",
		},
		{
			name: "number above max",
			in:   &model.ListUsersRequest{UserPoolId: poolID, Limit: ptr[int32](61)},
			want: "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: " +
				"Member must have value less than or equal to 60",
		},
		{
			name: "number below min",
			in:   &model.ListUsersRequest{UserPoolId: poolID, Limit: ptr[int32](-1)},
			want: "1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: " +
				"Member must have value greater than or equal to 0",
		},
		{
			name: "number at min",
			in:   &model.ListUsersRequest{UserPoolId: poolID, Limit: ptr[int32](0)},
		},
		{
			name: "sensitive password omitted",
			in:   &model.SignUpRequest{ClientId: "client", Username: "alice", Password: "secret with spaces"},
			want: "1 validation error detected: Value at 'password' failed to satisfy constraint: " +
				`Member must satisfy regular expression pattern: [\S]+`,
		},
		{
			name: "sensitive username omitted",
			in:   &model.AdminGetUserRequest{UserPoolId: poolID, Username: strings.Repeat("u", 129)},
			want: "1 validation error detected: Value at 'username' failed to satisfy constraint: " +
				"Member must have length less than or equal to 128",
		},
		{
			name: "sensitive missing is still null",
			in:   &model.AdminGetUserRequest{UserPoolId: poolID},
			want: "1 validation error detected: Value null at 'username' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "nested required member",
			in: &model.SignUpRequest{ClientId: "client", Username: "alice", UserAttributes: []model.AttributeType{
				{Name: "email", Value: "a@example.com"},
				{Value: "no name"},
			}},
			want: "1 validation error detected: Value null at 'userAttributes.2.member.name' failed to satisfy constraint: " +
				"Member must not be null",
		},
		{
			name: "nested sensitive value",
			in: &model.AdminUpdateUserAttributesRequest{UserPoolId: poolID, Username: "alice", UserAttributes: []model.AttributeType{
				{Name: "custom:blob", Value: strings.Repeat("v", 2049)},
			}},
			want: "1 validation error detected: Value at 'userAttributes.1.member.value' failed to satisfy constraint: " +
				"Member must have length less than or equal to 2048",
		},
		{
			name: "nested structure",
			in: &model.AdminInitiateAuthRequest{AuthFlow: "ADMIN_USER_PASSWORD_AUTH", ClientId: "client", UserPoolId: poolID,
				ContextData: &model.ContextDataType{IpAddress: "192.0.2.1", ServerName: "example.com", ServerPath: "/login"}},
			want: "1 validation error detected: Value null at 'contextData.httpHeaders' failed to satisfy constraint: " +
				"Member must not be null",
		},
		{
			name: "nested structure in a list in a structure",
			in: &model.AdminInitiateAuthRequest{AuthFlow: "ADMIN_USER_PASSWORD_AUTH", ClientId: "client", UserPoolId: poolID,
				ContextData: &model.ContextDataType{IpAddress: "192.0.2.1", ServerName: "example.com", ServerPath: "/login",
					HttpHeaders: []model.HttpHeader{{HeaderName: "a"}, {HeaderName: strings.Repeat("h", 131073)}}}},
			want: "1 validation error detected: Value '" + strings.Repeat("h", 131073) +
				"' at 'contextData.httpHeaders.2.member.headerName' failed to satisfy constraint: " +
				"Member must have length less than or equal to 131072",
		},
		{
			name: "required list present but empty",
			in:   &model.AdminUpdateUserAttributesRequest{UserPoolId: poolID, Username: "alice", UserAttributes: []model.AttributeType{}},
		},
		{
			name: "required list absent",
			in:   &model.AdminUpdateUserAttributesRequest{UserPoolId: poolID, Username: "alice"},
			want: "1 validation error detected: Value null at 'userAttributes' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "two errors",
			in:   &model.ListUsersRequest{Limit: ptr[int32](61)},
			want: "2 validation errors detected: " +
				"Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60; " +
				"Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "two constraints of one member",
			in:   &model.ListUsersRequest{UserPoolId: strings.Repeat("!", 56)},
			want: "2 validation errors detected: " +
				"Value '" + strings.Repeat("!", 56) + "' at 'userPoolId' failed to satisfy constraint: Member must have length less than or equal to 55; " +
				"Value '" + strings.Repeat("!", 56) + "' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: " + poolPattern,
		},
		{
			name: "map values in key order",
			in: &model.TagResourceRequest{
				ResourceArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/" + poolID,
				Tags:        map[string]string{"b": strings.Repeat("y", 257), "a": strings.Repeat("x", 257), "": "empty key"},
			},
			want: "3 validation errors detected: " +
				"Value '' at 'tags.key' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '" + strings.Repeat("x", 257) + "' at 'tags.value' failed to satisfy constraint: Member must have length less than or equal to 256; " +
				"Value '" + strings.Repeat("y", 257) + "' at 'tags.value' failed to satisfy constraint: Member must have length less than or equal to 256",
		},
		{
			// AttributeNameType allows 32 characters; U+1F600 is two UTF-16
			// code units, as Java counts them.
			name: "UTF-16 length at max",
			in:   &model.ListUsersRequest{UserPoolId: poolID, AttributesToGet: []string{emoji(16)}},
		},
		{
			name: "UTF-16 length over max",
			in:   &model.ListUsersRequest{UserPoolId: poolID, AttributesToGet: []string{emoji(17)}},
			want: "1 validation error detected: Value '" + emoji(17) + "' at 'attributesToGet.1.member' failed to satisfy constraint: " +
				"Member must have length less than or equal to 32",
		},
		{
			name: "BMP characters count once",
			in:   &model.ListUsersRequest{UserPoolId: poolID, AttributesToGet: []string{strings.Repeat("é", 32)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, validationMessage(t, tt.in)); diff != "" {
				t.Errorf("validation message mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSensitiveValuesNeverEchoed checks that no message repeats a value of a
// shape the model marks sensitive, whichever constraint it fails.
func TestSensitiveValuesNeverEchoed(t *testing.T) {
	const secret = "Hunter2 s3cr3t"
	long := strings.Repeat("Z", 300) + "Hunter2s3cr3t"
	tests := []struct {
		name   string
		in     model.Input
		secret string
	}{
		{"password pattern", &model.SignUpRequest{ClientId: "c", Username: "alice", Password: secret}, secret},
		{"password length", &model.SignUpRequest{ClientId: "c", Username: "alice", Password: long}, long},
		{"username pattern", &model.SignUpRequest{ClientId: "c", Username: secret}, secret},
		{"client id", &model.SignUpRequest{ClientId: secret, Username: "alice"}, secret},
		{"secret hash", &model.SignUpRequest{ClientId: "c", Username: "alice", SecretHash: secret}, secret},
		{"temporary password", &model.AdminCreateUserRequest{UserPoolId: poolID, Username: "alice", TemporaryPassword: secret}, secret},
		{"admin set password", &model.AdminSetUserPasswordRequest{UserPoolId: poolID, Username: "alice", Password: secret}, secret},
		{"access token", &model.GetUserRequest{AccessToken: secret}, secret},
		{"proposed password", &model.ChangePasswordRequest{AccessToken: "t", ProposedPassword: secret}, secret},
		{"attribute value", &model.SignUpRequest{ClientId: "c", Username: "alice",
			UserAttributes: []model.AttributeType{{Name: "email", Value: long + strings.Repeat("V", 2048)}}}, long},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := validationMessage(t, tt.in)
			if msg == "" {
				t.Fatal("Validate() = nil, want a violation")
			}
			if !strings.HasPrefix(msg, "1 validation error detected: Value at '") {
				t.Errorf("message = %q, want the value omitted", msg)
			}
			for _, part := range []string{tt.secret, "Hunter2", "s3cr3t"} {
				if strings.Contains(msg, part) {
					t.Errorf("message %q contains the sensitive value %q", msg, part)
				}
			}
		})
	}
}

func TestOperationTable(t *testing.T) {
	if got := len(model.Operations); got != 129 {
		t.Errorf("len(Operations) = %d, want 129", got)
	}
	var none []string
	seen := map[string]bool{}
	for i, op := range model.Operations {
		if seen[op.Name] {
			t.Errorf("operation %s listed twice", op.Name)
		}
		seen[op.Name] = true
		if i > 0 && model.Operations[i-1].Name >= op.Name {
			t.Errorf("Operations not sorted at %s", op.Name)
		}
		row, ok := model.OperationByName(op.Name)
		if !ok || row != &model.Operations[i] {
			t.Errorf("OperationByName(%q) = %p, %v; want the table row", op.Name, row, ok)
		}
		if op.NewInput == nil || op.NewInput() == nil {
			t.Errorf("%s: no input shape", op.Name)
		}
		if op.NewOutput != nil && op.NewOutput() == nil {
			t.Errorf("%s: NewOutput returns nil", op.Name)
		}
		if op.Auth == model.AuthNone {
			none = append(none, op.Name)
		}
		for _, e := range op.Errors {
			if !slices.Contains(model.ExceptionNames, e) {
				t.Errorf("%s declares %s, which is not in ExceptionNames", op.Name, e)
			}
		}
	}
	if len(none) != 32 {
		t.Errorf("%d operations with AuthNone, want 32: %v", len(none), none)
	}
	for _, name := range []string{"InitiateAuth", "SignUp", "GetUser", "RespondToAuthChallenge", "ConfirmSignUp", "ForgotPassword"} {
		if !slices.Contains(none, name) {
			t.Errorf("%s is not AuthNone", name)
		}
	}
	for _, name := range []string{"AdminGetUser", "AdminInitiateAuth", "CreateUserPool", "ListUsers"} {
		row, ok := model.OperationByName(name)
		if !ok {
			t.Errorf("OperationByName(%q) not found", name)
			continue
		}
		if row.Auth != model.AuthIAM {
			t.Errorf("%s.Auth = %v, want AuthIAM", name, row.Auth)
		}
	}
	if _, ok := model.OperationByName("NoSuchOperation"); ok {
		t.Error("OperationByName(NoSuchOperation) found a row")
	}
	if _, ok := model.OperationByName("adminGetUser"); ok {
		t.Error("OperationByName is not case sensitive")
	}

	lu, _ := model.OperationByName("ListUsers")
	want := &model.Paginator{InputToken: "PaginationToken", OutputToken: "PaginationToken", LimitKey: "Limit", ResultKey: "Users"}
	if diff := cmp.Diff(want, lu.Paginator); diff != "" {
		t.Errorf("ListUsers paginator (-want +got):\n%s", diff)
	}
	if _, ok := lu.NewInput().(*model.ListUsersRequest); !ok {
		t.Errorf("ListUsers input = %T", lu.NewInput())
	}
	if _, ok := lu.NewOutput().(*model.ListUsersResponse); !ok {
		t.Errorf("ListUsers output = %T", lu.NewOutput())
	}
	agu, _ := model.OperationByName("AdminGetUser")
	if !slices.Contains(agu.Errors, "UserNotFoundException") {
		t.Errorf("AdminGetUser errors %v lack UserNotFoundException", agu.Errors)
	}
}

// exceptions maps every exception name to a value of its generated type.
// The test below fails when the model gains an exception missing here.
var exceptions = map[string]model.APIError{
	"AccessDeniedException":                    &model.AccessDeniedException{},
	"AliasExistsException":                     &model.AliasExistsException{},
	"CodeDeliveryFailureException":             &model.CodeDeliveryFailureException{},
	"CodeMismatchException":                    &model.CodeMismatchException{},
	"ConcurrentModificationException":          &model.ConcurrentModificationException{},
	"DeviceKeyExistsException":                 &model.DeviceKeyExistsException{},
	"DuplicateProviderException":               &model.DuplicateProviderException{},
	"EnableSoftwareTokenMFAException":          &model.EnableSoftwareTokenMFAException{},
	"ExpiredCodeException":                     &model.ExpiredCodeException{},
	"FeatureUnavailableInTierException":        &model.FeatureUnavailableInTierException{},
	"ForbiddenException":                       &model.ForbiddenException{},
	"GroupExistsException":                     &model.GroupExistsException{},
	"InternalErrorException":                   &model.InternalErrorException{},
	"InternalServerException":                  &model.InternalServerException{},
	"InvalidEmailRoleAccessPolicyException":    &model.InvalidEmailRoleAccessPolicyException{},
	"InvalidLambdaResponseException":           &model.InvalidLambdaResponseException{},
	"InvalidOAuthFlowException":                &model.InvalidOAuthFlowException{},
	"InvalidParameterException":                &model.InvalidParameterException{},
	"InvalidPasswordException":                 &model.InvalidPasswordException{},
	"InvalidSmsRoleAccessPolicyException":      &model.InvalidSmsRoleAccessPolicyException{},
	"InvalidSmsRoleTrustRelationshipException": &model.InvalidSmsRoleTrustRelationshipException{},
	"InvalidUserPoolConfigurationException":    &model.InvalidUserPoolConfigurationException{},
	"LimitExceededException":                   &model.LimitExceededException{},
	"MFAMethodNotFoundException":               &model.MFAMethodNotFoundException{},
	"ManagedLoginBrandingExistsException":      &model.ManagedLoginBrandingExistsException{},
	"NotAuthorizedException":                   &model.NotAuthorizedException{},
	"OperationNotEnabledException":             &model.OperationNotEnabledException{},
	"PasswordHistoryPolicyViolationException":  &model.PasswordHistoryPolicyViolationException{},
	"PasswordResetRequiredException":           &model.PasswordResetRequiredException{},
	"PreconditionNotMetException":              &model.PreconditionNotMetException{},
	"RefreshTokenReuseException":               &model.RefreshTokenReuseException{},
	"ResourceNotFoundException":                &model.ResourceNotFoundException{},
	"ScopeDoesNotExistException":               &model.ScopeDoesNotExistException{},
	"ServiceQuotaExceededException":            &model.ServiceQuotaExceededException{},
	"SoftwareTokenMFANotFoundException":        &model.SoftwareTokenMFANotFoundException{},
	"TermsExistsException":                     &model.TermsExistsException{},
	"TierChangeNotAllowedException":            &model.TierChangeNotAllowedException{},
	"TooManyFailedAttemptsException":           &model.TooManyFailedAttemptsException{},
	"TooManyRequestsException":                 &model.TooManyRequestsException{},
	"UnauthorizedException":                    &model.UnauthorizedException{},
	"UnexpectedLambdaException":                &model.UnexpectedLambdaException{},
	"UnsupportedIdentityProviderException":     &model.UnsupportedIdentityProviderException{},
	"UnsupportedOperationException":            &model.UnsupportedOperationException{},
	"UnsupportedTokenTypeException":            &model.UnsupportedTokenTypeException{},
	"UnsupportedUserStateException":            &model.UnsupportedUserStateException{},
	"UserImportInProgressException":            &model.UserImportInProgressException{},
	"UserLambdaValidationException":            &model.UserLambdaValidationException{},
	"UserNotConfirmedException":                &model.UserNotConfirmedException{},
	"UserNotFoundException":                    &model.UserNotFoundException{},
	"UserPoolAddOnNotEnabledException":         &model.UserPoolAddOnNotEnabledException{},
	"UserPoolTaggingException":                 &model.UserPoolTaggingException{},
	"UsernameExistsException":                  &model.UsernameExistsException{},
	"WebAuthnChallengeNotFoundException":       &model.WebAuthnChallengeNotFoundException{},
	"WebAuthnClientMismatchException":          &model.WebAuthnClientMismatchException{},
	"WebAuthnConfigurationMissingException":    &model.WebAuthnConfigurationMissingException{},
	"WebAuthnCredentialNotSupportedException":  &model.WebAuthnCredentialNotSupportedException{},
	"WebAuthnNotEnabledException":              &model.WebAuthnNotEnabledException{},
	"WebAuthnOriginNotAllowedException":        &model.WebAuthnOriginNotAllowedException{},
	"WebAuthnRelyingPartyMismatchException":    &model.WebAuthnRelyingPartyMismatchException{},
}

func TestExceptions(t *testing.T) {
	for _, name := range model.ExceptionNames {
		e, ok := exceptions[name]
		if !ok {
			t.Errorf("exception %s has no entry in the test's table", name)
			continue
		}
		if e.ErrorCode() != name {
			t.Errorf("%T.ErrorCode() = %q, want %q", e, e.ErrorCode(), name)
		}
		want := 400
		if name == "InternalErrorException" || name == "InternalServerException" {
			want = 500
		}
		if got := e.HTTPStatus(); got != want {
			t.Errorf("%s.HTTPStatus() = %d, want %d", name, got, want)
		}
	}
	for name := range exceptions {
		if !slices.Contains(model.ExceptionNames, name) {
			t.Errorf("%s is in the test's table but not in ExceptionNames", name)
		}
	}

	err := error(&model.UserNotFoundException{Message: "User does not exist."})
	if got, want := err.Error(), "UserNotFoundException: User does not exist."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if api, ok := errors.AsType[model.APIError](err); !ok || api.ErrorMessage() != "User does not exist." {
		t.Errorf("AsType[APIError] = %v, %v", api, ok)
	}
	ipe := &model.InvalidParameterException{Message: "m", ReasonCode: "RATE_LIMIT_EXCEEDED"}
	b, _ := json.Marshal(ipe)
	if got, want := string(b), `{"message":"m","reasonCode":"RATE_LIMIT_EXCEEDED"}`; got != want {
		t.Errorf("InvalidParameterException JSON = %s, want %s", got, want)
	}

	var pe model.APIError = &model.ProtocolError{Code: "SerializationException", Message: "bad", Status: 400}
	if pe.Error() != "SerializationException: bad" || pe.ErrorCode() != "SerializationException" ||
		pe.ErrorMessage() != "bad" || pe.HTTPStatus() != 400 {
		t.Errorf("ProtocolError = %q %q %q %d", pe.Error(), pe.ErrorCode(), pe.ErrorMessage(), pe.HTTPStatus())
	}
}

func TestTimeJSON(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		json string
	}{
		{"whole seconds", time.Unix(1700000000, 0), "1700000000"},
		{"milliseconds", time.Unix(1700000000, 123_000_000), "1700000000.123"},
		{"one millisecond", time.Unix(1700000000, 1_000_000), "1700000000.001"},
		{"999 milliseconds", time.Unix(1700000000, 999_000_000), "1700000000.999"},
		{"sub-millisecond truncated", time.Unix(1700000000, 456_789_999), "1700000000.456"},
		{"time zone dropped", time.Date(2024, 2, 29, 12, 0, 0, 500_000_000, time.FixedZone("X", 3600)), "1709204400.5"},
		{"epoch", time.Unix(0, 0), "0"},
		{"before epoch", time.Unix(-2, 250_000_000), "-1.75"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := model.NewTime(tt.in)
			if tm.Location() != time.UTC {
				t.Errorf("NewTime location = %v, want UTC", tm.Location())
			}
			b, err := json.Marshal(tm)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.json {
				t.Errorf("Marshal = %s, want %s", b, tt.json)
			}
			var back model.Time
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("Unmarshal(%s): %v", b, err)
			}
			if !back.Equal(tm.Time) || back.Location() != time.UTC {
				t.Errorf("round trip = %v, want %v", back.Time, tm.Time)
			}
		})
	}

	t.Run("in a struct", func(t *testing.T) {
		u := model.UserType{Username: "alice", UserCreateDate: model.NewTime(time.UnixMilli(1700000000123))}
		b, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"UserCreateDate":1700000000.123,"Username":"alice"}`; string(b) != want {
			t.Errorf("Marshal = %s, want %s", b, want)
		}
		var back model.UserType
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !back.UserCreateDate.Equal(u.UserCreateDate.Time) {
			t.Errorf("round trip = %v, want %v", back.UserCreateDate, u.UserCreateDate)
		}
	})

	for _, bad := range []string{`"2024-01-01T00:00:00Z"`, `true`, `1e13`, `-1e13`, `{}`} {
		var tm model.Time
		if err := json.Unmarshal([]byte(bad), &tm); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", bad, tm.Time)
		}
	}
	var tm model.Time
	if err := json.Unmarshal([]byte("1.5e9"), &tm); err != nil || !tm.Equal(time.Unix(1_500_000_000, 0)) {
		t.Errorf("Unmarshal(1.5e9) = %v, %v", tm.Time, err)
	}
}
