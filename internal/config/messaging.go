package config

import (
	"flag"

	"github.com/cognate-idp/cognate/internal/messaging"
)

// messagingFlags defines the flags of message delivery.
func messagingFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.SMTPURL, "smtp-url", "", "SMTP server for email: smtp://user:pass@host:587?from=no-reply@example.com "+
		"(STARTTLS when offered, &starttls=require to insist) or smtps://user:pass@host:465?from=... (TLS from the start)")
	fs.StringVar(&c.SMSWebhook, "sms-webhook", "", "URL text messages are POSTed to as JSON")
	// The default depends on the other flags: defaultOutbox sets it.
	fs.BoolVar(&c.Outbox, "outbox", false, "serve /_cognate/outbox, which shows queued messages WITH their temporary passwords and codes "+
		"(default: on unless --smtp-url or --sms-webhook is set)")
}

// defaultOutbox turns the outbox reader off when a sender is configured,
// unless --outbox was given (explicit).
func (c *Config) defaultOutbox(explicit bool) {
	if !explicit {
		c.Outbox = c.SMTPURL == "" && c.SMSWebhook == ""
	}
}

// validateMessaging checks the delivery URLs. Its messages never repeat a
// password or a URL that may carry a token.
func (c *Config) validateMessaging(bad func(format string, args ...any)) {
	if c.SMTPURL != "" {
		if _, err := messaging.ParseSMTPURL(c.SMTPURL); err != nil {
			bad("--smtp-url: %v", err)
		}
	}
	if c.SMSWebhook != "" {
		if _, err := messaging.ParseWebhookURL(c.SMSWebhook); err != nil {
			bad("--sms-webhook: %v", err)
		}
	}
}
