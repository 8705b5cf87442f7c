package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

func testResourceServers(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "ca-central-1_rs")
	other := newPool(t, s, "ca-central-1_rsother")
	rs := &store.ResourceServer{PoolID: p.ID, Identifier: "https://api.example.com/v1", Name: "API",
		Scopes:    []store.Scope{{Name: "write", Description: "Write things"}, {Name: "read", Description: "Read things"}},
		CreatedAt: t0, UpdatedAt: at(1)}
	noErr(t, s.CreateResourceServer(ctx, rs, 25), "CreateResourceServer")
	wantErr(t, s.CreateResourceServer(ctx, &store.ResourceServer{PoolID: p.ID, Identifier: rs.Identifier, Name: "dup"}, 25),
		store.ErrConflict, "CreateResourceServer twice")
	noErr(t, s.CreateResourceServer(ctx, &store.ResourceServer{PoolID: other.ID, Identifier: rs.Identifier, Name: "same id", CreatedAt: t0, UpdatedAt: t0}, 25),
		"CreateResourceServer with an identifier used in another pool")
	wantErr(t, s.CreateResourceServer(ctx, &store.ResourceServer{PoolID: "ca-central-1_none", Identifier: "x", Name: "x"}, 25),
		store.ErrNotFound, "CreateResourceServer in a missing pool")

	want := &store.ResourceServer{PoolID: p.ID, Identifier: rs.Identifier, Name: "API", Scopes: rs.Scopes, CreatedAt: micro(t0), UpdatedAt: micro(at(1))}
	got, err := s.GetResourceServer(ctx, p.ID, rs.Identifier)
	noErr(t, err, "GetResourceServer")
	mustDiff(t, "GetResourceServer", want, got)
	_, err = s.GetResourceServer(ctx, p.ID, "missing")
	wantErr(t, err, store.ErrNotFound, "GetResourceServer missing")

	got, err = s.UpdateResourceServer(ctx, p.ID, rs.Identifier, func(r *store.ResourceServer) error {
		r.Name, r.Scopes, r.UpdatedAt = "Renamed", []store.Scope{{Name: "admin", Description: "All"}}, at(2)
		r.PoolID, r.Identifier, r.CreatedAt = other.ID, "changed", at(3) // ignored
		return nil
	})
	noErr(t, err, "UpdateResourceServer")
	want.Name, want.Scopes, want.UpdatedAt = "Renamed", []store.Scope{{Name: "admin", Description: "All"}}, micro(at(2))
	mustDiff(t, "UpdateResourceServer result", want, got)
	got, err = s.GetResourceServer(ctx, p.ID, rs.Identifier)
	noErr(t, err, "GetResourceServer after update")
	mustDiff(t, "GetResourceServer after update", want, got)
	_, err = s.UpdateResourceServer(ctx, p.ID, rs.Identifier, func(r *store.ResourceServer) error { r.Name = "no"; return errBoom })
	wantErr(t, err, errBoom, "UpdateResourceServer with failing fn")
	got, _ = s.GetResourceServer(ctx, p.ID, rs.Identifier)
	mustDiff(t, "GetResourceServer after failed update", want, got)
	got, err = s.UpdateResourceServer(ctx, p.ID, rs.Identifier, func(r *store.ResourceServer) error { r.Scopes = nil; return nil })
	noErr(t, err, "UpdateResourceServer clearing scopes")
	if len(got.Scopes) != 0 {
		t.Fatalf("scopes after clearing: %v", got.Scopes)
	}
	_, err = s.UpdateResourceServer(ctx, p.ID, "missing", func(*store.ResourceServer) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateResourceServer missing")

	noErr(t, s.DeleteResourceServer(ctx, p.ID, rs.Identifier), "DeleteResourceServer")
	wantErr(t, s.DeleteResourceServer(ctx, p.ID, rs.Identifier), store.ErrNotFound, "DeleteResourceServer twice")
	if _, err := s.GetResourceServer(ctx, other.ID, rs.Identifier); err != nil {
		t.Fatalf("the other pool's resource server went too: %v", err)
	}
}

func testResourceServerLimit(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "ca-central-1_rslimit")
	other := newPool(t, s, "ca-central-1_rslimit2")
	for i := range 3 {
		noErr(t, s.CreateResourceServer(ctx, &store.ResourceServer{PoolID: p.ID, Identifier: keyf("rs%d", i), Name: "n", CreatedAt: t0, UpdatedAt: t0}, 3),
			"CreateResourceServer")
	}
	wantErr(t, s.CreateResourceServer(ctx, &store.ResourceServer{PoolID: p.ID, Identifier: "rs3", Name: "n", CreatedAt: t0, UpdatedAt: t0}, 3),
		store.ErrLimit, "CreateResourceServer past the limit")
	noErr(t, s.CreateResourceServer(ctx, &store.ResourceServer{PoolID: other.ID, Identifier: "rs3", Name: "n", CreatedAt: t0, UpdatedAt: t0}, 3),
		"the limit is per pool")
	noErr(t, s.DeleteResourceServer(ctx, p.ID, "rs0"), "DeleteResourceServer")
	noErr(t, s.CreateResourceServer(ctx, &store.ResourceServer{PoolID: p.ID, Identifier: "rs3", Name: "n", CreatedAt: t0, UpdatedAt: t0}, 3),
		"CreateResourceServer after one went")
}

func testListResourceServers(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "ca-central-1_rslist")
	other := newPool(t, s, "ca-central-1_rslist2")
	var want []string
	for _, id := range []string{"https://b.example.com", "a", "B", "https://a.example.com/x", "z", "a/b"} {
		noErr(t, s.CreateResourceServer(ctx, &store.ResourceServer{PoolID: p.ID, Identifier: id, Name: "n",
			Scopes: []store.Scope{{Name: "s", Description: id}}, CreatedAt: t0, UpdatedAt: t0}, 25), "CreateResourceServer")
		noErr(t, s.CreateResourceServer(ctx, &store.ResourceServer{PoolID: other.ID, Identifier: id + "-other", Name: "n", CreatedAt: t0, UpdatedAt: t0}, 25),
			"CreateResourceServer in the other pool")
		want = append(want, id)
	}
	want = sorted(want)
	for _, limit := range []int{1, 4, 6, 50} {
		got := walk(t, limit, func(pg store.Page) ([]store.ResourceServer, string, error) {
			return s.ListResourceServers(ctx, p.ID, pg)
		})
		ids := make([]string, len(got))
		for i, rs := range got {
			ids[i] = rs.Identifier
			if rs.PoolID != p.ID || len(rs.Scopes) != 1 || rs.Scopes[0].Description != rs.Identifier {
				t.Errorf("ListResourceServers: %+v", rs)
			}
		}
		mustDiff(t, keyf("ListResourceServers identifiers, limit %d", limit), want, ids)
	}
	_, _, err := s.ListResourceServers(ctx, other.ID, store.Page{Limit: 1, Cursor: store.Cursor{Scope: []string{"terms", p.ID}, Pos: []string{"a"}}.String()})
	wantErr(t, err, store.ErrBadCursor, "ListResourceServers with another listing's cursor")
}
