package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

func newClient(t *testing.T, s store.Store, pool, id string) {
	t.Helper()
	noErr(t, s.CreateClient(t.Context(), &store.Client{PoolID: pool, ID: id, Name: id, CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateClient "+id)
}

func terms(pool, client, id, name string) *store.Terms {
	return &store.Terms{PoolID: pool, ClientID: client, ID: id, Name: name, Source: "LINK", Enforcement: "NONE",
		Links:     map[string]string{"cognito:default": "https://example.com/" + name, "cognito:spanish": "https://example.com/es/" + name},
		CreatedAt: t0, UpdatedAt: at(1)}
}

func testTerms(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-north-1_terms")
	other := newPool(t, s, "eu-north-1_termsother")
	newClient(t, s, p.ID, "client-a")
	newClient(t, s, p.ID, "client-b")
	newClient(t, s, other.ID, "client-o")

	tou := terms(p.ID, "client-a", "11111111-1111-4111-8111-111111111111", "terms-of-use")
	noErr(t, s.CreateTerms(ctx, tou), "CreateTerms")
	noErr(t, s.CreateTerms(ctx, terms(p.ID, "client-a", "22222222-2222-4222-8222-222222222222", "privacy-policy")), "CreateTerms privacy policy")
	noErr(t, s.CreateTerms(ctx, terms(p.ID, "client-b", "33333333-3333-4333-8333-333333333333", "terms-of-use")), "CreateTerms for another client")
	wantErr(t, s.CreateTerms(ctx, terms(p.ID, "client-a", "44444444-4444-4444-8444-444444444444", "terms-of-use")),
		store.ErrConflict, "CreateTerms with a name the client has")
	wantErr(t, s.CreateTerms(ctx, terms(p.ID, "client-b", tou.ID, "privacy-policy")), store.ErrConflict, "CreateTerms with a taken ID")
	wantErr(t, s.CreateTerms(ctx, terms(p.ID, "client-o", "55555555-5555-4555-8555-555555555555", "terms-of-use")),
		store.ErrNotFound, "CreateTerms for a client of another pool")
	wantErr(t, s.CreateTerms(ctx, terms(p.ID, "missing", "55555555-5555-4555-8555-555555555555", "terms-of-use")),
		store.ErrNotFound, "CreateTerms for a missing client")
	wantErr(t, s.CreateTerms(ctx, terms("eu-north-1_none", "client-a", "55555555-5555-4555-8555-555555555555", "terms-of-use")),
		store.ErrNotFound, "CreateTerms in a missing pool")

	want := terms(p.ID, "client-a", tou.ID, "terms-of-use")
	want.CreatedAt, want.UpdatedAt = micro(t0), micro(at(1))
	got, err := s.GetTerms(ctx, p.ID, tou.ID)
	noErr(t, err, "GetTerms")
	mustDiff(t, "GetTerms", want, got)
	_, err = s.GetTerms(ctx, other.ID, tou.ID)
	wantErr(t, err, store.ErrNotFound, "GetTerms through another pool")

	got, err = s.UpdateTerms(ctx, p.ID, tou.ID, func(x *store.Terms) error {
		x.Links = map[string]string{"cognito:default": "https://example.com/v2"}
		x.UpdatedAt = at(2)
		x.PoolID, x.ClientID, x.ID, x.CreatedAt = other.ID, "client-b", "changed", at(3) // ignored
		return nil
	})
	noErr(t, err, "UpdateTerms")
	want.Links, want.UpdatedAt = map[string]string{"cognito:default": "https://example.com/v2"}, micro(at(2))
	mustDiff(t, "UpdateTerms result", want, got)
	got, _ = s.GetTerms(ctx, p.ID, tou.ID)
	mustDiff(t, "GetTerms after update", want, got)
	_, err = s.UpdateTerms(ctx, p.ID, tou.ID, func(x *store.Terms) error { x.Name = "privacy-policy"; return nil })
	wantErr(t, err, store.ErrConflict, "UpdateTerms to a name the client has")
	_, err = s.UpdateTerms(ctx, p.ID, tou.ID, func(x *store.Terms) error { x.Name = "x"; return errBoom })
	wantErr(t, err, errBoom, "UpdateTerms with failing fn")
	got, _ = s.GetTerms(ctx, p.ID, tou.ID)
	mustDiff(t, "GetTerms after failed updates", want, got)
	_, err = s.UpdateTerms(ctx, other.ID, tou.ID, func(*store.Terms) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateTerms through another pool")

	wantErr(t, s.DeleteTerms(ctx, other.ID, tou.ID), store.ErrNotFound, "DeleteTerms through another pool")
	noErr(t, s.DeleteTerms(ctx, p.ID, tou.ID), "DeleteTerms")
	wantErr(t, s.DeleteTerms(ctx, p.ID, tou.ID), store.ErrNotFound, "DeleteTerms twice")
	noErr(t, s.CreateTerms(ctx, terms(p.ID, "client-a", "66666666-6666-4666-8666-666666666666", "terms-of-use")),
		"CreateTerms with the name of deleted terms")

	// Terms go with their client.
	noErr(t, s.DeleteClient(ctx, p.ID, "client-b"), "DeleteClient")
	_, err = s.GetTerms(ctx, p.ID, "33333333-3333-4333-8333-333333333333")
	wantErr(t, err, store.ErrNotFound, "terms of a deleted client")
}

func testListTerms(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-north-1_termslist")
	other := newPool(t, s, "eu-north-1_termslist2")
	var want []string
	for i := range 7 {
		c := keyf("client%d", i)
		newClient(t, s, p.ID, c)
		newClient(t, s, other.ID, c+"-other")
		id := keyf("%08d-0000-4000-8000-000000000000", (i*5)%7)
		noErr(t, s.CreateTerms(ctx, terms(p.ID, c, id, "terms-of-use")), "CreateTerms")
		noErr(t, s.CreateTerms(ctx, terms(other.ID, c+"-other", id[:35]+"1", "terms-of-use")), "CreateTerms in the other pool")
		want = append(want, id)
	}
	want = sorted(want)
	for _, limit := range []int{1, 3, 7, 60} {
		got := walk(t, limit, func(pg store.Page) ([]store.Terms, string, error) { return s.ListTerms(ctx, p.ID, pg) })
		ids := make([]string, len(got))
		for i, x := range got {
			ids[i] = x.ID
			if x.PoolID != p.ID || x.Links["cognito:default"] == "" {
				t.Errorf("ListTerms: %+v", x)
			}
		}
		mustDiff(t, keyf("ListTerms IDs, limit %d", limit), want, ids)
	}
}
