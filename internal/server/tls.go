package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/cognate-idp/cognate/internal/config"
)

// certReloader holds the certificate of --tls-cert and --tls-key and reads
// the files again on SIGHUP, so that a renewed certificate is served
// without a restart. A reload that fails keeps the previous certificate.
type certReloader struct {
	certFile, keyFile string
	log               *slog.Logger
	cert              atomic.Pointer[tls.Certificate]
}

// newCertReloader loads the configured certificate; nil without TLS.
func newCertReloader(cfg *config.Config, log *slog.Logger) (*certReloader, error) {
	if cfg.TLSCert == "" {
		return nil, nil
	}
	c := &certReloader{certFile: cfg.TLSCert, keyFile: cfg.TLSKey, log: log}
	if err := c.reload(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *certReloader) reload() error {
	cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("TLS certificate: %w", err)
	}
	c.cert.Store(&cert)
	return nil
}

// config is the TLS configuration that serves the current certificate.
func (c *certReloader) config() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return c.cert.Load(), nil },
	}
}

// watch reloads the certificate on every SIGHUP until ctx ends or stop is
// called.
func (c *certReloader) watch(ctx context.Context) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-hup:
				if err := c.reload(); err != nil {
					c.log.Error("SIGHUP: the TLS certificate was not reloaded; the previous one is still served", "err", err)
					continue
				}
				c.log.Info("SIGHUP: TLS certificate reloaded", "cert", c.certFile)
			case <-ctx.Done():
				return
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(hup)
		close(done)
	}
}
