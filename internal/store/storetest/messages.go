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
