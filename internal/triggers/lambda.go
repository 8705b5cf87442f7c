package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/aws/smithy-go"

	"github.com/cognate-idp/cognate/internal/kmscrypt"
	"github.com/cognate-idp/cognate/internal/model"
)

// Cognito's patience with a function: it waits DefaultTimeout for an
// answer and gives up after DefaultAttempts attempts.
const (
	DefaultTimeout  = 5 * time.Second
	DefaultAttempts = 3
)

// sdkVersion is callerContext.awsSdkVersion when the caller's SDK is not
// known.
const sdkVersion = "aws-sdk-unknown-unknown"

// Lambda is the Hooks that invoke the functions a pool's LambdaConfig
// (Event.Config) names, with the events Cognito sends, and apply their
// answers as Cognito does. A trigger the pool does not configure behaves as
// None.
type Lambda struct {
	Invoker Invoker
	// Region is the event's region.
	Region string
	// Timeout is how long one attempt waits (DefaultTimeout when zero);
	// Attempts how many are made (DefaultAttempts when zero).
	Timeout  time.Duration
	Attempts int
	// Keys makes the data keys that encrypt the codes custom sender
	// triggers receive (AWS KMS GenerateDataKey); without it the pools'
	// custom senders fail.
	Keys kmscrypt.DataKeys
}

var _ Hooks = (*Lambda)(nil)

// callerContext is the event's callerContext.
type callerContext struct {
	AWSSDKVersion string `json:"awsSdkVersion"`
	ClientID      string `json:"clientId"`
}

// envelope is the part of the event every trigger shares.
type envelope struct {
	Version       string        `json:"version"`
	TriggerSource string        `json:"triggerSource"`
	Region        string        `json:"region"`
	UserPoolID    string        `json:"userPoolId"`
	UserName      string        `json:"userName"`
	CallerContext callerContext `json:"callerContext"`
	Request       any           `json:"request"`
	Response      any           `json:"response"`
}

// attributes is the event's userAttributes: the user's attributes, with
// cognito:user_status where the event carries the status.
func (e *Event) attributes() map[string]string {
	a := maps.Clone(e.Attributes)
	if a == nil {
		a = map[string]string{}
	}
	if e.Status != "" {
		a["cognito:user_status"] = e.Status
	}
	return a
}

// orNull makes an empty map null, as Cognito sends absent validationData
// and clientMetadata.
func orNull(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// call invokes function as the trigger named (PreSignUp, ...) with e's
// envelope around request and response, and decodes the answer's response
// into out (nil ignores it).
func (l *Lambda) call(ctx context.Context, trigger, function, version string, e *Event, request, response, out any) error {
	ev := envelope{
		Version: version, TriggerSource: e.Source, Region: l.Region, UserPoolID: e.PoolID, UserName: e.Username,
		CallerContext: callerContext{AWSSDKVersion: sdkVersion, ClientID: e.ClientID},
		Request:       request, Response: response,
	}
	if ev.CallerContext.ClientID == "" {
		ev.CallerContext.ClientID = "CLIENT_ID_NOT_APPLICABLE"
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", trigger, err)
	}
	answer, err := l.invoke(ctx, trigger, function, payload)
	if err != nil {
		return err
	}
	return decodeAnswer(answer, out)
}

// invoke makes up to Attempts attempts of Timeout each: only an attempt
// that timed out is repeated.
func (l *Lambda) invoke(ctx context.Context, trigger, function string, payload []byte) ([]byte, error) {
	timeout, attempts := l.Timeout, l.Attempts
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	for range attempts {
		actx, cancel := context.WithTimeout(ctx, timeout)
		answer, err := l.Invoker.Invoke(actx, function, payload)
		timedOut := errors.Is(actx.Err(), context.DeadlineExceeded)
		cancel()
		if err == nil {
			return answer, nil
		}
		var fe *FunctionError
		switch {
		case errors.As(err, &fe):
			return nil, &model.UserLambdaValidationException{Message: fmt.Sprintf("%s failed with error %s.", trigger, fe.Message)}
		case ctx.Err() != nil:
			return nil, fmt.Errorf("invoke %s: %w", trigger, ctx.Err())
		case !timedOut:
			return nil, &model.UnexpectedLambdaException{Message: fmt.Sprintf("%s invocation failed due to error %s.", trigger, errorName(err))}
		}
	}
	return nil, &model.UnexpectedLambdaException{Message: trigger + " invocation failed due to error Socket timeout while invoking Lambda function."}
}

// errorName is what an invocation failure is called in Cognito's message:
// the Lambda API's error code (AccessDeniedException,
// ResourceNotFoundException), or the failure itself.
func errorName(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	if errors.Is(err, ErrNoInvoker) {
		return ErrNoInvoker.Error()
	}
	return err.Error()
}

// errUnrecognizable is Cognito's error for an answer that is not the event.
func errUnrecognizable() error {
	return &model.InvalidLambdaResponseException{Message: "Unrecognizable lambda output"}
}

// decodeAnswer checks that the answer is an event (a JSON object) and
// decodes its response into out.
func decodeAnswer(answer []byte, out any) error {
	var ev map[string]json.RawMessage
	if err := json.Unmarshal(answer, &ev); err != nil || ev == nil {
		return errUnrecognizable()
	}
	resp := ev["response"]
	if out == nil || len(resp) == 0 || string(resp) == "null" {
		return nil
	}
	if err := json.Unmarshal(resp, out); err != nil {
		return errUnrecognizable()
	}
	return nil
}

// PreSignUp implements Hooks.
func (l *Lambda) PreSignUp(ctx context.Context, e *Event) (PreSignUpResult, error) {
	fn := config(e).PreSignUp
	if fn == "" {
		return PreSignUpResult{}, nil
	}
	req := map[string]any{"userAttributes": e.attributes(), "validationData": orNull(e.ValidationData), "clientMetadata": orNull(e.ClientMetadata)}
	resp := map[string]any{"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}
	var out struct {
		AutoConfirmUser bool `json:"autoConfirmUser"`
		AutoVerifyEmail bool `json:"autoVerifyEmail"`
		AutoVerifyPhone bool `json:"autoVerifyPhone"`
	}
	if err := l.call(ctx, "PreSignUp", fn, "1", e, req, resp, &out); err != nil {
		return PreSignUpResult{}, err
	}
	return PreSignUpResult(out), nil
}

// PostConfirmation implements Hooks.
func (l *Lambda) PostConfirmation(ctx context.Context, e *Event) error {
	fn := config(e).PostConfirmation
	if fn == "" {
		return nil
	}
	req := map[string]any{"userAttributes": e.attributes(), "clientMetadata": orNull(e.ClientMetadata)}
	return l.call(ctx, "PostConfirmation", fn, "1", e, req, map[string]any{}, nil)
}

// PreAuthentication implements Hooks.
func (l *Lambda) PreAuthentication(ctx context.Context, e *Event) error {
	fn := config(e).PreAuthentication
	if fn == "" {
		return nil
	}
	req := map[string]any{"userAttributes": e.attributes(), "userNotFound": e.UserNotFound, "validationData": orNull(e.ValidationData)}
	return l.call(ctx, "PreAuthentication", fn, "1", e, req, map[string]any{}, nil)
}

// PostAuthentication implements Hooks.
func (l *Lambda) PostAuthentication(ctx context.Context, e *Event) error {
	fn := config(e).PostAuthentication
	if fn == "" {
		return nil
	}
	req := map[string]any{"userAttributes": e.attributes(), "newDeviceUsed": false, "clientMetadata": orNull(e.ClientMetadata)}
	return l.call(ctx, "PostAuthentication", fn, "1", e, req, map[string]any{}, nil)
}

// config is the event's LambdaConfig, empty when it has none.
func config(e *Event) *model.LambdaConfigType {
	if e.Config == nil {
		return &model.LambdaConfigType{}
	}
	return e.Config
}

// InboundFederation implements Hooks: the function receives the
// provider's raw attributes and answers userAttributesToMap, the
// attributes the identity signs in with; {} (or no answer) keeps them.
func (l *Lambda) InboundFederation(ctx context.Context, e *Event, providerName, providerType string, raw ProviderAttributes) (map[string]string, error) {
	c := config(e).InboundFederation
	if c == nil || c.LambdaArn == "" {
		return nil, nil
	}
	attrs := map[string]any{}
	for name, m := range map[string]map[string]string{
		"tokenResponse": raw.TokenResponse, "idToken": raw.IDToken, "userInfo": raw.UserInfo, "samlResponse": raw.SAMLResponse,
	} {
		if m != nil {
			attrs[name] = m
		}
	}
	req := map[string]any{"providerName": providerName, "providerType": providerType, "attributes": attrs}
	resp := map[string]any{"userAttributesToMap": map[string]string{}}
	var out struct {
		UserAttributesToMap map[string]string `json:"userAttributesToMap"`
	}
	if err := l.call(ctx, "InboundFederation", c.LambdaArn, "1", e, req, resp, &out); err != nil {
		return nil, err
	}
	if len(out.UserAttributesToMap) == 0 {
		return nil, nil
	}
	return out.UserAttributesToMap, nil
}
