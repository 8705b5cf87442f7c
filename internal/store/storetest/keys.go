package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// signingKey returns a key of pool whose sealed bytes derive from kid and
// include bytes a text column would mangle.
func signingKey(pool, kid, use string, created int) *store.SigningKey {
	return &store.SigningKey{PoolID: pool, KID: kid, Use: use, Sealed: []byte("\x00\xff" + kid + "\x80"), CreatedAt: at(created)}
}

// storedKey is what a store gives back for k.
func storedKey(k *store.SigningKey) store.SigningKey {
	c := *k
	c.CreatedAt = micro(k.CreatedAt)
	return c
}

func listKeys(t *testing.T, s store.Store, pool string) []store.SigningKey {
	t.Helper()
	ks, err := s.ListSigningKeys(t.Context(), pool)
	noErr(t, err, "ListSigningKeys "+pool)
	return ks
}

func testSigningKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-west-2_keys")
	if ks := listKeys(t, s, p.ID); len(ks) != 0 {
		t.Fatalf("ListSigningKeys of a new pool: %v", ks)
	}
	// Created out of order; "c" and "d" share a timestamp and keep their
	// creation order.
	keys := map[string]*store.SigningKey{
		"a": signingKey(p.ID, "a", "id", 1),
		"b": signingKey(p.ID, "b", "access", 2),
		"c": signingKey(p.ID, "c", "id", 3),
		"d": signingKey(p.ID, "d", "access", 3),
		"e": signingKey(p.ID, "e", "access", 0),
	}
	for _, kid := range []string{"b", "a", "c", "d", "e"} {
		noErr(t, s.CreateSigningKey(ctx, keys[kid]), "CreateSigningKey "+kid)
	}
	var want []store.SigningKey
	for _, kid := range []string{"e", "a", "b", "c", "d"} {
		want = append(want, storedKey(keys[kid]))
	}
	mustDiff(t, "ListSigningKeys", want, listKeys(t, s, p.ID))

	wantErr(t, s.CreateSigningKey(ctx, signingKey(p.ID, "a", "access", 9)), store.ErrConflict, "CreateSigningKey with a taken KID")
	newPool(t, s, "eu-west-2_other")
	wantErr(t, s.CreateSigningKey(ctx, signingKey("eu-west-2_other", "a", "id", 9)), store.ErrConflict,
		"CreateSigningKey with a KID taken in another pool")
	wantErr(t, s.CreateSigningKey(ctx, signingKey("eu-west-2_none", "z", "id", 0)), store.ErrNotFound, "CreateSigningKey for a missing pool")
	mustDiff(t, "ListSigningKeys after failed creations", want, listKeys(t, s, p.ID))
	if ks := listKeys(t, s, "eu-west-2_none"); len(ks) != 0 {
		t.Fatalf("ListSigningKeys of a missing pool: %v", ks)
	}
}

// testSigningKeysTx is how the token signer creates a pool's key set: both
// keys in one transaction, where a taken KID means another process won and
// nothing of this attempt remains.
func testSigningKeysTx(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-west-2_keytx")
	winner := []*store.SigningKey{signingKey(p.ID, "id-1", "id", 0), signingKey(p.ID, "access-1", "access", 0)}
	noErr(t, s.Tx(ctx, func(tx store.Store) error {
		for _, k := range winner {
			if err := tx.CreateSigningKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	}), "Tx creating a key set")

	loser := []*store.SigningKey{signingKey(p.ID, "id-2", "id", 1), signingKey(p.ID, "access-1", "access", 1)}
	err := s.Tx(ctx, func(tx store.Store) error {
		for _, k := range loser {
			if err := tx.CreateSigningKey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	wantErr(t, err, store.ErrConflict, "Tx creating a key set with a taken KID")
	mustDiff(t, "ListSigningKeys after the lost race", []store.SigningKey{storedKey(winner[0]), storedKey(winner[1])}, listKeys(t, s, p.ID))

	// A failed creation leaves the transaction usable.
	extra := signingKey(p.ID, "id-3", "id", 2)
	noErr(t, s.Tx(ctx, func(tx store.Store) error {
		wantErr(t, tx.CreateSigningKey(ctx, signingKey(p.ID, "id-1", "id", 2)), store.ErrConflict, "CreateSigningKey in Tx with a taken KID")
		if ks, err := tx.ListSigningKeys(ctx, p.ID); err != nil || len(ks) != 2 {
			t.Errorf("ListSigningKeys in Tx = %v, %v; want the 2 keys", ks, err)
		}
		return tx.CreateSigningKey(ctx, extra)
	}), "Tx with a failed creation")
	mustDiff(t, "ListSigningKeys after the Tx", []store.SigningKey{storedKey(winner[0]), storedKey(winner[1]), storedKey(extra)},
		listKeys(t, s, p.ID))
}

// testSigningKeysIsolation checks that each pool lists only its own keys,
// and that DeletePool takes a pool's keys with it and nothing else.
func testSigningKeysIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	const a, b = "sa-east-1_keysA", "sa-east-1_keysB"
	newPool(t, s, a)
	newPool(t, s, b)
	ka := []*store.SigningKey{signingKey(a, a+"-id", "id", 0), signingKey(a, a+"-access", "access", 0)}
	kb := []*store.SigningKey{signingKey(b, b+"-id", "id", 0), signingKey(b, b+"-access", "access", 0)}
	for _, k := range append(append([]*store.SigningKey{}, ka...), kb...) {
		noErr(t, s.CreateSigningKey(ctx, k), "CreateSigningKey "+k.KID)
	}
	wantA := []store.SigningKey{storedKey(ka[0]), storedKey(ka[1])}
	wantB := []store.SigningKey{storedKey(kb[0]), storedKey(kb[1])}
	mustDiff(t, "keys of A", wantA, listKeys(t, s, a))
	mustDiff(t, "keys of B", wantB, listKeys(t, s, b))

	noErr(t, s.DeletePool(ctx, a), "DeletePool")
	if ks := listKeys(t, s, a); len(ks) != 0 {
		t.Fatalf("keys of a deleted pool: %v", ks)
	}
	// A pool re-created with the same ID starts without keys, and the KIDs
	// of the deleted pool are free again.
	newPool(t, s, a)
	if ks := listKeys(t, s, a); len(ks) != 0 {
		t.Fatalf("keys of a re-created pool: %v", ks)
	}
	for _, k := range ka {
		noErr(t, s.CreateSigningKey(ctx, k), "CreateSigningKey again "+k.KID)
	}
	mustDiff(t, "keys of the re-created pool", wantA, listKeys(t, s, a))
	mustDiff(t, "keys of B after A was deleted", wantB, listKeys(t, s, b))
}
