package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

const tierErr = "FeatureUnavailableInTierException"

var (
	history      = &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(8), PasswordHistorySize: aws.Int32(5)}}
	passwordless = &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}}
	accessTokens = &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
		LambdaArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:pre-token"), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}}
	threatAudit = &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit}
	customAuth  = &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeOff,
		AdvancedSecurityAdditionalFlows: &types.AdvancedSecurityAdditionalFlowsType{CustomAuthMode: types.AdvancedSecurityEnabledModeTypeEnforced}}
)

// TestFeaturePlanGates checks that CreateUserPool and UpdateUserPool refuse
// the settings a pool's feature plan lacks, and take them on the plan that
// has them.
func TestFeaturePlanGates(t *testing.T) {
	_, c := start(t)
	cases := []struct {
		name    string
		in      cip.CreateUserPoolInput
		without types.UserPoolTierType // a plan that lacks the feature
		with    types.UserPoolTierType // the lowest plan that has it
	}{
		{"password history", cip.CreateUserPoolInput{Policies: history}, types.UserPoolTierTypeLite, types.UserPoolTierTypeEssentials},
		{"passwordless first factors", cip.CreateUserPoolInput{Policies: passwordless}, types.UserPoolTierTypeLite, types.UserPoolTierTypeEssentials},
		{"access token customization", cip.CreateUserPoolInput{LambdaConfig: accessTokens}, types.UserPoolTierTypeLite, types.UserPoolTierTypeEssentials},
		{"threat protection", cip.CreateUserPoolInput{UserPoolAddOns: threatAudit}, types.UserPoolTierTypeEssentials, types.UserPoolTierTypePlus},
		{"threat protection for custom auth", cip.CreateUserPoolInput{UserPoolAddOns: customAuth}, types.UserPoolTierTypeEssentials, types.UserPoolTierTypePlus},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.PoolName, in.UserPoolTier = aws.String("gated"), tc.without
			_, err := c.CreateUserPool(ctx, &in)
			wantErr(t, err, tierErr, "")

			in.UserPoolTier = tc.with
			p := newPool(t, c, &in)
			got := describePool(t, c, p.Id)
			if got.UserPoolTier != tc.with {
				t.Errorf("tier %s", got.UserPoolTier)
			}
			// UpdateUserPool applies the same gate to the pool's new plan.
			up := cip.UpdateUserPoolInput{UserPoolId: p.Id, UserPoolTier: tc.without, Policies: tc.in.Policies,
				LambdaConfig: tc.in.LambdaConfig, UserPoolAddOns: tc.in.UserPoolAddOns}
			_, err = c.UpdateUserPool(ctx, &up)
			wantErr(t, err, tierErr, "")
			if got := describePool(t, c, p.Id); got.UserPoolTier != tc.with {
				t.Errorf("a refused update changed the tier to %s", got.UserPoolTier)
			}
			// ... and to the pool's plan, when the update leaves it as it is.
			low := newPool(t, c, &cip.CreateUserPoolInput{UserPoolTier: tc.without})
			up.UserPoolId, up.UserPoolTier = low.Id, ""
			_, err = c.UpdateUserPool(ctx, &up)
			wantErr(t, err, tierErr, "")
			up.UserPoolTier = tc.with
			must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &up))
		})
	}
	// A Lite pool keeps the password first factor and V1_0 ID token customization.
	newPool(t, c, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypeLite,
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword}}},
		LambdaConfig: &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:pre-token"), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV10}},
	})
}

// TestOperationFeatureGates checks the feature plans of the settings that
// operations other than CreateUserPool and UpdateUserPool set.
func TestOperationFeatureGates(t *testing.T) {
	_, c := start(t)
	lite := newPool(t, c, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypeLite, EmailConfiguration: sesConfig})
	essentials := newPool(t, c, &cip.CreateUserPoolInput{EmailConfiguration: sesConfig})
	liteClient := newClient(t, c, lite.Id, "lite")

	// Email MFA and passkeys as MFA: Essentials or Plus.
	_, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: lite.Id, EmailMfaConfiguration: &types.EmailMfaConfigType{}})
	wantErr(t, err, tierErr, "Email MFA")
	must[*cip.SetUserPoolMfaConfigOutput](t)(c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: essentials.Id, EmailMfaConfiguration: &types.EmailMfaConfigType{}}))
	_, err = c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: lite.Id,
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{FactorConfiguration: types.WebAuthnFactorConfigurationTypeMultiFactorWithUserVerification}})
	wantErr(t, err, tierErr, "")
	must[*cip.SetUserPoolMfaConfigOutput](t)(c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: lite.Id,
		WebAuthnConfiguration: &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("example.com")}}))

	// Threat protection: Plus. Resetting a configuration is always allowed.
	_, err = c.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{UserPoolId: essentials.Id,
		RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"192.0.2.0/24"}}})
	wantErr(t, err, tierErr, "")
	must[*cip.SetRiskConfigurationOutput](t)(c.SetRiskConfiguration(ctx, &cip.SetRiskConfigurationInput{UserPoolId: essentials.Id}))

	// Export of user activity logs: Plus; message delivery logs: any plan.
	_, err = c.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: essentials.Id, LogConfigurations: []types.LogConfigurationType{
		{EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo, S3Configuration: &types.S3ConfigurationType{BucketArn: aws.String("arn:aws:s3:::auth-logs")}}}})
	wantErr(t, err, tierErr, "userAuthEvents")
	must[*cip.SetLogDeliveryConfigurationOutput](t)(c.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: lite.Id, LogConfigurations: []types.LogConfigurationType{
		{EventSource: types.EventSourceNameUserNotification, LogLevel: types.LogLevelError,
			CloudWatchLogsConfiguration: &types.CloudWatchLogsConfigurationType{LogGroupArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:g")}}}}))

	// Managed login branding: Essentials or Plus.
	_, err = c.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: lite.Id, ClientId: liteClient, UseCognitoProvidedValues: true})
	wantErr(t, err, tierErr, "Managed login")
}

// TestFeaturePlanDowngrade checks that a pool cannot move to a plan that
// lacks a feature it has on, until the feature is turned off.
func TestFeaturePlanDowngrade(t *testing.T) {
	_, c := start(t)

	plus := newPool(t, c, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypePlus})
	must[*cip.SetLogDeliveryConfigurationOutput](t)(c.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: plus.Id, LogConfigurations: []types.LogConfigurationType{
		{EventSource: types.EventSourceNameUserAuthEvents, LogLevel: types.LogLevelInfo, S3Configuration: &types.S3ConfigurationType{BucketArn: aws.String("arn:aws:s3:::auth-logs")}}}}))
	_, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: plus.Id, UserPoolTier: types.UserPoolTierTypeEssentials})
	wantErr(t, err, tierErr, "userAuthEvents")
	if got := describePool(t, c, plus.Id).UserPoolTier; got != types.UserPoolTierTypePlus {
		t.Errorf("a refused downgrade left the tier %s", got)
	}
	must[*cip.SetLogDeliveryConfigurationOutput](t)(c.SetLogDeliveryConfiguration(ctx, &cip.SetLogDeliveryConfigurationInput{UserPoolId: plus.Id, LogConfigurations: []types.LogConfigurationType{}}))
	must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: plus.Id, UserPoolTier: types.UserPoolTierTypeEssentials}))

	e := newPool(t, c, &cip.CreateUserPoolInput{EmailConfiguration: sesConfig})
	must[*cip.SetUserPoolMfaConfigOutput](t)(c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: e.Id, EmailMfaConfiguration: &types.EmailMfaConfigType{}}))
	_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: e.Id, UserPoolTier: types.UserPoolTierTypeLite, EmailConfiguration: sesConfig})
	wantErr(t, err, tierErr, "Email MFA")
	must[*cip.SetUserPoolMfaConfigOutput](t)(c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: e.Id}))
	must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: e.Id, UserPoolTier: types.UserPoolTierTypeLite, EmailConfiguration: sesConfig}))

	// A style made on Essentials cannot be changed on Lite.
	b := newPool(t, c, nil)
	client := newClient(t, c, b.Id, "web")
	style := must[*cip.CreateManagedLoginBrandingOutput](t)(c.CreateManagedLoginBranding(ctx, &cip.CreateManagedLoginBrandingInput{UserPoolId: b.Id, ClientId: client, UseCognitoProvidedValues: true}))
	must[*cip.UpdateUserPoolOutput](t)(c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: b.Id, UserPoolTier: types.UserPoolTierTypeLite}))
	_, err = c.UpdateManagedLoginBranding(ctx, &cip.UpdateManagedLoginBrandingInput{UserPoolId: b.Id,
		ManagedLoginBrandingId: style.ManagedLoginBranding.ManagedLoginBrandingId, UseCognitoProvidedValues: true})
	wantErr(t, err, tierErr, "")
}
