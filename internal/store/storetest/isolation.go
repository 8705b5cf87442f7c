package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// populate gives pool a client, two users with aliases and attributes, a
// group with both users, a message, and a session, a code and a refresh
// token of sam. Names repeat across pools on purpose, except the IDs of
// clients, messages, sessions and refresh tokens, which are global.
func populate(t *testing.T, s store.Store, pool string) {
	t.Helper()
	ctx := t.Context()
	newPool(t, s, pool)
	noErr(t, s.CreateClient(ctx, &store.Client{PoolID: pool, ID: pool + "-client", Name: "c", CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateClient")
	noErr(t, s.CreateGroup(ctx, &store.Group{PoolID: pool, Name: "shared", Description: pool, CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateGroup")
	for _, k := range []string{"sam", "kim"} {
		newUser(t, s, pool, k)
		noErr(t, s.AddUserToGroup(ctx, pool, k, "shared"), "AddUserToGroup")
	}
	noErr(t, s.EnqueueMessage(ctx, &store.Message{ID: pool + "-msg", PoolID: pool, CreatedAt: t0}), "EnqueueMessage")
	noErr(t, s.CreateSession(ctx, session(pool, "sub-sam", pool+"-session", 0)), "CreateSession")
	noErr(t, s.PutCode(ctx, code(pool, "sub-sam", "confirm", 0)), "PutCode")
	noErr(t, s.CreateRefreshToken(ctx, refreshToken(pool, "sub-sam", "fam-sam", pool+"-rt", 0)), "CreateRefreshToken")
}

func testDeletePoolCascades(t *testing.T, s store.Store) {
	ctx := t.Context()
	const a, b = "us-east-1_gone", "us-east-1_kept"
	populate(t, s, a)
	populate(t, s, b)
	noErr(t, s.DeletePool(ctx, a), "DeletePool")

	_, err := s.GetClientByID(ctx, a+"-client")
	wantErr(t, err, store.ErrNotFound, "client of a deleted pool")
	_, err = s.GetUser(ctx, a, "sam")
	wantErr(t, err, store.ErrNotFound, "user of a deleted pool")
	ms, err := s.PendingMessages(ctx, 100)
	noErr(t, err, "PendingMessages")
	if len(ms) != 1 || ms[0].ID != b+"-msg" {
		t.Fatalf("messages after DeletePool: %v, want only %s-msg", ms, b)
	}

	// A pool re-created with the same ID starts empty.
	newPool(t, s, a)
	checkEmpty(t, s, a)
	// Everything can be created again without conflicts.
	noErr(t, s.DeletePool(ctx, a), "DeletePool of the re-created pool")
	populate(t, s, a)

	// The other pool is intact.
	checkPopulated(t, s, b)
}

func checkEmpty(t *testing.T, s store.Store, pool string) {
	t.Helper()
	ctx := t.Context()
	if n, err := s.CountUsers(ctx, pool); err != nil || n != 0 {
		t.Fatalf("CountUsers = %d, %v; want 0", n, err)
	}
	if keys := findKeys(t, s, pool, store.UserFilter{}); len(keys) != 0 {
		t.Fatalf("FindUsers: %v", keys)
	}
	if keys := findKeys(t, s, pool, store.UserFilter{Field: "email", Value: "sam@example.com"}); len(keys) != 0 {
		t.Fatalf("FindUsers by email: %v", keys)
	}
	_, err := s.GetUserByAlias(ctx, pool, "email:sam@example.com")
	wantErr(t, err, store.ErrNotFound, "GetUserByAlias")
	_, err = s.GetUserBySub(ctx, pool, "sub-sam")
	wantErr(t, err, store.ErrNotFound, "GetUserBySub")
	_, err = s.GetGroup(ctx, pool, "shared")
	wantErr(t, err, store.ErrNotFound, "GetGroup")
	if gs, _, err := s.ListGroups(ctx, pool, store.Page{Limit: 10}); err != nil || len(gs) != 0 {
		t.Fatalf("ListGroups = %v, %v", gs, err)
	}
	if gs, _, err := s.ListGroupsForUser(ctx, pool, "sam", store.Page{Limit: 10}); err != nil || len(gs) != 0 {
		t.Fatalf("ListGroupsForUser = %v, %v", gs, err)
	}
	if cs, _, err := s.ListClients(ctx, pool, store.Page{Limit: 10}); err != nil || len(cs) != 0 {
		t.Fatalf("ListClients = %v, %v", cs, err)
	}
	if ms, err := s.ListMessages(ctx, pool, "", 10); err != nil || len(ms) != 0 {
		t.Fatalf("ListMessages = %v, %v", ms, err)
	}
	if hasSession(t, s, pool+"-session") {
		t.Fatal("GetSession found the session")
	}
	if hasCode(t, s, pool, "sub-sam", "confirm") {
		t.Fatal("GetCode found the code")
	}
	if hasToken(t, s, pool+"-rt") {
		t.Fatal("GetRefreshToken found the token")
	}
	if !familyRevoked(t, s, pool, "fam-sam") {
		t.Fatal("FamilyRevoked of the token's family = false")
	}
}

// checkPopulated checks that everything populate made in pool is there, and
// that the pool's users are those and extra.
func checkPopulated(t *testing.T, s store.Store, pool string, extra ...string) {
	t.Helper()
	ctx := t.Context()
	c, err := s.GetClientByID(ctx, pool+"-client")
	noErr(t, err, "GetClientByID")
	if c.PoolID != pool {
		t.Fatalf("client PoolID = %q, want %q", c.PoolID, pool)
	}
	for _, k := range []string{"kim", "sam"} {
		u, err := s.GetUserByAlias(ctx, pool, "email:"+k+"@example.com")
		noErr(t, err, "GetUserByAlias")
		mustDiff(t, "user "+k+" of "+pool, stored(user(pool, k)), u)
	}
	mustDiff(t, "users of "+pool, sorted(append([]string{"kim", "sam"}, extra...)), findKeys(t, s, pool, store.UserFilter{}))
	members, _, err := s.ListUsersInGroup(ctx, pool, "shared", store.Page{Limit: 10})
	noErr(t, err, "ListUsersInGroup")
	mustDiff(t, "members of "+pool, []string{"kim", "sam"}, userKeys(members))
	g, err := s.GetGroup(ctx, pool, "shared")
	noErr(t, err, "GetGroup")
	if g.Description != pool {
		t.Fatalf("group of %s has Description %q", pool, g.Description)
	}
	ms, err := s.ListMessages(ctx, pool, "", 10)
	noErr(t, err, "ListMessages")
	if len(ms) != 1 || ms[0].ID != pool+"-msg" || ms[0].PoolID != pool {
		t.Fatalf("messages of %s: %+v", pool, ms)
	}
	sess, err := s.GetSession(ctx, pool+"-session")
	noErr(t, err, "GetSession")
	mustDiff(t, "session of "+pool, storedSession(session(pool, "sub-sam", pool+"-session", 0)), sess)
	cd, err := s.GetCode(ctx, pool, "sub-sam", "confirm")
	noErr(t, err, "GetCode")
	mustDiff(t, "code of "+pool, storedCode(code(pool, "sub-sam", "confirm", 0)), cd)
	tok, err := s.GetRefreshToken(ctx, pool+"-rt")
	noErr(t, err, "GetRefreshToken")
	mustDiff(t, "refresh token of "+pool, storedToken(refreshToken(pool, "sub-sam", "fam-sam", pool+"-rt", 0)), tok)
	if familyRevoked(t, s, pool, "fam-sam") {
		t.Fatalf("FamilyRevoked of %s's family = true", pool)
	}
}

func testPoolIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	const a, b = "us-east-1_a", "us-east-1_b"
	populate(t, s, a)
	populate(t, s, b)
	// Names only pool b has.
	newUser(t, s, b, "bonly")
	noErr(t, s.CreateGroup(ctx, &store.Group{PoolID: b, Name: "bgroup", CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateGroup")

	// Pool a reaches none of them.
	_, err := s.GetUser(ctx, a, "bonly")
	wantErr(t, err, store.ErrNotFound, "GetUser of another pool's user")
	_, err = s.GetUserBySub(ctx, a, "sub-bonly")
	wantErr(t, err, store.ErrNotFound, "GetUserBySub of another pool's user")
	_, err = s.GetUserByAlias(ctx, a, "email:bonly@example.com")
	wantErr(t, err, store.ErrNotFound, "GetUserByAlias of another pool's user")
	_, err = s.UpdateUser(ctx, a, "bonly", func(u *store.User) error { u.Status = "HIJACKED"; return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateUser of another pool's user")
	wantErr(t, s.DeleteUser(ctx, a, "bonly"), store.ErrNotFound, "DeleteUser of another pool's user")
	_, err = s.GetClient(ctx, a, b+"-client")
	wantErr(t, err, store.ErrNotFound, "GetClient of another pool's client")
	_, err = s.UpdateClient(ctx, a, b+"-client", func(c *store.Client) error { c.Name = "HIJACKED"; return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateClient of another pool's client")
	wantErr(t, s.DeleteClient(ctx, a, b+"-client"), store.ErrNotFound, "DeleteClient of another pool's client")
	_, err = s.GetGroup(ctx, a, "bgroup")
	wantErr(t, err, store.ErrNotFound, "GetGroup of another pool's group")
	_, err = s.UpdateGroup(ctx, a, "bgroup", func(g *store.Group) error { g.Description = "HIJACKED"; return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateGroup of another pool's group")
	wantErr(t, s.DeleteGroup(ctx, a, "bgroup"), store.ErrNotFound, "DeleteGroup of another pool's group")
	wantErr(t, s.AddUserToGroup(ctx, a, "bonly", "shared"), store.ErrNotFound, "AddUserToGroup with another pool's user")
	wantErr(t, s.AddUserToGroup(ctx, a, "sam", "bgroup"), store.ErrNotFound, "AddUserToGroup with another pool's group")
	if keys := findKeys(t, s, a, store.UserFilter{Field: store.FieldUsername, Value: "bonly"}); len(keys) != 0 {
		t.Fatalf("FindUsers in pool a found %v", keys)
	}
	wantErr(t, s.CreateSession(ctx, session(a, "sub-bonly", "a-bonly-session", 0)), store.ErrNotFound,
		"CreateSession for another pool's user")
	wantErr(t, s.PutCode(ctx, code(a, "sub-bonly", "confirm", 0)), store.ErrNotFound, "PutCode for another pool's user")
	wantErr(t, s.CreateRefreshToken(ctx, refreshToken(a, "sub-bonly", "fam-bonly", "a-bonly-rt", 0)), store.ErrNotFound,
		"CreateRefreshToken for another pool's user")
	// Sign-in state of pool b's sam, reached through pool a.
	noErr(t, s.PutCode(ctx, code(b, "sub-sam", "reset", 0)), "PutCode in pool b")
	_, err = s.GetCode(ctx, a, "sub-sam", "reset")
	wantErr(t, err, store.ErrNotFound, "GetCode of another pool's user")
	_, err = s.UpdateCode(ctx, a, "sub-sam", "reset", func(c *store.Code) error { c.Attempts = 99; return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateCode of another pool's user")
	wantErr(t, s.DeleteCode(ctx, a, "sub-sam", "reset"), store.ErrNotFound, "DeleteCode of another pool's user")
	noErr(t, s.CreateRefreshToken(ctx, refreshToken(b, "sub-sam", "fam-b", b+"-rt-b", 0)), "CreateRefreshToken in pool b")
	if !familyRevoked(t, s, a, "fam-b") {
		t.Fatal("FamilyRevoked in pool a of pool b's family = false")
	}
	noErr(t, s.RevokeFamily(ctx, a, "fam-b"), "RevokeFamily of pool b's family in pool a")
	if familyRevoked(t, s, b, "fam-b") {
		t.Fatal("RevokeFamily in pool a revoked pool b's family")
	}

	// Same names in both pools: changing pool a's leaves pool b's alone.
	_, err = s.UpdateUser(ctx, a, "sam", func(u *store.User) error {
		u.Attributes["email"] = "sam@a.example"
		u.Aliases = []string{"email:sam@a.example"}
		return nil
	})
	noErr(t, err, "UpdateUser")
	_, err = s.UpdateGroup(ctx, a, "shared", func(g *store.Group) error { g.Description = "changed"; return nil })
	noErr(t, err, "UpdateGroup")
	noErr(t, s.RemoveUserFromGroup(ctx, a, "kim", "shared"), "RemoveUserFromGroup")
	noErr(t, s.DeleteUser(ctx, a, "kim"), "DeleteUser")
	noErr(t, s.DeleteGroup(ctx, a, "shared"), "DeleteGroup")
	noErr(t, s.DeleteClient(ctx, a, a+"-client"), "DeleteClient")
	noErr(t, s.RevokeFamily(ctx, a, "fam-sam"), "RevokeFamily")
	noErr(t, s.RevokeUserTokens(ctx, a, "sub-sam"), "RevokeUserTokens")
	noErr(t, s.DeleteUserSessions(ctx, a, "sub-sam"), "DeleteUserSessions")
	noErr(t, s.DeleteUserCodes(ctx, a, "sub-sam"), "DeleteUserCodes")
	if !familyRevoked(t, s, a, "fam-sam") || hasSession(t, s, a+"-session") || hasCode(t, s, a, "sub-sam", "confirm") {
		t.Fatal("pool a's sign-in state survived its revocation and deletion")
	}
	checkPopulated(t, s, b, "bonly")
	if c, err := s.GetCode(ctx, b, "sub-sam", "reset"); err != nil || c.Attempts != 0 {
		t.Fatalf("pool b's code after changes in pool a = %+v, %v", c, err)
	}
	if n, err := s.CountUsers(ctx, a); err != nil || n != 1 {
		t.Fatalf("CountUsers(a) = %d, %v; want 1", n, err)
	}
	if n, err := s.CountUsers(ctx, b); err != nil || n != 3 {
		t.Fatalf("CountUsers(b) = %d, %v; want 3", n, err)
	}
}
