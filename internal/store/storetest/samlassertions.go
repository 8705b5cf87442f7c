package storetest

import (
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// testSAMLAssertions checks that an assertion ID is spent once per pool,
// also by racing spenders, and not at all in a pool that does not exist.
func testSAMLAssertions(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "eu-north-1_samlassert")
	q := newPool(t, s, "eu-north-1_samlother")
	if err := s.SpendSAMLAssertion(ctx, p.ID, "a1", at(10)); err != nil {
		t.Fatalf("SpendSAMLAssertion: %v", err)
	}
	wantErr(t, s.SpendSAMLAssertion(ctx, p.ID, "a1", at(10)), store.ErrConflict, "spend again")
	if err := s.SpendSAMLAssertion(ctx, q.ID, "a1", at(10)); err != nil {
		t.Fatalf("SpendSAMLAssertion in another pool: %v", err)
	}
	wantErr(t, s.SpendSAMLAssertion(ctx, "eu-north-1_none", "a2", at(10)), store.ErrNotFound, "spend in a missing pool")

	won, lost := race(8, func(int) error { return s.SpendSAMLAssertion(ctx, p.ID, "race", at(10)) })
	for _, err := range lost {
		wantErr(t, err, store.ErrConflict, "racing spend")
	}
	if won != 1 {
		t.Fatalf("%d racing spends succeeded, want 1", won)
	}

	if err := s.SpendSAMLAssertion(ctx, p.ID, "later", at(30)); err != nil {
		t.Fatalf("SpendSAMLAssertion: %v", err)
	}
	if n, err := s.DeleteExpiredSAMLAssertions(ctx, at(10)); err != nil || n != 0 {
		t.Fatalf("DeleteExpiredSAMLAssertions at the expiry = %d, %v; want 0 (expired means before now)", n, err)
	}
	if n, err := s.DeleteExpiredSAMLAssertions(ctx, at(20)); err != nil || n != 3 {
		t.Fatalf("DeleteExpiredSAMLAssertions = %d, %v; want 3", n, err)
	}
	wantErr(t, s.SpendSAMLAssertion(ctx, p.ID, "later", at(30)), store.ErrConflict, "spend an unexpired assertion after a sweep")
	if err := s.SpendSAMLAssertion(ctx, p.ID, "a1", at(40)); err != nil {
		t.Fatalf("SpendSAMLAssertion of a swept ID: %v", err)
	}
}
