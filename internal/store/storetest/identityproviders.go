package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

func idp(pool, name, typ string, identifiers ...string) *store.IdentityProvider {
	return &store.IdentityProvider{PoolID: pool, Name: name, Type: typ, Identifiers: identifiers,
		Config: []byte(`{"name":"` + name + `"}`), CreatedAt: t0, UpdatedAt: at(1)}
}

// storedIDP is what a store gives back for p.
func storedIDP(p *store.IdentityProvider) *store.IdentityProvider {
	c := *p
	c.CreatedAt, c.UpdatedAt = micro(p.CreatedAt), micro(p.UpdatedAt)
	return &c
}

func testIdentityProviders(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-north-1_idps")
	other := newPool(t, s, "eu-north-1_idpother")
	okta := idp(p.ID, "Okta", "SAML", "example.com", "Okta")
	noErr(t, s.CreateIdentityProvider(ctx, okta, 10), "CreateIdentityProvider")
	noErr(t, s.CreateIdentityProvider(ctx, idp(p.ID, "Google", "Google"), 10), "CreateIdentityProvider without identifiers")
	wantErr(t, s.CreateIdentityProvider(ctx, idp(p.ID, "Okta", "OIDC"), 10), store.ErrConflict, "CreateIdentityProvider twice")
	wantErr(t, s.CreateIdentityProvider(ctx, idp(p.ID, "Auth0", "OIDC", "auth0", "example.com"), 10),
		store.ErrIdentifierConflict, "CreateIdentityProvider with a taken identifier")
	if _, err := s.GetIdentityProvider(ctx, p.ID, "Auth0"); err == nil {
		t.Fatal("a provider refused for its identifier was stored")
	}
	if got, err := s.GetIdentityProviderByIdentifier(ctx, p.ID, "auth0"); err == nil {
		t.Fatalf("the identifier of a refused provider was stored: %+v", got)
	}
	noErr(t, s.CreateIdentityProvider(ctx, idp(other.ID, "Okta", "SAML", "example.com"), 10),
		"CreateIdentityProvider with a name and identifier used in another pool")
	wantErr(t, s.CreateIdentityProvider(ctx, idp("eu-north-1_none", "Okta", "SAML"), 10), store.ErrNotFound, "CreateIdentityProvider in a missing pool")

	want := storedIDP(okta)
	got, err := s.GetIdentityProvider(ctx, p.ID, "Okta")
	noErr(t, err, "GetIdentityProvider")
	mustDiff(t, "GetIdentityProvider", want, got)
	_, err = s.GetIdentityProvider(ctx, p.ID, "okta")
	wantErr(t, err, store.ErrNotFound, "GetIdentityProvider is exact")
	for _, id := range []string{"example.com", "Okta"} {
		got, err = s.GetIdentityProviderByIdentifier(ctx, p.ID, id)
		noErr(t, err, "GetIdentityProviderByIdentifier "+id)
		mustDiff(t, "GetIdentityProviderByIdentifier "+id, want, got)
	}
	got, err = s.GetIdentityProviderByIdentifier(ctx, other.ID, "example.com")
	noErr(t, err, "GetIdentityProviderByIdentifier in the other pool")
	if got.PoolID != other.ID || string(got.Config) != `{"name":"Okta"}` {
		t.Fatalf("GetIdentityProviderByIdentifier in the other pool: %+v", got)
	}
	_, err = s.GetIdentityProviderByIdentifier(ctx, p.ID, "missing")
	wantErr(t, err, store.ErrNotFound, "GetIdentityProviderByIdentifier missing")

	// Identifiers are replaced as a whole; a freed identifier can be taken.
	got, err = s.UpdateIdentityProvider(ctx, p.ID, "Okta", func(i *store.IdentityProvider) error {
		i.Identifiers, i.Config, i.UpdatedAt = []string{"okta.example.com", "Okta"}, []byte(`{"v":2}`), at(2)
		i.PoolID, i.Name, i.Type, i.CreatedAt = other.ID, "x", "OIDC", at(3) // ignored
		return nil
	})
	noErr(t, err, "UpdateIdentityProvider")
	want.Identifiers, want.Config, want.UpdatedAt = []string{"okta.example.com", "Okta"}, []byte(`{"v":2}`), micro(at(2))
	mustDiff(t, "UpdateIdentityProvider result", want, got)
	got, err = s.GetIdentityProviderByIdentifier(ctx, p.ID, "okta.example.com")
	noErr(t, err, "GetIdentityProviderByIdentifier of a new identifier")
	mustDiff(t, "GetIdentityProviderByIdentifier after update", want, got)
	_, err = s.GetIdentityProviderByIdentifier(ctx, p.ID, "example.com")
	wantErr(t, err, store.ErrNotFound, "GetIdentityProviderByIdentifier of a dropped identifier")
	_, err = s.UpdateIdentityProvider(ctx, p.ID, "Google", func(i *store.IdentityProvider) error {
		i.Identifiers = []string{"gmail.com", "Okta"}
		return nil
	})
	wantErr(t, err, store.ErrIdentifierConflict, "UpdateIdentityProvider taking another provider's identifier")
	if _, err := s.GetIdentityProviderByIdentifier(ctx, p.ID, "gmail.com"); err == nil {
		t.Fatal("a refused update kept one of its identifiers")
	}
	_, err = s.UpdateIdentityProvider(ctx, p.ID, "Google", func(i *store.IdentityProvider) error {
		i.Identifiers = []string{"example.com"}
		return nil
	})
	noErr(t, err, "UpdateIdentityProvider taking a freed identifier")
	_, err = s.UpdateIdentityProvider(ctx, p.ID, "Okta", func(i *store.IdentityProvider) error { i.Config = nil; return errBoom })
	wantErr(t, err, errBoom, "UpdateIdentityProvider with failing fn")
	got, _ = s.GetIdentityProvider(ctx, p.ID, "Okta")
	mustDiff(t, "GetIdentityProvider after failed update", want, got)
	_, err = s.UpdateIdentityProvider(ctx, p.ID, "missing", func(*store.IdentityProvider) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateIdentityProvider missing")

	noErr(t, s.DeleteIdentityProvider(ctx, p.ID, "Okta"), "DeleteIdentityProvider")
	wantErr(t, s.DeleteIdentityProvider(ctx, p.ID, "Okta"), store.ErrNotFound, "DeleteIdentityProvider twice")
	_, err = s.GetIdentityProviderByIdentifier(ctx, p.ID, "okta.example.com")
	wantErr(t, err, store.ErrNotFound, "the identifiers of a deleted provider")
	// Its name and identifiers are free again.
	noErr(t, s.CreateIdentityProvider(ctx, idp(p.ID, "Okta", "OIDC", "Okta"), 10), "CreateIdentityProvider again")
	if _, err := s.GetIdentityProvider(ctx, other.ID, "Okta"); err != nil {
		t.Fatalf("the other pool's provider went too: %v", err)
	}
}

func testIdentityProviderLimit(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-north-1_idplimit")
	other := newPool(t, s, "eu-north-1_idplimit2")
	for i := range 3 {
		noErr(t, s.CreateIdentityProvider(ctx, idp(p.ID, keyf("idp%d", i), "OIDC"), 3), "CreateIdentityProvider")
	}
	wantErr(t, s.CreateIdentityProvider(ctx, idp(p.ID, "idp3", "OIDC"), 3), store.ErrLimit, "CreateIdentityProvider past the limit")
	noErr(t, s.CreateIdentityProvider(ctx, idp(other.ID, "idp3", "OIDC"), 3), "the limit is per pool")
	noErr(t, s.DeleteIdentityProvider(ctx, p.ID, "idp0"), "DeleteIdentityProvider")
	noErr(t, s.CreateIdentityProvider(ctx, idp(p.ID, "idp3", "OIDC"), 3), "CreateIdentityProvider after one went")
}

func testListIdentityProviders(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-north-1_idplist")
	other := newPool(t, s, "eu-north-1_idplist2")
	var want []string
	for i := range 7 {
		name := keyf("idp-%d", (i*3)%7)
		noErr(t, s.CreateIdentityProvider(ctx, idp(p.ID, name, "OIDC", name+".example.com"), 10), "CreateIdentityProvider")
		noErr(t, s.CreateIdentityProvider(ctx, idp(other.ID, "other-"+name, "OIDC"), 10), "CreateIdentityProvider in the other pool")
		want = append(want, keyf("idp-%d", i))
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		list, next, err := s.ListIdentityProviders(ctx, p.ID, store.Page{Cursor: cursor, Limit: 3})
		noErr(t, err, "ListIdentityProviders")
		if len(list) > 3 || pages > 3 {
			t.Fatalf("page %d has %d providers", pages, len(list))
		}
		for _, i := range list {
			got = append(got, i.Name)
			mustDiff(t, "listed provider", storedIDP(idp(p.ID, i.Name, "OIDC", i.Name+".example.com")), &i)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	mustDiff(t, "ListIdentityProviders names", want, got)
	_, _, err := s.ListIdentityProviders(ctx, other.ID, store.Page{Cursor: cursor, Limit: 3})
	wantErr(t, err, store.ErrBadCursor, "ListIdentityProviders with another pool's cursor")
	list, next, err := s.ListIdentityProviders(ctx, "eu-north-1_none", store.Page{Limit: 3})
	noErr(t, err, "ListIdentityProviders of a missing pool")
	if len(list) != 0 || next != "" {
		t.Fatalf("ListIdentityProviders of a missing pool: %v %q", list, next)
	}
}

// testFederationCascade checks that deleting a pool removes its providers,
// their identifiers and its links, and that a pool made again with the same
// ID starts without them.
func testFederationCascade(t *testing.T, s store.Store) {
	ctx := t.Context()
	seed := func(pool string) {
		newPool(t, s, pool)
		newUser(t, s, pool, "bob")
		noErr(t, s.CreateIdentityProvider(ctx, idp(pool, "Okta", "SAML", "example.com"), 10), "CreateIdentityProvider")
		noErr(t, s.CreateLink(ctx, link(pool, "Okta", "NameID-bob", "sub-bob", 0), 5), "CreateLink")
	}
	const gone, kept = "ap-south-1_fedgone", "ap-south-1_fedkept"
	seed(gone)
	seed(kept)
	noErr(t, s.DeletePool(ctx, gone), "DeletePool")
	newPool(t, s, gone)
	if _, err := s.GetIdentityProvider(ctx, gone, "Okta"); err == nil {
		t.Error("the provider of a deleted pool is still there")
	}
	if _, err := s.GetIdentityProviderByIdentifier(ctx, gone, "example.com"); err == nil {
		t.Error("the identifier of a deleted pool's provider is still there")
	}
	if _, err := s.GetLink(ctx, gone, "Okta", store.SubjectAttribute, "NameID-bob"); err == nil {
		t.Error("the link of a deleted pool is still there")
	}
	noErr(t, s.DeletePool(ctx, gone), "DeletePool of the re-created pool")
	seed(gone) // every name is free again

	for what, err := range map[string]error{
		"provider":   func() error { _, err := s.GetIdentityProvider(ctx, kept, "Okta"); return err }(),
		"identifier": func() error { _, err := s.GetIdentityProviderByIdentifier(ctx, kept, "example.com"); return err }(),
		"link":       func() error { _, err := s.GetLink(ctx, kept, "Okta", store.SubjectAttribute, "NameID-bob"); return err }(),
	} {
		if err != nil {
			t.Errorf("the other pool's %s went: %v", what, err)
		}
	}
}
