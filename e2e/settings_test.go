package e2e

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/server"
	"github.com/cognate-idp/cognate/internal/testserver"
)

var (
	smsConfig = &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/sns"), ExternalId: aws.String("ext"), SnsRegion: aws.String("us-east-1")}
	sesConfig = &types.EmailConfigurationType{EmailSendingAccount: types.EmailSendingAccountTypeDeveloper,
		SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/example.com"), From: aws.String("Example <no-reply@example.com>")}
)

func getMfa(t *testing.T, c *cip.Client, pool *string) *cip.GetUserPoolMfaConfigOutput {
	t.Helper()
	return must[*cip.GetUserPoolMfaConfigOutput](t)(c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: pool}))
}

// mfaView is what GetUserPoolMfaConfig and SetUserPoolMfaConfig return, for
// comparison.
type mfaView struct {
	Mfa      types.UserPoolMfaType
	SMS      *types.SmsMfaConfigType
	TOTP     *types.SoftwareTokenMfaConfigType
	Email    *types.EmailMfaConfigType
	WebAuthn *types.WebAuthnConfigurationType
}

func viewGet(o *cip.GetUserPoolMfaConfigOutput) mfaView {
	return mfaView{o.MfaConfiguration, o.SmsMfaConfiguration, o.SoftwareTokenMfaConfiguration, o.EmailMfaConfiguration, o.WebAuthnConfiguration}
}

func viewSet(o *cip.SetUserPoolMfaConfigOutput) mfaView {
	return mfaView{o.MfaConfiguration, o.SmsMfaConfiguration, o.SoftwareTokenMfaConfiguration, o.EmailMfaConfiguration, o.WebAuthnConfiguration}
}

var webAuthnDefaults = &types.WebAuthnConfigurationType{UserVerification: types.UserVerificationTypePreferred, FactorConfiguration: types.WebAuthnFactorConfigurationTypeSingleFactor}

func TestUserPoolMfaConfig(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, &cip.CreateUserPoolInput{EmailConfiguration: sesConfig})

	// A new pool: MFA off, no factor.
	want := mfaView{Mfa: types.UserPoolMfaTypeOff, TOTP: &types.SoftwareTokenMfaConfigType{Enabled: false}, WebAuthn: webAuthnDefaults}
	diff(t, "new pool", want, viewGet(getMfa(t, c, p.Id)))

	// Every factor at once, read back whole.
	set := must[*cip.SetUserPoolMfaConfigOutput](t)(c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
		UserPoolId:       p.Id,
		MfaConfiguration: types.UserPoolMfaTypeOptional,
		SmsMfaConfiguration: &types.SmsMfaConfigType{
			SmsAuthenticationMessage: aws.String("Your code is {####}"), SmsConfiguration: smsConfig,
		},
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		EmailMfaConfiguration:         &types.EmailMfaConfigType{Message: aws.String("Sign in with {####}"), Subject: aws.String("Your code")},
		WebAuthnConfiguration:         &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("auth.example.com"), UserVerification: types.UserVerificationTypeRequired},
	}))
	want = mfaView{
		Mfa:      types.UserPoolMfaTypeOptional,
		SMS:      &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Your code is {####}"), SmsConfiguration: smsConfig},
		TOTP:     &types.SoftwareTokenMfaConfigType{Enabled: true},
		Email:    &types.EmailMfaConfigType{Message: aws.String("Sign in with {####}"), Subject: aws.String("Your code")},
		WebAuthn: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("auth.example.com"), UserVerification: types.UserVerificationTypeRequired, FactorConfiguration: types.WebAuthnFactorConfigurationTypeSingleFactor},
	}
	diff(t, "SetUserPoolMfaConfig", want, viewSet(set))
	diff(t, "GetUserPoolMfaConfig", want, viewGet(getMfa(t, c, p.Id)))
	// One source of truth: DescribeUserPool shows the same MFA state and SMS settings.
	d := describePool(t, c, p.Id)
	if d.MfaConfiguration != types.UserPoolMfaTypeOptional || aws.ToString(d.SmsAuthenticationMessage) != "Your code is {####}" {
		t.Errorf("DescribeUserPool: mfa %s, sms message %q", d.MfaConfiguration, aws.ToString(d.SmsAuthenticationMessage))
	}
	diff(t, "DescribeUserPool SmsConfiguration", smsConfig, d.SmsConfiguration)

	// The request states the whole set: what it leaves out is turned off,
	// but MfaConfiguration and the passkey settings are kept.
	set = must[*cip.SetUserPoolMfaConfigOutput](t)(c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
		UserPoolId: p.Id, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
	}))
	want = mfaView{Mfa: types.UserPoolMfaTypeOptional, TOTP: &types.SoftwareTokenMfaConfigType{Enabled: true}, WebAuthn: want.WebAuthn}
	diff(t, "TOTP only", want, viewSet(set))
	diff(t, "TOTP only, read back", want, viewGet(getMfa(t, c, p.Id)))

	// MFA on or optional needs a factor.
	_, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: p.Id, MfaConfiguration: types.UserPoolMfaTypeOn})
	wantErr(t, err, "InvalidParameterException", "can't disable all MFAs")
	diff(t, "after a refused change", want, viewGet(getMfa(t, c, p.Id)))

	// UpdateUserPool resets an omitted MfaConfiguration to OFF, as Cognito does.
	must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: p.Id, EmailConfiguration: sesConfig}))
	if got := getMfa(t, c, p.Id).MfaConfiguration; got != types.UserPoolMfaTypeOff {
		t.Errorf("after UpdateUserPool without MfaConfiguration: %s", got)
	}
	// UpdateUserPool may turn MFA on with TOTP as the factor.
	must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: p.Id, MfaConfiguration: types.UserPoolMfaTypeOn, EmailConfiguration: sesConfig}))
	if got := getMfa(t, c, p.Id); got.MfaConfiguration != types.UserPoolMfaTypeOn || !got.SoftwareTokenMfaConfiguration.Enabled {
		t.Errorf("after UpdateUserPool ON: %+v", viewGet(got))
	}

	// SMS MFA needs an SMS configuration: the request's or the pool's.
	bare := newPool(t, c, nil)
	_, err = c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: bare.Id, SmsMfaConfiguration: &types.SmsMfaConfigType{}})
	wantErr(t, err, "InvalidParameterException", "SmsConfiguration")
	// Email MFA needs email sent with Amazon SES (DEVELOPER).
	_, err = c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: bare.Id, EmailMfaConfiguration: &types.EmailMfaConfigType{}})
	wantErr(t, err, "InvalidParameterException", "DEVELOPER")
	_, err = c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String("us-east-1_nosuch"), MfaConfiguration: types.UserPoolMfaTypeOff})
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String("us-east-1_nosuch")})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestMfaAcrossPoolOperations(t *testing.T) {
	_, c := start(t)

	// CreateUserPool sets up SMS MFA only, and needs its SMS configuration.
	_, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("mfa"), MfaConfiguration: types.UserPoolMfaTypeOn})
	wantErr(t, err, "InvalidParameterException", "SMS configuration")
	p := newPool(t, c, &cip.CreateUserPoolInput{MfaConfiguration: types.UserPoolMfaTypeOn, SmsConfiguration: smsConfig, SmsAuthenticationMessage: aws.String("Code {####}")})
	want := mfaView{Mfa: types.UserPoolMfaTypeOn, SMS: &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Code {####}"), SmsConfiguration: smsConfig},
		TOTP: &types.SoftwareTokenMfaConfigType{}, WebAuthn: webAuthnDefaults}
	diff(t, "created with SMS MFA", want, viewGet(getMfa(t, c, p.Id)))

	// With SMS the only factor, UpdateUserPool cannot keep MFA on without the SMS configuration.
	_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: p.Id, MfaConfiguration: types.UserPoolMfaTypeOn})
	wantErr(t, err, "InvalidParameterException", "SMS configuration")
	diff(t, "after a refused update", want, viewGet(getMfa(t, c, p.Id)))

	// Turning SMS off for TOTP, then dropping the SMS configuration, keeps MFA on.
	must[*cip.SetUserPoolMfaConfigOutput](t)(c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
		UserPoolId: p.Id, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
	}))
	must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: p.Id, MfaConfiguration: types.UserPoolMfaTypeOn}))
	got := getMfa(t, c, p.Id)
	if got.MfaConfiguration != types.UserPoolMfaTypeOn || got.SmsMfaConfiguration != nil || !got.SoftwareTokenMfaConfiguration.Enabled {
		t.Errorf("TOTP-only pool after UpdateUserPool: %+v", viewGet(got))
	}
	if d := describePool(t, c, p.Id); d.MfaConfiguration != types.UserPoolMfaTypeOn || d.SmsConfiguration != nil {
		t.Errorf("DescribeUserPool: mfa %s, sms %+v", d.MfaConfiguration, d.SmsConfiguration)
	}

	// Email MFA stays only with its DEVELOPER email configuration: an update
	// that drops it (UpdateUserPool resets what it omits) is refused.
	e := newPool(t, c, &cip.CreateUserPoolInput{EmailConfiguration: sesConfig})
	must[*cip.SetUserPoolMfaConfigOutput](t)(c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
		UserPoolId: e.Id, MfaConfiguration: types.UserPoolMfaTypeOptional, EmailMfaConfiguration: &types.EmailMfaConfigType{},
	}))
	_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: e.Id, MfaConfiguration: types.UserPoolMfaTypeOptional})
	wantErr(t, err, "InvalidParameterException", "DEVELOPER")
	must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: e.Id, MfaConfiguration: types.UserPoolMfaTypeOptional, EmailConfiguration: sesConfig}))
	if got := getMfa(t, c, e.Id); got.EmailMfaConfiguration == nil || got.MfaConfiguration != types.UserPoolMfaTypeOptional {
		t.Errorf("email MFA pool after UpdateUserPool: %+v", viewGet(got))
	}
}

func TestRiskConfiguration(t *testing.T) {
	clock := testserver.NewClock(time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC))
	s := testserver.StartWith(t, testserver.NewConfig(t), server.Options{Now: clock.Now})
	c := s.Client
	p := newPool(t, c, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypePlus})
	web := newClient(t, c, p.Id, "web")
	mobile := newClient(t, c, p.Id, "mobile")

	describe := func(client *string) *types.RiskConfigurationType {
		t.Helper()
		return must[*cip.DescribeRiskConfigurationOutput](t)(c.DescribeRiskConfiguration(ctx, &cip.DescribeRiskConfigurationInput{UserPoolId: p.Id, ClientId: client})).RiskConfiguration
	}
	diff(t, "new pool", &types.RiskConfigurationType{UserPoolId: p.Id}, describe(nil))

	notify := &types.NotifyConfigurationType{
		SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/example.com"), From: aws.String("security@example.com"),
		BlockEmail: &types.NotifyEmailType{Subject: aws.String("Blocked"), TextBody: aws.String("We blocked a sign-in.")},
	}
	in := &cip.SetRiskConfigurationInput{
		UserPoolId: p.Id,
		CompromisedCredentialsRiskConfiguration: &types.CompromisedCredentialsRiskConfigurationType{
			Actions:     &types.CompromisedCredentialsActionsType{EventAction: types.CompromisedCredentialsEventActionTypeBlock},
			EventFilter: []types.EventFilterType{types.EventFilterTypeSignIn, types.EventFilterTypePasswordChange},
		},
		AccountTakeoverRiskConfiguration: &types.AccountTakeoverRiskConfigurationType{
			NotifyConfiguration: notify,
			Actions: &types.AccountTakeoverActionsType{
				LowAction:    &types.AccountTakeoverActionType{EventAction: types.AccountTakeoverEventActionTypeNoAction, Notify: false},
				MediumAction: &types.AccountTakeoverActionType{EventAction: types.AccountTakeoverEventActionTypeMfaIfConfigured, Notify: true},
				HighAction:   &types.AccountTakeoverActionType{EventAction: types.AccountTakeoverEventActionTypeBlock, Notify: true},
			},
		},
		RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"192.0.2.0/24"}, SkippedIPRangeList: []string{"2001:db8::/32"}},
	}
	out := must[*cip.SetRiskConfigurationOutput](t)(c.SetRiskConfiguration(ctx, in))
	want := &types.RiskConfigurationType{
		UserPoolId: p.Id, LastModifiedDate: aws.Time(clock.Now()),
		CompromisedCredentialsRiskConfiguration: in.CompromisedCredentialsRiskConfiguration,
		AccountTakeoverRiskConfiguration:        in.AccountTakeoverRiskConfiguration,
		RiskExceptionConfiguration:              in.RiskExceptionConfiguration,
	}
	diff(t, "SetRiskConfiguration", want, out.RiskConfiguration)
	diff(t, "pool configuration", want, describe(nil))
	// An app client without its own configuration uses the pool's.
	diff(t, "client falling back", want, describe(web))

	// A client's own configuration.
	clock.Advance(time.Minute)
	must[*cip.SetRiskConfigurationOutput](t)(c.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{
		UserPoolId: p.Id, ClientId: web,
		RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{SkippedIPRangeList: []string{"10.0.0.0/8"}},
	}))
	webWant := &types.RiskConfigurationType{UserPoolId: p.Id, ClientId: web, LastModifiedDate: aws.Time(clock.Now()),
		RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{SkippedIPRangeList: []string{"10.0.0.0/8"}}}
	diff(t, "client configuration", webWant, describe(web))
	diff(t, "other client", want, describe(mobile))
	diff(t, "pool after a client's", want, describe(nil))

	// Ids alone reset: a client back to the pool's, the pool to defaults.
	must[*cip.SetRiskConfigurationOutput](t)(c.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{UserPoolId: p.Id, ClientId: web}))
	diff(t, "client reset", want, describe(web))
	must[*cip.SetRiskConfigurationOutput](t)(c.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{UserPoolId: p.Id}))
	diff(t, "pool reset", &types.RiskConfigurationType{UserPoolId: p.Id}, describe(nil))

	bad := []struct {
		name string
		in   *cip.SetRiskConfigurationInput
		code string
		msg  string
	}{
		{"notify without a configuration", &cip.SetRiskConfigurationInput{UserPoolId: p.Id, AccountTakeoverRiskConfiguration: &types.AccountTakeoverRiskConfigurationType{
			Actions: &types.AccountTakeoverActionsType{HighAction: &types.AccountTakeoverActionType{EventAction: types.AccountTakeoverEventActionTypeBlock, Notify: true}}}},
			"InvalidParameterException", "NotifyConfiguration"},
		{"not an SES identity", &cip.SetRiskConfigurationInput{UserPoolId: p.Id, AccountTakeoverRiskConfiguration: &types.AccountTakeoverRiskConfigurationType{
			NotifyConfiguration: &types.NotifyConfigurationType{SourceArn: aws.String("arn:aws:sns:us-east-1:123456789012:topic")},
			Actions:             &types.AccountTakeoverActionsType{HighAction: &types.AccountTakeoverActionType{EventAction: types.AccountTakeoverEventActionTypeBlock}}}},
			"InvalidParameterException", "SES"},
		{"not a CIDR range", &cip.SetRiskConfigurationInput{UserPoolId: p.Id, RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"192.0.2.300/24"}}},
			"InvalidParameterException", "CIDR"},
		{"unknown client", &cip.SetRiskConfigurationInput{UserPoolId: p.Id, ClientId: aws.String("nosuchclient"), RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{}},
			"ResourceNotFoundException", "nosuchclient"},
		{"unknown pool", &cip.SetRiskConfigurationInput{UserPoolId: aws.String("us-east-1_nosuch")}, "ResourceNotFoundException", "us-east-1_nosuch"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.SetRiskConfiguration(ctx, tc.in)
			wantErr(t, err, tc.code, tc.msg)
		})
	}
	_, err := c.DescribeRiskConfiguration(ctx, &cip.DescribeRiskConfigurationInput{UserPoolId: p.Id, ClientId: aws.String("nosuchclient")})
	wantErr(t, err, "ResourceNotFoundException", "nosuchclient")

	// A client's configuration goes with the client.
	must[*cip.SetRiskConfigurationOutput](t)(c.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{
		UserPoolId: p.Id, ClientId: mobile, RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{SkippedIPRangeList: []string{"10.0.0.0/8"}},
	}))
	must[*cip.DeleteUserPoolClientOutput](t)(c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: p.Id, ClientId: mobile}))
	_, err = c.DescribeRiskConfiguration(ctx, &cip.DescribeRiskConfigurationInput{UserPoolId: p.Id, ClientId: mobile})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestLogDeliveryConfiguration(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypePlus})
	get := func() *types.LogDeliveryConfigurationType {
		t.Helper()
		return must[*cip.GetLogDeliveryConfigurationOutput](t)(c.GetLogDeliveryConfiguration(ctx, &cip.GetLogDeliveryConfigurationInput{UserPoolId: p.Id})).LogDeliveryConfiguration
	}
	diff(t, "new pool", &types.LogDeliveryConfigurationType{UserPoolId: p.Id, LogConfigurations: []types.LogConfigurationType{}}, get())

	configs := []types.LogConfigurationType{
		{EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelError,
			CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:/cognito/notifications")}},
		{EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo,
			FirehoseConfiguration: &types.FirehoseConfigurationType{StreamArn: aws.String("arn:aws:firehose:us-east-1:123456789012:deliverystream/auth-events")}},
	}
	out := must[*cip.SetLogDeliveryConfigurationOutput](t)(c.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: p.Id, LogConfigurations: configs}))
	want := &types.LogDeliveryConfigurationType{UserPoolId: p.Id, LogConfigurations: configs}
	diff(t, "SetLogDeliveryConfiguration", want, out.LogDeliveryConfiguration)
	diff(t, "GetLogDeliveryConfiguration", want, get())

	s3 := &types.S3ConfigurationType{BucketArn: aws.String("arn:aws:s3:::auth-logs")}
	cw := &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:g")}
	bad := []struct {
		name string
		cfg  []types.LogConfigurationType
		msg  string
	}{
		{"notifications at INFO", []types.LogConfigurationType{{EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelInfo, CloudWatchLogsConfiguration: cw}}, "ERROR"},
		{"notifications to S3", []types.LogConfigurationType{{EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelError, S3Configuration: s3}}, "CloudWatch"},
		{"two destinations", []types.LogConfigurationType{{EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo, S3Configuration: s3, CloudWatchLogsConfiguration: cw}}, "exactly one"},
		{"no destination", []types.LogConfigurationType{{EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo}}, "exactly one"},
		{"source twice", []types.LogConfigurationType{
			{EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo, S3Configuration: s3},
			{EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo, CloudWatchLogsConfiguration: cw}}, "twice"},
		{"not a log group", []types.LogConfigurationType{{EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelError,
			CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String("arn:aws:sns:us-east-1:123456789012:topic")}}}, "log group"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: p.Id, LogConfigurations: tc.cfg})
			wantErr(t, err, "InvalidParameterException", tc.msg)
		})
	}
	diff(t, "after refused changes", want, get())

	// An empty list turns log export off.
	must[*cip.SetLogDeliveryConfigurationOutput](t)(c.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: p.Id, LogConfigurations: []types.LogConfigurationType{}}))
	diff(t, "turned off", &types.LogDeliveryConfigurationType{UserPoolId: p.Id, LogConfigurations: []types.LogConfigurationType{}}, get())

	_, err := c.GetLogDeliveryConfiguration(ctx, &cip.GetLogDeliveryConfigurationInput{UserPoolId: aws.String("us-east-1_nosuch")})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestCSVHeader(t *testing.T) {
	_, c := start(t)
	p := newPool(t, c, &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{
		{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString},
		{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber},
	}})
	must[*cip.AddCustomAttributesOutput](t)(c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: p.Id, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("plan"), AttributeDataType: types.AttributeDataTypeString},
	}}))
	out := must[*cip.GetCSVHeaderOutput](t)(c.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: p.Id}))
	want := []string{
		"name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
		"website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale", "phone_number",
		"phone_number_verified", "address", "updated_at", "custom:tenant", "custom:level", "custom:plan",
		"cognito:mfa_enabled", "cognito:username",
	}
	diff(t, "CSVHeader", want, out.CSVHeader)
	if aws.ToString(out.UserPoolId) != aws.ToString(p.Id) {
		t.Errorf("UserPoolId %q", aws.ToString(out.UserPoolId))
	}
	_, err := c.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String("us-east-1_nosuch")})
	wantErr(t, err, "ResourceNotFoundException", "")
}

func TestSigningCertificate(t *testing.T) {
	start := time.Now().UTC().Truncate(time.Second)
	clock := testserver.NewClock(start)
	s := testserver.StartWith(t, testserver.NewConfig(t), server.Options{Now: clock.Now})
	c := s.Client
	p := newPool(t, c, nil)
	other := newPool(t, c, nil)

	get := func(pool *string) (string, *x509.Certificate) {
		t.Helper()
		out := must[*cip.GetSigningCertificateOutput](t)(c.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: pool}))
		der, err := base64.StdEncoding.DecodeString(aws.ToString(out.Certificate))
		if err != nil {
			t.Fatalf("Certificate is not base64: %v", err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("Certificate is not an X.509 certificate: %v", err)
		}
		return aws.ToString(out.Certificate), cert
	}
	first, cert := get(p.Id)
	if cert.Subject.CommonName != aws.ToString(p.Id) || !cert.NotBefore.Equal(start) || !cert.NotAfter.Equal(start.AddDate(0, 0, 3650)) {
		t.Errorf("certificate: subject %q, valid %v to %v", cert.Subject, cert.NotBefore, cert.NotAfter)
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil || cert.Issuer.String() != cert.Subject.String() {
		t.Errorf("certificate is not self-signed: %v", err)
	}
	if again, _ := get(p.Id); again != first {
		t.Error("a second call returned another certificate")
	}
	if o, _ := get(other.Id); o == first {
		t.Error("two pools share a certificate")
	}
	// Stable across restarts: the key is kept (sealed), not made again.
	s.Restart(t)
	c = s.Client
	if again, _ := get(p.Id); again != first {
		t.Error("the certificate changed across a restart")
	}
	// A year on, a new certificate is issued.
	clock.Advance(366 * 24 * time.Hour)
	renewed, rc := get(p.Id)
	if renewed == first || !rc.NotBefore.Equal(start.Add(366*24*time.Hour)) {
		t.Errorf("after a year: same certificate %v, valid from %v", renewed == first, rc.NotBefore)
	}
	if again, _ := get(p.Id); again != renewed {
		t.Error("the renewed certificate is not kept")
	}
	_, err := c.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: aws.String("us-east-1_nosuch")})
	wantErr(t, err, "ResourceNotFoundException", "")
}

// TestProvisionedLimits drives GetProvisionedLimit and
// UpdateProvisionedLimit as raw AWS JSON requests: the SDK this module pins
// predates the two operations.
func TestProvisionedLimits(t *testing.T) {
	s, _ := start(t)
	call := func(op, body string) (int, map[string]any) {
		t.Helper()
		resp, m := post(t, s.URL, op, body)
		return resp.StatusCode, m
	}
	def := func(category string) string {
		return fmt.Sprintf(`{"LimitClass":"API_CATEGORY","Attributes":{"Category":%q}}`, category)
	}
	limit := func(m map[string]any) (prov, free float64) {
		l, _ := m["Limit"].(map[string]any)
		prov, _ = l["ProvisionedLimitValue"].(float64)
		free, _ = l["FreeLimitValue"].(float64)
		return prov, free
	}

	code, m := call("GetProvisionedLimit", `{"LimitDefinition":`+def("UserAuthentication")+`}`)
	if prov, free := limit(m); code != http.StatusOK || prov != 120 || free != 120 {
		t.Fatalf("GetProvisionedLimit default: %d %v", code, m)
	}
	code, m = call("UpdateProvisionedLimit", `{"LimitDefinition":`+def("UserAuthentication")+`,"RequestedLimitValue":300}`)
	if prov, free := limit(m); code != http.StatusOK || prov != 300 || free != 120 {
		t.Fatalf("UpdateProvisionedLimit: %d %v", code, m)
	}
	wantDef := map[string]any{"LimitClass": "API_CATEGORY", "Attributes": map[string]any{"Category": "UserAuthentication"}}
	if d := m["Limit"].(map[string]any)["LimitDefinition"]; fmt.Sprint(d) != fmt.Sprint(wantDef) {
		t.Errorf("LimitDefinition %v", d)
	}
	code, m = call("GetProvisionedLimit", `{"LimitDefinition":`+def("UserAuthentication")+`}`)
	if prov, _ := limit(m); code != http.StatusOK || prov != 300 {
		t.Errorf("GetProvisionedLimit after update: %d %v", code, m)
	}
	// Limits belong to the account, and other categories keep their defaults.
	code, m = call("GetProvisionedLimit", `{"LimitDefinition":`+def("UserCreation")+`}`)
	if prov, free := limit(m); code != http.StatusOK || prov != 50 || free != 50 {
		t.Errorf("GetProvisionedLimit UserCreation: %d %v", code, m)
	}

	bad := []struct {
		op, body, typ string
	}{
		{"UpdateProvisionedLimit", `{"LimitDefinition":` + def("UserAuthentication") + `,"RequestedLimitValue":100}`, "InvalidParameterException"},
		{"UpdateProvisionedLimit", `{"LimitDefinition":` + def("UserAuthentication") + `,"RequestedLimitValue":5000}`, "ServiceQuotaExceededException"},
		{"UpdateProvisionedLimit", `{"LimitDefinition":` + def("UserUpdate") + `,"RequestedLimitValue":30}`, "InvalidParameterException"},
		{"GetProvisionedLimit", `{"LimitDefinition":` + def("NoSuchCategory") + `}`, "ResourceNotFoundException"},
		{"GetProvisionedLimit", `{"LimitDefinition":{"LimitClass":"API_CATEGORY","Attributes":{}}}`, "InvalidParameterException"},
		{"GetProvisionedLimit", `{"LimitDefinition":{"LimitClass":"OTHER","Attributes":{"Category":"UserRead"}}}`, "InvalidParameterException"},
		{"UpdateProvisionedLimit", `{"LimitDefinition":` + def("UserRead") + `}`, "InvalidParameterException"},
	}
	for _, tc := range bad {
		code, m := call(tc.op, tc.body)
		if code != http.StatusBadRequest || m["__type"] != tc.typ {
			b, _ := json.Marshal(m)
			t.Errorf("%s %s: %d %s, want %s", tc.op, tc.body, code, b, tc.typ)
		}
	}
	code, m = call("GetProvisionedLimit", `{"LimitDefinition":`+def("UserAuthentication")+`}`)
	if prov, _ := limit(m); code != http.StatusOK || prov != 300 {
		t.Errorf("refused updates changed the limit: %v", m)
	}
}
