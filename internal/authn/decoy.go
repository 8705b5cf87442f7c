package authn

import (
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/srp"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// The decoy is a credential that belongs to no one. With
// PreventUserExistenceErrors, a request about a user who does not exist
// does the work a real user's would (opening a sealed credential, the same
// modular exponentiations) against the decoy, so that its answer takes as
// long as a wrong password's and tells nothing about who exists.
type decoy struct {
	sealed []byte // a credential sealed as password.Seal seals a user's
	srpA   string // a client's public value, for the SRP check
	srpB   string
}

const (
	decoyPool = "decoy_decoy"
	decoyUser = "decoy"
)

// decoyOnce makes a Service's decoy once: it is sealed with the Service's
// keys.
type decoyOnce struct {
	once sync.Once
	d    *decoy
	err  error
}

// decoyInit guards the first assignment of a Service's decoys.
var decoyInit sync.Mutex

// decoy returns the decoy credential, made on first use. Copies of a
// Service made after that (ops.Deps.WithStore) share it.
func (s *Service) decoy() (*decoy, error) {
	decoyInit.Lock()
	if s.decoys == nil {
		s.decoys = new(decoyOnce)
	}
	d := s.decoys
	decoyInit.Unlock()
	d.once.Do(func() {
		d.d, d.err = s.newDecoy()
	})
	return d.d, d.err
}

func (s *Service) newDecoy() (*decoy, error) {
	secret := rand.Text()
	sealed, err := password.Seal(s.Keys, rand.Reader, decoyPool, decoyUser, secret)
	if err != nil {
		return nil, fmt.Errorf("decoy credential: %w", err)
	}
	cred, err := password.Open(s.Keys, decoyPool, decoyUser, sealed)
	if err != nil {
		return nil, fmt.Errorf("decoy credential: %w", err)
	}
	cl, err := srp.NewClient(rand.Reader)
	if err != nil {
		return nil, err
	}
	b, err := srp.NewEphemeral(rand.Reader)
	if err != nil {
		return nil, err
	}
	srv, err := srp.NewServer(cred.Verifier, cl.A(), b)
	if err != nil {
		return nil, fmt.Errorf("decoy exchange: %w", err)
	}
	return &decoy{sealed: sealed, srpA: cl.A(), srpB: srv.B()}, nil
}

// DecoyPasswordCheck does the work of PasswordMatches for a user who does
// not exist, and reports nothing: the password cannot match.
func (s *Service) DecoyPasswordCheck(pw string) error {
	d, err := s.decoy()
	if err != nil {
		return err
	}
	cred, err := password.Open(s.Keys, decoyPool, decoyUser, d.sealed)
	if err != nil {
		return err
	}
	cred.Matches(password.PoolName(decoyPool), decoyUser, []byte(pw))
	return nil
}

// DecoyPasswordVerifier does the work of checking a PASSWORD_VERIFIER
// answer (opening the credential, resuming the exchange, deriving the
// session key) for a user who does not exist; the answer cannot be right.
func (s *Service) DecoyPasswordVerifier(secretBlock []byte, timestamp, signature string) error {
	d, err := s.decoy()
	if err != nil {
		return err
	}
	cred, err := password.Open(s.Keys, decoyPool, decoyUser, d.sealed)
	if err != nil {
		return err
	}
	b, err := srp.NewEphemeral(rand.Reader)
	if err != nil {
		return err
	}
	srv, err := srp.Resume(cred.Verifier, d.srpA, b, d.srpB)
	if err != nil {
		return err
	}
	srv.Verify(password.PoolName(decoyPool), decoyUser, secretBlock, timestamp, signature)
	return nil
}

// DecoySetPassword does what SetPassword does for a user who does not
// exist (ConfirmForgotPassword): the pool's policy check, whose error it
// returns as SetPassword would, and the sealing of the new password.
func (s *Service) DecoySetPassword(p *userpool.Pool, pw string) error {
	if err := password.Check(p.Settings.Policies.PasswordPolicy, pw); err != nil {
		return err
	}
	_, err := password.Seal(s.Keys, rand.Reader, decoyPool, decoyUser, pw)
	return err
}

// SimulatedUserID returns the USER_ID_FOR_SRP of a user who does not exist
// in a pool whose usernames are email addresses or phone numbers, where a
// real user's is the UUID Cognito made their username: a UUID derived from
// the master key, the pool and the name, the same at every request.
func (s *Service) SimulatedUserID(poolID, name string) string {
	secret := s.Keys.Derive("simulated user id|" + poolID + "|" + strings.ToLower(name))
	var u uuid.UUID
	copy(u[:], secret)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// ClaimTimeSkew is how far the TIMESTAMP of a PASSWORD_VERIFIER or
// DEVICE_PASSWORD_VERIFIER answer may be from the server's clock, either
// way. Cognito documents no figure; clients whose clocks are more than
// five minutes off are reported to fail, as they do with AWS's Signature
// Version 4 (see docs/fidelity.md).
const ClaimTimeSkew = 5 * time.Minute

// CheckClaimTime checks the TIMESTAMP of an SRP verifier answer: in the
// form srp.TimestampLayout ("Mon Jan 2 15:04:05 UTC 2006", the day with or
// without its leading zero), and within ClaimTimeSkew of now, else
// NotAuthorizedException.
func (s *Service) CheckClaimTime(ts string) error {
	t, err := time.Parse(srp.TimestampLayout, ts)
	if err != nil {
		return &model.InvalidParameterException{Message: "TIMESTAMP is not in the format " + srp.TimestampLayout}
	}
	if d := s.Now().Sub(t); d > ClaimTimeSkew || d < -ClaimTimeSkew {
		return &model.NotAuthorizedException{Message: "TIMESTAMP is more than 5 minutes from the server's time: check the client's clock."}
	}
	return nil
}
