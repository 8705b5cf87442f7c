package e2e

import (
	"context"
	"encoding/base64"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/kmscrypt"
	"github.com/cognate-idp/cognate/internal/triggers/lambdatest"
)

// senderKey is the KMS key of the custom sender pools.
const senderKey = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"

// senderCode decrypts the request.code of a custom sender event, as the
// function would with the AWS Encryption SDK and kms:Decrypt.
func (e *triggerEnv) senderCode(t *testing.T, ev map[string]any) string {
	t.Helper()
	req := ev["request"].(map[string]any)
	raw, err := base64.StdEncoding.DecodeString(req["code"].(string))
	if err != nil {
		t.Fatalf("request.code is not base64: %v", err)
	}
	keys := kmscrypt.NewKMS(e.kms, "us-east-1", credentials.NewStaticCredentialsProvider("AKID", "secret", ""))
	code, ec, err := kmscrypt.Decrypt(context.Background(), keys, raw)
	if err != nil {
		t.Fatalf("decrypt request.code: %v", err)
	}
	if ec[kmscrypt.PublicKeyContext] == "" {
		t.Errorf("encryption context %v has no verification key", ec)
	}
	return string(code)
}

// senderEvent waits for the function's nth event (they are asynchronous).
func senderEvent(t *testing.T, fake *lambdatest.Server, fn string, n int) map[string]any {
	t.Helper()
	eventually(t, fn+" event", func() bool { return len(fake.Events(fn)) >= n })
	return fake.Events(fn)[n-1]
}

func TestCustomSenders(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("email-sender", lambdatest.Respond(nil))
	fake.Handle("sms-sender", lambdatest.Respond(nil))
	fake.Handle("custom-message", lambdatest.Respond(map[string]any{"smsMessage": "unused {####}"}))
	e := newTriggerEnv(t, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		LambdaConfig: &types.LambdaConfigType{
			CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{LambdaArn: fnARN("email-sender"), LambdaVersion: types.CustomEmailSenderLambdaVersionTypeV10},
			CustomSMSSender:   &types.CustomSMSLambdaVersionConfigType{LambdaArn: fnARN("sms-sender"), LambdaVersion: types.CustomSMSSenderLambdaVersionTypeV10},
			CustomMessage:     fnARN("custom-message"),
			KMSKeyID:          aws.String(senderKey),
		},
	}, fake)

	// Sign-up: the code goes to the email sender, encrypted; Cognate sends
	// nothing itself and does not ask the custom message trigger.
	if _, err := e.c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(e.client), Username: aws.String("ann"), Password: aws.String(signinPassword),
		UserAttributes: []types.AttributeType{attr("email", "ann@example.com")}, ClientMetadata: map[string]string{"app": "web"},
	}); err != nil {
		t.Fatal(err)
	}
	ev := senderEvent(t, fake, "email-sender", 1)
	req := ev["request"].(map[string]any)
	if ev["triggerSource"] != "CustomEmailSender_SignUp" || ev["version"] != "1" || ev["userName"] != "ann" || ev["userPoolId"] != e.pool ||
		req["type"] != "customEmailSenderRequestV1" || req["clientMetadata"].(map[string]any)["app"] != "web" ||
		req["userAttributes"].(map[string]any)["email"] != "ann@example.com" || ev["callerContext"].(map[string]any)["clientId"] != e.client {
		t.Errorf("sign-up event %v", ev)
	}
	code := e.senderCode(t, ev)
	if !regexp.MustCompile(`^\d{6}$`).MatchString(code) {
		t.Fatalf("decrypted code %q", code)
	}
	if n := len(fake.Events("custom-message")); n != 0 {
		t.Errorf("custom message trigger called %d times", n)
	}
	if msgs := outbox(t, e.s, e.pool, "ann@example.com"); len(msgs) != 0 {
		t.Errorf("Cognate sent %d messages itself", len(msgs))
	}
	if _, err := e.c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(e.client), Username: aws.String("ann"), ConfirmationCode: aws.String(code)}); err != nil {
		t.Fatalf("confirm with the decrypted code: %v", err)
	}

	// Forgotten password: CustomEmailSender_ForgotPassword.
	if _, err := e.c.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.client), Username: aws.String("ann")}); err != nil {
		t.Fatal(err)
	}
	ev = senderEvent(t, fake, "email-sender", 2)
	if ev["triggerSource"] != "CustomEmailSender_ForgotPassword" {
		t.Errorf("triggerSource %v", ev["triggerSource"])
	}
	if _, err := e.c.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId: aws.String(e.client), Username: aws.String("ann"), ConfirmationCode: aws.String(e.senderCode(t, ev)), Password: aws.String("New-Passw0rd!"),
	}); err != nil {
		t.Fatalf("reset with the decrypted code: %v", err)
	}

	// An invitation by SMS: CustomSMSSender_AdminCreateUser with the
	// temporary password, which signs in.
	if _, err := e.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("bob"), DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeSms},
		UserAttributes: []types.AttributeType{attr("phone_number", "+15555550100")},
	}); err != nil {
		t.Fatal(err)
	}
	ev = senderEvent(t, fake, "sms-sender", 1)
	if ev["triggerSource"] != "CustomSMSSender_AdminCreateUser" || ev["request"].(map[string]any)["type"] != "customSMSSenderRequestV1" {
		t.Errorf("invitation event %v", ev)
	}
	temp := e.senderCode(t, ev)
	out, err := e.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId: aws.String(e.pool), ClientId: aws.String(e.client), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": temp},
	})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("sign-in with the decrypted temporary password: %v %+v", err, out)
	}
	if msgs := outbox(t, e.s, e.pool, "+15555550100"); len(msgs) != 0 {
		t.Errorf("Cognate sent %d messages itself", len(msgs))
	}
}

// A pool whose custom sender has no KMS key fails the send with
// Cognito's UnexpectedLambdaException rather than sending the code in the
// clear.
func TestCustomSenderWithoutKey(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("email-sender", lambdatest.Respond(nil))
	e := newTriggerEnv(t, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		LambdaConfig: &types.LambdaConfigType{
			CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{LambdaArn: fnARN("email-sender"), LambdaVersion: types.CustomEmailSenderLambdaVersionTypeV10},
		},
	}, fake)
	_, err := e.signUp("ann", attr("email", "ann@example.com"))
	wantErr(t, err, "UnexpectedLambdaException", "CustomEmailSender invocation failed")
	if n := len(fake.Events("email-sender")); n != 0 {
		t.Errorf("sender called %d times", n)
	}
}

// A slow custom message function does not hold the store: another write
// completes while it runs, because triggers run outside store
// transactions.
func TestSlowTriggerHoldsNoTransaction(t *testing.T) {
	fake := lambdatest.Start(t)
	started, release := make(chan struct{}, 1), make(chan struct{})
	fake.Handle("custom-message", func(ctx context.Context, ev map[string]any) (any, error) {
		select {
		case started <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return ev, nil
	})
	e := newTriggerEnv(t, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		LambdaConfig:           &types.LambdaConfigType{CustomMessage: fnARN("custom-message")},
	}, fake)
	var signedUp atomic.Bool
	done := make(chan error, 1)
	go func() {
		_, err := e.signUp("ann", attr("email", "ann@example.com"))
		signedUp.Store(true)
		done <- err
	}()
	<-started
	// The sign-up waits for the function; a write meanwhile goes through.
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := e.c.AdminCreateUser(wctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("bob"), MessageAction: types.MessageActionTypeSuppress,
	}); err != nil {
		t.Fatalf("write during the trigger: %v", err)
	}
	if signedUp.Load() {
		t.Fatal("the write went through only after the sign-up's trigger ended")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("sign-up: %v", err)
	}
}

// An SMS MFA code goes to the custom SMS sender as
// CustomSMSSender_Authentication, and the decrypted code completes the
// sign-in.
func TestCustomSMSSenderMFA(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("sms-sender", lambdatest.Respond(nil))
	e := newTriggerEnv(t, &cip.CreateUserPoolInput{
		UserPoolTier: types.UserPoolTierTypeEssentials,
		LambdaConfig: &types.LambdaConfigType{
			CustomSMSSender: &types.CustomSMSLambdaVersionConfigType{LambdaArn: fnARN("sms-sender"), LambdaVersion: types.CustomSMSSenderLambdaVersionTypeV10},
			KMSKeyID:        aws.String(senderKey),
		},
	}, fake)
	if _, err := e.c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{
		UserPoolId: aws.String(e.pool), MfaConfiguration: types.UserPoolMfaTypeOn,
		SmsMfaConfiguration: &types.SmsMfaConfigType{SmsConfiguration: smsConfig},
	}); err != nil {
		t.Fatal(err)
	}
	const phone = "+15550001234"
	e.user(t, "pat", attr("phone_number", phone))
	ch := must[*cip.InitiateAuthOutput](t)(e.password(e.client, "pat", signinPassword))
	if ch.ChallengeName != types.ChallengeNameTypeSmsMfa {
		t.Fatalf("challenge %s", ch.ChallengeName)
	}
	ev := senderEvent(t, fake, "sms-sender", 1)
	if ev["triggerSource"] != "CustomSMSSender_Authentication" || ev["callerContext"].(map[string]any)["clientId"] != e.client {
		t.Errorf("event %v", ev)
	}
	if msgs := outbox(t, e.s, e.pool, phone); len(msgs) != 0 {
		t.Errorf("Cognate sent %d messages itself", len(msgs))
	}
	out, err := e.respond(e.client, types.ChallengeNameTypeSmsMfa, ch.Session, "USERNAME", "pat", "SMS_MFA_CODE", e.senderCode(t, ev))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("SMS_MFA with the decrypted code: %v", err)
	}
}
