package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// seedInTx creates a pool with a user, a group, a membership, a client, a
// message, and a session, a code and a refresh token of the user through tx.
func seedInTx(t *testing.T, tx store.Store, poolID string) error {
	ctx := t.Context()
	p := &store.Pool{ID: poolID, Name: "tx", CreatedAt: t0, UpdatedAt: t0}
	if err := tx.CreatePool(ctx, p); err != nil {
		return err
	}
	if err := tx.CreateUser(ctx, user(poolID, "txuser")); err != nil {
		return err
	}
	if err := tx.CreateGroup(ctx, &store.Group{PoolID: poolID, Name: "txgroup", CreatedAt: t0, UpdatedAt: t0}, noLimit); err != nil {
		return err
	}
	if err := tx.AddUserToGroup(ctx, poolID, "txuser", "txgroup"); err != nil {
		return err
	}
	if err := tx.CreateClient(ctx, &store.Client{PoolID: poolID, ID: poolID + "-client", CreatedAt: t0, UpdatedAt: t0}, noLimit); err != nil {
		return err
	}
	if err := tx.EnqueueMessage(ctx, &store.Message{ID: poolID + "-msg", PoolID: poolID, CreatedAt: t0}); err != nil {
		return err
	}
	if err := tx.CreateSession(ctx, session(poolID, "sub-txuser", poolID+"-session", 0)); err != nil {
		return err
	}
	if err := tx.PutCode(ctx, code(poolID, "sub-txuser", "confirm", 0)); err != nil {
		return err
	}
	return tx.CreateRefreshToken(ctx, refreshToken(poolID, "sub-txuser", "fam", poolID+"-rt", 0))
}

// seeded reports whether everything seedInTx creates exists; it fails the
// test when only some of it does.
func seeded(t *testing.T, s store.Store, poolID string) bool {
	t.Helper()
	ctx := t.Context()
	var found []string
	if _, err := s.GetPool(ctx, poolID); err == nil {
		found = append(found, "pool")
	}
	if _, err := s.GetUser(ctx, poolID, "txuser"); err == nil {
		found = append(found, "user")
	}
	if _, err := s.GetUserByAlias(ctx, poolID, "email:txuser@example.com"); err == nil {
		found = append(found, "alias")
	}
	if keys := findKeys(t, s, poolID, store.UserFilter{Field: "email", Value: "txuser@example.com"}); len(keys) == 1 {
		found = append(found, "indexed attribute")
	}
	if _, err := s.GetGroup(ctx, poolID, "txgroup"); err == nil {
		found = append(found, "group")
	}
	if gs, _, err := s.ListGroupsForUser(ctx, poolID, "txuser", store.Page{Limit: 10}); err == nil && len(gs) == 1 {
		found = append(found, "membership")
	}
	if _, err := s.GetClientByID(ctx, poolID+"-client"); err == nil {
		found = append(found, "client")
	}
	ms, err := s.PendingMessages(ctx, 1000)
	noErr(t, err, "PendingMessages")
	for _, m := range ms {
		if m.ID == poolID+"-msg" {
			found = append(found, "message")
		}
	}
	if _, err := s.GetSession(ctx, poolID+"-session"); err == nil {
		found = append(found, "session")
	}
	if _, err := s.GetCode(ctx, poolID, "sub-txuser", "confirm"); err == nil {
		found = append(found, "code")
	}
	if _, err := s.GetRefreshToken(ctx, poolID+"-rt"); err == nil {
		found = append(found, "refresh token")
	}
	switch len(found) {
	case 0:
		return false
	case 11:
		return true
	}
	t.Fatalf("pool %s is half there: found only %v", poolID, found)
	return false
}

func testTxCommit(t *testing.T, s store.Store) {
	ctx := t.Context()
	noErr(t, s.Tx(ctx, func(tx store.Store) error {
		if err := seedInTx(t, tx, "us-east-2_commit"); err != nil {
			return err
		}
		if !seeded(t, tx, "us-east-2_commit") {
			t.Error("a transaction does not see its own writes")
		}
		_, err := tx.UpdateUser(ctx, "us-east-2_commit", "txuser", func(u *store.User) error {
			u.Status = "UPDATED_IN_TX"
			return nil
		})
		return err
	}), "Tx")
	if !seeded(t, s, "us-east-2_commit") {
		t.Fatal("committed writes are missing")
	}
	u, err := s.GetUser(ctx, "us-east-2_commit", "txuser")
	noErr(t, err, "GetUser")
	if u.Status != "UPDATED_IN_TX" {
		t.Fatalf("Status = %q, want the value updated in the transaction", u.Status)
	}
}

func testTxRollback(t *testing.T, s store.Store) {
	ctx := t.Context()
	newPool(t, s, "us-east-2_existing")
	newUser(t, s, "us-east-2_existing", "old")
	err := s.Tx(ctx, func(tx store.Store) error {
		if err := seedInTx(t, tx, "us-east-2_rollback"); err != nil {
			return err
		}
		if _, err := tx.UpdateUser(ctx, "us-east-2_existing", "old", func(u *store.User) error {
			u.Status = "ROLLED_BACK"
			return nil
		}); err != nil {
			return err
		}
		if err := tx.DeleteUser(ctx, "us-east-2_existing", "old"); err != nil {
			return err
		}
		return errBoom
	})
	wantErr(t, err, errBoom, "Tx returning an error")
	if seeded(t, s, "us-east-2_rollback") {
		t.Fatal("writes of a rolled-back transaction are visible")
	}
	got, err := s.GetUser(ctx, "us-east-2_existing", "old")
	noErr(t, err, "GetUser of a user deleted in a rolled-back transaction")
	mustDiff(t, "user after rollback", stored(user("us-east-2_existing", "old")), got)
	// Names used in the rolled-back transaction are free.
	noErr(t, s.Tx(ctx, func(tx store.Store) error { return seedInTx(t, tx, "us-east-2_rollback") }), "Tx reusing the names")
}

func testTxNested(t *testing.T, s store.Store) {
	ctx := t.Context()
	// The nested transaction sees the outer writes, and they commit together.
	noErr(t, s.Tx(ctx, func(tx store.Store) error {
		newPool(t, tx, "us-east-2_outer")
		return tx.Tx(ctx, func(tx store.Store) error {
			if _, err := tx.GetPool(ctx, "us-east-2_outer"); err != nil {
				t.Errorf("nested transaction does not see the outer writes: %v", err)
			}
			return seedInTx(t, tx, "us-east-2_inner")
		})
	}), "nested Tx")
	if !seeded(t, s, "us-east-2_inner") {
		t.Fatal("nested writes did not commit")
	}
	if _, err := s.GetPool(ctx, "us-east-2_outer"); err != nil {
		t.Fatalf("outer writes did not commit: %v", err)
	}

	// An outer error undoes the nested writes too.
	err := s.Tx(ctx, func(tx store.Store) error {
		if err := tx.Tx(ctx, func(tx store.Store) error { return seedInTx(t, tx, "us-east-2_undone") }); err != nil {
			return err
		}
		return errBoom
	})
	wantErr(t, err, errBoom, "outer Tx failing after a nested one")
	if seeded(t, s, "us-east-2_undone") {
		t.Fatal("nested writes survived the outer rollback")
	}

	// A nested error undoes only the nested writes; the outer fn may go on.
	noErr(t, s.Tx(ctx, func(tx store.Store) error {
		newPool(t, tx, "us-east-2_kept")
		err := tx.Tx(ctx, func(tx store.Store) error {
			if err := seedInTx(t, tx, "us-east-2_dropped"); err != nil {
				return err
			}
			return errBoom
		})
		wantErr(t, err, errBoom, "nested Tx returning an error")
		if seeded(t, tx, "us-east-2_dropped") {
			t.Error("writes of a failed nested transaction are visible")
		}
		return nil
	}), "outer Tx")
	if _, err := s.GetPool(ctx, "us-east-2_kept"); err != nil {
		t.Fatalf("outer writes around a failed nested transaction: %v", err)
	}
	if seeded(t, s, "us-east-2_dropped") {
		t.Fatal("writes of a failed nested transaction committed")
	}
}

// testTxFailedMethod checks that a method failing inside a transaction
// undoes its own writes and leaves the transaction usable.
func testTxFailedMethod(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-east-2_failed")
	first := newUser(t, s, p.ID, "first")
	noErr(t, s.Tx(ctx, func(tx store.Store) error {
		dup := user(p.ID, "second")
		dup.Aliases = []string{"email:fresh", first.Aliases[0]}
		wantErr(t, tx.CreateUser(ctx, dup), store.ErrAliasConflict, "CreateUser in a Tx with a taken alias")
		wantErr(t, tx.CreateUser(ctx, user(p.ID, "first")), store.ErrConflict, "CreateUser in a Tx with a taken key")
		_, err := tx.UpdateUser(ctx, p.ID, "first", func(u *store.User) error {
			u.Status = "HALF"
			u.Aliases = []string{"email:other"}
			return nil
		})
		noErr(t, err, "UpdateUser in a Tx")
		newUser(t, tx, p.ID, "third")
		_, err = tx.UpdateUser(ctx, p.ID, "first", func(u *store.User) error {
			u.Status = "NEVER"
			u.Aliases = []string{"email:third@example.com"}
			return nil
		})
		wantErr(t, err, store.ErrAliasConflict, "UpdateUser in a Tx taking an alias")
		_, err = tx.UpdatePool(ctx, p.ID, func(p *store.Pool) error { p.Name = "never"; return errBoom })
		wantErr(t, err, errBoom, "UpdatePool in a Tx with failing fn")
		wantErr(t, tx.CreateGroup(ctx, &store.Group{PoolID: "us-east-2_none", Name: "g"}, noLimit), store.ErrNotFound, "CreateGroup in a Tx")
		noErr(t, tx.CreateSession(ctx, session(p.ID, first.Sub, "failed-session", 0)), "CreateSession in a Tx")
		wantErr(t, tx.CreateSession(ctx, session(p.ID, first.Sub, "failed-session", 1)), store.ErrConflict,
			"CreateSession in a Tx with a taken ID")
		wantErr(t, tx.CreateSession(ctx, session(p.ID, "sub-nobody", "other-session", 1)), store.ErrNotFound,
			"CreateSession in a Tx for a missing user")
		wantErr(t, tx.PutCode(ctx, code(p.ID, "sub-nobody", "confirm", 0)), store.ErrNotFound, "PutCode in a Tx for a missing user")
		noErr(t, tx.PutCode(ctx, code(p.ID, first.Sub, "confirm", 0)), "PutCode in a Tx")
		_, err = tx.UpdateCode(ctx, p.ID, first.Sub, "confirm", func(c *store.Code) error { c.Attempts = 5; return errBoom })
		wantErr(t, err, errBoom, "UpdateCode in a Tx with failing fn")
		wantErr(t, tx.DeleteCode(ctx, p.ID, first.Sub, "reset"), store.ErrNotFound, "DeleteCode in a Tx of a missing code")
		noErr(t, tx.CreateRefreshToken(ctx, refreshToken(p.ID, first.Sub, "fam", "failed-rt", 0)), "CreateRefreshToken in a Tx")
		wantErr(t, tx.CreateRefreshToken(ctx, refreshToken(p.ID, first.Sub, "fam", "failed-rt", 0)), store.ErrConflict,
			"CreateRefreshToken in a Tx with a taken ID")
		_, err = tx.UpdateRefreshToken(ctx, "failed-rt", func(tok *store.RefreshToken) error { tok.Revoked = true; return errBoom })
		wantErr(t, err, errBoom, "UpdateRefreshToken in a Tx with failing fn")
		wantErr(t, tx.DeleteSession(ctx, "other-session"), store.ErrNotFound, "DeleteSession in a Tx of a missing session")
		newUser(t, tx, p.ID, "fourth")
		return nil
	}), "Tx with failing methods")
	if !hasSession(t, s, "failed-session") || hasSession(t, s, "other-session") {
		t.Fatal("sessions after the transaction: want only failed-session")
	}
	if c, err := s.GetCode(ctx, p.ID, first.Sub, "confirm"); err != nil || c.Attempts != 0 {
		t.Fatalf("code after a failed UpdateCode in a Tx = %+v, %v; want 0 attempts", c, err)
	}
	if familyRevoked(t, s, p.ID, "fam") {
		t.Fatal("family revoked by a failed UpdateRefreshToken in a Tx")
	}

	got, err := s.GetUser(ctx, p.ID, "first")
	noErr(t, err, "GetUser")
	if got.Status != "HALF" || len(got.Aliases) != 1 || got.Aliases[0] != "email:other" {
		t.Fatalf("first user = %+v, want the successful update only", got)
	}
	mustDiff(t, "users after the transaction", []string{"first", "fourth", "third"}, findKeys(t, s, p.ID, store.UserFilter{}))
	_, err = s.GetUserByAlias(ctx, p.ID, "email:fresh")
	wantErr(t, err, store.ErrNotFound, "alias of a failed CreateUser in a Tx")
	if gp, _ := s.GetPool(ctx, p.ID); gp == nil || gp.Name != p.Name {
		t.Fatalf("pool after a failed UpdatePool in a Tx: %+v", gp)
	}
}
