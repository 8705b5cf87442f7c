package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

func testGroups(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "sa-east-1_groups")
	prec := int32(7)
	g := &store.Group{PoolID: p.ID, Name: "admins", Description: "Admins", RoleArn: "arn:aws:iam::123456789012:role/a",
		Precedence: &prec, CreatedAt: t0, UpdatedAt: at(1)}
	noErr(t, s.CreateGroup(ctx, g, noLimit), "CreateGroup")
	wantErr(t, s.CreateGroup(ctx, &store.Group{PoolID: p.ID, Name: "admins"}, noLimit), store.ErrConflict, "CreateGroup twice")
	wantErr(t, s.CreateGroup(ctx, &store.Group{PoolID: "sa-east-1_none", Name: "x"}, noLimit), store.ErrNotFound, "CreateGroup in a missing pool")
	plain := &store.Group{PoolID: p.ID, Name: "plain", CreatedAt: t0, UpdatedAt: t0}
	noErr(t, s.CreateGroup(ctx, plain, noLimit), "CreateGroup without precedence")
	wantErr(t, s.CreateGroup(ctx, &store.Group{PoolID: p.ID, Name: "third"}, 2), store.ErrLimit, "CreateGroup past the limit")
	noErr(t, s.CreateGroup(ctx, &store.Group{PoolID: p.ID, Name: "third", CreatedAt: t0, UpdatedAt: t0}, 3), "CreateGroup up to the limit")
	noErr(t, s.DeleteGroup(ctx, p.ID, "third"), "DeleteGroup")

	want := &store.Group{PoolID: p.ID, Name: "admins", Description: "Admins", RoleArn: g.RoleArn,
		Precedence: &prec, CreatedAt: micro(t0), UpdatedAt: micro(at(1))}
	got, err := s.GetGroup(ctx, p.ID, "admins")
	noErr(t, err, "GetGroup")
	mustDiff(t, "GetGroup", want, got)
	got, err = s.GetGroup(ctx, p.ID, "plain")
	noErr(t, err, "GetGroup plain")
	mustDiff(t, "GetGroup plain", &store.Group{PoolID: p.ID, Name: "plain", CreatedAt: micro(t0), UpdatedAt: micro(t0)}, got)
	_, err = s.GetGroup(ctx, p.ID, "Admins")
	wantErr(t, err, store.ErrNotFound, "GetGroup is case-sensitive")

	zero := int32(0)
	got, err = s.UpdateGroup(ctx, p.ID, "admins", func(g *store.Group) error {
		g.Description, g.RoleArn, g.Precedence, g.UpdatedAt = "changed", "", &zero, at(2)
		g.PoolID, g.Name, g.CreatedAt = "other", "other", at(3) // ignored
		return nil
	})
	noErr(t, err, "UpdateGroup")
	want.Description, want.RoleArn, want.Precedence, want.UpdatedAt = "changed", "", &zero, micro(at(2))
	mustDiff(t, "UpdateGroup result", want, got)
	got, err = s.GetGroup(ctx, p.ID, "admins")
	noErr(t, err, "GetGroup after update")
	mustDiff(t, "GetGroup after update", want, got)
	got, err = s.UpdateGroup(ctx, p.ID, "admins", func(g *store.Group) error { g.Precedence = nil; return nil })
	noErr(t, err, "UpdateGroup clearing precedence")
	if got.Precedence != nil {
		t.Fatalf("Precedence = %d after clearing", *got.Precedence)
	}
	_, err = s.UpdateGroup(ctx, p.ID, "admins", func(g *store.Group) error { g.Description = "no"; return errBoom })
	wantErr(t, err, errBoom, "UpdateGroup with failing fn")
	if got, _ := s.GetGroup(ctx, p.ID, "admins"); got == nil || got.Description != "changed" {
		t.Fatalf("group after failed update: %+v", got)
	}
	_, err = s.UpdateGroup(ctx, p.ID, "missing", func(*store.Group) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateGroup missing")

	noErr(t, s.DeleteGroup(ctx, p.ID, "admins"), "DeleteGroup")
	_, err = s.GetGroup(ctx, p.ID, "admins")
	wantErr(t, err, store.ErrNotFound, "GetGroup after delete")
	wantErr(t, s.DeleteGroup(ctx, p.ID, "admins"), store.ErrNotFound, "DeleteGroup twice")
}

func testListGroups(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "sa-east-1_listgroups")
	other := newPool(t, s, "sa-east-1_listother")
	var want []string
	for _, name := range []string{"b", "a", "B", "a b", "ä", "a_b", "z", "A"} {
		noErr(t, s.CreateGroup(ctx, &store.Group{PoolID: p.ID, Name: name, CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateGroup")
		noErr(t, s.CreateGroup(ctx, &store.Group{PoolID: other.ID, Name: name + "-other", CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateGroup")
		want = append(want, name)
	}
	want = sorted(want) // byte order
	for _, limit := range []int{1, 3, 8, 9} {
		got := walk(t, limit, func(pg store.Page) ([]store.Group, string, error) { return s.ListGroups(ctx, p.ID, pg) })
		mustDiff(t, keyf("ListGroups, limit %d", limit), want, groupNames(got))
	}
}

func testMemberships(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "sa-east-1_members")
	for _, k := range []string{"ann", "bob", "cat"} {
		newUser(t, s, p.ID, k)
	}
	for _, g := range []string{"devs", "ops", "sales"} {
		noErr(t, s.CreateGroup(ctx, &store.Group{PoolID: p.ID, Name: g, Description: "d " + g, CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateGroup")
	}
	groupsOf := func(key string) []string {
		t.Helper()
		gs, next, err := s.ListGroupsForUser(ctx, p.ID, key, store.Page{Limit: 100})
		noErr(t, err, "ListGroupsForUser")
		if next != "" {
			t.Fatalf("ListGroupsForUser: unexpected cursor %q", next)
		}
		for _, g := range gs {
			if g.PoolID != p.ID || g.Description != "d "+g.Name || !g.CreatedAt.Equal(micro(t0)) {
				t.Fatalf("ListGroupsForUser returned an incomplete group %+v", g)
			}
		}
		return groupNames(gs)
	}
	membersOf := func(group string) []string {
		t.Helper()
		us, _, err := s.ListUsersInGroup(ctx, p.ID, group, store.Page{Limit: 100})
		noErr(t, err, "ListUsersInGroup")
		for _, u := range us {
			mustDiff(t, "member "+u.Key, stored(user(p.ID, u.Key)), &u)
		}
		return userKeys(us)
	}

	for _, m := range [][2]string{{"bob", "ops"}, {"bob", "devs"}, {"ann", "devs"}, {"cat", "devs"}, {"bob", "ops"}} {
		noErr(t, s.AddUserToGroup(ctx, p.ID, m[0], m[1]), "AddUserToGroup "+m[0]+" "+m[1])
	}
	mustDiff(t, "groups of bob", []string{"devs", "ops"}, groupsOf("bob"))
	mustDiff(t, "groups of ann", []string{"devs"}, groupsOf("ann"))
	mustDiff(t, "members of devs", []string{"ann", "bob", "cat"}, membersOf("devs"))
	mustDiff(t, "members of sales", []string(nil), membersOf("sales"))

	wantErr(t, s.AddUserToGroup(ctx, p.ID, "nobody", "devs"), store.ErrNotFound, "AddUserToGroup with a missing user")
	wantErr(t, s.AddUserToGroup(ctx, p.ID, "bob", "nogroup"), store.ErrNotFound, "AddUserToGroup with a missing group")
	wantErr(t, s.RemoveUserFromGroup(ctx, p.ID, "nobody", "devs"), store.ErrNotFound, "RemoveUserFromGroup with a missing user")
	wantErr(t, s.RemoveUserFromGroup(ctx, p.ID, "bob", "nogroup"), store.ErrNotFound, "RemoveUserFromGroup with a missing group")

	noErr(t, s.RemoveUserFromGroup(ctx, p.ID, "bob", "devs"), "RemoveUserFromGroup")
	noErr(t, s.RemoveUserFromGroup(ctx, p.ID, "bob", "devs"), "RemoveUserFromGroup twice")
	noErr(t, s.RemoveUserFromGroup(ctx, p.ID, "ann", "sales"), "RemoveUserFromGroup of a non-member")
	mustDiff(t, "groups of bob after removal", []string{"ops"}, groupsOf("bob"))
	mustDiff(t, "members of devs after removal", []string{"ann", "cat"}, membersOf("devs"))

	noErr(t, s.DeleteGroup(ctx, p.ID, "devs"), "DeleteGroup")
	mustDiff(t, "groups of ann after DeleteGroup", []string(nil), groupsOf("ann"))
	noErr(t, s.CreateGroup(ctx, &store.Group{PoolID: p.ID, Name: "devs", Description: "d devs", CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateGroup again")
	mustDiff(t, "members of a re-created group", []string(nil), membersOf("devs"))
	for _, k := range []string{"ann", "bob", "cat"} {
		if _, err := s.GetUser(ctx, p.ID, k); err != nil {
			t.Fatalf("DeleteGroup touched user %s: %v", k, err)
		}
	}
}

func testMembershipPages(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "sa-east-1_memberpages")
	noErr(t, s.Tx(ctx, func(tx store.Store) error {
		for i := range 9 {
			g := keyf("group%d", (i*5)%9)
			if err := tx.CreateGroup(ctx, &store.Group{PoolID: p.ID, Name: g, CreatedAt: t0, UpdatedAt: t0}, noLimit); err != nil {
				return err
			}
		}
		for i := range 23 {
			k := keyf("user%02d", (i*7)%23)
			if err := tx.CreateUser(ctx, user(p.ID, k)); err != nil {
				return err
			}
			for _, g := range []string{"group0", "group4"} {
				if err := tx.AddUserToGroup(ctx, p.ID, k, g); err != nil {
					return err
				}
			}
		}
		for i := range 9 {
			if err := tx.AddUserToGroup(ctx, p.ID, "user05", keyf("group%d", i)); err != nil {
				return err
			}
		}
		return nil
	}), "seed")
	var wantUsers, wantGroups []string
	for i := range 23 {
		wantUsers = append(wantUsers, keyf("user%02d", i))
	}
	for i := range 9 {
		wantGroups = append(wantGroups, keyf("group%d", i))
	}
	for _, limit := range []int{1, 4, 23} {
		got := walk(t, limit, func(pg store.Page) ([]store.User, string, error) { return s.ListUsersInGroup(ctx, p.ID, "group4", pg) })
		mustDiff(t, keyf("ListUsersInGroup, limit %d", limit), wantUsers, userKeys(got))
		gs := walk(t, limit, func(pg store.Page) ([]store.Group, string, error) {
			return s.ListGroupsForUser(ctx, p.ID, "user05", pg)
		})
		mustDiff(t, keyf("ListGroupsForUser, limit %d", limit), wantGroups, groupNames(gs))
	}
}
