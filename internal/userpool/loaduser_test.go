package userpool

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
)

// countingStore is a real store that counts the pool reads made through it.
type countingStore struct {
	store.Store
	gets int
}

func (s *countingStore) GetPool(ctx context.Context, id string) (*store.Pool, error) {
	s.gets++
	return s.Store.GetPool(ctx, id)
}

// LoadUser serves a memoized pool without reading it only while the pool's
// revision is unchanged: a change made elsewhere (another replica, another
// memo) is seen at once, as is a pool deleted and re-created under its ID.
func TestLoadUserNeverStale(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := &countingStore{Store: db}
	const id = "us-east-1_rev"
	create := func(mfa string) {
		t.Helper()
		s, err := NewSettings(&model.CreateUserPoolRequest{PoolName: "p"})
		if err != nil {
			t.Fatal(err)
		}
		s.MfaConfiguration = mfa
		cfg, _ := Encode(s)
		now := time.Unix(1700000000, 0)
		if err := db.CreatePool(ctx, &store.Pool{ID: id, Name: "p", Config: cfg, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		u := &store.User{PoolID: id, Username: "alice", Key: "alice", Sub: "sub-" + mfa,
			Status: "CONFIRMED", Enabled: true,
			Attributes: map[string]string{"locale": mfa}, CreatedAt: now, UpdatedAt: now}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	m := NewMemo(4)
	check := func(what, wantMFA, wantName string, wantGets int) {
		t.Helper()
		st.gets = 0
		p, u, err := m.LoadUser(ctx, st, id, "alice")
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if p.Settings.MfaConfiguration != wantMFA || p.Name != wantName || u.Attributes["locale"] != wantMFA {
			t.Errorf("%s: pool %s %q, user %s; want %s %q", what, p.Settings.MfaConfiguration, p.Name, u.Attributes["locale"], wantMFA, wantName)
		}
		if st.gets != wantGets {
			t.Errorf("%s: %d pool reads, want %d", what, st.gets, wantGets)
		}
	}
	create("OFF")
	check("first load", "OFF", "p", 1)
	check("memoized", "OFF", "p", 0)

	// Another replica changes the settings: the memo's revision is stale.
	_, err = db.UpdatePool(ctx, id, func(p *store.Pool) error {
		s, err := Decode(p)
		if err != nil {
			return err
		}
		s.Settings.MfaConfiguration = "OPTIONAL"
		p.Config, err = Encode(&s.Settings)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// (The user's locale names the MFA setting of its pool.)
	if _, err := db.UpdateUser(ctx, id, "alice", func(u *store.User) error { u.Attributes["locale"] = "OPTIONAL"; return nil }); err != nil {
		t.Fatal(err)
	}
	check("after a settings change", "OPTIONAL", "p", 1)
	check("memoized again", "OPTIONAL", "p", 0)

	// A rename keeps the settings bytes but not the revision.
	if _, err := db.UpdatePool(ctx, id, func(p *store.Pool) error { p.Name = "q"; return nil }); err != nil {
		t.Fatal(err)
	}
	check("after a rename", "OPTIONAL", "q", 1)
	check("renamed, memoized", "OPTIONAL", "q", 0)

	// Deleted and re-created under the same ID with other settings.
	if err := db.DeletePool(ctx, id); err != nil {
		t.Fatal(err)
	}
	create("ON")
	check("after re-create", "ON", "p", 1)

	// Errors are those of Load and FindUser.
	if _, _, err := m.LoadUser(ctx, st, id, "bob"); !isType[*model.UserNotFoundException](err) {
		t.Errorf("missing user: %v", err)
	}
	if _, _, err := m.LoadUser(ctx, st, "us-east-1_none", "alice"); !isType[*model.ResourceNotFoundException](err) {
		t.Errorf("missing pool: %v", err)
	}
	if err := db.DeletePool(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.LoadUser(ctx, st, id, "alice"); !isType[*model.ResourceNotFoundException](err) {
		t.Errorf("deleted memoized pool: %v", err)
	}
}

// newPoolStore opens a SQLite store holding one pool, named "p", with the
// default settings; st counts the pool reads made through it.
func newPoolStore(t *testing.T, id string) (db store.Store, st *countingStore) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := NewSettings(&model.CreateUserPoolRequest{PoolName: "p"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := Encode(s)
	now := time.Unix(1700000000, 0)
	if err := db.CreatePool(t.Context(), &store.Pool{ID: id, Name: "p", Config: cfg, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return db, &countingStore{Store: db}
}

func isType[T error](err error) bool {
	_, ok := errors.AsType[T](err)
	return ok
}

// Read keeps a result read with the memoized pool only when the revision
// the read saw is the memoized one, confirms a read that saw none with
// one pool read, and runs read again with the loaded pool otherwise, so an
// error always comes from the current pool.
func TestReadRevisions(t *testing.T) {
	ctx := t.Context()
	const id = "us-east-1_read"
	db, st := newPoolStore(t, id)
	m := NewMemo(4)
	rev := func() int64 {
		rec, err := db.GetPool(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return rec.Rev
	}
	// runs records the fresh flag of each call of read.
	var runs []bool
	check := func(what string, saw func(fresh bool) (int64, error), wantRuns []bool, wantGets int, wantErr bool) {
		t.Helper()
		runs, st.gets = nil, 0
		_, err := m.Read(ctx, st, id, func(p *Pool, fresh bool) (int64, error) {
			runs = append(runs, fresh)
			return saw(fresh)
		})
		if (err != nil) != wantErr {
			t.Errorf("%s: error %v, want error %v", what, err, wantErr)
		}
		if !slices.Equal(runs, wantRuns) || st.gets != wantGets {
			t.Errorf("%s: runs %v with %d pool reads; want %v with %d", what, runs, st.gets, wantRuns, wantGets)
		}
	}
	current := func(bool) (int64, error) { return rev(), nil }
	check("not memoized", current, []bool{true}, 1, false)
	check("memoized, revision seen", current, []bool{false}, 0, false)
	check("memoized, no revision seen", func(bool) (int64, error) { return 0, nil }, []bool{false}, 1, false)
	check("memoized, read failed", func(fresh bool) (int64, error) {
		if !fresh {
			return 0, errors.New("optimistic failure")
		}
		return 0, nil
	}, []bool{false, true}, 1, false)
	check("memoized, error in both runs", func(bool) (int64, error) { return 0, errors.New("bad input") }, []bool{false, true}, 1, true)

	if _, err := db.UpdatePool(ctx, id, func(p *store.Pool) error { return nil }); err != nil {
		t.Fatal(err)
	}
	check("revision moved, seen by the read", current, []bool{false, true}, 1, false)
	if _, err := db.UpdatePool(ctx, id, func(p *store.Pool) error { return nil }); err != nil {
		t.Fatal(err)
	}
	check("revision moved, no revision seen", func(bool) (int64, error) { return 0, nil }, []bool{false, true}, 1, false)

	if err := db.DeletePool(ctx, id); err != nil {
		t.Fatal(err)
	}
	runs = nil
	if _, err := m.Read(ctx, st, id, func(p *Pool, fresh bool) (int64, error) {
		runs = append(runs, fresh)
		return 0, nil
	}); !isType[*model.ResourceNotFoundException](err) || !slices.Equal(runs, []bool{false}) {
		t.Errorf("deleted pool: %v after runs %v", err, runs)
	}
}

// LoadAt serves the memoized pool only at the revision it was memoized at.
func TestLoadAt(t *testing.T) {
	ctx := t.Context()
	const id = "us-east-1_at"
	db, st := newPoolStore(t, id)
	rec, err := db.GetPool(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMemo(4)
	for _, c := range []struct {
		what     string
		rev      int64
		wantGets int
	}{
		{"not memoized", rec.Rev, 1},
		{"memoized at rev", rec.Rev, 0},
		{"another revision", rec.Rev + 1, 1},
		{"no revision", 0, 1},
	} {
		st.gets = 0
		p, err := m.LoadAt(ctx, st, id, c.rev)
		if err != nil || p.Name != "p" || st.gets != c.wantGets {
			t.Errorf("%s: pool %v, error %v, %d pool reads; want %d", c.what, p, err, st.gets, c.wantGets)
		}
	}
	if _, err := m.LoadAt(ctx, st, "us-east-1_none", 7); !isType[*model.ResourceNotFoundException](err) {
		t.Errorf("missing pool: %v", err)
	}
}
