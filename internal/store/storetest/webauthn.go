package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// credential returns a passkey of a user created at minute created, whose
// data includes bytes a text column would mangle.
func credential(pool, sub, id string, created int) *store.WebAuthnCredential {
	return &store.WebAuthnCredential{PoolID: pool, Sub: sub, ID: id, CreatedAt: at(created), Data: []byte("\x00\xff" + id)}
}

func storedCredential(c *store.WebAuthnCredential) store.WebAuthnCredential {
	s := *c
	s.CreatedAt = micro(c.CreatedAt)
	return s
}

// listCredentials lists all of a user's passkeys, limit at a time.
func listCredentials(t *testing.T, s store.Store, pool, sub string, limit int) []store.WebAuthnCredential {
	t.Helper()
	var all []store.WebAuthnCredential
	cursor := ""
	for {
		page, next, err := s.ListWebAuthnCredentials(t.Context(), pool, sub, store.Page{Cursor: cursor, Limit: limit})
		noErr(t, err, "ListWebAuthnCredentials")
		if len(page) > limit {
			t.Fatalf("ListWebAuthnCredentials gave %d credentials for a limit of %d", len(page), limit)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

func testWebAuthnCredentials(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-south-1_passkeys")
	u := newUser(t, s, p.ID, "keyholder")
	other := newUser(t, s, p.ID, "other")

	// Two credentials of the same microsecond are ordered by ID.
	creds := []*store.WebAuthnCredential{
		credential(p.ID, u.Sub, "c3", 1), credential(p.ID, u.Sub, "c1", 3), credential(p.ID, u.Sub, "c2", 3),
	}
	for _, c := range creds {
		noErr(t, s.AddWebAuthnCredential(ctx, c, 3), "AddWebAuthnCredential "+c.ID)
	}
	want := []store.WebAuthnCredential{storedCredential(creds[0]), storedCredential(creds[1]), storedCredential(creds[2])}
	for _, limit := range []int{1, 2, 20} {
		mustDiff(t, "ListWebAuthnCredentials oldest first", want, listCredentials(t, s, p.ID, u.Sub, limit))
	}
	n, err := s.CountWebAuthnCredentials(ctx, p.ID, u.Sub)
	noErr(t, err, "CountWebAuthnCredentials")
	if n != 3 {
		t.Errorf("CountWebAuthnCredentials = %d, want 3", n)
	}
	got, err := s.GetWebAuthnCredential(ctx, p.ID, u.Sub, "c1")
	noErr(t, err, "GetWebAuthnCredential")
	mustDiff(t, "GetWebAuthnCredential", want[1], *got)

	wantErr(t, s.AddWebAuthnCredential(ctx, credential(p.ID, u.Sub, "c4", 5), 3), store.ErrLimit, "AddWebAuthnCredential past max")
	wantErr(t, s.AddWebAuthnCredential(ctx, credential(p.ID, other.Sub, "c1", 5), 3), store.ErrConflict, "AddWebAuthnCredential with an ID taken in the pool")
	wantErr(t, s.AddWebAuthnCredential(ctx, credential(p.ID, "sub-nobody", "n1", 5), 3), store.ErrNotFound, "AddWebAuthnCredential for a missing user")
	_, err = s.GetWebAuthnCredential(ctx, p.ID, other.Sub, "c1")
	wantErr(t, err, store.ErrNotFound, "GetWebAuthnCredential of another user's credential")

	// A cursor belongs to its user's listing.
	_, next, err := s.ListWebAuthnCredentials(ctx, p.ID, u.Sub, store.Page{Limit: 1})
	noErr(t, err, "ListWebAuthnCredentials")
	_, _, err = s.ListWebAuthnCredentials(ctx, p.ID, other.Sub, store.Page{Cursor: next, Limit: 1})
	wantErr(t, err, store.ErrBadCursor, "ListWebAuthnCredentials with another user's cursor")

	// The counter only moves forward; 0 stays usable for authenticators
	// without one.
	noErr(t, s.UseWebAuthnCredential(ctx, p.ID, u.Sub, "c3", 0, at(10)), "UseWebAuthnCredential 0 after 0")
	noErr(t, s.UseWebAuthnCredential(ctx, p.ID, u.Sub, "c3", 5, at(11)), "UseWebAuthnCredential 5")
	wantErr(t, s.UseWebAuthnCredential(ctx, p.ID, u.Sub, "c3", 5, at(12)), store.ErrConflict, "UseWebAuthnCredential replaying 5")
	wantErr(t, s.UseWebAuthnCredential(ctx, p.ID, u.Sub, "c3", 0, at(12)), store.ErrConflict, "UseWebAuthnCredential 0 after 5")
	wantErr(t, s.UseWebAuthnCredential(ctx, p.ID, other.Sub, "c3", 9, at(12)), store.ErrNotFound, "UseWebAuthnCredential of another user's credential")
	got, err = s.GetWebAuthnCredential(ctx, p.ID, u.Sub, "c3")
	noErr(t, err, "GetWebAuthnCredential")
	if got.SignCount != 5 || !got.LastUsedAt.Equal(micro(at(11))) {
		t.Errorf("after use: count %d, last used %v", got.SignCount, got.LastUsedAt)
	}

	// Of sign-ins racing with the same counter, exactly one passes.
	passed, _ := race(8, func(int) error { return s.UseWebAuthnCredential(ctx, p.ID, u.Sub, "c1", 7, at(13)) })
	if passed != 1 {
		t.Errorf("%d racing sign-ins with counter 7 passed, want 1", passed)
	}

	wantErr(t, s.DeleteWebAuthnCredential(ctx, p.ID, other.Sub, "c2"), store.ErrNotFound, "DeleteWebAuthnCredential of another user's credential")
	noErr(t, s.DeleteWebAuthnCredential(ctx, p.ID, u.Sub, "c2"), "DeleteWebAuthnCredential")
	wantErr(t, s.DeleteWebAuthnCredential(ctx, p.ID, u.Sub, "c2"), store.ErrNotFound, "DeleteWebAuthnCredential twice")
	noErr(t, s.AddWebAuthnCredential(ctx, credential(p.ID, u.Sub, "c4", 5), 3), "AddWebAuthnCredential after a delete")

	// Credentials go with their user.
	noErr(t, s.DeleteUser(ctx, p.ID, u.Key), "DeleteUser")
	if got := listCredentials(t, s, p.ID, u.Sub, 20); len(got) != 0 {
		t.Errorf("credentials of a deleted user: %v", got)
	}
}
