package e2e

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/triggers/lambdatest"
)

// TestInboundFederationTrigger: pool A's inbound federation function
// receives the raw answers of its OIDC provider (pool B) before the user is
// created or updated; its userAttributesToMap replaces the provider's
// attributes, which the attribute mapping then maps; {} keeps them; an
// error refuses the sign-in with the function's message sent to the app.
func TestInboundFederationTrigger(t *testing.T) {
	fake := lambdatest.Start(t)
	var mu sync.Mutex
	answer := func(map[string]any) (any, error) { return nil, nil }
	fake.Handle("inbound", func(_ context.Context, ev map[string]any) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		return answer(ev)
	})
	setAnswer := func(f func(map[string]any) (any, error)) {
		mu.Lock()
		defer mu.Unlock()
		answer = f
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	e := newFedEnvWith(t, &cip.CreateUserPoolInput{LambdaConfig: &types.LambdaConfigType{
		InboundFederation: &types.InboundFederationLambdaType{LambdaVersion: types.InboundFederationLambdaVersionTypeV10, LambdaArn: fnARN("inbound")},
	}}, nil, func(c *config.Config) { c.LambdaEndpoint = fake.URL })

	pool := must[*cip.DescribeUserPoolOutput](t)(e.c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(e.poolA)})).UserPool
	if in := pool.LambdaConfig.InboundFederation; in == nil || aws.ToString(in.LambdaArn) != aws.ToString(fnARN("inbound")) || in.LambdaVersion != types.InboundFederationLambdaVersionTypeV10 {
		t.Fatalf("DescribeUserPool's InboundFederation %+v", in)
	}

	_, err := e.c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bad"), LambdaConfig: &types.LambdaConfigType{
		InboundFederation: &types.InboundFederationLambdaType{LambdaVersion: "V2_0", LambdaArn: fnARN("inbound")},
	}})
	var bad *types.InvalidParameterException
	if !errors.As(err, &bad) || !strings.Contains(aws.ToString(bad.Message), "V1_0") {
		t.Errorf("InboundFederation with LambdaVersion V2_0: %v, want InvalidParameterException", err)
	}

	subB := e.userB(t, "bob", "bob@b.example.com")
	username := fedProvider + "_" + subB

	// The function renames the user: its userAttributesToMap holds provider
	// attribute names, which the mapping (email->email, name->name) maps.
	setAnswer(func(ev map[string]any) (any, error) {
		info := ev["request"].(map[string]any)["attributes"].(map[string]any)["userInfo"].(map[string]any)
		ev["response"] = map[string]any{"userAttributesToMap": map[string]any{"email": info["email"], "name": "Renamed " + info["name"].(string)}}
		return ev, nil
	})
	claims := e.tokensFor(t, e.signInThroughB(t, "bob"))
	if claims["name"] != "Renamed Bob at B" || claims["email"] != "bob@b.example.com" || claims["cognito:username"] != username {
		t.Errorf("first sign-in's claims %v", claims)
	}
	ev := lastEvent(t, fake, "inbound")
	if ev["version"] != "1" || ev["triggerSource"] != "InboundFederation_ExternalProvider" || ev["userName"] != username ||
		ev["userPoolId"] != e.poolA || ev["callerContext"].(map[string]any)["clientId"] != e.clientA {
		t.Errorf("event envelope %v", ev)
	}
	req := ev["request"].(map[string]any)
	if req["providerName"] != fedProvider || req["providerType"] != "OIDC" {
		t.Errorf("request %v", req)
	}
	raw := req["attributes"].(map[string]any)
	tr, _ := raw["tokenResponse"].(map[string]any)
	idt, _ := raw["idToken"].(map[string]any)
	info, _ := raw["userInfo"].(map[string]any)
	if tr == nil || tr["access_token"] == nil || tr["id_token"] == nil || tr["refresh_token"] == nil || !strings.EqualFold(tr["token_type"].(string), "Bearer") || tr["expires_in"] != "3600" {
		t.Errorf("tokenResponse %v", tr)
	}
	if idt == nil || idt["sub"] != subB || idt["email"] != "bob@b.example.com" || idt["aud"] == nil {
		t.Errorf("idToken %v", idt)
	}
	if info == nil || info["sub"] != subB || info["name"] != "Bob at B" {
		t.Errorf("userInfo %v", info)
	}
	if _, ok := raw["samlResponse"]; ok {
		t.Errorf("an OIDC event has samlResponse: %v", raw)
	}
	if attrs(e.userA(t, username).UserAttributes)["name"] != "Renamed Bob at B" {
		t.Error("the stored name is not the function's")
	}

	// {} keeps the provider's attributes: the returning user's name is
	// mapped from B again.
	setAnswer(func(ev map[string]any) (any, error) { return ev, nil })
	e.newBrowser()
	if again := e.tokensFor(t, e.signInThroughB(t, "bob")); again["name"] != "Bob at B" || again["sub"] != claims["sub"] {
		t.Errorf("second sign-in's claims %v", again)
	}
	if n := len(fake.Events("inbound")); n != 2 {
		t.Errorf("the function ran %d times, want once a sign-in", n)
	}

	// A function that omits an attribute drops it: name is not mapped this
	// time (the stored name stays), the function's email is written.
	setAnswer(func(ev map[string]any) (any, error) {
		ev["response"] = map[string]any{"userAttributesToMap": map[string]any{"email": "bob+inbound@b.example.com"}}
		return ev, nil
	})
	e.newBrowser()
	if third := e.tokensFor(t, e.signInThroughB(t, "bob")); third["email"] != "bob+inbound@b.example.com" || third["name"] != "Bob at B" || third["sub"] != claims["sub"] {
		t.Errorf("third sign-in's claims %v", third)
	}

	// A function error refuses the sign-in: the app's redirect URI gets
	// the error, no code.
	setAnswer(func(map[string]any) (any, error) { return nil, errors.New("Partners only") })
	e.newBrowser()
	cb := e.signInThroughB(t, "bob")
	if cb.Query().Get("code") != "" || cb.Query().Get("error") == "" || !strings.Contains(cb.Query().Get("error_description"), "InboundFederation failed with error Partners only.") {
		t.Errorf("refused sign-in's callback %s", cb)
	}
}

// TestInboundFederationSAML: a SAML sign-in sends the assertion's
// attributes as samlResponse (and no token response); the function's
// userAttributesToMap, in the assertion's attribute names, goes through
// the mapping (email <- mail). The pool gets the trigger by UpdateUserPool.
func TestInboundFederationSAML(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("inbound", lambdatest.Respond(map[string]any{"userAttributesToMap": map[string]any{"mail": "carol@partner.example"}}))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	e := newSAMLEnv(t, nil, func(c *config.Config) { c.LambdaEndpoint = fake.URL })
	must[*cip.UpdateUserPoolOutput](t)(e.c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(e.poolA), LambdaConfig: &types.LambdaConfigType{
		InboundFederation: &types.InboundFederationLambdaType{LambdaVersion: types.InboundFederationLambdaVersionTypeV10, LambdaArn: fnARN("inbound")},
	}}))

	claims := e.tokensFor(t, e.post(t, e.respond(t, e.startSP(t), "carol.corp", false)))
	if claims["cognito:username"] != samlProvider+"_carol.corp" || claims["email"] != "carol@partner.example" {
		t.Errorf("claims %v", claims)
	}
	ev := lastEvent(t, fake, "inbound")
	req := ev["request"].(map[string]any)
	raw := req["attributes"].(map[string]any)
	if ev["userName"] != samlProvider+"_carol.corp" || req["providerName"] != samlProvider || req["providerType"] != "SAML" {
		t.Errorf("event %v", ev)
	}
	if sr, _ := raw["samlResponse"].(map[string]any); sr["mail"] != "carol.corp@corp.example" {
		t.Errorf("samlResponse %v", raw["samlResponse"])
	}
	for _, k := range []string{"tokenResponse", "idToken", "userInfo"} {
		if _, ok := raw[k]; ok {
			t.Errorf("a SAML event has %s: %v", k, raw)
		}
	}
}

// TestInboundFederationSocial: Facebook (plain OAuth 2.0) sends its token
// answer and profile as tokenResponse and userInfo, without idToken;
// Google (OpenID Connect) sends its ID token's claims as idToken too.
func TestInboundFederationSocial(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("inbound", lambdatest.Respond(nil))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	si := newSocialStandIn(t)
	e := newSocialEnv(t, si, func(c *config.Config) { c.LambdaEndpoint = fake.URL })
	must[*cip.UpdateUserPoolOutput](t)(e.c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String(e.poolA), LambdaConfig: &types.LambdaConfigType{
		InboundFederation: &types.InboundFederationLambdaType{LambdaVersion: types.InboundFederationLambdaVersionTypeV10, LambdaArn: fnARN("inbound")},
	}}))

	if fb := e.tokensFor(t, e.signInSocial(t, si, "Facebook")); fb["name"] != "Fay Book" {
		t.Errorf("Facebook claims %v", fb)
	}
	ev := lastEvent(t, fake, "inbound")
	req := ev["request"].(map[string]any)
	raw := req["attributes"].(map[string]any)
	tr, _ := raw["tokenResponse"].(map[string]any)
	info, _ := raw["userInfo"].(map[string]any)
	if ev["userName"] != "Facebook_10001" || req["providerType"] != "Facebook" || tr["access_token"] != "fb-token" || info["id"] != "10001" || info["name"] != "Fay Book" {
		t.Errorf("Facebook event %v", ev)
	}
	if _, ok := raw["idToken"]; ok {
		t.Errorf("a Facebook event has idToken: %v", raw)
	}

	e.newBrowser()
	e.tokensFor(t, e.signInSocial(t, si, "Google"))
	ev = lastEvent(t, fake, "inbound")
	req = ev["request"].(map[string]any)
	raw = req["attributes"].(map[string]any)
	tr, _ = raw["tokenResponse"].(map[string]any)
	idt, _ := raw["idToken"].(map[string]any)
	if req["providerType"] != "Google" || tr["id_token"] == nil || idt["sub"] == nil || idt["iss"] != "https://accounts.google.com" || raw["userInfo"] == nil {
		t.Errorf("Google event %v", ev)
	}
}
