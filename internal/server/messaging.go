package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/messaging"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
)

// newDispatcher builds the outbox's dispatcher with the senders the
// configuration names.
func newDispatcher(cfg *config.Config, log *slog.Logger, st store.Store, keys *seal.Keyring, opts Options) (*messaging.Dispatcher, error) {
	d := &messaging.Dispatcher{Store: st, Keys: keys, Log: log, Now: opts.Now}
	if cfg.SMTPURL != "" {
		smtp, err := messaging.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, fmt.Errorf("--smtp-url: %w", err)
		}
		smtp.TLSConfig = opts.SMTPTLS
		d.Email = smtp
	}
	if cfg.SMSWebhook != "" {
		if _, err := messaging.ParseWebhookURL(cfg.SMSWebhook); err != nil {
			return nil, fmt.Errorf("--sms-webhook: %w", err)
		}
		d.SMS = &messaging.Webhook{URL: cfg.SMSWebhook}
	}
	if cfg.Outbox {
		level := slog.LevelWarn
		if host, _, err := net.SplitHostPort(cfg.Listen); err == nil && loopback(host) {
			level = slog.LevelInfo
		}
		log.Log(context.Background(), level, "the outbox reader is on: whoever reaches "+messaging.OutboxPath+
			" reads temporary passwords and codes (--outbox=false turns it off)", "listen", cfg.Listen)
	}
	return d, nil
}

// loopback reports whether host names only this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// startDispatcher runs the dispatcher until the returned function is
// called, which waits for it to stop. It outlives ctx: Serve stops it after
// the requests in flight have finished, and a send under way is finished
// rather than cut short.
func (s *Server) startDispatcher(ctx context.Context) (stop func()) {
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.dispatcher.Run(dctx)
	}()
	return func() {
		cancel()
		<-done
	}
}
