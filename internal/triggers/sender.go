package triggers

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/cognate-idp/cognate/internal/kmscrypt"
	"github.com/cognate-idp/cognate/internal/model"
)

// AsyncInvoker queues an event for a function without waiting for its
// answer, as Lambda's Event invocation type does. An Invoker that is not
// one is called in the background instead.
type AsyncInvoker interface {
	InvokeAsync(ctx context.Context, function string, event []byte) error
}

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
	if err := l.invokeAsync(ctx, fn, payload); err != nil {
		var fe *FunctionError
		if errors.As(err, &fe) {
			return true, &model.UserLambdaValidationException{Message: fmt.Sprintf("%s failed with error %s.", trigger, fe.Message)}
		}
		return true, &model.UnexpectedLambdaException{Message: fmt.Sprintf("%s invocation failed due to error %s.", trigger, errorName(err))}
	}
	return true, nil
}

// invokeAsync queues the event through the Invoker's InvokeAsync, or runs
// Invoke in the background (with Timeout and Attempts, detached from the
// request) when the Invoker has none.
func (l *Lambda) invokeAsync(ctx context.Context, function string, payload []byte) error {
	if a, ok := l.Invoker.(AsyncInvoker); ok {
		return a.InvokeAsync(ctx, function, payload)
	}
	go l.background(context.WithoutCancel(ctx), function, payload)
	return nil
}

// background invokes a function whose answer nobody waits for, logging a
// failure.
func (l *Lambda) background(ctx context.Context, function string, payload []byte) {
	if _, err := l.invoke(ctx, "CustomSender", function, payload); err != nil {
		slog.WarnContext(ctx, "custom sender function failed", "function", function, "err", err)
	}
}
