package triggers

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/cognate-idp/cognate/internal/kmscrypt"
	"github.com/cognate-idp/cognate/internal/model"
)

// senderFunction returns the custom sender trigger for a medium, its name
// in Cognito's messages and sources, and the request type of its events.
func senderFunction(c *model.LambdaConfigType, medium string) (fn, trigger, requestType string) {
	switch {
	case medium == model.DeliveryMediumTypeEmail && c.CustomEmailSender != nil:
		return c.CustomEmailSender.LambdaArn, "CustomEmailSender", "customEmailSenderRequestV1"
	case medium == model.DeliveryMediumTypeSms && c.CustomSMSSender != nil:
		return c.CustomSMSSender.LambdaArn, "CustomSMSSender", "customSMSSenderRequestV1"
	}
	return "", "", ""
}

// CustomSender implements Hooks: the code is encrypted in the AWS
// Encryption SDK's message format under the pool's KMSKeyID (a data key
// from Keys), base64-encoded into request.code, and the event is queued
// for the function (Lambda's Event invocation), whose answer is ignored as
// Cognito ignores it. The trigger source is the sender's name with the
// message's suffix: CustomMessage_ForgotPassword becomes
// CustomEmailSender_ForgotPassword or CustomSMSSender_ForgotPassword.
func (l *Lambda) CustomSender(ctx context.Context, e *Event, medium, code string) (bool, error) {
	c := config(e)
	fn, trigger, requestType := senderFunction(c, medium)
	if fn == "" {
		return false, nil
	}
	if c.KMSKeyID == "" || l.Keys == nil {
		return true, &model.UnexpectedLambdaException{Message: trigger + " invocation failed due to error KMS key is not configured."}
	}
	sealed, err := kmscrypt.Encrypt(ctx, l.Keys, c.KMSKeyID, nil, []byte(code))
	if err != nil {
		slog.WarnContext(ctx, "custom sender: encrypting the code failed", "pool", e.PoolID, "trigger", trigger, "err", err)
		return true, &model.UnexpectedLambdaException{Message: trigger + " invocation failed due to error KMS encryption failed."}
	}
	_, suffix, _ := strings.Cut(e.Source, "_")
	ev := envelope{
		Version: "1", TriggerSource: trigger + "_" + suffix, Region: l.Region, UserPoolID: e.PoolID, UserName: e.Username,
		CallerContext: callerContext{AWSSDKVersion: sdkVersion, ClientID: e.ClientID},
		Request: map[string]any{
			"type": requestType, "code": base64.StdEncoding.EncodeToString(sealed),
			"clientMetadata": orNull(e.ClientMetadata), "userAttributes": e.attributes(),
		},
		Response: map[string]any{},
	}
	if ev.CallerContext.ClientID == "" {
		ev.CallerContext.ClientID = "CLIENT_ID_NOT_APPLICABLE"
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return true, fmt.Errorf("encode %s event: %w", trigger, err)
	}
	if err := l.Invoker.InvokeAsync(ctx, fn, payload); err != nil {
		return true, &model.UnexpectedLambdaException{Message: fmt.Sprintf("%s invocation failed due to error %s.", trigger, errorName(err))}
	}
	return true, nil
}
