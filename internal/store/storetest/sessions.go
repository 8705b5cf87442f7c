package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// session returns a session of a user of pool, created at minute created
// and expiring ten minutes later, whose data include bytes a text column
// would mangle.
func session(pool, sub, id string, created int) *store.Session {
	return &store.Session{ID: id, PoolID: pool, ClientID: pool + "-client", Sub: sub,
		Data: []byte("\x00\xff" + id), CreatedAt: at(created), ExpiresAt: at(created + 10)}
}

// storedSession is what a store gives back for s.
func storedSession(s *store.Session) *store.Session {
	c := *s
	c.CreatedAt, c.ExpiresAt = micro(s.CreatedAt), micro(s.ExpiresAt)
	return &c
}

// hasSession reports whether GetSession finds id; it fails the test on any
// error but ErrNotFound.
func hasSession(t *testing.T, s store.Store, id string) bool {
	t.Helper()
	_, err := s.GetSession(t.Context(), id)
	if err != nil {
		wantErr(t, err, store.ErrNotFound, "GetSession "+id)
		return false
	}
	return true
}

func testSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-north-1_sessions")
	u := newUser(t, s, p.ID, "sid")
	other := newUser(t, s, p.ID, "other")

	sess := session(p.ID, u.Sub, "hash-1", 0)
	noErr(t, s.CreateSession(ctx, sess), "CreateSession")
	got, err := s.GetSession(ctx, sess.ID)
	noErr(t, err, "GetSession")
	mustDiff(t, "GetSession", storedSession(sess), got)

	bare := &store.Session{ID: "hash-bare", PoolID: p.ID, Sub: u.Sub, CreatedAt: t0, ExpiresAt: at(1)}
	noErr(t, s.CreateSession(ctx, bare), "CreateSession without data")
	got, err = s.GetSession(ctx, bare.ID)
	noErr(t, err, "GetSession bare")
	mustDiff(t, "GetSession bare", storedSession(bare), got)

	// A session is returned expired or not: expiry is the caller's to judge.
	old := session(p.ID, u.Sub, "hash-old", -100)
	noErr(t, s.CreateSession(ctx, old), "CreateSession expired")
	got, err = s.GetSession(ctx, old.ID)
	noErr(t, err, "GetSession expired")
	mustDiff(t, "GetSession expired", storedSession(old), got)

	wantErr(t, s.CreateSession(ctx, session(p.ID, other.Sub, sess.ID, 5)), store.ErrConflict, "CreateSession with a taken ID")
	wantErr(t, s.CreateSession(ctx, session(p.ID, "sub-nobody", "hash-x", 0)), store.ErrNotFound, "CreateSession for a missing user")
	wantErr(t, s.CreateSession(ctx, session("eu-north-1_none", u.Sub, "hash-y", 0)), store.ErrNotFound,
		"CreateSession in a missing pool")
	for _, id := range []string{"hash-x", "hash-y", "no-such-session"} {
		if hasSession(t, s, id) {
			t.Fatalf("GetSession %s: found a session never created", id)
		}
	}
	got, err = s.GetSession(ctx, sess.ID)
	noErr(t, err, "GetSession after a conflict")
	mustDiff(t, "session after a conflicting creation", storedSession(sess), got)

	// Of two callers consuming a session, only the first succeeds.
	noErr(t, s.DeleteSession(ctx, sess.ID), "DeleteSession")
	wantErr(t, s.DeleteSession(ctx, sess.ID), store.ErrNotFound, "DeleteSession twice")
	if hasSession(t, s, sess.ID) {
		t.Fatal("GetSession found a deleted session")
	}
	// The ID is free again.
	noErr(t, s.CreateSession(ctx, session(p.ID, other.Sub, sess.ID, 6)), "CreateSession with a freed ID")

	// DeleteUserSessions removes the user's sessions and no one else's.
	noErr(t, s.CreateSession(ctx, session(p.ID, other.Sub, "hash-other", 0)), "CreateSession")
	noErr(t, s.DeleteUserSessions(ctx, p.ID, u.Sub), "DeleteUserSessions")
	for _, id := range []string{bare.ID, old.ID} {
		if hasSession(t, s, id) {
			t.Fatalf("session %s survived DeleteUserSessions", id)
		}
	}
	for _, id := range []string{sess.ID, "hash-other"} {
		if !hasSession(t, s, id) {
			t.Fatalf("DeleteUserSessions removed %s of another user", id)
		}
	}
	noErr(t, s.DeleteUserSessions(ctx, p.ID, u.Sub), "DeleteUserSessions of a user without sessions")
	noErr(t, s.DeleteUserSessions(ctx, p.ID, "sub-nobody"), "DeleteUserSessions of a missing user")
	noErr(t, s.DeleteUserSessions(ctx, "eu-north-1_none", u.Sub), "DeleteUserSessions in a missing pool")
}

func testDeleteExpiredSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-north-1_expiry")
	u := newUser(t, s, p.ID, "u")
	// Enough expired sessions to take several batches in a backend that
	// deletes in batches, created in one transaction to keep the test fast.
	const expired = 2100
	noErr(t, s.Tx(ctx, func(tx store.Store) error {
		for i := range expired {
			sess := &store.Session{ID: keyf("expired-%04d", i), PoolID: p.ID, Sub: u.Sub, CreatedAt: t0, ExpiresAt: at(-1 - i%7)}
			if err := tx.CreateSession(ctx, sess); err != nil {
				return err
			}
		}
		return nil
	}), "create expired sessions")
	// Expiring exactly at the cut-off, or later: kept.
	live := []*store.Session{
		{ID: "at-now", PoolID: p.ID, Sub: u.Sub, CreatedAt: t0, ExpiresAt: t0},
		{ID: "later", PoolID: p.ID, Sub: u.Sub, CreatedAt: t0, ExpiresAt: at(1)},
	}
	for _, sess := range live {
		noErr(t, s.CreateSession(ctx, sess), "CreateSession "+sess.ID)
	}

	// A transaction that deletes and rolls back deletes nothing.
	err := s.Tx(ctx, func(tx store.Store) error {
		n, err := tx.DeleteExpiredSessions(ctx, t0)
		if err != nil {
			return err
		}
		if n != expired {
			t.Errorf("DeleteExpiredSessions in a Tx = %d, want %d", n, expired)
		}
		return errBoom
	})
	wantErr(t, err, errBoom, "Tx deleting expired sessions")
	if !hasSession(t, s, "expired-0000") {
		t.Fatal("a rolled-back DeleteExpiredSessions removed a session")
	}

	n, err := s.DeleteExpiredSessions(ctx, t0)
	noErr(t, err, "DeleteExpiredSessions")
	if n != expired {
		t.Fatalf("DeleteExpiredSessions = %d, want %d", n, expired)
	}
	for _, id := range []string{"expired-0000", keyf("expired-%04d", expired-1)} {
		if hasSession(t, s, id) {
			t.Fatalf("expired session %s survived", id)
		}
	}
	for _, sess := range live {
		got, err := s.GetSession(ctx, sess.ID)
		noErr(t, err, "GetSession "+sess.ID)
		mustDiff(t, "live session "+sess.ID, storedSession(sess), got)
	}
	n, err = s.DeleteExpiredSessions(ctx, t0)
	noErr(t, err, "DeleteExpiredSessions again")
	if n != 0 {
		t.Fatalf("DeleteExpiredSessions again = %d, want 0", n)
	}
}
