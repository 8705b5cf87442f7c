package config

import (
	"io"
	"strings"
	"testing"
)

func TestMessagingFlags(t *testing.T) {
	const smtp = "smtp://u:topsecret@mail.example.com?from=no-reply@example.com"
	cases := []struct {
		name       string
		args       []string
		env        map[string]string
		wantOutbox bool
	}{
		{"no senders: outbox on", nil, nil, true},
		{"smtp: outbox off", []string{"--smtp-url", smtp}, nil, false},
		{"sms from env: outbox off", nil, map[string]string{"COGNATE_SMS_WEBHOOK": "https://sms.example.com/hook"}, false},
		{"smtp with --outbox", []string{"--smtp-url", smtp, "--outbox"}, nil, true},
		{"smtp with COGNATE_OUTBOX", []string{"--smtp-url", smtp}, map[string]string{"COGNATE_OUTBOX": "true"}, true},
		{"--outbox=false without senders", []string{"--outbox=false"}, nil, false},
		{"COGNATE_OUTBOX=false without senders", nil, map[string]string{"COGNATE_OUTBOX": "false"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.args, env(tc.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if c.Outbox != tc.wantOutbox {
				t.Errorf("Outbox = %v, want %v", c.Outbox, tc.wantOutbox)
			}
		})
	}
	c, err := Load(nil, env(map[string]string{"COGNATE_SMTP_URL": smtp, "COGNATE_SMS_WEBHOOK": "http://127.0.0.1:8080/sms"}), io.Discard)
	if err != nil || c.SMTPURL != smtp || c.SMSWebhook != "http://127.0.0.1:8080/sms" {
		t.Errorf("env: %+v, %v", c, err)
	}
}

// Bad delivery URLs are reported with the other problems, and never
// repeat a password or a webhook token.
func TestMessagingValidation(t *testing.T) {
	_, err := Load([]string{"--region", "mars", "--smtp-url", "smtp://u:topsecret@mail.example.com", "--sms-webhook", "ftp://x/?token=hooksecret"}, env(nil), io.Discard)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"--region", "--smtp-url: no sender", "--sms-webhook: the scheme"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not report %q", err, want)
		}
	}
	for _, secret := range []string{"topsecret", "hooksecret"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q repeats %q", err, secret)
		}
	}
	for _, bad := range []string{"smtp://u:top secret@host?from=a@example.com", "smtps://host?from=a@example.com&starttls=require", "mail.example.com:25"} {
		if _, err := Load([]string{"--smtp-url", bad}, env(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "--smtp-url") {
			t.Errorf("%q: %v", bad, err)
		} else if strings.Contains(err.Error(), "top secret") {
			t.Errorf("error %q repeats the password", err)
		}
	}
}
