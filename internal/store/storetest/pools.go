package storetest

import (
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/store"
)

func testPools(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-east-1_pool")
	wantErr(t, s.CreatePool(ctx, &store.Pool{ID: p.ID, Name: "again", CreatedAt: t0, UpdatedAt: t0}), store.ErrConflict, "CreatePool twice")

	if p.Rev == 0 {
		t.Fatal("CreatePool left Rev zero")
	}
	want := &store.Pool{ID: p.ID, Name: p.Name, Config: p.Config, CreatedAt: micro(t0), UpdatedAt: micro(t0), Rev: p.Rev}
	got, err := s.GetPool(ctx, p.ID)
	noErr(t, err, "GetPool")
	mustDiff(t, "GetPool", want, got)
	_, err = s.GetPool(ctx, "us-east-1_none")
	wantErr(t, err, store.ErrNotFound, "GetPool missing")

	got, err = s.UpdatePool(ctx, p.ID, func(p *store.Pool) error {
		p.Name = "renamed"
		p.Config = []byte(`{"v":2}`)
		p.UpdatedAt = at(1)
		p.ID = "us-east-1_other" // ignored
		p.CreatedAt = at(2)      // ignored
		p.Rev = 7                // ignored
		return nil
	})
	noErr(t, err, "UpdatePool")
	if got.Rev == 0 || got.Rev == 7 || got.Rev == want.Rev {
		t.Fatalf("UpdatePool Rev = %d, want a new one (was %d)", got.Rev, want.Rev)
	}
	want = &store.Pool{ID: p.ID, Name: "renamed", Config: []byte(`{"v":2}`), CreatedAt: micro(t0), UpdatedAt: micro(at(1)), Rev: got.Rev}
	mustDiff(t, "UpdatePool result", want, got)
	got, err = s.GetPool(ctx, p.ID)
	noErr(t, err, "GetPool after update")
	mustDiff(t, "GetPool after update", want, got)
	_, err = s.GetPool(ctx, "us-east-1_other")
	wantErr(t, err, store.ErrNotFound, "GetPool of the ID fn tried to set")

	_, err = s.UpdatePool(ctx, p.ID, func(p *store.Pool) error {
		p.Name = "not written"
		return errBoom
	})
	wantErr(t, err, errBoom, "UpdatePool with failing fn")
	got, err = s.GetPool(ctx, p.ID)
	noErr(t, err, "GetPool after failed update")
	mustDiff(t, "GetPool after failed update", want, got)
	_, err = s.UpdatePool(ctx, "us-east-1_none", func(*store.Pool) error { return nil })
	wantErr(t, err, store.ErrNotFound, "UpdatePool missing")

	noErr(t, s.DeletePool(ctx, p.ID), "DeletePool")
	_, err = s.GetPool(ctx, p.ID)
	wantErr(t, err, store.ErrNotFound, "GetPool after delete")
	wantErr(t, s.DeletePool(ctx, p.ID), store.ErrNotFound, "DeletePool twice")
}

// testUserWithPoolRev checks that a user, or a page of users, is read with
// its pool's current revision, which every pool write changes, and that a
// pool deleted and re-created under its ID gets a new one.
func testUserWithPoolRev(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-east-1_rev")
	u := newUser(t, s, p.ID, "alice")
	got, rev, err := s.GetUserWithPoolRev(ctx, p.ID, "alice")
	noErr(t, err, "GetUserWithPoolRev")
	mustDiff(t, "GetUserWithPoolRev", stored(u), got)
	if rev != p.Rev {
		t.Fatalf("GetUserWithPoolRev rev = %d, want the pool's %d", rev, p.Rev)
	}
	_, _, err = s.GetUserWithPoolRev(ctx, p.ID, "bob")
	wantErr(t, err, store.ErrNotFound, "GetUserWithPoolRev missing user")
	findRev := func(what string, f store.UserFilter, want []*store.User, wantRev int64) {
		t.Helper()
		us, next, rev, err := s.FindUsersWithPoolRev(ctx, p.ID, f, store.Page{Limit: 10})
		noErr(t, err, what)
		if len(us) != len(want) || next != "" || rev != wantRev {
			t.Fatalf("%s: %d users, next %q, rev %d; want %d users, no next page, rev %d", what, len(us), next, rev, len(want), wantRev)
		}
		for i := range want {
			mustDiff(t, what, stored(want[i]), &us[i])
		}
	}
	findRev("FindUsersWithPoolRev", store.UserFilter{}, []*store.User{u}, p.Rev)
	findRev("FindUsersWithPoolRev by username", store.UserFilter{Field: store.FieldUsername, Value: "alice"}, []*store.User{u}, p.Rev)
	findRev("FindUsersWithPoolRev empty page", store.UserFilter{Field: store.FieldUsername, Value: "bob"}, nil, 0)
	_, _, err = s.GetUserWithPoolRev(ctx, "us-east-1_none", "alice")
	wantErr(t, err, store.ErrNotFound, "GetUserWithPoolRev missing pool")

	up, err := s.UpdatePool(ctx, p.ID, func(p *store.Pool) error { return nil })
	noErr(t, err, "UpdatePool")
	_, rev, err = s.GetUserWithPoolRev(ctx, p.ID, "alice")
	noErr(t, err, "GetUserWithPoolRev after UpdatePool")
	if rev != up.Rev || rev == p.Rev {
		t.Fatalf("GetUserWithPoolRev after UpdatePool rev = %d, want %d (not the old %d)", rev, up.Rev, p.Rev)
	}
	findRev("FindUsersWithPoolRev after UpdatePool", store.UserFilter{Field: "email", Value: u.Attributes["email"]}, []*store.User{u}, up.Rev)

	noErr(t, s.DeletePool(ctx, p.ID), "DeletePool")
	again := newPool(t, s, p.ID)
	newUser(t, s, p.ID, "alice")
	_, rev, err = s.GetUserWithPoolRev(ctx, p.ID, "alice")
	noErr(t, err, "GetUserWithPoolRev after re-create")
	if rev != again.Rev || rev == up.Rev || rev == p.Rev {
		t.Fatalf("GetUserWithPoolRev of a re-created pool rev = %d, want its own %d", rev, again.Rev)
	}
}

func testListPools(t *testing.T, s store.Store) {
	ctx := t.Context()
	pools, next, err := s.ListPools(ctx, store.Page{Limit: 10})
	noErr(t, err, "ListPools empty")
	if len(pools) != 0 || next != "" {
		t.Fatalf("ListPools on an empty store: %d pools, cursor %q", len(pools), next)
	}
	var want []string
	for _, i := range []int{5, 3, 9, 0, 7, 1, 8, 2, 6, 4} {
		want = append(want, newPool(t, s, keyf("eu-west-1_p%02d", i)).ID)
	}
	want = sorted(want)
	for _, limit := range []int{1, 3, 10, 11} {
		got := walk(t, limit, func(pg store.Page) ([]store.Pool, string, error) { return s.ListPools(ctx, pg) })
		ids := make([]string, len(got))
		for i, p := range got {
			ids[i] = p.ID
			if !p.CreatedAt.Equal(micro(t0)) {
				t.Errorf("ListPools: pool %s CreatedAt = %v", p.ID, p.CreatedAt)
			}
		}
		mustDiff(t, keyf("ListPools ids, limit %d", limit), want, ids)
	}
}

func testTimestamps(t *testing.T, s store.Store) {
	ctx := t.Context()
	utc := func(what string, tm time.Time, want time.Time) {
		t.Helper()
		if !tm.Equal(micro(want)) {
			t.Errorf("%s = %v, want %v", what, tm, micro(want))
		}
		if tm.Location() != time.UTC {
			t.Errorf("%s is in %v, want UTC", what, tm.Location())
		}
	}
	p := newPool(t, s, "ap-south-1_time")
	gp, err := s.GetPool(ctx, p.ID)
	noErr(t, err, "GetPool")
	utc("Pool.CreatedAt", gp.CreatedAt, t0)
	utc("Pool.UpdatedAt", gp.UpdatedAt, t0)

	c := &store.Client{PoolID: p.ID, ID: "timeclient", Name: "c", CreatedAt: at(1), UpdatedAt: at(2),
		Secrets: []store.ClientSecret{{ID: "s1", Sealed: []byte{1}, CreatedAt: at(3)}}}
	noErr(t, s.CreateClient(ctx, c, noLimit), "CreateClient")
	gc, err := s.GetClient(ctx, p.ID, c.ID)
	noErr(t, err, "GetClient")
	utc("Client.CreatedAt", gc.CreatedAt, at(1))
	utc("Client.UpdatedAt", gc.UpdatedAt, at(2))
	utc("ClientSecret.CreatedAt", gc.Secrets[0].CreatedAt, at(3))

	u := user(p.ID, "timeuser")
	u.Password, u.PasswordSetAt = []byte("sealed"), at(4)
	noErr(t, s.CreateUser(ctx, u), "CreateUser")
	gu, err := s.GetUser(ctx, p.ID, u.Key)
	noErr(t, err, "GetUser")
	utc("User.CreatedAt", gu.CreatedAt, t0)
	utc("User.PasswordSetAt", gu.PasswordSetAt, at(4))
	nopw := newUser(t, s, p.ID, "nopassword")
	gu, err = s.GetUser(ctx, p.ID, nopw.Key)
	noErr(t, err, "GetUser")
	if !gu.PasswordSetAt.IsZero() || gu.Password != nil {
		t.Errorf("user without a password: Password %v, PasswordSetAt %v", gu.Password, gu.PasswordSetAt)
	}

	g := &store.Group{PoolID: p.ID, Name: "g", CreatedAt: at(5), UpdatedAt: at(6)}
	noErr(t, s.CreateGroup(ctx, g, noLimit), "CreateGroup")
	gg, err := s.GetGroup(ctx, p.ID, g.Name)
	noErr(t, err, "GetGroup")
	utc("Group.CreatedAt", gg.CreatedAt, at(5))
	utc("Group.UpdatedAt", gg.UpdatedAt, at(6))

	noErr(t, s.EnqueueMessage(ctx, &store.Message{ID: "m", PoolID: p.ID, CreatedAt: at(7)}), "EnqueueMessage")
	ms, err := s.PendingMessages(ctx, 1)
	noErr(t, err, "PendingMessages")
	utc("Message.CreatedAt", ms[0].CreatedAt, at(7))

	noErr(t, s.CreateSession(ctx, &store.Session{ID: "time-session", PoolID: p.ID, Sub: u.Sub, CreatedAt: at(8), ExpiresAt: at(9)}),
		"CreateSession")
	gs, err := s.GetSession(ctx, "time-session")
	noErr(t, err, "GetSession")
	utc("Session.CreatedAt", gs.CreatedAt, at(8))
	utc("Session.ExpiresAt", gs.ExpiresAt, at(9))

	noErr(t, s.PutCode(ctx, &store.Code{PoolID: p.ID, Sub: u.Sub, Purpose: "p", CreatedAt: at(10), ExpiresAt: at(11)}), "PutCode")
	gc2, err := s.UpdateCode(ctx, p.ID, u.Sub, "p", func(c *store.Code) error { c.ExpiresAt = at(12); return nil })
	noErr(t, err, "UpdateCode")
	utc("Code.ExpiresAt returned by UpdateCode", gc2.ExpiresAt, at(12))
	gc2, err = s.GetCode(ctx, p.ID, u.Sub, "p")
	noErr(t, err, "GetCode")
	utc("Code.CreatedAt", gc2.CreatedAt, at(10))
	utc("Code.ExpiresAt", gc2.ExpiresAt, at(12))

	noErr(t, s.CreateRefreshToken(ctx, &store.RefreshToken{ID: "time-rt", Family: "f", PoolID: p.ID, Sub: u.Sub,
		AuthTime: at(13), CreatedAt: at(14), ExpiresAt: at(15)}), "CreateRefreshToken")
	gt, err := s.UpdateRefreshToken(ctx, "time-rt", func(tok *store.RefreshToken) error { tok.RotatedAt = at(16); return nil })
	noErr(t, err, "UpdateRefreshToken")
	utc("RefreshToken.RotatedAt returned by UpdateRefreshToken", gt.RotatedAt, at(16))
	gt, err = s.GetRefreshToken(ctx, "time-rt")
	noErr(t, err, "GetRefreshToken")
	utc("RefreshToken.AuthTime", gt.AuthTime, at(13))
	utc("RefreshToken.CreatedAt", gt.CreatedAt, at(14))
	utc("RefreshToken.ExpiresAt", gt.ExpiresAt, at(15))
	utc("RefreshToken.RotatedAt", gt.RotatedAt, at(16))

	// The instant, not the zone, is what is stored.
	zoned := time.Date(2030, 12, 31, 23, 59, 59, 999999999, time.FixedZone("UTC-11", -11*3600))
	_, err = s.UpdatePool(ctx, p.ID, func(p *store.Pool) error { p.UpdatedAt = zoned; return nil })
	noErr(t, err, "UpdatePool")
	gp, err = s.GetPool(ctx, p.ID)
	noErr(t, err, "GetPool")
	utc("Pool.UpdatedAt across a date line", gp.UpdatedAt, zoned)
}

func testPoolQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	const prefix = "me-central-1_"
	newPool(t, s, prefix+"quota1")
	newPool(t, s, prefix+"quota2")
	newPool(t, s, "me-south-1_quota3")
	wantErr(t, s.ClaimPoolQuota(ctx, prefix, 2), store.ErrLimit, "ClaimPoolQuota at the limit")
	noErr(t, s.ClaimPoolQuota(ctx, prefix, 3), "ClaimPoolQuota below the limit")
	create := func(id string) error {
		return s.Tx(ctx, func(tx store.Store) error {
			if err := tx.ClaimPoolQuota(ctx, prefix, 3); err != nil {
				return err
			}
			return tx.CreatePool(ctx, &store.Pool{ID: id, Name: id, CreatedAt: t0, UpdatedAt: t0})
		})
	}
	noErr(t, create(prefix+"quota4"), "CreatePool up to the limit")
	wantErr(t, create(prefix+"quota5"), store.ErrLimit, "CreatePool past the limit")
	if _, err := s.GetPool(ctx, prefix+"quota5"); err == nil {
		t.Error("the pool past the limit was stored")
	}
}
