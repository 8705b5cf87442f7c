package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// code returns a code of a user of pool, created at minute created and
// expiring an hour later, whose sealed bytes derive from purpose and
// created and include bytes a text column would mangle.
func code(pool, sub, purpose string, created int) *store.Code {
	return &store.Code{PoolID: pool, Sub: sub, Purpose: purpose, Sealed: []byte(keyf("\x00\xff"+purpose+"%d", created)),
		CreatedAt: at(created), ExpiresAt: at(created + 60)}
}

// storedCode is what a store gives back for c.
func storedCode(c *store.Code) *store.Code {
	s := *c
	s.CreatedAt, s.ExpiresAt = micro(c.CreatedAt), micro(c.ExpiresAt)
	return &s
}

// hasCode reports whether GetCode finds a code; it fails the test on any
// error but ErrNotFound.
func hasCode(t *testing.T, s store.Store, pool, sub, purpose string) bool {
	t.Helper()
	_, err := s.GetCode(t.Context(), pool, sub, purpose)
	if err != nil {
		wantErr(t, err, store.ErrNotFound, "GetCode "+sub+" "+purpose)
		return false
	}
	return true
}

func testCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-south-1_codes")
	u := newUser(t, s, p.ID, "coder")
	other := newUser(t, s, p.ID, "other")
	getCode := func(sub, purpose string) *store.Code {
		t.Helper()
		c, err := s.GetCode(ctx, p.ID, sub, purpose)
		noErr(t, err, "GetCode "+sub+" "+purpose)
		return c
	}

	confirm := code(p.ID, u.Sub, "confirm", 0)
	reset := code(p.ID, u.Sub, "reset", 1)
	reset.Attempts = 2
	for _, c := range []*store.Code{confirm, reset, code(p.ID, other.Sub, "confirm", 2)} {
		noErr(t, s.PutCode(ctx, c), "PutCode "+c.Sub+" "+c.Purpose)
	}
	mustDiff(t, "GetCode confirm", storedCode(confirm), getCode(u.Sub, "confirm"))
	mustDiff(t, "GetCode reset", storedCode(reset), getCode(u.Sub, "reset"))
	mustDiff(t, "GetCode of the other user", storedCode(code(p.ID, other.Sub, "confirm", 2)), getCode(other.Sub, "confirm"))

	wantErr(t, s.PutCode(ctx, code(p.ID, "sub-nobody", "confirm", 0)), store.ErrNotFound, "PutCode for a missing user")
	wantErr(t, s.PutCode(ctx, code("eu-south-1_none", u.Sub, "confirm", 0)), store.ErrNotFound, "PutCode in a missing pool")
	if hasCode(t, s, p.ID, u.Sub, "verify:email") || hasCode(t, s, p.ID, "sub-nobody", "confirm") ||
		hasCode(t, s, "eu-south-1_none", u.Sub, "confirm") {
		t.Fatal("GetCode found a code never put")
	}

	// UpdateCode changes Attempts and ExpiresAt, and nothing else.
	got, err := s.UpdateCode(ctx, p.ID, u.Sub, "confirm", func(c *store.Code) error {
		c.Attempts++
		c.ExpiresAt = at(30)
		c.PoolID, c.Sub, c.Purpose, c.Sealed, c.CreatedAt = "other", "other", "other", []byte("other"), at(99)
		return nil
	})
	noErr(t, err, "UpdateCode")
	want := storedCode(confirm)
	want.Attempts, want.ExpiresAt = 1, micro(at(30))
	mustDiff(t, "UpdateCode result", want, got)
	mustDiff(t, "GetCode after UpdateCode", want, getCode(u.Sub, "confirm"))
	mustDiff(t, "the other purpose after UpdateCode", storedCode(reset), getCode(u.Sub, "reset"))

	_, err = s.UpdateCode(ctx, p.ID, u.Sub, "confirm", func(c *store.Code) error {
		c.Attempts = 99
		c.Sealed[0] = 'x' // the updater's copy
		return errBoom
	})
	wantErr(t, err, errBoom, "UpdateCode with failing fn")
	mustDiff(t, "GetCode after a failed update", want, getCode(u.Sub, "confirm"))
	_, err = s.UpdateCode(ctx, p.ID, u.Sub, "verify:email", func(*store.Code) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateCode of a missing code")
	_, err = s.UpdateCode(ctx, "eu-south-1_none", u.Sub, "confirm", func(*store.Code) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateCode in a missing pool")

	// PutCode replaces the code of the same purpose, attempt count included.
	fresh := code(p.ID, u.Sub, "confirm", 10)
	noErr(t, s.PutCode(ctx, fresh), "PutCode replacing a code")
	mustDiff(t, "GetCode after replacement", storedCode(fresh), getCode(u.Sub, "confirm"))
	mustDiff(t, "the other purpose after replacement", storedCode(reset), getCode(u.Sub, "reset"))

	noErr(t, s.DeleteCode(ctx, p.ID, u.Sub, "confirm"), "DeleteCode")
	wantErr(t, s.DeleteCode(ctx, p.ID, u.Sub, "confirm"), store.ErrNotFound, "DeleteCode twice")
	wantErr(t, s.DeleteCode(ctx, "eu-south-1_none", u.Sub, "reset"), store.ErrNotFound, "DeleteCode in a missing pool")
	if hasCode(t, s, p.ID, u.Sub, "confirm") {
		t.Fatal("GetCode found a deleted code")
	}
	mustDiff(t, "the other purpose after DeleteCode", storedCode(reset), getCode(u.Sub, "reset"))
	noErr(t, s.PutCode(ctx, fresh), "PutCode after DeleteCode")
	mustDiff(t, "GetCode of a code put again", storedCode(fresh), getCode(u.Sub, "confirm"))

	// DeleteUserCodes removes every code of the user and no one else's.
	noErr(t, s.DeleteUserCodes(ctx, p.ID, u.Sub), "DeleteUserCodes")
	for _, purpose := range []string{"confirm", "reset"} {
		if hasCode(t, s, p.ID, u.Sub, purpose) {
			t.Fatalf("code %s survived DeleteUserCodes", purpose)
		}
	}
	mustDiff(t, "code of the other user after DeleteUserCodes", storedCode(code(p.ID, other.Sub, "confirm", 2)),
		getCode(other.Sub, "confirm"))
	noErr(t, s.DeleteUserCodes(ctx, p.ID, u.Sub), "DeleteUserCodes of a user without codes")
	noErr(t, s.DeleteUserCodes(ctx, p.ID, "sub-nobody"), "DeleteUserCodes of a missing user")
}

// testConcurrentCodeUpdates counts wrong guesses from many callers at once:
// none is lost.
func testConcurrentCodeUpdates(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 16
	p := newPool(t, s, "eu-south-1_guesses")
	u := newUser(t, s, p.ID, "guessed")
	for _, purpose := range []string{"warm", "hot"} {
		noErr(t, s.PutCode(ctx, code(p.ID, u.Sub, purpose, 0)), "PutCode")
	}
	errs := contend(n, func(_ int, purpose string, wait func()) error {
		_, err := s.UpdateCode(ctx, p.ID, u.Sub, purpose, func(c *store.Code) error {
			wait()
			c.Attempts++
			return nil
		})
		return err
	}, "warm", "hot")
	for _, err := range errs {
		noErr(t, err, "concurrent UpdateCode")
	}
	c, err := s.GetCode(ctx, p.ID, u.Sub, "hot")
	noErr(t, err, "GetCode")
	if c.Attempts != n {
		t.Fatalf("Attempts = %d after %d concurrent guesses", c.Attempts, n)
	}
}

func testTakeCode(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-south-1_takecodes")
	u := newUser(t, s, p.ID, "taker")
	other := newUser(t, s, p.ID, "other")
	c := code(p.ID, u.Sub, "challenge", 3)
	c.Attempts = 1
	noErr(t, s.PutCode(ctx, c), "PutCode")
	noErr(t, s.PutCode(ctx, code(p.ID, other.Sub, "challenge", 4)), "PutCode of the other user")
	got, err := s.TakeCode(ctx, p.ID, u.Sub, "challenge")
	noErr(t, err, "TakeCode")
	mustDiff(t, "TakeCode", storedCode(c), got)
	_, err = s.TakeCode(ctx, p.ID, u.Sub, "challenge")
	wantErr(t, err, store.ErrNotFound, "TakeCode twice")
	_, err = s.TakeCode(ctx, p.ID, "sub-nobody", "challenge")
	wantErr(t, err, store.ErrNotFound, "TakeCode of a missing user")
	if !hasCode(t, s, p.ID, other.Sub, "challenge") {
		t.Error("TakeCode took the other user's code")
	}

	// Of callers racing to take one code, exactly one gets it.
	noErr(t, s.PutCode(ctx, c), "PutCode again")
	taken, _ := race(8, func(int) error {
		_, err := s.TakeCode(ctx, p.ID, u.Sub, "challenge")
		return err
	})
	if taken != 1 {
		t.Errorf("%d racing TakeCode calls got the code, want 1", taken)
	}
}
