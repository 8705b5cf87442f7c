package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cognate-idp/cognate/internal/awsjson"
	"github.com/cognate-idp/cognate/internal/config"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/sigv4"
)

// iamAuth requires SigV4 signatures by the keys of --iam-credentials on
// the IAM-authorized operations.
type iamAuth struct{ v *sigv4.Verifier }

// newIAM reads the credentials file; nil without one (operations open).
func newIAM(cfg *config.Config, now func() time.Time) (awsjson.IAMAuth, error) {
	if cfg.IAMCredentials == "" {
		return nil, nil
	}
	keys, err := sigv4.LoadCredentials(cfg.IAMCredentials)
	if err != nil {
		return nil, err
	}
	return &iamAuth{v: &sigv4.Verifier{Keys: keys, Region: cfg.Region, Service: "cognito-idp", AccountID: cfg.AccountID, Now: now}}, nil
}

// Authenticate implements awsjson.IAMAuth.
func (a *iamAuth) Authenticate(r *http.Request, body []byte) (awsjson.Principal, error) {
	key, err := a.v.Verify(sigv4.FromHTTP(r, body))
	if err != nil {
		return nil, wireError(err)
	}
	return principal{a.v, key}, nil
}

type principal struct {
	v   *sigv4.Verifier
	key *sigv4.Key
}

// Allow implements awsjson.Principal.
func (p principal) Allow(op, poolID string) error { return wireError(p.v.Allow(p.key, op, poolID)) }

// wireError is a sigv4 error as the API answers it: HTTP 400 with AWS's
// exception name.
func wireError(err error) error {
	var e *sigv4.Error
	if errors.As(err, &e) {
		return &model.ProtocolError{Code: e.Code, Message: e.Message, Status: http.StatusBadRequest}
	}
	return err
}

// guardHosts refuses, while admin operations are open, requests for them
// and for the development outbox whose Host the configuration does not
// allow (see config.HostAllowed): a page of another site that rebinds its
// name to this server's address cannot reach them. Public operations and
// pages, which hold nothing a rebinding page could not ask for anyway,
// answer any Host.
func guardHosts(cfg *config.Config, mux *awsjson.Mux, next http.Handler) http.Handler {
	if !cfg.AdminOpen() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if guarded(r) && !cfg.HostAllowed(r.Host) {
			mux.Refuse(w, r, &model.ProtocolError{Code: "AccessDeniedException", Status: http.StatusForbidden,
				Message: fmt.Sprintf("Host %q is not one this server answers to while its admin operations are open: use an IP address, localhost, the --issuer-url host or a name of --allowed-hosts.", r.Host)})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// guarded reports whether r is for an IAM-authorized operation or the
// outbox.
func guarded(r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/_cognate/outbox") {
		return true
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), awsjson.TargetPrefix)
	row, known := model.OperationByName(op)
	return r.URL.Path == "/" && (!ok || !known || row.Auth == model.AuthIAM)
}

// warnOpen logs, at start-up, that admin operations take unsigned requests
// on a non-loopback address.
func warnOpen(log *slog.Logger, cfg *config.Config) {
	log.Warn("admin operations accept unsigned requests from the network (--insecure-open-admin): anyone who can reach "+
		"this address can read and change every user pool; give --iam-credentials to require signatures", "listen", cfg.Listen)
}
