package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

func testClients(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-west-2_clients")
	other := newPool(t, s, "us-west-2_other")
	c := &store.Client{
		PoolID: p.ID,
		ID:     "1example23456789",
		Name:   "web",
		Config: []byte(`{"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH"]}`),
		Secrets: []store.ClientSecret{
			{ID: "secret-1", Sealed: []byte{0, 1, 2, 0xfe, 0xff}, CreatedAt: at(1)},
			{ID: "secret-2", Sealed: []byte("sealed two"), CreatedAt: at(2)},
		},
		CreatedAt: t0,
		UpdatedAt: at(3),
	}
	noErr(t, s.CreateClient(ctx, c, noLimit), "CreateClient")
	wantErr(t, s.CreateClient(ctx, &store.Client{PoolID: p.ID, ID: c.ID, Name: "dup"}, noLimit), store.ErrConflict, "CreateClient twice")
	wantErr(t, s.CreateClient(ctx, &store.Client{PoolID: other.ID, ID: c.ID, Name: "dup"}, noLimit), store.ErrConflict,
		"CreateClient with an ID taken in another pool")
	wantErr(t, s.CreateClient(ctx, &store.Client{PoolID: "us-west-2_none", ID: "newclient", Name: "x"}, noLimit), store.ErrNotFound,
		"CreateClient in a missing pool")
	// The pool has one client: a limit of one refuses the next, in a
	// transaction too, and the pool of the same ID elsewhere is unaffected.
	wantErr(t, s.CreateClient(ctx, &store.Client{PoolID: p.ID, ID: "limited", Name: "x"}, 1), store.ErrLimit, "CreateClient past the limit")
	wantErr(t, s.Tx(ctx, func(tx store.Store) error {
		return tx.CreateClient(ctx, &store.Client{PoolID: p.ID, ID: "limited", Name: "x"}, 1)
	}), store.ErrLimit, "CreateClient past the limit in a Tx")
	noErr(t, s.CreateClient(ctx, &store.Client{PoolID: other.ID, ID: "limited", Name: "x", CreatedAt: t0, UpdatedAt: t0}, 1), "CreateClient up to the limit")
	noErr(t, s.DeleteClient(ctx, other.ID, "limited"), "DeleteClient")

	want := &store.Client{
		PoolID: p.ID, ID: c.ID, Name: c.Name, Config: c.Config,
		Secrets: []store.ClientSecret{
			{ID: "secret-1", Sealed: []byte{0, 1, 2, 0xfe, 0xff}, CreatedAt: micro(at(1))},
			{ID: "secret-2", Sealed: []byte("sealed two"), CreatedAt: micro(at(2))},
		},
		CreatedAt: micro(t0), UpdatedAt: micro(at(3)),
	}
	got, err := s.GetClient(ctx, p.ID, c.ID)
	noErr(t, err, "GetClient")
	mustDiff(t, "GetClient", want, got)
	got, err = s.GetClientByID(ctx, c.ID)
	noErr(t, err, "GetClientByID")
	mustDiff(t, "GetClientByID", want, got)
	got, rev, err := s.GetClientByIDWithPoolRev(ctx, c.ID)
	noErr(t, err, "GetClientByIDWithPoolRev")
	mustDiff(t, "GetClientByIDWithPoolRev", want, got)
	if pool, err := s.GetPool(ctx, p.ID); err != nil || rev != pool.Rev {
		t.Fatalf("GetClientByIDWithPoolRev rev = %d, want the pool's (%v)", rev, err)
	}
	_, _, err = s.GetClientByIDWithPoolRev(ctx, "missing")
	wantErr(t, err, store.ErrNotFound, "GetClientByIDWithPoolRev missing")
	_, err = s.GetClient(ctx, p.ID, "missing")
	wantErr(t, err, store.ErrNotFound, "GetClient missing")
	_, err = s.GetClientByID(ctx, "missing")
	wantErr(t, err, store.ErrNotFound, "GetClientByID missing")
	_, err = s.GetClient(ctx, other.ID, c.ID)
	wantErr(t, err, store.ErrNotFound, "GetClient through another pool")

	got, err = s.UpdateClient(ctx, p.ID, c.ID, func(c *store.Client) error {
		c.Name = "renamed"
		c.Config = []byte(`{}`)
		c.Secrets = c.Secrets[1:]
		c.Secrets = append(c.Secrets, store.ClientSecret{ID: "secret-3", Sealed: []byte{9}, CreatedAt: at(4)})
		c.UpdatedAt = at(5)
		c.ID = "changed"    // ignored
		c.PoolID = other.ID // ignored
		c.CreatedAt = at(6) // ignored
		return nil
	})
	noErr(t, err, "UpdateClient")
	want.Name, want.Config, want.UpdatedAt = "renamed", []byte(`{}`), micro(at(5))
	want.Secrets = []store.ClientSecret{want.Secrets[1], {ID: "secret-3", Sealed: []byte{9}, CreatedAt: micro(at(4))}}
	mustDiff(t, "UpdateClient result", want, got)
	got, err = s.GetClientByID(ctx, c.ID)
	noErr(t, err, "GetClientByID after update")
	mustDiff(t, "GetClientByID after update", want, got)

	_, err = s.UpdateClient(ctx, p.ID, c.ID, func(c *store.Client) error { c.Name = "no"; return errBoom })
	wantErr(t, err, errBoom, "UpdateClient with failing fn")
	got, err = s.GetClient(ctx, p.ID, c.ID)
	noErr(t, err, "GetClient after failed update")
	mustDiff(t, "GetClient after failed update", want, got)
	_, err = s.UpdateClient(ctx, p.ID, "missing", func(*store.Client) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateClient missing")

	wantErr(t, s.DeleteClient(ctx, other.ID, c.ID), store.ErrNotFound, "DeleteClient through another pool")
	noErr(t, s.DeleteClient(ctx, p.ID, c.ID), "DeleteClient")
	_, err = s.GetClientByID(ctx, c.ID)
	wantErr(t, err, store.ErrNotFound, "GetClientByID after delete")
	wantErr(t, s.DeleteClient(ctx, p.ID, c.ID), store.ErrNotFound, "DeleteClient twice")
	noErr(t, s.CreateClient(ctx, &store.Client{PoolID: other.ID, ID: c.ID, Name: "reused", CreatedAt: t0, UpdatedAt: t0}, noLimit),
		"CreateClient with the ID of a deleted client")
}

func testListClients(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-west-2_list")
	other := newPool(t, s, "us-west-2_listother")
	var want []string
	for _, i := range []int{4, 0, 6, 2, 1, 5, 3} {
		c := &store.Client{PoolID: p.ID, ID: keyf("client%02d", i), Name: "c", CreatedAt: t0, UpdatedAt: t0}
		noErr(t, s.CreateClient(ctx, c, noLimit), "CreateClient")
		want = append(want, c.ID)
		oc := &store.Client{PoolID: other.ID, ID: keyf("other%02d", i), Name: "c", CreatedAt: t0, UpdatedAt: t0}
		noErr(t, s.CreateClient(ctx, oc, noLimit), "CreateClient in the other pool")
	}
	want = sorted(want)
	for _, limit := range []int{1, 2, 7, 100} {
		got := walk(t, limit, func(pg store.Page) ([]store.Client, string, error) { return s.ListClients(ctx, p.ID, pg) })
		ids := make([]string, len(got))
		for i, c := range got {
			ids[i] = c.ID
			if c.PoolID != p.ID {
				t.Errorf("ListClients: client %s has PoolID %q", c.ID, c.PoolID)
			}
		}
		mustDiff(t, keyf("ListClients ids, limit %d", limit), want, ids)
	}
}
