package triggers_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/triggers/lambdatest"
)

const arnPrefix = "arn:aws:lambda:us-east-1:123456789012:function:"

// invokers returns the two ways of reaching the stand-in: the Invoke API
// through the AWS SDK, and per-function HTTP endpoints.
func invokers(t *testing.T, fake *lambdatest.Server, names ...string) map[string]triggers.Invoker {
	t.Helper()
	sdk, err := triggers.NewAWSLambda(context.Background(), fake.URL, "us-east-1", credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""))
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for _, n := range names {
		urls[n] = fake.EndpointURL(n)
	}
	return map[string]triggers.Invoker{"invoke-api": sdk, "endpoints": &triggers.Endpoints{URLs: urls, Client: http.DefaultClient}}
}

func TestPreSignUpEvent(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("pre", lambdatest.Respond(map[string]any{"autoConfirmUser": true, "autoVerifyEmail": true}))
	for name, inv := range invokers(t, fake, "pre") {
		t.Run(name, func(t *testing.T) {
			l := &triggers.Lambda{Invoker: inv, Region: "us-east-1"}
			got, err := l.PreSignUp(context.Background(), &triggers.Event{
				PoolID: "us-east-1_abc", ClientID: "client1", Username: "ann", Source: "PreSignUp_SignUp",
				Attributes: map[string]string{"email": "ann@example.com"}, ValidationData: map[string]string{"k": "v"},
				Config: &model.LambdaConfigType{PreSignUp: arnPrefix + "pre"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := (triggers.PreSignUpResult{AutoConfirmUser: true, AutoVerifyEmail: true}); got != want {
				t.Errorf("result = %+v, want %+v", got, want)
			}
			evs := fake.Events("pre")
			ev := evs[len(evs)-1]
			want := map[string]any{
				"version": "1", "triggerSource": "PreSignUp_SignUp", "region": "us-east-1", "userPoolId": "us-east-1_abc",
				"userName": "ann", "callerContext": map[string]any{"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client1"},
				"request": map[string]any{
					"userAttributes": map[string]any{"email": "ann@example.com"}, "validationData": map[string]any{"k": "v"},
					"clientMetadata": nil,
				},
				"response": map[string]any{"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false},
			}
			if d := cmp.Diff(want, ev); d != "" {
				t.Errorf("event (-want +got):\n%s", d)
			}
		})
	}
	if n := fake.Unsigned(); n != 0 {
		t.Errorf("%d Invoke API requests were not signed", n)
	}
}

func TestInvocationErrors(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("fails", func(context.Context, map[string]any) (any, error) { return nil, errors.New("Email domain not allowed") })
	fake.Handle("garbage", func(context.Context, map[string]any) (any, error) { return "hello", nil })
	fake.Handle("badtype", lambdatest.Respond(map[string]any{"autoConfirmUser": "yes"}))
	var slowCalls atomic.Int32
	fake.Handle("slow", func(ctx context.Context, _ map[string]any) (any, error) {
		slowCalls.Add(1)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	for name, inv := range invokers(t, fake, "fails", "garbage", "badtype", "slow") {
		t.Run(name, func(t *testing.T) {
			l := &triggers.Lambda{Invoker: inv, Region: "us-east-1", Timeout: 100 * time.Millisecond}
			for _, tc := range []struct {
				fn, wantType, wantMsg string
			}{
				{"fails", "UserLambdaValidationException", "PreSignUp failed with error Email domain not allowed."},
				{"garbage", "InvalidLambdaResponseException", "Unrecognizable lambda output"},
				{"badtype", "InvalidLambdaResponseException", "Unrecognizable lambda output"},
				{"missing", "UnexpectedLambdaException", "PreSignUp invocation failed due to error ResourceNotFoundException."},
				{"slow", "UnexpectedLambdaException", "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."},
			} {
				slowCalls.Store(0)
				_, err := l.PreSignUp(context.Background(), &triggers.Event{PoolID: "us-east-1_abc", Username: "ann", Source: "PreSignUp_SignUp",
					Config: &model.LambdaConfigType{PreSignUp: arnPrefix + tc.fn}})
				var ae interface {
					ErrorCode() string
					ErrorMessage() string
				}
				if !errors.As(err, &ae) || ae.ErrorCode() != tc.wantType || ae.ErrorMessage() != tc.wantMsg {
					t.Errorf("%s: error = %v, want %s %q", tc.fn, err, tc.wantType, tc.wantMsg)
				}
				if tc.fn == "slow" && slowCalls.Load() != triggers.DefaultAttempts {
					t.Errorf("slow function called %d times, want %d", slowCalls.Load(), triggers.DefaultAttempts)
				}
			}
		})
	}
}

func TestPreTokenGeneration(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("v1", lambdatest.Respond(map[string]any{"claimsOverrideDetails": map[string]any{
		"claimsToAddOrOverride": map[string]any{"tenant": "acme", "sub": "forged"},
		"claimsToSuppress":      []string{"email"},
		"groupOverrideDetails":  map[string]any{"groupsToOverride": []string{"admins"}, "preferredRole": "arn:aws:iam::123456789012:role/admin"},
	}}))
	fake.Handle("v2", lambdatest.Respond(map[string]any{"claimsAndScopeOverrideDetails": map[string]any{
		"idTokenGeneration": map[string]any{"claimsToAddOrOverride": map[string]any{"roles": []string{"a", "b"}}},
		"accessTokenGeneration": map[string]any{
			"claimsToAddOrOverride": map[string]any{"tenant": "acme"}, "scopesToAdd": []string{"api/read"},
			"scopesToSuppress": []string{"aws.cognito.signin.user.admin"},
		},
	}}))
	l := &triggers.Lambda{Invoker: &triggers.Endpoints{URLs: map[string]string{"v1": fake.EndpointURL("v1"), "v2": fake.EndpointURL("v2")}}, Region: "us-east-1"}
	claims := func() *triggers.TokenClaims {
		return &triggers.TokenClaims{
			ID:     map[string]any{"sub": "s1", "email": "ann@example.com"},
			Access: map[string]any{"sub": "s1", "scope": "aws.cognito.signin.user.admin"},
			Groups: []string{"users"},
		}
	}
	ev := func(c *model.LambdaConfigType) *triggers.Event {
		return &triggers.Event{PoolID: "us-east-1_abc", Username: "ann", Source: "TokenGeneration_Authentication", Config: c, Attributes: map[string]string{"sub": "s1"}}
	}

	c1 := claims()
	if err := l.PreTokenGeneration(context.Background(), ev(&model.LambdaConfigType{PreTokenGeneration: arnPrefix + "v1"}), c1); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]any{"sub": "s1", "tenant": "acme"}, c1.ID); d != "" {
		t.Errorf("v1 ID claims (-want +got):\n%s", d)
	}
	if c1.Access["tenant"] != nil || c1.Groups[0] != "admins" || c1.PreferredRole != "arn:aws:iam::123456789012:role/admin" {
		t.Errorf("v1: access %v, groups %v, preferred role %q", c1.Access, c1.Groups, c1.PreferredRole)
	}
	if got := fake.Events("v1")[0]; got["version"] != "1" || got["request"].(map[string]any)["scopes"] != nil {
		t.Errorf("v1 event: %v", got)
	}

	c2 := claims()
	cfg := &model.LambdaConfigType{PreTokenGeneration: arnPrefix + "v2", PreTokenGenerationConfig: &model.PreTokenGenerationVersionConfigType{LambdaArn: arnPrefix + "v2", LambdaVersion: "V2_0"}}
	if err := l.PreTokenGeneration(context.Background(), ev(cfg), c2); err != nil {
		t.Fatal(err)
	}
	if c2.Access["tenant"] != "acme" || c2.Access["scope"] != "api/read" || c2.ID["email"] != "ann@example.com" {
		t.Errorf("v2 claims: id %v, access %v", c2.ID, c2.Access)
	}
	got := fake.Events("v2")[0]
	if got["version"] != "2" || !cmp.Equal(got["request"].(map[string]any)["scopes"], []any{"aws.cognito.signin.user.admin"}) {
		t.Errorf("v2 event: %v", got)
	}
	// Version 2 is not called for the client credentials grant.
	e := ev(cfg)
	e.Source = "TokenGeneration_ClientCredentials"
	if err := l.PreTokenGeneration(context.Background(), e, claims()); err != nil || len(fake.Events("v2")) != 1 {
		t.Errorf("client credentials with V2_0: err %v, %d events", err, len(fake.Events("v2")))
	}
}

func TestCustomMessagePlaceholders(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("good", lambdatest.Respond(map[string]any{"emailMessage": "Code: {####}", "emailSubject": "Welcome", "smsMessage": "no code here"}))
	fake.Handle("nocode", lambdatest.Respond(map[string]any{"emailMessage": "no code", "emailSubject": "Ignored"}))
	l := &triggers.Lambda{Invoker: &triggers.Endpoints{URLs: map[string]string{"good": fake.EndpointURL("good"), "nocode": fake.EndpointURL("nocode")}}}
	for _, tc := range []struct {
		fn   string
		want triggers.Message
	}{
		{"good", triggers.Message{Subject: "Welcome", EmailMessage: "Code: {####}", SMSMessage: "sms {####}"}},
		{"nocode", triggers.Message{Subject: "subject", EmailMessage: "email {####}", SMSMessage: "sms {####}"}},
	} {
		m := &triggers.Message{Subject: "subject", EmailMessage: "email {####}", SMSMessage: "sms {####}"}
		err := l.CustomMessage(context.Background(), &triggers.Event{Source: "CustomMessage_SignUp", Config: &model.LambdaConfigType{CustomMessage: tc.fn}}, m)
		if err != nil {
			t.Fatal(err)
		}
		if *m != tc.want {
			t.Errorf("%s: message %+v, want %+v", tc.fn, *m, tc.want)
		}
	}
	req := fake.Events("good")[0]["request"].(map[string]any)
	if req["codeParameter"] != "{####}" || req["usernameParameter"] != nil {
		t.Errorf("request %v", req)
	}
}

func TestFunctionName(t *testing.T) {
	for in, want := range map[string]string{
		arnPrefix + "fn":      "fn",
		arnPrefix + "fn:prod": "fn",
		"fn":                  "fn",
		"arn:aws:iam::1:role": "arn:aws:iam::1:role",
	} {
		if got := triggers.FunctionName(in); got != want {
			t.Errorf("FunctionName(%q) = %q, want %q", in, got, want)
		}
	}
	if err := triggers.CheckFunctions(map[string]string{"a": "ftp://x"}); err == nil || !strings.Contains(err.Error(), "ftp://x") {
		t.Errorf("CheckFunctions: %v", err)
	}
}

// TestInboundFederationEvent: the event carries the provider and only the
// raw attribute sets it has; userAttributesToMap comes back, {} as nil
// (keep the provider's attributes), and a pool without the trigger calls
// nothing.
func TestInboundFederationEvent(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("inbound", lambdatest.Respond(map[string]any{"userAttributesToMap": map[string]any{"mail": "x@example.com"}}))
	fake.Handle("keep", lambdatest.Respond(nil))
	l := &triggers.Lambda{Invoker: invokers(t, fake)["invoke-api"], Region: "us-east-1"}
	cfg := func(fn string) *model.LambdaConfigType {
		return &model.LambdaConfigType{InboundFederation: &model.InboundFederationLambdaType{LambdaVersion: "V1_0", LambdaArn: arnPrefix + fn}}
	}
	e := &triggers.Event{PoolID: "us-east-1_abc", ClientID: "client1", Username: "Corp_ann", Source: "InboundFederation_ExternalProvider", Config: cfg("inbound")}
	raw := triggers.ProviderAttributes{SAMLResponse: map[string]string{"mail": "ann@corp.example"}}
	got, err := l.InboundFederation(context.Background(), e, "Corp", "SAML", raw)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"mail": "x@example.com"}, got); diff != "" {
		t.Errorf("userAttributesToMap (-want +got):\n%s", diff)
	}
	ev := maps.Clone(fake.Events("inbound")[0])
	delete(ev, "response") // the stand-in's handler wrote its answer there
	want := map[string]any{
		"version": "1", "triggerSource": "InboundFederation_ExternalProvider", "region": "us-east-1", "userPoolId": "us-east-1_abc",
		"userName": "Corp_ann", "callerContext": map[string]any{"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "client1"},
		"request": map[string]any{"providerName": "Corp", "providerType": "SAML", "attributes": map[string]any{
			"samlResponse": map[string]any{"mail": "ann@corp.example"},
		}},
	}
	if diff := cmp.Diff(want, ev); diff != "" {
		t.Errorf("event (-want +got):\n%s", diff)
	}

	e.Config = cfg("keep")
	if got, err := l.InboundFederation(context.Background(), e, "Corp", "SAML", raw); err != nil || got != nil {
		t.Errorf("{} answer: %v, %v; want nil, nil", got, err)
	}
	e.Config = &model.LambdaConfigType{}
	if got, err := l.InboundFederation(context.Background(), e, "Corp", "SAML", raw); err != nil || got != nil {
		t.Errorf("no trigger: %v, %v; want nil, nil", got, err)
	}
	if diff := cmp.Diff(map[string]any{"userAttributesToMap": map[string]any{}}, fake.Events("keep")[0]["response"]); diff != "" {
		t.Errorf("the event's response (-want +got):\n%s", diff)
	}
	if n := len(fake.Events("inbound")) + len(fake.Events("keep")); n != 2 {
		t.Errorf("%d invocations, want 2", n)
	}
}
