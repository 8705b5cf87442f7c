package e2e

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// steps renders an event's ChallengeResponses as "Password:Success ...".
func steps(e types.AuthEventType) string {
	out := ""
	for i, c := range e.ChallengeResponses {
		if i > 0 {
			out += " "
		}
		out += string(c.ChallengeName) + ":" + string(c.ChallengeResponse)
	}
	return out
}

func TestAuthEvents(t *testing.T) {
	// Without threat protection there is no event history.
	plain, plainID := mfaEnv(t, nil, &cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOff})
	plain.user(t, "nia")
	must[*cip.InitiateAuthOutput](t)(plain.password(plainID, "nia", signinPassword))
	_, err := plain.c.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(plain.pool), Username: aws.String("nia")})
	wantErr(t, err, "UserPoolAddOnNotEnabledException", "")
	_, err = plain.c.AdminUpdateAuthEventFeedback(ctx, &cip.AdminUpdateAuthEventFeedbackInput{UserPoolId: aws.String(plain.pool), Username: aws.String("nia"),
		EventId: aws.String("e"), FeedbackValue: types.FeedbackValueTypeValid})
	wantErr(t, err, "UserPoolAddOnNotEnabledException", "")

	e, id := mfaEnv(t, &cip.CreateUserPoolInput{UserPoolTier: types.UserPoolTierTypePlus,
		UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit}},
		&cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOptional, SmsMfaConfiguration: &types.SmsMfaConfigType{SmsConfiguration: smsConfig}})
	const phone = "+15550007777"
	e.user(t, "oli", attr("phone_number", phone))
	env := &accountEnv{s: e.s, c: e.c, pool: e.pool, clock: e.clock}

	_, err = e.password(id, "oli", "Wrong-Passw0rd!")
	wantErr(t, err, "NotAuthorizedException", "Incorrect username or password.")
	e.clock.Advance(time.Second)
	must[*cip.InitiateAuthOutput](t)(e.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(id), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "oli", "PASSWORD": signinPassword}, UserContextData: &types.UserContextDataType{IpAddress: aws.String("192.0.2.7")}}))
	must[*cip.AdminSetUserMFAPreferenceOutput](t)(e.c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(e.pool), Username: aws.String("oli"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}}))
	e.clock.Advance(time.Second)
	ch := must[*cip.InitiateAuthOutput](t)(e.password(id, "oli", signinPassword))
	list := func(max int32, next *string) *cip.AdminListUserAuthEventsOutput {
		t.Helper()
		return must[*cip.AdminListUserAuthEventsOutput](t)(e.c.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{
			UserPoolId: aws.String(e.pool), Username: aws.String("oli"), MaxResults: aws.Int32(max), NextToken: next}))
	}
	if ev := list(1, nil).AuthEvents[0]; ev.EventResponse != types.EventResponseTypeInProgress || steps(ev) != "Password:Success" {
		t.Fatalf("while the SMS code is pending: %s %s", ev.EventResponse, steps(ev))
	}
	code := env.lastCode(t, phone)
	_, err = e.respond(id, types.ChallengeNameTypeSmsMfa, ch.Session, "USERNAME", "oli", "SMS_MFA_CODE", wrongCode(code))
	wantErr(t, err, "CodeMismatchException", "")
	must[*cip.RespondToAuthChallengeOutput](t)(e.respond(id, types.ChallengeNameTypeSmsMfa, ch.Session, "USERNAME", "oli", "SMS_MFA_CODE", code))

	// Newest first, a page at a time.
	var all []types.AuthEventType
	var next *string
	for {
		page := list(2, next)
		all = append(all, page.AuthEvents...)
		if next = page.NextToken; next == nil {
			break
		}
	}
	if len(all) != 3 {
		t.Fatalf("%d events, want 3", len(all))
	}
	want := []struct {
		response types.EventResponseType
		steps    string
	}{
		{types.EventResponseTypePass, "Password:Success Mfa:Failure Mfa:Success"},
		{types.EventResponseTypePass, "Password:Success"},
		{types.EventResponseTypeFail, "Password:Failure"},
	}
	for i, w := range want {
		ev := all[i]
		if ev.EventType != types.EventTypeSignIn || ev.EventResponse != w.response || steps(ev) != w.steps || ev.EventRisk == nil || ev.EventId == nil {
			t.Errorf("event %d: %s %s %s %+v", i, ev.EventType, ev.EventResponse, steps(ev), ev.EventRisk)
		}
	}
	if c := all[1].EventContextData; c == nil || aws.ToString(c.IpAddress) != "192.0.2.7" {
		t.Errorf("EventContextData %+v", c)
	}
	if !all[0].CreationDate.After(*all[1].CreationDate) {
		t.Errorf("creation dates %v, %v", all[0].CreationDate, all[1].CreationDate)
	}

	// Feedback.
	must[*cip.AdminUpdateAuthEventFeedbackOutput](t)(e.c.AdminUpdateAuthEventFeedback(ctx, &cip.AdminUpdateAuthEventFeedbackInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("oli"), EventId: all[2].EventId, FeedbackValue: types.FeedbackValueTypeInvalid}))
	if fb := list(60, nil).AuthEvents[2].EventFeedback; fb == nil || fb.FeedbackValue != types.FeedbackValueTypeInvalid || aws.ToString(fb.Provider) != "Admin" || !fb.FeedbackDate.Equal(e.clock.Now()) {
		t.Errorf("EventFeedback %+v", fb)
	}
	_, err = e.c.AdminUpdateAuthEventFeedback(ctx, &cip.AdminUpdateAuthEventFeedbackInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("oli"), EventId: aws.String("no-such-event"), FeedbackValue: types.FeedbackValueTypeValid})
	wantErr(t, err, "ResourceNotFoundException", "")
	_, err = e.c.UpdateAuthEventFeedback(ctx, &cip.UpdateAuthEventFeedbackInput{
		UserPoolId: aws.String(e.pool), Username: aws.String("oli"), EventId: all[0].EventId, FeedbackToken: aws.String("not-the-token"), FeedbackValue: types.FeedbackValueTypeValid})
	wantErr(t, err, "NotAuthorizedException", "feedback token")
	_, err = e.c.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(e.pool), Username: aws.String("oli"), NextToken: aws.String("bogus")})
	wantErr(t, err, "InvalidParameterException", "NextToken")

	// Other events: a password change.
	e.user(t, "pia")
	token := must[*cip.InitiateAuthOutput](t)(e.password(id, "pia", signinPassword)).AuthenticationResult.AccessToken
	e.clock.Advance(time.Second)
	must[*cip.ChangePasswordOutput](t)(e.c.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: token,
		PreviousPassword: aws.String(signinPassword), ProposedPassword: aws.String("Changed-Passw0rd!")}))
	pia := must[*cip.AdminListUserAuthEventsOutput](t)(e.c.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: aws.String(e.pool), Username: aws.String("pia")})).AuthEvents
	if len(pia) != 2 || pia[0].EventType != types.EventTypePasswordChange || pia[0].EventResponse != types.EventResponseTypePass || pia[1].EventType != types.EventTypeSignIn {
		t.Errorf("events after a password change: %+v", pia)
	}
}
