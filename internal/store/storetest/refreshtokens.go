package storetest

import (
	"errors"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// refreshToken returns a current token of a family of a user of pool,
// created at minute created and expiring a day later.
func refreshToken(pool, sub, family, id string, created int) *store.RefreshToken {
	return &store.RefreshToken{ID: id, Family: family, PoolID: pool, ClientID: pool + "-client", Sub: sub,
		AuthTime: at(created - 1), CreatedAt: at(created), ExpiresAt: at(created + 24*60)}
}

// storedToken is what a store gives back for t.
func storedToken(t *store.RefreshToken) *store.RefreshToken {
	c := *t
	c.AuthTime, c.CreatedAt, c.ExpiresAt = micro(t.AuthTime), micro(t.CreatedAt), micro(t.ExpiresAt)
	if !t.RotatedAt.IsZero() {
		c.RotatedAt = micro(t.RotatedAt)
	}
	return &c
}

// hasToken reports whether GetRefreshToken finds id; it fails the test on
// any error but ErrNotFound.
func hasToken(t *testing.T, s store.Store, id string) bool {
	t.Helper()
	_, err := s.GetRefreshToken(t.Context(), id)
	if err != nil {
		wantErr(t, err, store.ErrNotFound, "GetRefreshToken "+id)
		return false
	}
	return true
}

// familyRevoked returns FamilyRevoked's answer.
func familyRevoked(t *testing.T, s store.Store, pool, family string) bool {
	t.Helper()
	revoked, err := s.FamilyRevoked(t.Context(), pool, family)
	noErr(t, err, "FamilyRevoked "+family)
	return revoked
}

func testRefreshTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "me-south-1_tokens")
	u := newUser(t, s, p.ID, "holder")
	other := newUser(t, s, p.ID, "other")
	getToken := func(id string) *store.RefreshToken {
		t.Helper()
		tok, err := s.GetRefreshToken(ctx, id)
		noErr(t, err, "GetRefreshToken "+id)
		return tok
	}

	first := refreshToken(p.ID, u.Sub, "fam-1", "rt-1", 0)
	noErr(t, s.CreateRefreshToken(ctx, first), "CreateRefreshToken")
	mustDiff(t, "GetRefreshToken", storedToken(first), getToken(first.ID))
	// A token may be stored rotated or revoked.
	done := refreshToken(p.ID, u.Sub, "fam-0", "rt-0", -10)
	done.RotatedAt, done.Revoked = at(-5), true
	noErr(t, s.CreateRefreshToken(ctx, done), "CreateRefreshToken rotated and revoked")
	mustDiff(t, "GetRefreshToken rotated and revoked", storedToken(done), getToken(done.ID))
	// A token bound to a device keeps its key, also through an update that
	// tries to change it.
	bound := refreshToken(p.ID, u.Sub, "fam-d", "rt-d", 0)
	bound.DeviceKey = p.ID + "_3f5c2b1e-8d4a-4c6e-9f0a-1b2c3d4e5f60"
	noErr(t, s.CreateRefreshToken(ctx, bound), "CreateRefreshToken bound to a device")
	mustDiff(t, "GetRefreshToken bound to a device", storedToken(bound), getToken(bound.ID))
	got, err := s.UpdateRefreshToken(ctx, bound.ID, func(t *store.RefreshToken) error {
		t.DeviceKey, t.Revoked = "other", true
		return nil
	})
	noErr(t, err, "UpdateRefreshToken bound to a device")
	wantBound := storedToken(bound)
	wantBound.Revoked = true
	mustDiff(t, "UpdateRefreshToken's answer for a bound token", wantBound, got)
	mustDiff(t, "bound token after an update", wantBound, getToken(bound.ID))

	wantErr(t, s.CreateRefreshToken(ctx, refreshToken(p.ID, other.Sub, "fam-x", first.ID, 1)), store.ErrConflict,
		"CreateRefreshToken with a taken ID")
	wantErr(t, s.CreateRefreshToken(ctx, refreshToken(p.ID, "sub-nobody", "fam-x", "rt-x", 1)), store.ErrNotFound,
		"CreateRefreshToken for a missing user")
	wantErr(t, s.CreateRefreshToken(ctx, refreshToken("me-south-1_none", u.Sub, "fam-x", "rt-y", 1)), store.ErrNotFound,
		"CreateRefreshToken in a missing pool")
	for _, id := range []string{"rt-x", "rt-y", "no-such-token"} {
		if hasToken(t, s, id) {
			t.Fatalf("GetRefreshToken %s: found a token never created", id)
		}
	}
	mustDiff(t, "token after a conflicting creation", storedToken(first), getToken(first.ID))
	if !familyRevoked(t, s, p.ID, "fam-x") {
		t.Fatal("FamilyRevoked of a family whose creations failed = false, want true")
	}

	// Rotation: the old token records it, the new one is current.
	rotated, err := s.UpdateRefreshToken(ctx, first.ID, func(tok *store.RefreshToken) error {
		tok.RotatedAt = at(5)
		tok.ExpiresAt = at(6)
		// Immutable fields: ignored.
		tok.ID, tok.Family, tok.PoolID, tok.ClientID, tok.Sub = "other", "other", "other", "other", "other"
		tok.AuthTime, tok.CreatedAt = at(99), at(99)
		return nil
	})
	noErr(t, err, "UpdateRefreshToken")
	want := storedToken(first)
	want.RotatedAt, want.ExpiresAt = micro(at(5)), micro(at(6))
	mustDiff(t, "UpdateRefreshToken result", want, rotated)
	mustDiff(t, "GetRefreshToken after UpdateRefreshToken", want, getToken(first.ID))
	second := refreshToken(p.ID, u.Sub, "fam-1", "rt-2", 5)
	noErr(t, s.CreateRefreshToken(ctx, second), "CreateRefreshToken rotated in")

	_, err = s.UpdateRefreshToken(ctx, second.ID, func(tok *store.RefreshToken) error {
		tok.Revoked = true
		return errBoom
	})
	wantErr(t, err, errBoom, "UpdateRefreshToken with failing fn")
	mustDiff(t, "token after a failed update", storedToken(second), getToken(second.ID))
	_, err = s.UpdateRefreshToken(ctx, "no-such-token", func(*store.RefreshToken) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateRefreshToken of a missing token")

	// Families: live until one of their tokens is revoked.
	ofOther := refreshToken(p.ID, other.Sub, "fam-2", "rt-3", 0)
	noErr(t, s.CreateRefreshToken(ctx, ofOther), "CreateRefreshToken")
	third := refreshToken(p.ID, u.Sub, "fam-3", "rt-4", 0)
	noErr(t, s.CreateRefreshToken(ctx, third), "CreateRefreshToken")
	for family, want := range map[string]bool{"fam-0": true, "fam-1": false, "fam-2": false, "fam-3": false, "fam-none": true} {
		if got := familyRevoked(t, s, p.ID, family); got != want {
			t.Errorf("FamilyRevoked(%s) = %v, want %v", family, got, want)
		}
	}
	if !familyRevoked(t, s, "me-south-1_none", "fam-1") {
		t.Error("FamilyRevoked in a missing pool = false, want true")
	}
	// One revoked token revokes its family.
	_, err = s.UpdateRefreshToken(ctx, third.ID, func(tok *store.RefreshToken) error { tok.Revoked = true; return nil })
	noErr(t, err, "UpdateRefreshToken revoking")
	if !familyRevoked(t, s, p.ID, "fam-3") {
		t.Error("FamilyRevoked of a family with a revoked token = false, want true")
	}

	noErr(t, s.RevokeFamily(ctx, p.ID, "fam-1"), "RevokeFamily")
	if !familyRevoked(t, s, p.ID, "fam-1") {
		t.Fatal("FamilyRevoked after RevokeFamily = false")
	}
	for _, tok := range []*store.RefreshToken{want, storedToken(second)} {
		tok.Revoked = true
		mustDiff(t, "token of a revoked family", tok, getToken(tok.ID))
	}
	mustDiff(t, "token of another user's family", storedToken(ofOther), getToken(ofOther.ID))
	if familyRevoked(t, s, p.ID, "fam-2") {
		t.Fatal("RevokeFamily revoked another family")
	}
	noErr(t, s.RevokeFamily(ctx, p.ID, "fam-1"), "RevokeFamily twice")
	noErr(t, s.RevokeFamily(ctx, p.ID, "fam-none"), "RevokeFamily of an unknown family")
	noErr(t, s.RevokeFamily(ctx, "me-south-1_none", "fam-2"), "RevokeFamily in a missing pool")
	if familyRevoked(t, s, p.ID, "fam-2") {
		t.Fatal("RevokeFamily in another pool revoked a family")
	}

	// RevokeUserTokens revokes every family of the user and no one else's.
	fourth := refreshToken(p.ID, u.Sub, "fam-4", "rt-5", 0)
	noErr(t, s.CreateRefreshToken(ctx, fourth), "CreateRefreshToken")
	fifth := refreshToken(p.ID, u.Sub, "fam-5", "rt-6", 0)
	noErr(t, s.CreateRefreshToken(ctx, fifth), "CreateRefreshToken")
	noErr(t, s.RevokeUserTokens(ctx, p.ID, u.Sub), "RevokeUserTokens")
	for _, tok := range []*store.RefreshToken{fourth, fifth} {
		want := storedToken(tok)
		want.Revoked = true
		mustDiff(t, "token after RevokeUserTokens", want, getToken(tok.ID))
		if !familyRevoked(t, s, p.ID, tok.Family) {
			t.Fatalf("FamilyRevoked(%s) after RevokeUserTokens = false", tok.Family)
		}
	}
	mustDiff(t, "token of another user after RevokeUserTokens", storedToken(ofOther), getToken(ofOther.ID))
	noErr(t, s.RevokeUserTokens(ctx, p.ID, "sub-nobody"), "RevokeUserTokens of a missing user")
	noErr(t, s.RevokeUserTokens(ctx, "me-south-1_none", other.Sub), "RevokeUserTokens in a missing pool")
	if familyRevoked(t, s, p.ID, "fam-2") {
		t.Fatal("RevokeUserTokens revoked another user's family")
	}
}

func testDeleteExpiredRefreshTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "me-south-1_expiry")
	u := newUser(t, s, p.ID, "u")
	const expired = 2100
	noErr(t, s.Tx(ctx, func(tx store.Store) error {
		for i := range expired {
			tok := refreshToken(p.ID, u.Sub, keyf("old-%d", i%3), keyf("expired-%04d", i), 0)
			tok.ExpiresAt = at(-1 - i%7)
			if err := tx.CreateRefreshToken(ctx, tok); err != nil {
				return err
			}
		}
		return nil
	}), "create expired tokens")
	atNow := refreshToken(p.ID, u.Sub, "live", "at-now", 0)
	atNow.ExpiresAt = t0
	later := refreshToken(p.ID, u.Sub, "live", "later", 0)
	for _, tok := range []*store.RefreshToken{atNow, later} {
		noErr(t, s.CreateRefreshToken(ctx, tok), "CreateRefreshToken "+tok.ID)
	}

	err := s.Tx(ctx, func(tx store.Store) error {
		n, err := tx.DeleteExpiredRefreshTokens(ctx, t0)
		if err != nil {
			return err
		}
		if n != expired {
			t.Errorf("DeleteExpiredRefreshTokens in a Tx = %d, want %d", n, expired)
		}
		return errBoom
	})
	wantErr(t, err, errBoom, "Tx deleting expired tokens")
	if !hasToken(t, s, "expired-0000") {
		t.Fatal("a rolled-back DeleteExpiredRefreshTokens removed a token")
	}

	n, err := s.DeleteExpiredRefreshTokens(ctx, t0)
	noErr(t, err, "DeleteExpiredRefreshTokens")
	if n != expired {
		t.Fatalf("DeleteExpiredRefreshTokens = %d, want %d", n, expired)
	}
	for _, id := range []string{"expired-0000", keyf("expired-%04d", expired-1)} {
		if hasToken(t, s, id) {
			t.Fatalf("expired token %s survived", id)
		}
	}
	// A family with no tokens left counts as revoked.
	if !familyRevoked(t, s, p.ID, "old-0") {
		t.Fatal("FamilyRevoked of a family whose tokens expired = false")
	}
	if familyRevoked(t, s, p.ID, "live") {
		t.Fatal("FamilyRevoked of a live family = true")
	}
	for _, tok := range []*store.RefreshToken{atNow, later} {
		got, err := s.GetRefreshToken(ctx, tok.ID)
		noErr(t, err, "GetRefreshToken "+tok.ID)
		mustDiff(t, "live token "+tok.ID, storedToken(tok), got)
	}
	n, err = s.DeleteExpiredRefreshTokens(ctx, t0)
	noErr(t, err, "DeleteExpiredRefreshTokens again")
	if n != 0 {
		t.Fatalf("DeleteExpiredRefreshTokens again = %d, want 0", n)
	}
}

// errRotated is the error of a rotation that finds the token rotated.
var errRotated = errors.New("already rotated")

// testConcurrentRotation rotates one token from many callers at once, each
// only if no one did before: exactly one succeeds, and its rotation stays.
func testConcurrentRotation(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 8
	p := newPool(t, s, "me-south-1_rotation")
	u := newUser(t, s, p.ID, "u")
	for _, id := range []string{"warm", "hot"} {
		noErr(t, s.CreateRefreshToken(ctx, refreshToken(p.ID, u.Sub, "fam-"+id, id, 0)), "CreateRefreshToken")
	}
	errs := contend(n, func(i int, id string, wait func()) error {
		_, err := s.UpdateRefreshToken(ctx, id, func(tok *store.RefreshToken) error {
			wait()
			if !tok.RotatedAt.IsZero() {
				return errRotated
			}
			tok.RotatedAt = at(i + 1)
			return nil
		})
		return err
	}, "warm", "hot")
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("rotations %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, errRotated):
			t.Fatalf("rotation %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no rotation succeeded")
	}
	tok, err := s.GetRefreshToken(ctx, "hot")
	noErr(t, err, "GetRefreshToken")
	if !tok.RotatedAt.Equal(micro(at(winner + 1))) {
		t.Fatalf("RotatedAt = %v, want the winner's %v", tok.RotatedAt, micro(at(winner+1)))
	}
}
