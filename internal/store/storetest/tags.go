package storetest

import (
	"maps"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

func testTags(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-east-2_tags")
	other := newPool(t, s, "us-east-2_tagsother")
	_, err := s.GetTags(ctx, "us-east-2_none")
	wantErr(t, err, store.ErrNotFound, "GetTags of a missing pool")
	_, err = s.UpdateTags(ctx, "us-east-2_none", func(map[string]string) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateTags of a missing pool")
	got, err := s.GetTags(ctx, p.ID)
	noErr(t, err, "GetTags of a pool without tags")
	mustDiff(t, "GetTags of a pool without tags", map[string]string{}, got)

	want := map[string]string{"team": "identity", "env": "", "cost:center": "42 / ünï"}
	got, err = s.UpdateTags(ctx, p.ID, func(tags map[string]string) error {
		if len(tags) != 0 {
			t.Errorf("UpdateTags of a pool without tags passed %v", tags)
		}
		maps.Copy(tags, want)
		return nil
	})
	noErr(t, err, "UpdateTags")
	mustDiff(t, "UpdateTags result", want, got)
	got, err = s.GetTags(ctx, p.ID)
	noErr(t, err, "GetTags")
	mustDiff(t, "GetTags", want, got)
	if got, _ := s.GetTags(ctx, other.ID); len(got) != 0 {
		t.Fatalf("the other pool has tags %v", got)
	}

	_, err = s.UpdateTags(ctx, p.ID, func(tags map[string]string) error { clear(tags); return errBoom })
	wantErr(t, err, errBoom, "UpdateTags with failing fn")
	got, _ = s.GetTags(ctx, p.ID)
	mustDiff(t, "GetTags after failed update", want, got)

	got, err = s.UpdateTags(ctx, p.ID, func(tags map[string]string) error {
		mustDiff(t, "tags passed to fn", want, tags)
		delete(tags, "env")
		tags["team"] = "platform"
		return nil
	})
	noErr(t, err, "UpdateTags changing tags")
	want = map[string]string{"team": "platform", "cost:center": "42 / ünï"}
	mustDiff(t, "UpdateTags changing tags", want, got)
	got, _ = s.GetTags(ctx, p.ID)
	mustDiff(t, "GetTags after change", want, got)

	err = s.Tx(ctx, func(tx store.Store) error {
		if _, err := tx.UpdateTags(ctx, p.ID, func(tags map[string]string) error { clear(tags); return nil }); err != nil {
			return err
		}
		if got, err := tx.GetTags(ctx, p.ID); err != nil || len(got) != 0 {
			t.Errorf("GetTags inside Tx after clearing: %v, %v", got, err)
		}
		return errBoom
	})
	wantErr(t, err, errBoom, "Tx")
	got, _ = s.GetTags(ctx, p.ID)
	mustDiff(t, "GetTags after a rolled back Tx", want, got)
}

// testConfigCascade checks that a pool's domains, resource servers, terms
// and tags go with it, and that its names are free again afterwards.
func testConfigCascade(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed := func(pool, domain string) {
		newPool(t, s, pool)
		newClient(t, s, pool, pool+"-client")
		noErr(t, s.CreateDomain(ctx, &store.Domain{Name: domain, PoolID: pool, CreatedAt: t0, UpdatedAt: t0}, 4), "CreateDomain")
		noErr(t, s.CreateDomain(ctx, &store.Domain{Name: domain + ".example.com", PoolID: pool, Custom: true, CreatedAt: t0, UpdatedAt: t0}, 4), "CreateDomain custom")
		noErr(t, s.CreateResourceServer(ctx, &store.ResourceServer{PoolID: pool, Identifier: "api", Name: "api", CreatedAt: t0, UpdatedAt: t0}, 25), "CreateResourceServer")
		noErr(t, s.CreateTerms(ctx, terms(pool, pool+"-client", "tou-"+pool, "terms-of-use")), "CreateTerms")
		_, err := s.UpdateTags(ctx, pool, func(tags map[string]string) error { tags["k"] = pool; return nil })
		noErr(t, err, "UpdateTags")
	}
	const gone, kept = "sa-east-1_cfggone", "sa-east-1_cfgkept"
	seed(gone, "gone")
	seed(kept, "kept")
	noErr(t, s.DeletePool(ctx, gone), "DeletePool")

	if _, err := s.GetDomain(ctx, "gone"); err == nil {
		t.Error("the prefix domain of a deleted pool is still there")
	}
	if _, err := s.GetDomain(ctx, "gone.example.com"); err == nil {
		t.Error("the custom domain of a deleted pool is still there")
	}
	// A pool re-created with the same ID starts without configuration.
	newPool(t, s, gone)
	if ds, err := s.ListPoolDomains(ctx, gone); err != nil || len(ds) != 0 {
		t.Errorf("domains of a re-created pool: %v, %v", ds, err)
	}
	if rss, _, err := s.ListResourceServers(ctx, gone, store.Page{Limit: 10}); err != nil || len(rss) != 0 {
		t.Errorf("resource servers of a re-created pool: %v, %v", rss, err)
	}
	if ts, _, err := s.ListTerms(ctx, gone, store.Page{Limit: 10}); err != nil || len(ts) != 0 {
		t.Errorf("terms of a re-created pool: %v, %v", ts, err)
	}
	if tags, err := s.GetTags(ctx, gone); err != nil || len(tags) != 0 {
		t.Errorf("tags of a re-created pool: %v, %v", tags, err)
	}
	noErr(t, s.DeletePool(ctx, gone), "DeletePool of the re-created pool")
	seed(gone, "gone") // every name is free again

	// The other pool is intact.
	if d, err := s.GetDomain(ctx, "kept"); err != nil || d.PoolID != kept {
		t.Errorf("GetDomain kept: %+v, %v", d, err)
	}
	if _, err := s.GetResourceServer(ctx, kept, "api"); err != nil {
		t.Errorf("resource server of the other pool: %v", err)
	}
	if _, err := s.GetTerms(ctx, kept, "tou-"+kept); err != nil {
		t.Errorf("terms of the other pool: %v", err)
	}
	if tags, err := s.GetTags(ctx, kept); err != nil || tags["k"] != kept {
		t.Errorf("tags of the other pool: %v, %v", tags, err)
	}
}
