package triggers_test

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognate-idp/cognate/internal/kmscrypt"
	"github.com/cognate-idp/cognate/internal/kmscrypt/kmstest"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/triggers"
	"github.com/cognate-idp/cognate/internal/triggers/lambdatest"
)

// TestCustomSender sends a code through both invokers: the event is the
// custom sender's, queued asynchronously, and its code decrypts.
func TestCustomSender(t *testing.T) {
	fake := lambdatest.Start(t)
	fake.Handle("email", lambdatest.Respond(nil))
	fake.Handle("sms", lambdatest.Respond(nil))
	keys := kmscrypt.NewKMS(kmstest.Start(t), "us-east-1", credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""))
	const keyARN = "arn:aws:kms:us-east-1:123456789012:key/1f2e3d4c-5b6a-7988-a7b6-c5d4e3f2a1b0"
	cfg := &model.LambdaConfigType{
		CustomEmailSender: &model.CustomEmailLambdaVersionConfigType{LambdaArn: arnPrefix + "email", LambdaVersion: "V1_0"},
		CustomSMSSender:   &model.CustomSMSLambdaVersionConfigType{LambdaArn: arnPrefix + "sms", LambdaVersion: "V1_0"},
		KMSKeyID:          keyARN,
	}
	sent := map[string]int{}
	for name, inv := range invokers(t, fake, "email", "sms") {
		l := &triggers.Lambda{Invoker: inv, Region: "us-east-1", Keys: keys}
		for _, c := range []struct{ medium, fn, source, typ string }{
			{model.DeliveryMediumTypeEmail, "email", "CustomEmailSender_ForgotPassword", "customEmailSenderRequestV1"},
			{model.DeliveryMediumTypeSms, "sms", "CustomSMSSender_ForgotPassword", "customSMSSenderRequestV1"},
		} {
			e := &triggers.Event{PoolID: "us-east-1_abc", ClientID: "client", Username: "ann", Attributes: map[string]string{"email": "ann@example.com"},
				ClientMetadata: map[string]string{"k": "v"}, Source: "CustomMessage_ForgotPassword", Config: cfg}
			handled, err := l.CustomSender(context.Background(), e, c.medium, "123456")
			if err != nil || !handled {
				t.Fatalf("%s %s: handled %v, %v", name, c.medium, handled, err)
			}
			sent[c.fn]++
			deadline := time.Now().Add(10 * time.Second)
			for len(fake.Events(c.fn)) < sent[c.fn] && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			evs := fake.Events(c.fn)
			if len(evs) < sent[c.fn] {
				t.Fatalf("%s: %s not invoked", name, c.fn)
			}
			ev := evs[len(evs)-1]
			req := ev["request"].(map[string]any)
			if ev["triggerSource"] != c.source || req["type"] != c.typ || ev["userName"] != "ann" || req["clientMetadata"].(map[string]any)["k"] != "v" {
				t.Errorf("%s: event %v", name, ev)
			}
			raw, _ := base64.StdEncoding.DecodeString(req["code"].(string))
			code, _, err := kmscrypt.Decrypt(context.Background(), keys, raw)
			if err != nil || string(code) != "123456" {
				t.Errorf("%s: code %q, %v", name, code, err)
			}
		}
		// No sender for the medium: not handled, nothing invoked.
		handled, err := l.CustomSender(context.Background(), &triggers.Event{Source: "CustomMessage_SignUp", Config: &model.LambdaConfigType{}}, model.DeliveryMediumTypeEmail, "1")
		if handled || err != nil {
			t.Errorf("%s: no sender: handled %v, %v", name, handled, err)
		}
		// A sender without a key is refused, not sent in the clear.
		noKey := *cfg
		noKey.KMSKeyID = ""
		_, err = l.CustomSender(context.Background(), &triggers.Event{Source: "CustomMessage_SignUp", Config: &noKey}, model.DeliveryMediumTypeEmail, "1")
		var ue *model.UnexpectedLambdaException
		if !errors.As(err, &ue) {
			t.Errorf("%s: sender without a key: %v", name, err)
		}
	}
}
