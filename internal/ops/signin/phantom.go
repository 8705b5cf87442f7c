package signin

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/triggers"
)

// maxPhantoms bounds the custom authentications of unknown users kept at
// once; past it the one nearest its expiry goes first.
const maxPhantoms = 10_000

// phantoms keeps the custom authentications of users who do not exist,
// run at a client with PreventUserExistenceErrors: as on Cognito the
// define, create and verify triggers run for them (with userNotFound) and
// the caller sees challenges as for a real user, but no store session can
// name a user that does not exist, so their state stays in this process's
// memory for the client's session validity. Such a sign-in never issues
// tokens.
type phantoms struct {
	mu sync.Mutex
	m  map[[32]byte]*phantom
}

// phantom is one custom authentication of an unknown user.
type phantom struct {
	poolID, clientID, username string
	custom                     *authn.CustomAuth
	expires                    time.Time
}

// put keeps ph under the session raw.
func (p *phantoms) put(raw string, ph *phantom, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[[32]byte]*phantom{}
	}
	for k, v := range p.m {
		if !now.Before(v.expires) {
			delete(p.m, k)
		}
	}
	if len(p.m) >= maxPhantoms {
		var oldest [32]byte
		var first time.Time
		for k, v := range p.m {
			if first.IsZero() || v.expires.Before(first) {
				oldest, first = k, v.expires
			}
		}
		delete(p.m, oldest)
	}
	p.m[sha256.Sum256([]byte(raw))] = ph
}

// take removes and returns the unexpired phantom of the session raw when
// it belongs to the pool, client and username; nil otherwise.
func (p *phantoms) take(raw, poolID, clientID, username string, now time.Time) *phantom {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := sha256.Sum256([]byte(raw))
	ph := p.m[k]
	if ph == nil || ph.poolID != poolID || ph.clientID != clientID || ph.username != username {
		return nil
	}
	delete(p.m, k)
	if !now.Before(ph.expires) {
		return nil
	}
	return ph
}

// startPhantom runs CUSTOM_AUTH for a user who does not exist: the pre
// authentication and define auth challenge triggers get userNotFound.
func (s *Service) startPhantom(ctx context.Context, r *request, name string) (*outcome, error) {
	r.userNotFound = true
	u := &store.User{PoolID: r.client.Pool.ID, Username: name}
	if err := s.Auth.Triggers().PreAuthentication(ctx, event(r, u, "PreAuthentication_Authentication")); err != nil {
		return nil, err
	}
	ca := &authn.CustomAuth{History: []triggers.Challenge{}}
	if r.params["SRP_A"] != "" {
		ca.History = append(ca.History, triggers.Challenge{Name: challengeSRPA, Result: true})
	}
	return s.nextCustom(ctx, r, u, ca)
}

// phantomChallenge issues the session of an unknown user's
// CUSTOM_CHALLENGE, in the form of every other session.
func (s *Service) phantomChallenge(r *request, u *store.User, ca *authn.CustomAuth) (string, error) {
	raw, err := s.IDs.Token(authn.SessionSize)
	if err != nil {
		return "", err
	}
	now := s.Now()
	s.phantoms.put(raw, &phantom{poolID: u.PoolID, clientID: r.client.ID(), username: u.Username, custom: ca, expires: now.Add(r.client.SessionValidity())}, now)
	return raw, nil
}

// answerPhantom judges an unknown user's answer with the verify auth
// challenge response trigger and goes on with the define trigger.
func (s *Service) answerPhantom(ctx context.Context, r *request, ph *phantom) (*outcome, error) {
	r.userNotFound = true
	u := &store.User{PoolID: ph.poolID, Username: ph.username}
	answer, err := param(r.params, "ANSWER")
	if err != nil {
		return nil, err
	}
	ca := ph.custom
	ok, err := s.Auth.Triggers().VerifyAuthChallenge(ctx, event(r, u, sourceVerify), ca.Private, answer)
	if err != nil {
		return nil, err
	}
	ca.History = append(ca.History, triggers.Challenge{Name: model.ChallengeNameTypeCustomChallenge, Result: ok, Metadata: ca.Metadata})
	ca.Private, ca.Metadata = nil, ""
	return s.nextCustom(ctx, r, u, ca)
}
