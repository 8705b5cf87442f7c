package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// link returns a link of a subject at provider to the user with sub,
// created n minutes after t0.
func link(pool, provider, subject, sub string, n int) *store.ProviderLink {
	return &store.ProviderLink{PoolID: pool, Provider: provider, Attribute: store.SubjectAttribute, Value: subject, Sub: sub, CreatedAt: at(n)}
}

// storedLink is what a store gives back for l.
func storedLink(l *store.ProviderLink) store.ProviderLink {
	c := *l
	c.CreatedAt = micro(l.CreatedAt)
	return c
}

func userLinks(t *testing.T, s store.Store, pool, sub string) []store.ProviderLink {
	t.Helper()
	list, err := s.ListUserLinks(t.Context(), pool, sub)
	noErr(t, err, "ListUserLinks")
	return list
}

func testProviderLinks(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-west-2_links")
	other := newPool(t, s, "us-west-2_linksother")
	bob := newUser(t, s, p.ID, "bob")
	alice := newUser(t, s, p.ID, "alice")
	newUser(t, s, other.ID, "bob")

	google := link(p.ID, "Google", "1234567890", bob.Sub, 2)
	email := &store.ProviderLink{PoolID: p.ID, Provider: "Okta", Attribute: "email", Value: "bob@example.com", Sub: bob.Sub, CreatedAt: at(1)}
	primary := &store.ProviderLink{PoolID: p.ID, Provider: "Facebook", Attribute: store.SubjectAttribute, Value: "fb-alice", Sub: alice.Sub, Primary: true, CreatedAt: at(3)}
	noErr(t, s.CreateLink(ctx, google, 5), "CreateLink")
	noErr(t, s.CreateLink(ctx, email, 5), "CreateLink by attribute")
	noErr(t, s.CreateLink(ctx, primary, 5), "CreateLink primary")
	wantErr(t, s.CreateLink(ctx, link(p.ID, "Google", "1234567890", alice.Sub, 4), 5), store.ErrConflict, "CreateLink of a linked identity")
	noErr(t, s.CreateLink(ctx, link(other.ID, "Google", "1234567890", bob.Sub, 4), 5), "CreateLink of the identity in another pool")
	wantErr(t, s.CreateLink(ctx, link(p.ID, "Google", "x", "sub-nobody", 4), 5), store.ErrNotFound, "CreateLink to a missing user")
	wantErr(t, s.CreateLink(ctx, link("us-west-2_none", "Google", "x", bob.Sub, 4), 5), store.ErrNotFound, "CreateLink in a missing pool")

	got, err := s.GetLink(ctx, p.ID, "Google", store.SubjectAttribute, "1234567890")
	noErr(t, err, "GetLink")
	mustDiff(t, "GetLink", storedLink(google), *got)
	got, err = s.GetLink(ctx, p.ID, "Okta", "email", "bob@example.com")
	noErr(t, err, "GetLink by attribute")
	mustDiff(t, "GetLink by attribute", storedLink(email), *got)
	got, err = s.GetLink(ctx, p.ID, "Facebook", store.SubjectAttribute, "fb-alice")
	noErr(t, err, "GetLink primary")
	mustDiff(t, "GetLink primary", storedLink(primary), *got)
	for _, miss := range [][3]string{
		{"google", store.SubjectAttribute, "1234567890"}, {"Google", "email", "1234567890"}, {"Google", store.SubjectAttribute, "123456789"},
	} {
		_, err = s.GetLink(ctx, p.ID, miss[0], miss[1], miss[2])
		wantErr(t, err, store.ErrNotFound, "GetLink is exact")
	}

	mustDiff(t, "ListUserLinks", []store.ProviderLink{storedLink(email), storedLink(google)}, userLinks(t, s, p.ID, bob.Sub))
	mustDiff(t, "ListUserLinks of another user", []store.ProviderLink{storedLink(primary)}, userLinks(t, s, p.ID, alice.Sub))
	mustDiff(t, "ListUserLinks of a missing user", []store.ProviderLink(nil), userLinks(t, s, p.ID, "sub-nobody"))

	noErr(t, s.DeleteLink(ctx, p.ID, "Google", store.SubjectAttribute, "1234567890"), "DeleteLink")
	wantErr(t, s.DeleteLink(ctx, p.ID, "Google", store.SubjectAttribute, "1234567890"), store.ErrNotFound, "DeleteLink twice")
	_, err = s.GetLink(ctx, p.ID, "Google", store.SubjectAttribute, "1234567890")
	wantErr(t, err, store.ErrNotFound, "GetLink of a deleted link")
	if _, err := s.GetLink(ctx, other.ID, "Google", store.SubjectAttribute, "1234567890"); err != nil {
		t.Fatalf("the other pool's link went too: %v", err)
	}
	noErr(t, s.CreateLink(ctx, link(p.ID, "Google", "1234567890", alice.Sub, 5), 5), "CreateLink of an unlinked identity to another user")

	// Links go with their user.
	noErr(t, s.DeleteUser(ctx, p.ID, bob.Key), "DeleteUser")
	_, err = s.GetLink(ctx, p.ID, "Okta", "email", "bob@example.com")
	wantErr(t, err, store.ErrNotFound, "GetLink of a deleted user's link")
	newUser(t, s, p.ID, "bob")
	mustDiff(t, "ListUserLinks of a user made again", []store.ProviderLink(nil), userLinks(t, s, p.ID, bob.Sub))
}

func testProviderLinkLimit(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-west-2_linklimit")
	bob := newUser(t, s, p.ID, "bob")
	alice := newUser(t, s, p.ID, "alice")
	noErr(t, s.CreateLink(ctx, &store.ProviderLink{PoolID: p.ID, Provider: "Google", Attribute: store.SubjectAttribute, Value: "own",
		Sub: bob.Sub, Primary: true, CreatedAt: t0}, 2), "CreateLink primary")
	for i := range 2 {
		noErr(t, s.CreateLink(ctx, link(p.ID, "Okta", keyf("okta-%d", i), bob.Sub, i), 2), "CreateLink")
	}
	wantErr(t, s.CreateLink(ctx, link(p.ID, "Okta", "okta-2", bob.Sub, 3), 2), store.ErrLimit, "CreateLink past the limit")
	noErr(t, s.CreateLink(ctx, link(p.ID, "Okta", "okta-2", alice.Sub, 3), 2), "the limit is per user")
	noErr(t, s.DeleteLink(ctx, p.ID, "Okta", store.SubjectAttribute, "okta-0"), "DeleteLink")
	noErr(t, s.CreateLink(ctx, link(p.ID, "Okta", "okta-3", bob.Sub, 4), 2), "CreateLink after one went")

	// A link and its user's update commit together, or not at all.
	err := s.Tx(ctx, func(tx store.Store) error {
		if err := tx.CreateLink(ctx, link(p.ID, "Okta", "okta-4", alice.Sub, 5), 2); err != nil {
			return err
		}
		if _, err := tx.UpdateUser(ctx, p.ID, alice.Key, func(u *store.User) error { u.Attributes["identities"] = "[]"; return nil }); err != nil {
			return err
		}
		return errBoom
	})
	wantErr(t, err, errBoom, "Tx")
	if _, err := s.GetLink(ctx, p.ID, "Okta", store.SubjectAttribute, "okta-4"); err == nil {
		t.Fatal("a link made in a rolled-back transaction is there")
	}
	// A refused link leaves the transaction usable.
	err = s.Tx(ctx, func(tx store.Store) error {
		wantErr(t, tx.CreateLink(ctx, link(p.ID, "Okta", "okta-1", alice.Sub, 6), 2), store.ErrConflict, "CreateLink in Tx of a linked identity")
		return tx.CreateLink(ctx, link(p.ID, "Okta", "okta-5", alice.Sub, 6), 2)
	})
	noErr(t, err, "Tx after a refused link")
	if _, err := s.GetLink(ctx, p.ID, "Okta", store.SubjectAttribute, "okta-5"); err != nil {
		t.Fatalf("the link made after a refused one: %v", err)
	}
}
