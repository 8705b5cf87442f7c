package storetest

import (
	"sync"
	"testing"
	"time"

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

// lease is how long the conformance tests lease messages for.
const lease = time.Minute

func testClaimMessages(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "ca-central-1_mediums")
	for i, medium := range []string{"SMS", "EMAIL", "SMS", "EMAIL", "SMS"} {
		id := keyf("m%d", i)
		noErr(t, s.EnqueueMessage(ctx, &store.Message{ID: id, PoolID: p.ID, Kind: "invitation", Medium: medium,
			Destination: id, CreatedAt: at(10 - i)}), "EnqueueMessage "+id)
	}
	claim := func(medium, owner string, now time.Time, limit int) []store.Message {
		t.Helper()
		ms, err := s.ClaimMessages(ctx, medium, owner, now, lease, limit)
		noErr(t, err, "ClaimMessages "+medium)
		for _, m := range ms {
			if m.Medium != medium || m.PoolID != p.ID {
				t.Fatalf("ClaimMessages(%s) returned %+v", medium, m)
			}
		}
		return ms
	}
	ids := func(medium, owner string, now time.Time, limit int) []string {
		t.Helper()
		var ids []string
		for _, m := range claim(medium, owner, now, limit) {
			ids = append(ids, m.ID)
		}
		return ids
	}
	now := at(100)
	// Oldest first, one medium at a time, up to the limit.
	mustDiff(t, "sms with a limit", []string{"m4", "m2"}, ids("SMS", "a", now, 2))
	// A leased message is claimed by no one while the lease lasts.
	mustDiff(t, "sms, the rest", []string{"m0"}, ids("SMS", "b", now, 10))
	mustDiff(t, "sms, all leased", []string(nil), ids("SMS", "a", now.Add(lease-time.Microsecond), 10))
	mustDiff(t, "email", []string{"m3", "m1"}, ids("EMAIL", "a", now, 10))
	mustDiff(t, "unknown medium", []string(nil), ids("CARRIER_PIGEON", "a", now, 10))
	// When a lease ends (its claimer stopped), the messages are claimed again.
	now = now.Add(lease)
	mustDiff(t, "sms after the leases", []string{"m4", "m2", "m0"}, ids("SMS", "b", now, 10))

	// A failed attempt is recorded by the lease holder alone.
	retryAt := now.Add(5 * time.Minute)
	wantErr(t, s.RetryMessage(ctx, "m4", "a", retryAt), store.ErrNotFound, "RetryMessage by a former lease holder")
	noErr(t, s.RetryMessage(ctx, "m4", "b", retryAt), "RetryMessage")
	wantErr(t, s.RetryMessage(ctx, "m4", "b", retryAt), store.ErrNotFound, "RetryMessage of a message not leased")
	wantErr(t, s.RetryMessage(ctx, "none", "b", retryAt), store.ErrNotFound, "RetryMessage of a missing message")
	// The retried message is due at its retry time, and counts its attempt.
	mustDiff(t, "sms before the retry time", []string{"m2", "m0"}, ids("SMS", "c", retryAt.Add(-time.Microsecond), 10))
	ms := claim("SMS", "c", retryAt, 10)
	if len(ms) != 1 || ms[0].ID != "m4" || ms[0].Attempts != 1 {
		t.Fatalf("ClaimMessages at the retry time = %+v, want m4 with 1 attempt", ms)
	}
	if ps, err := s.PendingMessages(ctx, 10); err != nil || len(ps) != 5 || ps[0].ID != "m4" || ps[0].Attempts != 1 {
		t.Fatalf("PendingMessages = %+v, %v: want all five, m4 first with 1 attempt", ps, err)
	}
	noErr(t, s.MarkDelivered(ctx, "m3"), "MarkDelivered")
	mustDiff(t, "email after delivery", []string{"m1"}, ids("EMAIL", "c", retryAt.Add(lease), 10))
	if _, err := s.ClaimMessages(ctx, "EMAIL", "a", now, lease, 0); err == nil {
		t.Fatal("ClaimMessages with limit 0: no error")
	}
}

// testConcurrentClaims runs several claimers on one outbox at once: every
// message is claimed, and by one claimer only.
func testConcurrentClaims(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "ca-central-1_claims")
	const n, claimers = 120, 4
	for i := range n {
		id := keyf("c%03d", i)
		noErr(t, s.EnqueueMessage(ctx, &store.Message{ID: id, PoolID: p.ID, Kind: "code", Medium: "EMAIL",
			Destination: id, CreatedAt: at(i % 7)}), "EnqueueMessage "+id)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	claimedBy := map[string][]string{}
	errs := make(chan error, claimers)
	for c := range claimers {
		owner := keyf("claimer%d", c)
		wg.Go(func() {
			for {
				ms, err := s.ClaimMessages(ctx, "EMAIL", owner, at(100), lease, 7)
				if err != nil || len(ms) == 0 {
					errs <- err
					return
				}
				mu.Lock()
				for _, m := range ms {
					claimedBy[m.ID] = append(claimedBy[m.ID], owner)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(t, err, "concurrent ClaimMessages")
	}
	if len(claimedBy) != n {
		t.Errorf("%d of %d messages claimed", len(claimedBy), n)
	}
	for id, owners := range claimedBy {
		if len(owners) != 1 {
			t.Errorf("message %s claimed by %v", id, owners)
		}
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
