package storetest

import (
	"errors"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// authEvent returns an event of a user created at minute created, whose
// data includes bytes a text column would mangle.
func authEvent(pool, sub, id string, created int) *store.AuthEvent {
	return &store.AuthEvent{PoolID: pool, Sub: sub, ID: id, CreatedAt: at(created), Data: []byte("\x00\xff" + id)}
}

func storedEvent(e *store.AuthEvent) store.AuthEvent {
	s := *e
	s.CreatedAt = micro(e.CreatedAt)
	return s
}

// listEvents lists all of a user's events, limit at a time.
func listEvents(t *testing.T, s store.Store, pool, sub string, limit int) []store.AuthEvent {
	t.Helper()
	var all []store.AuthEvent
	cursor := ""
	for {
		page, next, err := s.ListAuthEvents(t.Context(), pool, sub, store.Page{Cursor: cursor, Limit: limit})
		noErr(t, err, "ListAuthEvents")
		if len(page) > limit {
			t.Fatalf("ListAuthEvents gave %d events for a limit of %d", len(page), limit)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

func testAuthEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-south-1_events")
	u := newUser(t, s, p.ID, "eventful")
	other := newUser(t, s, p.ID, "other")

	// Two events in the same microsecond are ordered by ID.
	events := []*store.AuthEvent{
		authEvent(p.ID, u.Sub, "e1", 1), authEvent(p.ID, u.Sub, "e2", 3), authEvent(p.ID, u.Sub, "e3", 2),
		authEvent(p.ID, u.Sub, "e5", 4), authEvent(p.ID, u.Sub, "e4", 4),
	}
	for _, e := range events {
		noErr(t, s.AddAuthEvent(ctx, e, 10), "AddAuthEvent "+e.ID)
	}
	noErr(t, s.AddAuthEvent(ctx, authEvent(p.ID, other.Sub, "o1", 9), 10), "AddAuthEvent of the other user")
	want := []store.AuthEvent{storedEvent(events[4]), storedEvent(events[3]), storedEvent(events[1]), storedEvent(events[2]), storedEvent(events[0])}
	for _, limit := range []int{1, 2, 5, 60} {
		mustDiff(t, "ListAuthEvents newest first", want, listEvents(t, s, p.ID, u.Sub, limit))
	}

	wantErr(t, s.AddAuthEvent(ctx, authEvent(p.ID, u.Sub, "e1", 5), 10), store.ErrConflict, "AddAuthEvent with a taken ID")
	wantErr(t, s.AddAuthEvent(ctx, authEvent(p.ID, "sub-nobody", "n1", 5), 10), store.ErrNotFound, "AddAuthEvent for a missing user")
	if got := listEvents(t, s, p.ID, "sub-nobody", 10); len(got) != 0 {
		t.Errorf("events of a missing user: %v", got)
	}

	// A cursor belongs to its user's listing.
	_, next, err := s.ListAuthEvents(ctx, p.ID, u.Sub, store.Page{Limit: 1})
	noErr(t, err, "ListAuthEvents")
	_, _, err = s.ListAuthEvents(ctx, p.ID, other.Sub, store.Page{Cursor: next, Limit: 1})
	wantErr(t, err, store.ErrBadCursor, "ListAuthEvents with another user's cursor")

	// Update changes the data only; a failing fn changes nothing.
	up, err := s.UpdateAuthEvent(ctx, p.ID, u.Sub, "e2", func(e *store.AuthEvent) error {
		e.Data, e.CreatedAt, e.ID = []byte("feedback"), at(99), "changed"
		return nil
	})
	noErr(t, err, "UpdateAuthEvent")
	changed := storedEvent(events[1])
	changed.Data = []byte("feedback")
	mustDiff(t, "UpdateAuthEvent result", changed, *up)
	boom := errors.New("boom")
	_, err = s.UpdateAuthEvent(ctx, p.ID, u.Sub, "e2", func(e *store.AuthEvent) error { e.Data = nil; return boom })
	if !errors.Is(err, boom) {
		t.Errorf("UpdateAuthEvent with a failing fn: %v", err)
	}
	want[2] = changed
	mustDiff(t, "after the updates", want, listEvents(t, s, p.ID, u.Sub, 60))
	_, err = s.UpdateAuthEvent(ctx, p.ID, other.Sub, "e2", func(*store.AuthEvent) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateAuthEvent of another user's event")

	// Past keep, the oldest events go.
	noErr(t, s.AddAuthEvent(ctx, authEvent(p.ID, u.Sub, "e6", 5), 3), "AddAuthEvent keeping 3")
	got := listEvents(t, s, p.ID, u.Sub, 60)
	if len(got) != 3 || got[0].ID != "e6" || got[1].ID != "e4" || got[2].ID != "e5" {
		t.Errorf("after keeping 3: %v", got)
	}
	if got := listEvents(t, s, p.ID, other.Sub, 60); len(got) != 1 {
		t.Errorf("the other user's events after pruning: %v", got)
	}

	// Events go with their user.
	noErr(t, s.DeleteUser(ctx, p.ID, u.Key), "DeleteUser")
	if got := listEvents(t, s, p.ID, u.Sub, 60); len(got) != 0 {
		t.Errorf("events of a deleted user: %v", got)
	}
}
