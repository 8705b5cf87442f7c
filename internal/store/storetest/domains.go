package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

func testDomains(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-west-1_domains")
	other := newPool(t, s, "eu-west-1_domother")
	prefix := &store.Domain{Name: "login-app", PoolID: p.ID, Config: []byte(`{"v":1}`), CreatedAt: t0, UpdatedAt: at(1)}
	custom := &store.Domain{Name: "auth.example.com", PoolID: p.ID, Custom: true, Config: []byte{0, 0xff}, CreatedAt: t0, UpdatedAt: t0}
	noErr(t, s.CreateDomain(ctx, prefix, 4), "CreateDomain prefix")
	noErr(t, s.CreateDomain(ctx, custom, 4), "CreateDomain custom")
	wantErr(t, s.CreateDomain(ctx, &store.Domain{Name: "second-prefix", PoolID: p.ID, CreatedAt: t0, UpdatedAt: t0}, 4),
		store.ErrConflict, "CreateDomain of a second prefix domain")
	wantErr(t, s.CreateDomain(ctx, &store.Domain{Name: "login.example.com", PoolID: p.ID, Custom: true, CreatedAt: t0, UpdatedAt: t0}, 4),
		store.ErrConflict, "CreateDomain of a second custom domain")
	wantErr(t, s.CreateDomain(ctx, &store.Domain{Name: "login-app", PoolID: other.ID, CreatedAt: t0, UpdatedAt: t0}, 4),
		store.ErrConflict, "CreateDomain with a name taken in another pool")
	wantErr(t, s.CreateDomain(ctx, &store.Domain{Name: "auth.example.com", PoolID: other.ID, Custom: true, CreatedAt: t0, UpdatedAt: t0}, 4),
		store.ErrConflict, "CreateDomain with a custom name taken in another pool")
	wantErr(t, s.CreateDomain(ctx, &store.Domain{Name: "nowhere", PoolID: "eu-west-1_none", CreatedAt: t0, UpdatedAt: t0}, 4),
		store.ErrNotFound, "CreateDomain in a missing pool")

	wantPrefix := &store.Domain{Name: "login-app", PoolID: p.ID, Config: []byte(`{"v":1}`), CreatedAt: micro(t0), UpdatedAt: micro(at(1))}
	wantCustom := &store.Domain{Name: "auth.example.com", PoolID: p.ID, Custom: true, Config: []byte{0, 0xff}, CreatedAt: micro(t0), UpdatedAt: micro(t0)}
	got, err := s.GetDomain(ctx, "login-app")
	noErr(t, err, "GetDomain")
	mustDiff(t, "GetDomain prefix", wantPrefix, got)
	got, err = s.GetDomain(ctx, "auth.example.com")
	noErr(t, err, "GetDomain custom")
	mustDiff(t, "GetDomain custom", wantCustom, got)
	_, err = s.GetDomain(ctx, "Login-App")
	wantErr(t, err, store.ErrNotFound, "GetDomain is exact")
	list, err := s.ListPoolDomains(ctx, p.ID)
	noErr(t, err, "ListPoolDomains")
	mustDiff(t, "ListPoolDomains", []store.Domain{*wantPrefix, *wantCustom}, list)
	list, err = s.ListPoolDomains(ctx, other.ID)
	noErr(t, err, "ListPoolDomains of a pool without domains")
	mustDiff(t, "ListPoolDomains of a pool without domains", []store.Domain(nil), list)

	got, err = s.UpdateDomain(ctx, p.ID, "auth.example.com", func(d *store.Domain) error {
		d.Config, d.UpdatedAt = []byte(`{"v":2}`), at(2)
		d.Name, d.PoolID, d.Custom, d.CreatedAt = "x", other.ID, false, at(3) // ignored
		return nil
	})
	noErr(t, err, "UpdateDomain")
	wantCustom.Config, wantCustom.UpdatedAt = []byte(`{"v":2}`), micro(at(2))
	mustDiff(t, "UpdateDomain result", wantCustom, got)
	got, err = s.GetDomain(ctx, "auth.example.com")
	noErr(t, err, "GetDomain after update")
	mustDiff(t, "GetDomain after update", wantCustom, got)
	_, err = s.UpdateDomain(ctx, p.ID, "auth.example.com", func(d *store.Domain) error { d.Config = nil; return errBoom })
	wantErr(t, err, errBoom, "UpdateDomain with failing fn")
	got, _ = s.GetDomain(ctx, "auth.example.com")
	mustDiff(t, "GetDomain after failed update", wantCustom, got)
	_, err = s.UpdateDomain(ctx, other.ID, "auth.example.com", func(*store.Domain) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateDomain through another pool")

	wantErr(t, s.DeleteDomain(ctx, other.ID, "login-app"), store.ErrNotFound, "DeleteDomain through another pool")
	noErr(t, s.DeleteDomain(ctx, p.ID, "login-app"), "DeleteDomain")
	wantErr(t, s.DeleteDomain(ctx, p.ID, "login-app"), store.ErrNotFound, "DeleteDomain twice")
	_, err = s.GetDomain(ctx, "login-app")
	wantErr(t, err, store.ErrNotFound, "GetDomain after delete")
	noErr(t, s.CreateDomain(ctx, &store.Domain{Name: "login-app", PoolID: other.ID, CreatedAt: t0, UpdatedAt: t0}, 4),
		"CreateDomain with the name of a deleted domain")
	noErr(t, s.CreateDomain(ctx, &store.Domain{Name: "other-prefix", PoolID: p.ID, CreatedAt: t0, UpdatedAt: t0}, 4),
		"CreateDomain of a new prefix domain after the old one went")
}

// testDomainLimit checks the limit on custom domains across pools, which
// prefix domains do not count against.
func testDomainLimit(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i := range 3 {
		newPool(t, s, keyf("ap-south-1_lim%d", i))
		noErr(t, s.CreateDomain(ctx, &store.Domain{Name: keyf("prefix%d", i), PoolID: keyf("ap-south-1_lim%d", i), CreatedAt: t0, UpdatedAt: t0}, 2),
			"CreateDomain prefix")
	}
	noErr(t, s.CreateDomain(ctx, &store.Domain{Name: "a.example.com", PoolID: "ap-south-1_lim0", Custom: true, CreatedAt: t0, UpdatedAt: t0}, 2), "custom 1")
	noErr(t, s.CreateDomain(ctx, &store.Domain{Name: "b.example.com", PoolID: "ap-south-1_lim1", Custom: true, CreatedAt: t0, UpdatedAt: t0}, 2), "custom 2")
	wantErr(t, s.CreateDomain(ctx, &store.Domain{Name: "c.example.com", PoolID: "ap-south-1_lim2", Custom: true, CreatedAt: t0, UpdatedAt: t0}, 2),
		store.ErrLimit, "custom domain past the limit")
	if _, err := s.GetDomain(ctx, "c.example.com"); err == nil {
		t.Fatal("a domain refused for the limit was stored")
	}
	noErr(t, s.DeleteDomain(ctx, "ap-south-1_lim0", "a.example.com"), "DeleteDomain")
	noErr(t, s.CreateDomain(ctx, &store.Domain{Name: "c.example.com", PoolID: "ap-south-1_lim2", Custom: true, CreatedAt: t0, UpdatedAt: t0}, 2),
		"custom domain after one went")
	// Inside a transaction the limit holds too, and a refused create leaves
	// the transaction usable.
	err := s.Tx(ctx, func(tx store.Store) error {
		wantErr(t, tx.CreateDomain(ctx, &store.Domain{Name: "d.example.com", PoolID: "ap-south-1_lim0", Custom: true, CreatedAt: t0, UpdatedAt: t0}, 2),
			store.ErrLimit, "custom domain past the limit in Tx")
		return tx.CreateDomain(ctx, &store.Domain{Name: "d.example.com", PoolID: "ap-south-1_lim0", Custom: true, CreatedAt: t0, UpdatedAt: t0}, 3)
	})
	noErr(t, err, "Tx")
	if _, err := s.GetDomain(ctx, "d.example.com"); err != nil {
		t.Fatalf("domain created in Tx: %v", err)
	}
}
