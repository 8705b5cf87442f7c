// Package storetest is the conformance suite for store backends. Every
// backend's tests call Run with a function that opens a fresh, empty store;
// RunBenchmarks measures the operations that dominate at scale.
package storetest

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognate-idp/cognate/internal/store"
)

// Run runs the conformance suite. open must return a new store that no other
// test sees; it registers its own cleanup with t. Subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Pools", testPools},
		{"UserWithPoolRev", testUserWithPoolRev},
		{"PoolQuota", testPoolQuota},
		{"ListPools", testListPools},
		{"Clients", testClients},
		{"ListClients", testListClients},
		{"CreateUser", testCreateUser},
		{"CreateUserConflicts", testCreateUserConflicts},
		{"UpdateUser", testUpdateUser},
		{"UpdateUserAliasConflict", testUpdateUserAliasConflict},
		{"DeleteUser", testDeleteUser},
		{"DeleteUserSignInState", testDeleteUserSignInState},
		{"UserState", testUserState},
		{"CountUsers", testCountUsers},
		{"Groups", testGroups},
		{"ListGroups", testListGroups},
		{"Memberships", testMemberships},
		{"MembershipPages", testMembershipPages},
		{"Messages", testMessages},
		{"ClaimMessages", testClaimMessages},
		{"ConcurrentClaims", testConcurrentClaims},
		{"ListMessages", testListMessages},
		{"SigningKeys", testSigningKeys},
		{"SigningKeysTx", testSigningKeysTx},
		{"SigningKeysIsolation", testSigningKeysIsolation},
		{"Sessions", testSessions},
		{"SAMLAssertions", testSAMLAssertions},
		{"DeleteExpiredSessions", testDeleteExpiredSessions},
		{"Codes", testCodes},
		{"TakeCode", testTakeCode},
		{"AuthEvents", testAuthEvents},
		{"WebAuthnCredentials", testWebAuthnCredentials},
		{"RefreshTokens", testRefreshTokens},
		{"DeleteExpiredRefreshTokens", testDeleteExpiredRefreshTokens},
		{"TxCommit", testTxCommit},
		{"TxRollback", testTxRollback},
		{"TxNested", testTxNested},
		{"TxFailedMethod", testTxFailedMethod},
		{"DeletePoolCascades", testDeletePoolCascades},
		{"PoolIsolation", testPoolIsolation},
		{"FindUsersFields", testFindUsersFields},
		{"FindUsersSpecialPrefixes", testFindUsersSpecialPrefixes},
		{"FindUsersPagination", testFindUsersPagination},
		{"FindUsersStability", testFindUsersStability},
		{"BadCursors", testBadCursors},
		{"Timestamps", testTimestamps},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"ConcurrentCodeUpdates", testConcurrentCodeUpdates},
		{"ConcurrentRotation", testConcurrentRotation},
		{"Domains", testDomains},
		{"DomainLimit", testDomainLimit},
		{"ResourceServers", testResourceServers},
		{"ResourceServerLimit", testResourceServerLimit},
		{"ListResourceServers", testListResourceServers},
		{"Terms", testTerms},
		{"ListTerms", testListTerms},
		{"Tags", testTags},
		{"ConfigCascade", testConfigCascade},
		{"IdentityProviders", testIdentityProviders},
		{"IdentityProviderLimit", testIdentityProviderLimit},
		{"ListIdentityProviders", testListIdentityProviders},
		{"ProviderLinks", testProviderLinks},
		{"ProviderLinkLimit", testProviderLinkLimit},
		{"FederationCascade", testFederationCascade},
		{"PoolSettings", testPoolSettings},
		{"PoolSettingsTx", testPoolSettingsTx},
		{"ConcurrentPoolSettings", testConcurrentPoolSettings},
		{"ProvisionedLimits", testProvisionedLimits},
		{"RequestCounts", testRequestCounts},
		{"Brandings", testBrandings},
		{"SettingsCascade", testSettingsCascade},
		{"ImportJobs", testImportJobs},
		{"Replicas", testReplicas},
		{"ReplicaLimit", testReplicaLimit},
		{"ListReplicas", testListReplicas},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// t0 has a zone other than UTC and sub-microsecond digits, which stores drop.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("UTC+1", 3600))

// at returns a time n minutes after t0.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

// micro is what a store gives back for tm.
func micro(tm time.Time) time.Time { return tm.Truncate(time.Microsecond).UTC() }

// errBoom is returned by updaters and transactions that must roll back.
var errBoom = errors.New("boom")

// diffOpts treat nil and empty slices and maps alike: a store need not tell
// them apart.
var diffOpts = []cmp.Option{cmpopts.EquateEmpty()}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func noErr(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func mustDiff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, diffOpts...); d != "" {
		t.Fatalf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func newPool(t *testing.T, s store.Store, id string) *store.Pool {
	t.Helper()
	p := &store.Pool{ID: id, Name: "pool " + id, Config: []byte(`{"id":"` + id + `"}`), CreatedAt: t0, UpdatedAt: t0}
	noErr(t, s.CreatePool(t.Context(), p), "CreatePool "+id)
	return p
}

// user returns a user of pool whose attributes and state derive from key.
func user(pool, key string) *store.User {
	return &store.User{
		PoolID:   pool,
		Username: key,
		Key:      key,
		Sub:      "sub-" + key,
		Status:   "CONFIRMED",
		Enabled:  true,
		Attributes: map[string]string{
			"sub":   "sub-" + key,
			"email": key + "@example.com",
		},
		Aliases: []string{"email:" + key + "@example.com"},
		// Bytes a text column would mangle.
		State:     []byte("\x00\xff{\"key\":\"" + key + "\"}"),
		CreatedAt: t0,
		UpdatedAt: t0,
	}
}

// race runs call n times at once and returns how many calls succeeded
// and the errors of the others: the conformance tests check that a guarded
// write has exactly one winner.
func race(n int, call func(i int) error) (won int, lost []error) {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = call(i) })
	}
	wg.Wait()
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			lost = append(lost, err)
		}
	}
	return won, lost
}

func newUser(t *testing.T, s store.Store, pool, key string) *store.User {
	t.Helper()
	u := user(pool, key)
	noErr(t, s.CreateUser(t.Context(), u), "CreateUser "+key)
	return u
}

// stored is what a store gives back for u.
func stored(u *store.User) *store.User {
	c := *u
	c.PasswordSetAt = micro(u.PasswordSetAt)
	if u.PasswordSetAt.IsZero() {
		c.PasswordSetAt = time.Time{}
	}
	c.CreatedAt = micro(u.CreatedAt)
	c.UpdatedAt = micro(u.UpdatedAt)
	return &c
}

func userKeys(us []store.User) []string {
	keys := make([]string, len(us))
	for i, u := range us {
		keys[i] = u.Key
	}
	return keys
}

func groupNames(gs []store.Group) []string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = g.Name
	}
	return names
}

// walk lists every page with the given limit and returns all items in order.
// Every page but the last must be full, and the last cursor must be "".
func walk[T any](t *testing.T, limit int, list func(store.Page) ([]T, string, error)) []T {
	t.Helper()
	var all []T
	cursor := ""
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("pagination does not end")
		}
		items, next, err := list(store.Page{Cursor: cursor, Limit: limit})
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if len(items) > limit {
			t.Fatalf("page %d: %d items, limit %d", i, len(items), limit)
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		if len(items) != limit {
			t.Fatalf("page %d: %d items and a next cursor, want a full page of %d", i, len(items), limit)
		}
		cursor = next
	}
}

// sorted returns a sorted copy of ss.
func sorted(ss []string) []string {
	c := slices.Clone(ss)
	slices.Sort(c)
	return c
}

func keyf(format string, i int) string { return fmt.Sprintf(format, i) }

// noLimit is the max of creates that tests do not mean to limit.
const noLimit = math.MaxInt32
