package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/store"
)

func branding(pool, client, id string) *store.Branding {
	return &store.Branding{PoolID: pool, ClientID: client, ID: id,
		Settings: []byte(`{"categories":{"global":{"colorSchemeMode":"DARK"}}}`), Assets: []byte(`[{"Category":"FORM_LOGO"}]`),
		CreatedAt: t0, UpdatedAt: at(1)}
}

func testBrandings(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "ca-central-1_brand")
	other := newPool(t, s, "ca-central-1_brandother")
	newClient(t, s, p.ID, "brand-a")
	newClient(t, s, p.ID, "brand-b")
	newClient(t, s, other.ID, "brand-o")

	a := branding(p.ID, "brand-a", "11111111-1111-4111-8111-111111111111")
	noErr(t, s.CreateBranding(ctx, a), "CreateBranding")
	want := *a
	want.CreatedAt, want.UpdatedAt = micro(a.CreatedAt), micro(a.UpdatedAt)
	got, err := s.GetBranding(ctx, p.ID, a.ID)
	noErr(t, err, "GetBranding")
	if diff := cmp.Diff(&want, got, diffOpts...); diff != "" {
		t.Errorf("GetBranding (-want +got):\n%s", diff)
	}
	got, err = s.GetClientBranding(ctx, p.ID, "brand-a")
	noErr(t, err, "GetClientBranding")
	if diff := cmp.Diff(&want, got, diffOpts...); diff != "" {
		t.Errorf("GetClientBranding (-want +got):\n%s", diff)
	}

	// One style per client, one ID across pools.
	wantErr(t, s.CreateBranding(ctx, branding(p.ID, "brand-a", "22222222-2222-4222-8222-222222222222")), store.ErrConflict, "second style of a client")
	wantErr(t, s.CreateBranding(ctx, branding(other.ID, "brand-o", a.ID)), store.ErrConflict, "a taken ID")
	// The pool and the client must exist, the client in that pool.
	wantErr(t, s.CreateBranding(ctx, branding("ca-central-1_nosuch", "brand-a", "33333333-3333-4333-8333-333333333333")), store.ErrNotFound, "missing pool")
	wantErr(t, s.CreateBranding(ctx, branding(p.ID, "no-client", "33333333-3333-4333-8333-333333333333")), store.ErrNotFound, "missing client")
	wantErr(t, s.CreateBranding(ctx, branding(p.ID, "brand-o", "33333333-3333-4333-8333-333333333333")), store.ErrNotFound, "another pool's client")

	// Pools do not see each other's styles.
	_, err = s.GetBranding(ctx, other.ID, a.ID)
	wantErr(t, err, store.ErrNotFound, "GetBranding from another pool")
	_, err = s.GetClientBranding(ctx, other.ID, "brand-a")
	wantErr(t, err, store.ErrNotFound, "GetClientBranding from another pool")
	_, err = s.GetClientBranding(ctx, p.ID, "brand-b")
	wantErr(t, err, store.ErrNotFound, "GetClientBranding of a client without a style")
	wantErr(t, s.DeleteBranding(ctx, other.ID, a.ID), store.ErrNotFound, "DeleteBranding from another pool")
	_, err = s.UpdateBranding(ctx, other.ID, a.ID, func(b *store.Branding) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateBranding from another pool")

	// Update changes what fn changes, except the identity.
	up, err := s.UpdateBranding(ctx, p.ID, a.ID, func(b *store.Branding) error {
		b.Settings = []byte(`{}`)
		b.Assets = nil
		b.UseCognitoProvidedValues = true
		b.UpdatedAt = at(7)
		b.ClientID, b.ID, b.CreatedAt = "brand-b", "x", at(9)
		return nil
	})
	noErr(t, err, "UpdateBranding")
	want = store.Branding{PoolID: p.ID, ClientID: "brand-a", ID: a.ID, Settings: []byte(`{}`), UseCognitoProvidedValues: true,
		CreatedAt: micro(t0), UpdatedAt: micro(at(7))}
	if diff := cmp.Diff(&want, up, diffOpts...); diff != "" {
		t.Errorf("UpdateBranding (-want +got):\n%s", diff)
	}
	got, _ = s.GetBranding(ctx, p.ID, a.ID)
	if diff := cmp.Diff(&want, got, diffOpts...); diff != "" {
		t.Errorf("GetBranding after update (-want +got):\n%s", diff)
	}
	_, err = s.UpdateBranding(ctx, p.ID, a.ID, func(b *store.Branding) error { b.Settings = []byte("lost"); return errBoom })
	wantErr(t, err, errBoom, "failing UpdateBranding")
	if got, _ := s.GetBranding(ctx, p.ID, a.ID); string(got.Settings) != `{}` {
		t.Errorf("a failed update wrote %q", got.Settings)
	}

	// Delete, then the client may have a style again.
	noErr(t, s.DeleteBranding(ctx, p.ID, a.ID), "DeleteBranding")
	wantErr(t, s.DeleteBranding(ctx, p.ID, a.ID), store.ErrNotFound, "DeleteBranding again")
	_, err = s.GetBranding(ctx, p.ID, a.ID)
	wantErr(t, err, store.ErrNotFound, "GetBranding deleted")
	noErr(t, s.CreateBranding(ctx, branding(p.ID, "brand-a", "44444444-4444-4444-8444-444444444444")), "CreateBranding after delete")

	// A style goes with its client.
	b := branding(p.ID, "brand-b", "55555555-5555-4555-8555-555555555555")
	noErr(t, s.CreateBranding(ctx, b), "CreateBranding b")
	noErr(t, s.DeleteClient(ctx, p.ID, "brand-b"), "DeleteClient")
	_, err = s.GetBranding(ctx, p.ID, b.ID)
	wantErr(t, err, store.ErrNotFound, "style of a deleted client")
	if _, err := s.GetClientBranding(ctx, p.ID, "brand-a"); err != nil {
		t.Errorf("deleting a client removed another client's style: %v", err)
	}
}

// testSettingsCascade checks that deleting a pool removes its settings
// documents and styles, and nothing of another pool.
func testSettingsCascade(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed := func(pool, id string) {
		newPool(t, s, pool)
		newClient(t, s, pool, pool+"-client")
		putSetting(t, s, pool, "", "mfa", pool, 1, 1)
		putSetting(t, s, pool, pool+"-client", "risk", pool, 1, 1)
		noErr(t, s.CreateBranding(ctx, branding(pool, pool+"-client", id)), "CreateBranding")
	}
	const gone, kept = "sa-east-1_setgone", "sa-east-1_setkept"
	const goneID, keptID = "66666666-6666-4666-8666-666666666666", "77777777-7777-4777-8777-777777777777"
	seed(gone, goneID)
	seed(kept, keptID)
	noErr(t, s.DeletePool(ctx, gone), "DeletePool")

	newPool(t, s, gone)
	if _, err := s.GetPoolSetting(ctx, gone, "", "mfa"); err == nil {
		t.Error("a re-created pool has the settings of the deleted one")
	}
	if _, err := s.GetBranding(ctx, gone, goneID); err == nil {
		t.Error("a re-created pool has the style of the deleted one")
	}
	noErr(t, s.DeletePool(ctx, gone), "DeletePool of the re-created pool")
	seed(gone, goneID) // the style's ID and the client are free again

	for _, c := range []struct{ client, kind string }{{"", "mfa"}, {kept + "-client", "risk"}} {
		if got, err := s.GetPoolSetting(ctx, kept, c.client, c.kind); err != nil || string(got.Doc) != kept {
			t.Errorf("document %s of the other pool: %+v, %v", c.kind, got, err)
		}
	}
	if _, err := s.GetBranding(ctx, kept, keptID); err != nil {
		t.Errorf("style of the other pool: %v", err)
	}
}
