package storetest

import (
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/store"
)

// putSetting stores doc as a document, created at created and updated at
// updated.
func putSetting(t *testing.T, s store.Store, pool, client, kind, doc string, created, updated int) *store.PoolSetting {
	t.Helper()
	got, err := s.UpdatePoolSetting(t.Context(), pool, client, kind, func(set *store.PoolSetting) error {
		set.Doc = []byte(doc)
		set.CreatedAt, set.UpdatedAt = at(created), at(updated)
		return nil
	})
	noErr(t, err, "UpdatePoolSetting "+kind)
	return got
}

func testPoolSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "ap-south-1_settings")
	other := newPool(t, s, "ap-south-1_settingsother")
	newClient(t, s, p.ID, "set-client")
	newClient(t, s, other.ID, "set-other-client")

	_, err := s.GetPoolSetting(ctx, p.ID, "", "mfa")
	wantErr(t, err, store.ErrNotFound, "GetPoolSetting before any")

	// The first update sees an empty document and creates it.
	first, err := s.UpdatePoolSetting(ctx, p.ID, "", "mfa", func(set *store.PoolSetting) error {
		if set.Doc != nil || !set.CreatedAt.IsZero() || set.PoolID != p.ID || set.Kind != "mfa" || set.ClientID != "" {
			t.Errorf("updater of a missing document got %+v", set)
		}
		set.Doc = []byte(`{"totp":true}`)
		set.CreatedAt, set.UpdatedAt = t0, t0
		return nil
	})
	noErr(t, err, "UpdatePoolSetting create")
	want := &store.PoolSetting{PoolID: p.ID, Kind: "mfa", Doc: []byte(`{"totp":true}`), CreatedAt: micro(t0), UpdatedAt: micro(t0)}
	if diff := cmp.Diff(want, first, diffOpts...); diff != "" {
		t.Errorf("created document (-want +got):\n%s", diff)
	}
	got, err := s.GetPoolSetting(ctx, p.ID, "", "mfa")
	noErr(t, err, "GetPoolSetting")
	if diff := cmp.Diff(want, got, diffOpts...); diff != "" {
		t.Errorf("GetPoolSetting (-want +got):\n%s", diff)
	}

	// A later update replaces the document and keeps its creation time.
	second, err := s.UpdatePoolSetting(ctx, p.ID, "", "mfa", func(set *store.PoolSetting) error {
		if string(set.Doc) != `{"totp":true}` {
			t.Errorf("updater got %q", set.Doc)
		}
		set.Doc = []byte(`{"totp":false}`)
		set.CreatedAt, set.UpdatedAt = at(50), at(5)
		set.PoolID, set.ClientID, set.Kind = other.ID, "x", "y" // ignored
		return nil
	})
	noErr(t, err, "UpdatePoolSetting replace")
	want = &store.PoolSetting{PoolID: p.ID, Kind: "mfa", Doc: []byte(`{"totp":false}`), CreatedAt: micro(t0), UpdatedAt: micro(at(5))}
	if diff := cmp.Diff(want, second, diffOpts...); diff != "" {
		t.Errorf("replaced document (-want +got):\n%s", diff)
	}
	got, _ = s.GetPoolSetting(ctx, p.ID, "", "mfa")
	if diff := cmp.Diff(want, got, diffOpts...); diff != "" {
		t.Errorf("GetPoolSetting after replace (-want +got):\n%s", diff)
	}
	if _, err := s.GetPoolSetting(ctx, other.ID, "", "mfa"); err == nil {
		t.Error("the other pool sees the document")
	}

	// An updater's error writes nothing.
	_, err = s.UpdatePoolSetting(ctx, p.ID, "", "mfa", func(set *store.PoolSetting) error {
		set.Doc = []byte("lost")
		return errBoom
	})
	wantErr(t, err, errBoom, "UpdatePoolSetting failing")
	if got, _ := s.GetPoolSetting(ctx, p.ID, "", "mfa"); string(got.Doc) != `{"totp":false}` {
		t.Errorf("a failed update wrote %q", got.Doc)
	}

	// Kinds, and the pool's and its clients' documents, are apart.
	putSetting(t, s, p.ID, "", "risk", "pool risk", 1, 1)
	putSetting(t, s, p.ID, "set-client", "risk", "client risk", 2, 2)
	for _, c := range []struct{ client, kind, doc string }{
		{"", "mfa", `{"totp":false}`}, {"", "risk", "pool risk"}, {"set-client", "risk", "client risk"},
	} {
		got, err := s.GetPoolSetting(ctx, p.ID, c.client, c.kind)
		if err != nil || string(got.Doc) != c.doc || got.ClientID != c.client {
			t.Errorf("GetPoolSetting %q %s: %+v, %v", c.client, c.kind, got, err)
		}
	}
	_, err = s.GetPoolSetting(ctx, p.ID, "set-client", "mfa")
	wantErr(t, err, store.ErrNotFound, "a kind the client has not")

	// Owners must exist: the pool, and the client in that pool.
	noop := func(set *store.PoolSetting) error { set.Doc = []byte("x"); return nil }
	_, err = s.UpdatePoolSetting(ctx, "ap-south-1_nosuch", "", "mfa", noop)
	wantErr(t, err, store.ErrNotFound, "UpdatePoolSetting of a missing pool")
	_, err = s.UpdatePoolSetting(ctx, p.ID, "no-client", "risk", noop)
	wantErr(t, err, store.ErrNotFound, "UpdatePoolSetting of a missing client")
	_, err = s.UpdatePoolSetting(ctx, p.ID, "set-other-client", "risk", noop)
	wantErr(t, err, store.ErrNotFound, "UpdatePoolSetting of another pool's client")

	// A nil Doc removes the document; removing a missing one writes nothing.
	_, err = s.UpdatePoolSetting(ctx, p.ID, "", "risk", func(set *store.PoolSetting) error { set.Doc = nil; return nil })
	noErr(t, err, "UpdatePoolSetting remove")
	_, err = s.GetPoolSetting(ctx, p.ID, "", "risk")
	wantErr(t, err, store.ErrNotFound, "GetPoolSetting removed")
	_, err = s.UpdatePoolSetting(ctx, p.ID, "", "absent", func(set *store.PoolSetting) error { return nil })
	noErr(t, err, "UpdatePoolSetting of nothing")
	_, err = s.GetPoolSetting(ctx, p.ID, "", "absent")
	wantErr(t, err, store.ErrNotFound, "an untouched missing document")
	if got, err := s.GetPoolSetting(ctx, p.ID, "set-client", "risk"); err != nil || string(got.Doc) != "client risk" {
		t.Errorf("removing the pool's document touched the client's: %+v, %v", got, err)
	}

	// A removed document made again starts anew.
	again := putSetting(t, s, p.ID, "", "risk", "again", 9, 9)
	if !again.CreatedAt.Equal(micro(at(9))) {
		t.Errorf("re-created document kept an old creation time: %v", again.CreatedAt)
	}

	// A client's documents go with it.
	noErr(t, s.DeleteClient(ctx, p.ID, "set-client"), "DeleteClient")
	_, err = s.GetPoolSetting(ctx, p.ID, "set-client", "risk")
	wantErr(t, err, store.ErrNotFound, "document of a deleted client")
	newClient(t, s, p.ID, "set-client")
	_, err = s.GetPoolSetting(ctx, p.ID, "set-client", "risk")
	wantErr(t, err, store.ErrNotFound, "document of a re-created client")
	if _, err := s.GetPoolSetting(ctx, p.ID, "", "risk"); err != nil {
		t.Errorf("deleting a client removed the pool's document: %v", err)
	}
}

func testPoolSettingsTx(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "ap-south-1_settingstx")
	err := s.Tx(ctx, func(tx store.Store) error {
		putSetting(t, tx, p.ID, "", "mfa", "in tx", 1, 1)
		if got, err := tx.GetPoolSetting(ctx, p.ID, "", "mfa"); err != nil || string(got.Doc) != "in tx" {
			t.Errorf("the transaction does not see its own write: %+v, %v", got, err)
		}
		_, err := tx.UpdatePool(ctx, p.ID, func(rec *store.Pool) error { rec.Name = "renamed"; return nil })
		noErr(t, err, "UpdatePool in tx")
		return errBoom
	})
	wantErr(t, err, errBoom, "Tx")
	_, err = s.GetPoolSetting(ctx, p.ID, "", "mfa")
	wantErr(t, err, store.ErrNotFound, "document of a rolled-back transaction")

	noErr(t, s.Tx(ctx, func(tx store.Store) error {
		putSetting(t, tx, p.ID, "", "mfa", "committed", 1, 1)
		return nil
	}), "Tx")
	if got, err := s.GetPoolSetting(ctx, p.ID, "", "mfa"); err != nil || string(got.Doc) != "committed" {
		t.Errorf("committed document: %+v, %v", got, err)
	}
}

func testConcurrentPoolSettings(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 16
	p := newPool(t, s, "ap-south-1_settingsrace")
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := s.UpdatePoolSetting(ctx, p.ID, "", "counter", func(set *store.PoolSetting) error {
				v := 0
				if set.Doc != nil {
					var err error
					if v, err = strconv.Atoi(string(set.Doc)); err != nil {
						return err
					}
				}
				set.Doc = []byte(strconv.Itoa(v + 1))
				return nil
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(t, err, "concurrent UpdatePoolSetting")
	}
	got, err := s.GetPoolSetting(ctx, p.ID, "", "counter")
	noErr(t, err, "GetPoolSetting")
	if string(got.Doc) != fmt.Sprint(n) {
		t.Errorf("after %d concurrent increments the count is %s", n, got.Doc)
	}
}

func testProvisionedLimits(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.GetProvisionedLimit(ctx, "UserAuthentication")
	wantErr(t, err, store.ErrNotFound, "GetProvisionedLimit before any")
	noErr(t, s.SetProvisionedLimit(ctx, "UserAuthentication", 200, t0), "SetProvisionedLimit")
	noErr(t, s.SetProvisionedLimit(ctx, "UserCreation", 60, t0), "SetProvisionedLimit")
	noErr(t, s.SetProvisionedLimit(ctx, "UserAuthentication", 300, at(1)), "SetProvisionedLimit again")
	for name, want := range map[string]int64{"UserAuthentication": 300, "UserCreation": 60} {
		if v, err := s.GetProvisionedLimit(ctx, name); err != nil || v != want {
			t.Errorf("GetProvisionedLimit %s = %d, %v; want %d", name, v, err, want)
		}
	}
	// Limits belong to the account: deleting a pool leaves them.
	p := newPool(t, s, "ap-south-1_limits")
	noErr(t, s.DeletePool(ctx, p.ID), "DeletePool")
	if v, err := s.GetProvisionedLimit(ctx, "UserCreation"); err != nil || v != 60 {
		t.Errorf("GetProvisionedLimit after DeletePool = %d, %v", v, err)
	}
}

func testRequestCounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i := int64(1); i <= 3; i++ {
		if n, err := s.CountRequest(ctx, "acct/UserRead", 1000); err != nil || n != i {
			t.Fatalf("CountRequest #%d = %d, %v", i, n, err)
		}
	}
	if n, err := s.CountRequest(ctx, "acct/UserList", 1000); err != nil || n != 1 {
		t.Errorf("CountRequest of another key = %d, %v; want 1", n, err)
	}
	if n, err := s.CountRequest(ctx, "acct/UserRead", 1001); err != nil || n != 1 {
		t.Errorf("CountRequest in the next window = %d, %v; want 1", n, err)
	}
	// A window past the retention drops the old ones; counting in an old
	// window again starts from one.
	later := int64(1000 + store.RequestCountRetention + 5)
	noErr2(t, s, "acct/UserRead", later)
	if n, err := s.CountRequest(ctx, "acct/UserRead", 1000); err != nil || n != 1 {
		t.Errorf("CountRequest in a dropped window = %d, %v; want 1", n, err)
	}
	// Concurrent requests are each counted once.
	const workers, each = 8, 10
	var wg sync.WaitGroup
	seen := make(chan int64, workers*each)
	for range workers {
		wg.Go(func() {
			for range each {
				n, err := s.CountRequest(ctx, "acct/UserAuthentication", 2000)
				if err != nil {
					t.Errorf("CountRequest: %v", err)
					return
				}
				seen <- n
			}
		})
	}
	wg.Wait()
	close(seen)
	got := map[int64]bool{}
	for n := range seen {
		if got[n] {
			t.Errorf("count %d returned twice", n)
		}
		got[n] = true
	}
	if len(got) != workers*each || !got[workers*each] {
		t.Errorf("concurrent counts: %d distinct, want 1..%d", len(got), workers*each)
	}
}

func noErr2(t *testing.T, s store.Store, key string, window int64) {
	t.Helper()
	if _, err := s.CountRequest(t.Context(), key, window); err != nil {
		t.Fatalf("CountRequest %s %d: %v", key, window, err)
	}
}
