package storetest

import (
	"errors"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

func testCreateUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-central-1_users")
	u := &store.User{
		PoolID:   p.ID,
		Username: "Alice",
		Key:      "alice",
		Sub:      "7c1e0c52-8b4e-4a3e-9b1d-2f1f7f3b9a01",
		Status:   "FORCE_CHANGE_PASSWORD",
		Enabled:  false,
		Attributes: map[string]string{
			"sub":            "7c1e0c52-8b4e-4a3e-9b1d-2f1f7f3b9a01",
			"email":          "alice@example.com",
			"email_verified": "true",
			"phone_number":   "+15555550100",
			"custom:tier":    "gold \"quoted\" \\ ünïcödé",
		},
		Aliases:       []string{"email:alice@example.com", "phone_number:+15555550100"},
		Password:      []byte{0, 0xff, 1, 2, 3},
		PasswordSetAt: at(1),
		State:         []byte{0, 0xff, '{', '}'},
		CreatedAt:     t0,
		UpdatedAt:     at(2),
	}
	noErr(t, s.CreateUser(ctx, u), "CreateUser")
	want := stored(u)

	got, err := s.GetUser(ctx, p.ID, "alice")
	noErr(t, err, "GetUser")
	mustDiff(t, "GetUser", want, got)
	got, err = s.GetUserBySub(ctx, p.ID, u.Sub)
	noErr(t, err, "GetUserBySub")
	mustDiff(t, "GetUserBySub", want, got)
	for _, a := range u.Aliases {
		got, err = s.GetUserByAlias(ctx, p.ID, a)
		noErr(t, err, "GetUserByAlias "+a)
		mustDiff(t, "GetUserByAlias "+a, want, got)
	}

	_, err = s.GetUser(ctx, p.ID, "Alice")
	wantErr(t, err, store.ErrNotFound, "GetUser by username instead of key")
	_, err = s.GetUserBySub(ctx, p.ID, "no-such-sub")
	wantErr(t, err, store.ErrNotFound, "GetUserBySub missing")
	_, err = s.GetUserByAlias(ctx, p.ID, "email:bob@example.com")
	wantErr(t, err, store.ErrNotFound, "GetUserByAlias missing")

	bare := &store.User{PoolID: p.ID, Username: "bare", Key: "bare", Sub: "sub-bare", Status: "UNCONFIRMED", CreatedAt: t0, UpdatedAt: t0}
	noErr(t, s.CreateUser(ctx, bare), "CreateUser without attributes")
	got, err = s.GetUser(ctx, p.ID, "bare")
	noErr(t, err, "GetUser bare")
	mustDiff(t, "GetUser bare", stored(bare), got)

	wantErr(t, s.CreateUser(ctx, user("eu-central-1_none", "x")), store.ErrNotFound, "CreateUser in a missing pool")
}

func testCreateUserConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-central-1_conflicts")
	first := newUser(t, s, p.ID, "first")

	sameKey := user(p.ID, "first")
	sameKey.Sub, sameKey.Aliases = "sub-other", []string{"email:free1"}
	wantErr(t, s.CreateUser(ctx, sameKey), store.ErrConflict, "CreateUser with a taken key")

	sameSub := user(p.ID, "second")
	sameSub.Sub, sameSub.Aliases = first.Sub, []string{"email:free2"}
	wantErr(t, s.CreateUser(ctx, sameSub), store.ErrConflict, "CreateUser with a taken sub")

	sameAlias := user(p.ID, "third")
	sameAlias.Aliases = []string{"email:free3", first.Aliases[0]}
	err := s.CreateUser(ctx, sameAlias)
	wantErr(t, err, store.ErrAliasConflict, "CreateUser with a taken alias")
	if errors.Is(err, store.ErrConflict) {
		t.Errorf("alias conflict %v also matches ErrConflict", err)
	}

	// The failed creations left nothing behind.
	for _, key := range []string{"second", "third"} {
		_, err := s.GetUser(ctx, p.ID, key)
		wantErr(t, err, store.ErrNotFound, "GetUser of a failed creation "+key)
	}
	for _, a := range []string{"email:free1", "email:free2", "email:free3"} {
		_, err := s.GetUserByAlias(ctx, p.ID, a)
		wantErr(t, err, store.ErrNotFound, "alias of a failed creation "+a)
	}
	got, err := s.GetUserByAlias(ctx, p.ID, first.Aliases[0])
	noErr(t, err, "GetUserByAlias of the first user")
	mustDiff(t, "first user after conflicts", stored(first), got)
	if n, err := s.CountUsers(ctx, p.ID); err != nil || n != 1 {
		t.Fatalf("CountUsers = %d, %v; want 1", n, err)
	}
	if got := findKeys(t, s, p.ID, store.UserFilter{Field: "email", Prefix: true}); len(got) != 1 {
		t.Fatalf("FindUsers by email after failed creations: %v", got)
	}

	// The freed names are usable.
	third := user(p.ID, "third")
	third.Aliases = []string{"email:free3"}
	noErr(t, s.CreateUser(ctx, third), "CreateUser with the names of failed creations")
}

func testUpdateUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-central-1_update")
	u := newUser(t, s, p.ID, "carol")
	u.Attributes["name"] = "Carol"
	u.Attributes["family_name"] = "Jones"
	got, err := s.UpdateUser(ctx, p.ID, "carol", func(u *store.User) error {
		u.Attributes["name"] = "Carol"
		u.Attributes["family_name"] = "Jones"
		return nil
	})
	noErr(t, err, "UpdateUser adding attributes")
	mustDiff(t, "UpdateUser adding attributes", stored(u), got)

	got, err = s.UpdateUser(ctx, p.ID, "carol", func(u *store.User) error {
		u.Status = "RESET_REQUIRED"
		u.Enabled = false
		u.Attributes["email"] = "carol@new.example"
		delete(u.Attributes, "name")
		u.Attributes["given_name"] = "Caz"
		u.Aliases = []string{"email:carol@new.example", "preferred_username:caz"}
		u.Password, u.PasswordSetAt = []byte("verifier"), at(3)
		u.UpdatedAt = at(4)
		// Immutable fields: ignored.
		u.PoolID, u.Username, u.Key, u.Sub, u.CreatedAt = "other", "other", "other", "other", at(5)
		return nil
	})
	noErr(t, err, "UpdateUser")
	want := stored(u)
	want.Status, want.Enabled = "RESET_REQUIRED", false
	want.Attributes = map[string]string{"sub": u.Sub, "email": "carol@new.example", "given_name": "Caz", "family_name": "Jones"}
	want.Aliases = []string{"email:carol@new.example", "preferred_username:caz"}
	want.Password, want.PasswordSetAt, want.UpdatedAt = []byte("verifier"), micro(at(3)), micro(at(4))
	mustDiff(t, "UpdateUser result", want, got)
	got, err = s.GetUser(ctx, p.ID, "carol")
	noErr(t, err, "GetUser after update")
	mustDiff(t, "GetUser after update", want, got)
	got, err = s.GetUserBySub(ctx, p.ID, u.Sub)
	noErr(t, err, "GetUserBySub after update")
	mustDiff(t, "GetUserBySub after update", want, got)

	_, err = s.GetUserByAlias(ctx, p.ID, "email:carol@example.com")
	wantErr(t, err, store.ErrNotFound, "old alias after update")
	for _, a := range want.Aliases {
		got, err := s.GetUserByAlias(ctx, p.ID, a)
		noErr(t, err, "new alias "+a)
		mustDiff(t, "GetUserByAlias "+a, want, got)
	}
	for _, tc := range []struct {
		f    store.UserFilter
		want []string
	}{
		{store.UserFilter{Field: "email", Value: "carol@example.com"}, nil},
		{store.UserFilter{Field: "email", Value: "carol@new.example"}, []string{"carol"}},
		{store.UserFilter{Field: "name", Value: "Carol"}, nil},
		{store.UserFilter{Field: "given_name", Value: "Caz"}, []string{"carol"}},
		{store.UserFilter{Field: "family_name", Value: "Jones"}, []string{"carol"}},
		{store.UserFilter{Field: store.FieldStatus, Value: "CONFIRMED"}, nil},
		{store.UserFilter{Field: store.FieldStatus, Value: "RESET_REQUIRED"}, []string{"carol"}},
		{store.UserFilter{Field: store.FieldEnabled, Value: "true"}, nil},
		{store.UserFilter{Field: store.FieldEnabled, Value: "false"}, []string{"carol"}},
	} {
		mustDiff(t, "FindUsers after update "+tc.f.Field+"="+tc.f.Value, tc.want, findKeys(t, s, p.ID, tc.f))
	}
	// The freed alias can be taken by another user.
	other := user(p.ID, "other")
	other.Aliases = []string{"email:carol@example.com"}
	noErr(t, s.CreateUser(ctx, other), "CreateUser with a freed alias")

	_, err = s.UpdateUser(ctx, p.ID, "carol", func(u *store.User) error {
		u.Attributes["email"] = "never@example.com"
		u.Aliases = nil
		return errBoom
	})
	wantErr(t, err, errBoom, "UpdateUser with failing fn")
	got, err = s.GetUser(ctx, p.ID, "carol")
	noErr(t, err, "GetUser after failed update")
	mustDiff(t, "GetUser after failed update", want, got)
	_, err = s.UpdateUser(ctx, p.ID, "nobody", func(*store.User) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdateUser missing")
}

func testUpdateUserAliasConflict(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-central-1_aliasconflict")
	a := newUser(t, s, p.ID, "a")
	b := newUser(t, s, p.ID, "b")
	_, err := s.UpdateUser(ctx, p.ID, "b", func(u *store.User) error {
		u.Status = "CHANGED"
		u.Attributes["email"] = "b@changed.example"
		u.Aliases = []string{"email:b@changed.example", a.Aliases[0]}
		return nil
	})
	wantErr(t, err, store.ErrAliasConflict, "UpdateUser taking another user's alias")

	got, err := s.GetUser(ctx, p.ID, "b")
	noErr(t, err, "GetUser b")
	mustDiff(t, "user after a failed update", stored(b), got)
	got, err = s.GetUserByAlias(ctx, p.ID, b.Aliases[0])
	noErr(t, err, "b's alias")
	mustDiff(t, "b's alias", stored(b), got)
	got, err = s.GetUserByAlias(ctx, p.ID, a.Aliases[0])
	noErr(t, err, "a's alias")
	mustDiff(t, "a's alias", stored(a), got)
	_, err = s.GetUserByAlias(ctx, p.ID, "email:b@changed.example")
	wantErr(t, err, store.ErrNotFound, "alias of a failed update")
	mustDiff(t, "FindUsers by the email of a failed update", []string(nil),
		findKeys(t, s, p.ID, store.UserFilter{Field: "email", Value: "b@changed.example"}))
	mustDiff(t, "FindUsers by the status of a failed update", []string(nil),
		findKeys(t, s, p.ID, store.UserFilter{Field: store.FieldStatus, Value: "CHANGED"}))

	// A user may keep their own aliases and reorder them.
	_, err = s.UpdateUser(ctx, p.ID, "a", func(u *store.User) error {
		u.Aliases = append([]string{"phone_number:+15555550123"}, u.Aliases...)
		return nil
	})
	noErr(t, err, "UpdateUser keeping an alias")
}

func testDeleteUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-central-1_delete")
	u := newUser(t, s, p.ID, "dave")
	keep := newUser(t, s, p.ID, "erin")
	for _, g := range []string{"admins", "staff"} {
		noErr(t, s.CreateGroup(ctx, &store.Group{PoolID: p.ID, Name: g, CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateGroup")
		noErr(t, s.AddUserToGroup(ctx, p.ID, u.Key, g), "AddUserToGroup")
		noErr(t, s.AddUserToGroup(ctx, p.ID, keep.Key, g), "AddUserToGroup")
	}

	noErr(t, s.DeleteUser(ctx, p.ID, u.Key), "DeleteUser")
	wantErr(t, s.DeleteUser(ctx, p.ID, u.Key), store.ErrNotFound, "DeleteUser twice")
	_, err := s.GetUser(ctx, p.ID, u.Key)
	wantErr(t, err, store.ErrNotFound, "GetUser after delete")
	_, err = s.GetUserBySub(ctx, p.ID, u.Sub)
	wantErr(t, err, store.ErrNotFound, "GetUserBySub after delete")
	_, err = s.GetUserByAlias(ctx, p.ID, u.Aliases[0])
	wantErr(t, err, store.ErrNotFound, "GetUserByAlias after delete")
	mustDiff(t, "FindUsers by email after delete", []string(nil),
		findKeys(t, s, p.ID, store.UserFilter{Field: "email", Value: u.Attributes["email"]}))
	mustDiff(t, "FindUsers after delete", []string{"erin"}, findKeys(t, s, p.ID, store.UserFilter{}))
	for _, g := range []string{"admins", "staff"} {
		members, _, err := s.ListUsersInGroup(ctx, p.ID, g, store.Page{Limit: 10})
		noErr(t, err, "ListUsersInGroup")
		mustDiff(t, "members of "+g+" after delete", []string{"erin"}, userKeys(members))
	}

	// Everything the user held is free again; memberships did not survive.
	again := newUser(t, s, p.ID, "dave")
	groups, _, err := s.ListGroupsForUser(ctx, p.ID, again.Key, store.Page{Limit: 10})
	noErr(t, err, "ListGroupsForUser")
	mustDiff(t, "groups of a re-created user", []string(nil), groupNames(groups))
	got, err := s.GetUserByAlias(ctx, p.ID, u.Aliases[0])
	noErr(t, err, "GetUserByAlias of the re-created user")
	mustDiff(t, "re-created user", stored(again), got)
}

func testCountUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-central-1_count")
	other := newPool(t, s, "eu-central-1_countother")
	count := func(want int64) {
		t.Helper()
		n, err := s.CountUsers(ctx, p.ID)
		noErr(t, err, "CountUsers")
		if n != want {
			t.Fatalf("CountUsers = %d, want %d", n, want)
		}
	}
	count(0)
	for i := range 5 {
		newUser(t, s, p.ID, keyf("u%d", i))
		newUser(t, s, other.ID, keyf("u%d", i))
	}
	newUser(t, s, other.ID, "extra")
	count(5)
	noErr(t, s.DeleteUser(ctx, p.ID, "u3"), "DeleteUser")
	count(4)
	// A rolled-back creation is not counted.
	errRollback := errors.New("roll back")
	err := s.Tx(ctx, func(tx store.Store) error {
		newUser(t, tx, p.ID, "rolled-back")
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("Tx = %v", err)
	}
	count(4)
	// A deleted and re-created pool starts from zero.
	noErr(t, s.DeletePool(ctx, p.ID), "DeletePool")
	p = newPool(t, s, p.ID)
	count(0)
	if n, err := s.CountUsers(ctx, "eu-central-1_none"); err != nil || n != 0 {
		t.Fatalf("CountUsers of a missing pool = %d, %v", n, err)
	}
}

// testUserState checks that the state document goes wherever a user goes:
// every read returns it, and UpdateUser changes it or keeps it.
func testUserState(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-central-1_state")
	u := newUser(t, s, p.ID, "stateful")
	plain := user(p.ID, "plain")
	plain.State = nil
	noErr(t, s.CreateUser(ctx, plain), "CreateUser without state")
	noErr(t, s.CreateGroup(ctx, &store.Group{PoolID: p.ID, Name: "g", CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateGroup")
	noErr(t, s.AddUserToGroup(ctx, p.ID, u.Key, "g"), "AddUserToGroup")
	noErr(t, s.AddUserToGroup(ctx, p.ID, plain.Key, "g"), "AddUserToGroup")

	check := func(what string, want ...*store.User) {
		t.Helper()
		var all []store.User
		for _, w := range want {
			got, err := s.GetUser(ctx, p.ID, w.Key)
			noErr(t, err, what+": GetUser")
			mustDiff(t, what+": GetUser "+w.Key, stored(w), got)
			got, err = s.GetUserBySub(ctx, p.ID, w.Sub)
			noErr(t, err, what+": GetUserBySub")
			mustDiff(t, what+": GetUserBySub "+w.Key, stored(w), got)
			got, err = s.GetUserByAlias(ctx, p.ID, w.Aliases[0])
			noErr(t, err, what+": GetUserByAlias")
			mustDiff(t, what+": GetUserByAlias "+w.Key, stored(w), got)
			found, _, err := s.FindUsers(ctx, p.ID, store.UserFilter{Field: store.FieldSub, Value: w.Sub}, store.Page{Limit: 10})
			noErr(t, err, what+": FindUsers")
			mustDiff(t, what+": FindUsers "+w.Key, []store.User{*stored(w)}, found)
			all = append(all, *stored(w))
		}
		members, _, err := s.ListUsersInGroup(ctx, p.ID, "g", store.Page{Limit: 10})
		noErr(t, err, what+": ListUsersInGroup")
		mustDiff(t, what+": ListUsersInGroup", all, members)
	}
	check("created", plain, u)

	// An update that leaves the state alone keeps it.
	_, err := s.UpdateUser(ctx, p.ID, u.Key, func(u *store.User) error { u.Status = "RESET_REQUIRED"; return nil })
	noErr(t, err, "UpdateUser")
	u.Status = "RESET_REQUIRED"
	check("after an update of the status", plain, u)

	// The updater works on a copy: a failed update changes nothing.
	_, err = s.UpdateUser(ctx, p.ID, u.Key, func(u *store.User) error {
		u.State[0] = 'x'
		return errBoom
	})
	wantErr(t, err, errBoom, "UpdateUser with failing fn")
	check("after a failed update", plain, u)

	got, err := s.UpdateUser(ctx, p.ID, u.Key, func(u *store.User) error {
		u.State = append(u.State, `{"failed":3}`...)
		return nil
	})
	noErr(t, err, "UpdateUser changing the state")
	u.State = append(u.State, `{"failed":3}`...)
	mustDiff(t, "UpdateUser result", stored(u), got)
	got, err = s.UpdateUser(ctx, p.ID, plain.Key, func(u *store.User) error {
		u.State = []byte("\x00first state")
		return nil
	})
	noErr(t, err, "UpdateUser setting a state")
	plain.State = []byte("\x00first state")
	mustDiff(t, "UpdateUser result", stored(plain), got)
	check("after updates of the state", plain, u)

	_, err = s.UpdateUser(ctx, p.ID, u.Key, func(u *store.User) error { u.State = nil; return nil })
	noErr(t, err, "UpdateUser clearing the state")
	u.State = nil
	check("after the state was cleared", plain, u)
	if got, err := s.GetUser(ctx, p.ID, u.Key); err != nil || len(got.State) != 0 {
		t.Fatalf("GetUser after the state was cleared: State %q, %v", got.State, err)
	}
}

// testDeleteUserSignInState checks that a user's sessions, codes and
// refresh tokens go with the user, and nobody else's.
func testDeleteUserSignInState(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-central-1_signin")
	gone := newUser(t, s, p.ID, "gone")
	kept := newUser(t, s, p.ID, "kept")
	for _, u := range []*store.User{gone, kept} {
		for i, purpose := range []string{"confirm", "reset"} {
			noErr(t, s.CreateSession(ctx, session(p.ID, u.Sub, u.Key+keyf("-session%d", i), i)), "CreateSession")
			noErr(t, s.PutCode(ctx, code(p.ID, u.Sub, purpose, i)), "PutCode")
			noErr(t, s.CreateRefreshToken(ctx, refreshToken(p.ID, u.Sub, u.Key+keyf("-fam%d", i), u.Key+keyf("-rt%d", i), i)),
				"CreateRefreshToken")
		}
	}

	noErr(t, s.DeleteUser(ctx, p.ID, gone.Key), "DeleteUser")
	for i, purpose := range []string{"confirm", "reset"} {
		if hasSession(t, s, gone.Key+keyf("-session%d", i)) {
			t.Errorf("session %d of a deleted user survived", i)
		}
		if hasCode(t, s, p.ID, gone.Sub, purpose) {
			t.Errorf("code %s of a deleted user survived", purpose)
		}
		if hasToken(t, s, gone.Key+keyf("-rt%d", i)) {
			t.Errorf("refresh token %d of a deleted user survived", i)
		}
		if !familyRevoked(t, s, p.ID, gone.Key+keyf("-fam%d", i)) {
			t.Errorf("FamilyRevoked of a deleted user's family %d = false", i)
		}

		if !hasSession(t, s, kept.Key+keyf("-session%d", i)) || !hasCode(t, s, p.ID, kept.Sub, purpose) ||
			!hasToken(t, s, kept.Key+keyf("-rt%d", i)) || familyRevoked(t, s, p.ID, kept.Key+keyf("-fam%d", i)) {
			t.Errorf("DeleteUser took sign-in state %d of another user", i)
		}
	}

	// A user re-created with the same sub starts without any, and the IDs
	// are free again.
	again := newUser(t, s, p.ID, "gone")
	if hasCode(t, s, p.ID, again.Sub, "confirm") {
		t.Fatal("a re-created user has the code of the deleted one")
	}
	if !familyRevoked(t, s, p.ID, "gone-fam0") {
		t.Fatal("a re-created user revived the family of the deleted one")
	}
	noErr(t, s.CreateSession(ctx, session(p.ID, again.Sub, "gone-session0", 0)), "CreateSession with a freed ID")
	noErr(t, s.CreateRefreshToken(ctx, refreshToken(p.ID, again.Sub, "gone-fam9", "gone-rt0", 0)), "CreateRefreshToken with a freed ID")
}
