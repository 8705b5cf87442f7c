package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/srp"
)

// device is a device as a client keeps it: its keys and the random
// password its SRP verifier was made from.
type device struct {
	key, group, password string
}

// srpWithDevice runs USER_SRP_AUTH naming deviceKey (if any) in the
// parameters and the PASSWORD_VERIFIER answer, as amazon-cognito-identity-js
// does, and returns the answer's result.
func (e *signinEnv) srpWithDevice(t *testing.T, clientID, name, deviceKey string) *cip.RespondToAuthChallengeOutput {
	t.Helper()
	cl, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"USERNAME": name, "SRP_A": cl.A()}
	if deviceKey != "" {
		params["DEVICE_KEY"] = deviceKey
	}
	init := must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: params}))
	p := init.ChallengeParameters
	block, _ := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
	ts := e.clock.Now().Format(srp.TimestampLayout)
	_, poolName, _ := strings.Cut(e.pool, "_")
	sig, err := cl.Sign(poolName, p["USER_ID_FOR_SRP"], signinPassword, p["SALT"], p["SRP_B"], block, ts)
	if err != nil {
		t.Fatal(err)
	}
	r := map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}
	if deviceKey != "" {
		r["DEVICE_KEY"] = deviceKey
	}
	return must[*cip.RespondToAuthChallengeOutput](t)(e.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: init.Session, ChallengeResponses: r}))
}

// deviceSRP answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER with the
// device's password.
func (e *signinEnv) deviceSRP(t *testing.T, clientID, name string, d device, session *string, password string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	cl, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := e.respond(clientID, types.ChallengeNameTypeDeviceSrpAuth, session, "USERNAME", name, "DEVICE_KEY", d.key, "SRP_A", cl.A())
	if err != nil {
		return nil, err
	}
	p := ch.ChallengeParameters
	if ch.ChallengeName != types.ChallengeNameTypeDevicePasswordVerifier || p["DEVICE_KEY"] != d.key || p["SALT"] == "" || p["SRP_B"] == "" {
		t.Fatalf("after DEVICE_SRP_AUTH: %s %v", ch.ChallengeName, p)
	}
	block, _ := base64.StdEncoding.DecodeString(p["SECRET_BLOCK"])
	ts := e.clock.Now().Add(e.skew).Format(srp.TimestampLayout)
	sig, err := cl.Sign(d.group, d.key, password, p["SALT"], p["SRP_B"], block, ts)
	if err != nil {
		t.Fatal(err)
	}
	return e.respond(clientID, types.ChallengeNameTypeDevicePasswordVerifier, ch.Session, "USERNAME", name, "DEVICE_KEY", d.key,
		"PASSWORD_CLAIM_SECRET_BLOCK", p["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE", sig, "TIMESTAMP", ts)
}

// confirm confirms the device of md with a new random password.
func (e *signinEnv) confirm(t *testing.T, token *string, md *types.NewDeviceMetadataType) (device, *cip.ConfirmDeviceOutput) {
	t.Helper()
	if md == nil || !strings.HasPrefix(aws.ToString(md.DeviceKey), "us-east-1_") || !strings.HasPrefix(aws.ToString(md.DeviceGroupKey), "-") {
		t.Fatalf("NewDeviceMetadata %+v", md)
	}
	d := device{key: aws.ToString(md.DeviceKey), group: aws.ToString(md.DeviceGroupKey), password: rand.Text()}
	salt, err := srp.NewSalt(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	v := srp.NewVerifier(d.group, d.key, []byte(d.password), salt)
	out := must[*cip.ConfirmDeviceOutput](t)(e.c.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: token, DeviceKey: md.DeviceKey, DeviceName: aws.String("test browser"),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{PasswordVerifier: aws.String(base64.StdEncoding.EncodeToString(v)), Salt: aws.String(base64.StdEncoding.EncodeToString(salt))}}))
	return d, out
}

func TestRememberedDevices(t *testing.T) {
	e, id := mfaEnv(t, &cip.CreateUserPoolInput{DeviceConfiguration: &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true}},
		&cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOn, SmsMfaConfiguration: &types.SmsMfaConfigType{SmsConfiguration: smsConfig}})
	const phone = "+15550004321"
	e.user(t, "dee", attr("phone_number", phone))
	env := &accountEnv{s: e.s, c: e.c, pool: e.pool, clock: e.clock}
	smsSignIn := func(deviceKey string) *types.AuthenticationResultType {
		t.Helper()
		ch := e.srpWithDevice(t, id, "dee", deviceKey)
		if ch.ChallengeName != types.ChallengeNameTypeSmsMfa {
			t.Fatalf("challenge %s, want SMS_MFA", ch.ChallengeName)
		}
		r := []string{"USERNAME", "dee", "SMS_MFA_CODE", env.lastCode(t, phone)}
		if deviceKey != "" {
			r = append(r, "DEVICE_KEY", deviceKey)
		}
		return must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeSmsMfa, ch.Session, r...)).AuthenticationResult
	}

	// A new device: MFA, then NewDeviceMetadata, confirmed and remembered.
	res := smsSignIn("")
	d, conf := e.confirm(t, res.AccessToken, res.NewDeviceMetadata)
	if aws.ToBool(&conf.UserConfirmationNecessary) {
		t.Fatal("UserConfirmationNecessary without DeviceOnlyRememberedOnUserPrompt")
	}
	// The remembered device signs in with its own SRP proof instead of MFA.
	e.clock.Advance(time.Minute)
	ch := e.srpWithDevice(t, id, "dee", d.key)
	if ch.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
		t.Fatalf("challenge %s, want DEVICE_SRP_AUTH", ch.ChallengeName)
	}
	_, err := e.deviceSRP(t, id, "dee", d, ch.Session, "wrong device password")
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	// A TIMESTAMP more than five minutes from the server's clock is refused.
	e.skew = -6 * time.Minute
	ch = e.srpWithDevice(t, id, "dee", d.key)
	_, err = e.deviceSRP(t, id, "dee", d, ch.Session, d.password)
	wantErr(t, err, "NotAuthorizedException", "TIMESTAMP is more than 5 minutes")
	e.skew = 0
	ch = e.srpWithDevice(t, id, "dee", d.key)
	out := must[*cip.RespondToAuthChallengeOutput](t)(e.deviceSRP(t, id, "dee", d, ch.Session, d.password))
	if out.AuthenticationResult == nil || out.AuthenticationResult.NewDeviceMetadata != nil {
		t.Fatalf("after the device proof: %s %+v", out.ChallengeName, out.AuthenticationResult)
	}
	token := out.AuthenticationResult.AccessToken

	got := must[*cip.GetDeviceOutput](t)(e.c.GetDevice(ctx, &cip.GetDeviceInput{AccessToken: token, DeviceKey: aws.String(d.key)})).Device
	if as := attrs(got.DeviceAttributes); as["device_name"] != "test browser" || as["dev:device_remembered_status"] != "remembered" || as["device_status"] != "valid" ||
		!got.DeviceLastAuthenticatedDate.Equal(e.clock.Now()) {
		t.Fatalf("GetDevice: %v last authenticated %v", as, got.DeviceLastAuthenticatedDate)
	}

	// Not remembered: MFA again, and no new device for a known one.
	must[*cip.UpdateDeviceStatusOutput](t)(e.c.UpdateDeviceStatus(ctx, &cip.UpdateDeviceStatusInput{AccessToken: token, DeviceKey: aws.String(d.key), DeviceRememberedStatus: types.DeviceRememberedStatusTypeNotRemembered}))
	if res := smsSignIn(d.key); res.NewDeviceMetadata != nil {
		t.Fatal("NewDeviceMetadata for a known device")
	}
	must[*cip.AdminUpdateDeviceStatusOutput](t)(e.c.AdminUpdateDeviceStatus(ctx, &cip.AdminUpdateDeviceStatusInput{UserPoolId: aws.String(e.pool), Username: aws.String("dee"),
		DeviceKey: aws.String(d.key), DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered}))

	// Two more devices, listed a page at a time.
	for range 2 {
		e.clock.Advance(time.Second)
		res := smsSignIn("")
		e.confirm(t, res.AccessToken, res.NewDeviceMetadata)
	}
	var keys []string
	next := (*string)(nil)
	for {
		page := must[*cip.ListDevicesOutput](t)(e.c.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: token, Limit: aws.Int32(2), PaginationToken: next}))
		for _, dv := range page.Devices {
			keys = append(keys, aws.ToString(dv.DeviceKey))
		}
		if next = page.PaginationToken; next == nil {
			break
		}
	}
	all := must[*cip.AdminListDevicesOutput](t)(e.c.AdminListDevices(ctx, &cip.AdminListDevicesInput{UserPoolId: aws.String(e.pool), Username: aws.String("dee")}))
	if len(keys) != 3 || keys[0] != d.key || len(all.Devices) != 3 || all.PaginationToken != nil {
		t.Fatalf("ListDevices %v, AdminListDevices %d", keys, len(all.Devices))
	}

	// A forgotten device is gone, and the next sign-in from it is a new one.
	must[*cip.AdminForgetDeviceOutput](t)(e.c.AdminForgetDevice(ctx, &cip.AdminForgetDeviceInput{UserPoolId: aws.String(e.pool), Username: aws.String("dee"), DeviceKey: aws.String(d.key)}))
	_, err = e.c.GetDevice(ctx, &cip.GetDeviceInput{AccessToken: token, DeviceKey: aws.String(d.key)})
	wantErr(t, err, "ResourceNotFoundException", "Device does not exist.")
	_, err = e.c.AdminGetDevice(ctx, &cip.AdminGetDeviceInput{UserPoolId: aws.String(e.pool), Username: aws.String("dee"), DeviceKey: aws.String(d.key)})
	wantErr(t, err, "ResourceNotFoundException", "")
	if res := smsSignIn(d.key); res.NewDeviceMetadata == nil {
		t.Fatal("no NewDeviceMetadata for a forgotten device")
	}
	must[*cip.ForgetDeviceOutput](t)(e.c.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: token, DeviceKey: aws.String(keys[1])}))
	if n := len(must[*cip.ListDevicesOutput](t)(e.c.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: token})).Devices); n != 1 {
		t.Fatalf("%d devices after forgetting two of three", n)
	}
}

func TestDeviceRememberedOnPrompt(t *testing.T) {
	e := newSigninEnv(t, &cip.CreateUserPoolInput{DeviceConfiguration: &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: true}})
	id := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "eve")
	res := must[*cip.InitiateAuthOutput](t)(e.password(id, "eve", signinPassword)).AuthenticationResult
	d, conf := e.confirm(t, res.AccessToken, res.NewDeviceMetadata)
	if !conf.UserConfirmationNecessary {
		t.Fatal("UserConfirmationNecessary is false with DeviceOnlyRememberedOnUserPrompt")
	}
	got := must[*cip.GetDeviceOutput](t)(e.c.GetDevice(ctx, &cip.GetDeviceInput{AccessToken: res.AccessToken, DeviceKey: aws.String(d.key)})).Device
	if attrs(got.DeviceAttributes)["dev:device_remembered_status"] != "not_remembered" {
		t.Fatalf("attributes %v", attrs(got.DeviceAttributes))
	}
	// A device key that was never issued cannot be confirmed.
	_, err := e.c.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: res.AccessToken, DeviceKey: aws.String("us-east-1_00000000-0000-4000-8000-000000000000"),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{PasswordVerifier: aws.String("AQ=="), Salt: aws.String("AQ==")}})
	wantErr(t, err, "ResourceNotFoundException", "Device does not exist.")
	// Without device tracking no device is issued.
	e2 := newSigninEnv(t, nil)
	id2 := aws.ToString(e2.client(t, nil).ClientId)
	e2.user(t, "fin")
	if res := must[*cip.InitiateAuthOutput](t)(e2.password(id2, "fin", signinPassword)).AuthenticationResult; res.NewDeviceMetadata != nil {
		t.Fatalf("NewDeviceMetadata %+v without DeviceConfiguration", res.NewDeviceMetadata)
	}
}

// TestRefreshTokenBoundToDevice checks that a refresh token issued to a
// sign-in in a pool that tracks devices is bound to the device key: it
// refreshes only with that key (DEVICE_KEY, DeviceKey), once the device is
// confirmed, and no more once the device is forgotten.
func TestRefreshTokenBoundToDevice(t *testing.T) {
	e := newSigninEnv(t, &cip.CreateUserPoolInput{DeviceConfiguration: &types.DeviceConfigurationType{}})
	id := aws.ToString(e.client(t, nil).ClientId)
	e.user(t, "bo")
	res := e.srpWithDevice(t, id, "bo", "").AuthenticationResult
	if res == nil || res.NewDeviceMetadata == nil {
		t.Fatalf("sign-in %+v", res)
	}
	rt := res.RefreshToken
	refresh := func(deviceKey string) error {
		t.Helper()
		params := map[string]string{"REFRESH_TOKEN": aws.ToString(rt)}
		if deviceKey != "" {
			params["DEVICE_KEY"] = deviceKey
		}
		_, err := e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: params})
		if err != nil {
			return err
		}
		_, err = e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(id), RefreshToken: rt, DeviceKey: aws.String(deviceKey)})
		return err
	}
	key := aws.ToString(res.NewDeviceMetadata.DeviceKey)
	// Not before the device is confirmed.
	wantErr(t, refresh(key), "NotAuthorizedException", "Invalid Refresh Token")
	d, _ := e.confirm(t, res.AccessToken, res.NewDeviceMetadata)
	if err := refresh(d.key); err != nil {
		t.Fatalf("refresh with the device key: %v", err)
	}
	wantErr(t, refresh(""), "NotAuthorizedException", "Invalid Refresh Token")
	_, err := e.c.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(id), RefreshToken: rt})
	wantErr(t, err, "NotAuthorizedException", "Invalid Refresh Token")
	wantErr(t, refresh(e.pool+"_00000000-0000-4000-8000-000000000000"), "NotAuthorizedException", "Invalid Refresh Token")

	// A sign-in that names the device binds its token to the device too.
	// (A remembered device proves itself first.)
	again := e.srpWithDevice(t, id, "bo", d.key)
	if again.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
		t.Fatalf("sign-in with the device: %s", again.ChallengeName)
	}
	again = must[*cip.RespondToAuthChallengeOutput](t)(e.deviceSRP(t, id, "bo", d, again.Session, d.password))
	if again.AuthenticationResult == nil || again.AuthenticationResult.NewDeviceMetadata != nil {
		t.Fatalf("sign-in with the device: %s %+v", again.ChallengeName, again.AuthenticationResult)
	}
	rt = again.AuthenticationResult.RefreshToken
	wantErr(t, refresh(""), "NotAuthorizedException", "Invalid Refresh Token")
	if err := refresh(d.key); err != nil {
		t.Fatalf("refresh the device sign-in's token: %v", err)
	}

	// Forgetting the device ends its tokens.
	must[*cip.ForgetDeviceOutput](t)(e.c.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: res.AccessToken, DeviceKey: aws.String(d.key)}))
	wantErr(t, refresh(d.key), "NotAuthorizedException", "Invalid Refresh Token")
	rt = res.RefreshToken
	wantErr(t, refresh(d.key), "NotAuthorizedException", "Invalid Refresh Token")
}
