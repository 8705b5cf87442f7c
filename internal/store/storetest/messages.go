package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

func testMessages(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "ca-central-1_messages")
	pending := func(limit int) []store.Message {
		t.Helper()
		ms, err := s.PendingMessages(ctx, limit)
		noErr(t, err, "PendingMessages")
		return ms
	}
	if ms := pending(10); len(ms) != 0 {
		t.Fatalf("PendingMessages on an empty outbox: %v", ms)
	}

	msg := func(id string, created int) *store.Message {
		return &store.Message{ID: id, PoolID: p.ID, Username: "user-" + id, Kind: "invitation", Medium: "EMAIL",
			Destination: id + "@example.com", Body: []byte{0, 0xff, byte(created), 'x'}, CreatedAt: at(created)}
	}
	// Enqueued out of order; "c" and "d" share a timestamp and keep their enqueue order.
	for _, m := range []*store.Message{msg("b", 2), msg("a", 1), msg("c", 3), msg("d", 3), msg("e", 0)} {
		noErr(t, s.EnqueueMessage(ctx, m), "EnqueueMessage "+m.ID)
	}
	wantErr(t, s.EnqueueMessage(ctx, msg("a", 9)), store.ErrConflict, "EnqueueMessage with a taken ID")
	bad := msg("z", 0)
	bad.PoolID = "ca-central-1_none"
	wantErr(t, s.EnqueueMessage(ctx, bad), store.ErrNotFound, "EnqueueMessage for a missing pool")

	var want []store.Message
	for _, m := range []*store.Message{msg("e", 0), msg("a", 1), msg("b", 2), msg("c", 3), msg("d", 3)} {
		m.CreatedAt = micro(m.CreatedAt)
		want = append(want, *m)
	}
	mustDiff(t, "PendingMessages", want, pending(10))
	mustDiff(t, "PendingMessages with a limit", want[:2], pending(2))

	noErr(t, s.MarkDelivered(ctx, "a"), "MarkDelivered")
	noErr(t, s.MarkDelivered(ctx, "e"), "MarkDelivered")
	wantErr(t, s.MarkDelivered(ctx, "a"), store.ErrNotFound, "MarkDelivered twice")
	mustDiff(t, "PendingMessages after delivery", want[2:], pending(10))
	noErr(t, s.EnqueueMessage(ctx, msg("f", 0)), "EnqueueMessage after delivery")
	if ms := pending(1); len(ms) != 1 || ms[0].ID != "f" {
		t.Fatalf("oldest pending message = %v, want f", ms)
	}
}

func testPendingMessagesByMedium(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "ca-central-1_mediums")
	for i, medium := range []string{"SMS", "EMAIL", "SMS", "EMAIL", "SMS"} {
		id := keyf("m%d", i)
		noErr(t, s.EnqueueMessage(ctx, &store.Message{ID: id, PoolID: p.ID, Kind: "invitation", Medium: medium,
			Destination: id, CreatedAt: at(10 - i)}), "EnqueueMessage "+id)
	}
	ids := func(medium string, limit int) []string {
		t.Helper()
		ms, err := s.PendingMessagesByMedium(ctx, medium, limit)
		noErr(t, err, "PendingMessagesByMedium "+medium)
		var ids []string
		for _, m := range ms {
			if m.Medium != medium || m.PoolID != p.ID {
				t.Fatalf("PendingMessagesByMedium(%s) returned %+v", medium, m)
			}
			ids = append(ids, m.ID)
		}
		return ids
	}
	// Oldest first, and a full page of one medium is not cut short by the other.
	mustDiff(t, "email", []string{"m3", "m1"}, ids("EMAIL", 10))
	mustDiff(t, "sms", []string{"m4", "m2", "m0"}, ids("SMS", 10))
	mustDiff(t, "sms with a limit", []string{"m4", "m2"}, ids("SMS", 2))
	mustDiff(t, "email with a limit", []string{"m3"}, ids("EMAIL", 1))
	mustDiff(t, "unknown medium", []string(nil), ids("CARRIER_PIGEON", 10))
	noErr(t, s.MarkDelivered(ctx, "m3"), "MarkDelivered")
	mustDiff(t, "email after delivery", []string{"m1"}, ids("EMAIL", 10))
	if _, err := s.PendingMessagesByMedium(ctx, "EMAIL", 0); err == nil {
		t.Fatal("PendingMessagesByMedium with limit 0: no error")
	}
}

func testListMessages(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := newPool(t, s, "ca-central-1_lista")
	b := newPool(t, s, "ca-central-1_listb")
	enqueue := func(id string, p *store.Pool, dest string, created int) store.Message {
		t.Helper()
		m := store.Message{ID: id, PoolID: p.ID, Username: "u-" + id, Kind: "invitation", Medium: "EMAIL",
			Destination: dest, Body: []byte("sealed " + id), CreatedAt: at(created)}
		noErr(t, s.EnqueueMessage(ctx, &m), "EnqueueMessage "+id)
		m.CreatedAt = micro(m.CreatedAt)
		return m
	}
	// "a3" and "a4" share a timestamp: the later enqueued is listed first.
	a1 := enqueue("a1", a, "bob@example.com", 1)
	a2 := enqueue("a2", a, "+15550000001", 2)
	a3 := enqueue("a3", a, "bob@example.com", 3)
	a4 := enqueue("a4", a, "bob@example.com", 3)
	b1 := enqueue("b1", b, "bob@example.com", 5)
	a0 := enqueue("a0", a, "Bob@example.com", 0)

	list := func(pool, dest string, limit int) []store.Message {
		t.Helper()
		ms, err := s.ListMessages(ctx, pool, dest, limit)
		noErr(t, err, "ListMessages")
		return ms
	}
	mustDiff(t, "pool and destination", []store.Message{a4, a3, a1}, list(a.ID, "bob@example.com", 10))
	mustDiff(t, "with a limit", []store.Message{a4, a3}, list(a.ID, "bob@example.com", 2))
	mustDiff(t, "destinations compare byte by byte", []store.Message{a0}, list(a.ID, "Bob@example.com", 10))
	mustDiff(t, "whole pool", []store.Message{a4, a3, a2, a1, a0}, list(a.ID, "", 10))
	mustDiff(t, "destination in every pool", []store.Message{b1, a4, a3, a1}, list("", "bob@example.com", 10))
	mustDiff(t, "everything", []store.Message{b1, a4, a3, a2, a1, a0}, list("", "", 10))
	mustDiff(t, "other pool", []store.Message{b1}, list(b.ID, "", 10))
	mustDiff(t, "missing pool", []store.Message(nil), list("ca-central-1_none", "", 10))
	mustDiff(t, "missing destination", []store.Message(nil), list(a.ID, "nobody@example.com", 10))

	noErr(t, s.MarkDelivered(ctx, "a4"), "MarkDelivered")
	mustDiff(t, "after delivery", []store.Message{a3, a1}, list(a.ID, "bob@example.com", 10))
	if _, err := s.ListMessages(ctx, a.ID, "", 0); err == nil {
		t.Fatal("ListMessages with limit 0: no error")
	}
}
