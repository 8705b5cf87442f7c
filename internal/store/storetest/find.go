package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cognate-idp/cognate/internal/store"
)

// findKeys returns the sorted keys of every user FindUsers selects.
func findKeys(t *testing.T, s store.Store, pool string, f store.UserFilter) []string {
	t.Helper()
	us := walk(t, 1000, func(pg store.Page) ([]store.User, string, error) { return s.FindUsers(t.Context(), pool, f, pg) })
	return sorted(userKeys(us))
}

// findCase is a filter and the keys it selects, sorted.
type findCase struct {
	f    store.UserFilter
	want []string
}

func (c findCase) String() string {
	op := "="
	if c.f.Prefix {
		op = "^="
	}
	return fmt.Sprintf("%s %s %q", c.f.Field, op, c.f.Value)
}

func checkFind(t *testing.T, s store.Store, pool string, cases []findCase) {
	t.Helper()
	for _, c := range cases {
		got := findKeys(t, s, pool, c.f)
		if d := cmpKeys(c.want, got); d != "" {
			t.Errorf("FindUsers %v (-want +got):\n%s", c, d)
		}
	}
}

func cmpKeys(want, got []string) string {
	if slices.Equal(want, got) {
		return ""
	}
	return fmt.Sprintf("-%q\n+%q", want, got)
}

func testFindUsersFields(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool(t, s, "us-east-1_fields")
	mk := func(key, status string, enabled bool, attrs map[string]string) {
		u := &store.User{PoolID: p.ID, Username: key, Key: key, Sub: "sub-" + key, Status: status, Enabled: enabled,
			Attributes: attrs, CreatedAt: t0, UpdatedAt: t0}
		noErr(t, s.CreateUser(ctx, u), "CreateUser "+key)
	}
	indexed := func(format string) map[string]string {
		m := map[string]string{"custom:plain": "al-custom"}
		for _, n := range store.IndexedAttributes {
			m[n] = fmt.Sprintf(format, n)
		}
		return m
	}
	mk("alice", "CONFIRMED", true, indexed("al-%s-x"))
	mk("alfred", "UNCONFIRMED", true, indexed("al-%s-y"))
	mk("bob", "FORCE_CHANGE_PASSWORD", false, indexed("bo-%s"))
	mk("Alicia", "CONFIRMED", false, map[string]string{"email": "Al-email-z"})
	all := []string{"Alicia", "alfred", "alice", "bob"}

	cases := []findCase{
		{store.UserFilter{}, all},
		{store.UserFilter{Field: store.FieldUsername, Value: "alice"}, []string{"alice"}},
		{store.UserFilter{Field: store.FieldUsername, Value: "al"}, nil},
		{store.UserFilter{Field: store.FieldUsername, Value: "al", Prefix: true}, []string{"alfred", "alice"}},
		{store.UserFilter{Field: store.FieldUsername, Value: "Al", Prefix: true}, []string{"Alicia"}},
		{store.UserFilter{Field: store.FieldUsername, Value: "", Prefix: true}, all},
		{store.UserFilter{Field: store.FieldSub, Value: "sub-bob"}, []string{"bob"}},
		{store.UserFilter{Field: store.FieldSub, Value: "sub-al", Prefix: true}, []string{"alfred", "alice"}},
		{store.UserFilter{Field: store.FieldSub, Value: "sub-", Prefix: true}, all},
		{store.UserFilter{Field: store.FieldStatus, Value: "CONFIRMED"}, []string{"Alicia", "alice"}},
		{store.UserFilter{Field: store.FieldStatus, Value: "CON"}, nil},
		{store.UserFilter{Field: store.FieldStatus, Value: "CON", Prefix: true}, []string{"Alicia", "alice"}},
		{store.UserFilter{Field: store.FieldStatus, Value: "UN", Prefix: true}, []string{"alfred"}},
		{store.UserFilter{Field: store.FieldEnabled, Value: "true"}, []string{"alfred", "alice"}},
		{store.UserFilter{Field: store.FieldEnabled, Value: "false"}, []string{"Alicia", "bob"}},
		{store.UserFilter{Field: store.FieldEnabled, Value: "t", Prefix: true}, []string{"alfred", "alice"}},
		{store.UserFilter{Field: store.FieldEnabled, Value: "", Prefix: true}, all},
		{store.UserFilter{Field: "email", Value: "Al-email-z"}, []string{"Alicia"}},
		{store.UserFilter{Field: "email", Value: "AL-EMAIL-Z"}, nil},
		{store.UserFilter{Field: "email", Value: "Al", Prefix: true}, []string{"Alicia"}},
		{store.UserFilter{Field: "email", Value: "", Prefix: true}, all},
	}
	for _, n := range store.IndexedAttributes {
		has := []string{"alfred", "alice", "bob"}
		if n == "email" {
			has = all
		}
		cases = append(cases,
			findCase{store.UserFilter{Field: n, Value: "al-" + n + "-x"}, []string{"alice"}},
			findCase{store.UserFilter{Field: n, Value: "al-" + n}, nil},
			findCase{store.UserFilter{Field: n, Value: "al-" + n, Prefix: true}, []string{"alfred", "alice"}},
			findCase{store.UserFilter{Field: n, Value: "al-" + n + "-y", Prefix: true}, []string{"alfred"}},
			findCase{store.UserFilter{Field: n, Value: "bo", Prefix: true}, []string{"bob"}},
			findCase{store.UserFilter{Field: n, Value: "", Prefix: true}, has},
		)
	}
	checkFind(t, s, p.ID, cases)

	_, _, err := s.FindUsers(ctx, p.ID, store.UserFilter{Field: "custom:plain", Value: "al-custom"}, store.Page{Limit: 10})
	if err == nil || errors.Is(err, store.ErrBadCursor) {
		t.Fatalf("FindUsers by an attribute that is not indexed: error %v, want a plain error", err)
	}
	got, _, err := s.FindUsers(ctx, p.ID, store.UserFilter{Field: "email", Value: "al-email-x"}, store.Page{Limit: 10})
	noErr(t, err, "FindUsers")
	want, err := s.GetUser(ctx, p.ID, "alice")
	noErr(t, err, "GetUser")
	mustDiff(t, "user returned by FindUsers", []store.User{*want}, got)
}

func testFindUsersSpecialPrefixes(t *testing.T, s store.Store) {
	p := newPool(t, s, "us-east-1_special")
	values := []string{
		"a%b", "a_b", `a\b`, "ab", "aXb", "a'b", `a"b`, "añb", "a日本", "a\uD7FF!", "a\uE000",
		"a\uFFFFz", "a\U0010FFFF", "a\U0010FFFFz", "b", "%", "_x",
	}
	byValue := map[string]string{}
	for i, v := range values {
		key := fmt.Sprintf("k%02d", i)
		u := &store.User{PoolID: p.ID, Username: key, Key: key, Sub: "sub-" + key, Status: "CONFIRMED", Enabled: true,
			Attributes: map[string]string{"email": v}, CreatedAt: t0, UpdatedAt: t0}
		noErr(t, s.CreateUser(t.Context(), u), "CreateUser")
		byValue[v] = key
		// The same value as a key, to test username prefixes.
		u = &store.User{PoolID: p.ID, Username: v, Key: "~" + v, Sub: "sub~" + v, Status: "CONFIRMED", CreatedAt: t0, UpdatedAt: t0}
		noErr(t, s.CreateUser(t.Context(), u), "CreateUser")
	}
	keys := func(vs ...string) []string {
		var ks []string
		for _, v := range vs {
			ks = append(ks, byValue[v])
		}
		return sorted(ks)
	}
	tildes := func(vs ...string) []string {
		var ks []string
		for _, v := range vs {
			ks = append(ks, "~"+v)
		}
		return sorted(ks)
	}
	var as []string
	for _, v := range values {
		if v[0] == 'a' {
			as = append(as, v)
		}
	}
	prefix := func(v string, want ...string) findCase {
		return findCase{store.UserFilter{Field: "email", Value: v, Prefix: true}, keys(want...)}
	}
	cases := []findCase{
		prefix("a%", "a%b"),
		prefix("a_", "a_b"),
		prefix(`a\`, `a\b`),
		prefix("a'", "a'b"),
		prefix(`a"`, `a"b`),
		prefix("%", "%"),
		prefix("_", "_x"),
		prefix("añ", "añb"),
		prefix("a日", "a日本"),
		prefix("a\uD7FF", "a\uD7FF!"),
		prefix("a\uFFFF", "a\uFFFFz"),
		prefix("a\U0010FFFF", "a\U0010FFFF", "a\U0010FFFFz"),
		prefix("a", as...),
		{store.UserFilter{Field: "email", Value: "a%b"}, keys("a%b")},
		{store.UserFilter{Field: "email", Value: "a_b"}, keys("a_b")},
		{store.UserFilter{Field: "email", Value: "a\U0010FFFF"}, keys("a\U0010FFFF")},
		{store.UserFilter{Field: store.FieldUsername, Value: "~a%", Prefix: true}, tildes("a%b")},
		{store.UserFilter{Field: store.FieldUsername, Value: "~a_", Prefix: true}, tildes("a_b")},
		{store.UserFilter{Field: store.FieldUsername, Value: `~a\`, Prefix: true}, tildes(`a\b`)},
		{store.UserFilter{Field: store.FieldUsername, Value: "~a\U0010FFFF", Prefix: true}, tildes("a\U0010FFFF", "a\U0010FFFFz")},
		{store.UserFilter{Field: store.FieldSub, Value: "sub~añ", Prefix: true}, tildes("añb")},
	}
	checkFind(t, s, p.ID, cases)
}

// seedMany creates n users of pool in one transaction. User i has key
// "u%03d", but users are created in a shuffled order so that creation order
// differs from key order. Emails repeat every 40 users.
func seedMany(t *testing.T, s store.Store, pool string, n int) []*store.User {
	t.Helper()
	users := make([]*store.User, n)
	for i := range n {
		j := (i*97 + 13) % n
		k := keyf("u%03d", j)
		u := user(pool, k)
		u.Attributes["email"] = fmt.Sprintf("m%02d@example.com", j%40)
		u.Attributes["given_name"] = keyf("g%03d", j)
		u.Aliases = []string{"preferred_username:" + k}
		u.Status = []string{"CONFIRMED", "UNCONFIRMED", "RESET_REQUIRED"}[j%3]
		u.Enabled = j%4 != 0
		users[j] = u
	}
	noErr(t, s.Tx(t.Context(), func(tx store.Store) error {
		for i := range n {
			if err := tx.CreateUser(t.Context(), users[(i*97+13)%n]); err != nil {
				return err
			}
		}
		return nil
	}), "seed users")
	return users
}

func testFindUsersPagination(t *testing.T, s store.Store) {
	p := newPool(t, s, "us-east-1_pages")
	users := seedMany(t, s, p.ID, 250)
	match := func(pred func(u *store.User) bool) []string {
		var keys []string
		for _, u := range users {
			if pred(u) {
				keys = append(keys, u.Key)
			}
		}
		return sorted(keys)
	}
	cases := []struct {
		f     store.UserFilter
		limit int
		want  []string
	}{
		{store.UserFilter{}, 7, match(func(*store.User) bool { return true })},
		{store.UserFilter{}, 1, match(func(*store.User) bool { return true })},
		{store.UserFilter{Field: "email", Prefix: true, Value: "m1"}, 7,
			match(func(u *store.User) bool { return u.Attributes["email"][:2] == "m1" })},
		{store.UserFilter{Field: "email", Value: "m05@example.com"}, 2,
			match(func(u *store.User) bool { return u.Attributes["email"] == "m05@example.com" })},
		{store.UserFilter{Field: "email", Prefix: true}, 9, match(func(*store.User) bool { return true })},
		{store.UserFilter{Field: "given_name", Prefix: true, Value: "g1"}, 6,
			match(func(u *store.User) bool { return u.Attributes["given_name"][:2] == "g1" })},
		{store.UserFilter{Field: store.FieldStatus, Value: "UNCONFIRMED"}, 7,
			match(func(u *store.User) bool { return u.Status == "UNCONFIRMED" })},
		{store.UserFilter{Field: store.FieldStatus, Prefix: true}, 11, match(func(*store.User) bool { return true })},
		{store.UserFilter{Field: store.FieldEnabled, Value: "true"}, 7, match(func(u *store.User) bool { return u.Enabled })},
		{store.UserFilter{Field: store.FieldEnabled, Value: "false"}, 7, match(func(u *store.User) bool { return !u.Enabled })},
		{store.UserFilter{Field: store.FieldSub, Prefix: true, Value: "sub-u1"}, 7,
			match(func(u *store.User) bool { return u.Sub[:6] == "sub-u1" })},
		{store.UserFilter{Field: store.FieldUsername, Prefix: true, Value: "u2"}, 7,
			match(func(u *store.User) bool { return u.Key[:2] == "u2" })},
	}
	for _, c := range cases {
		got := userKeys(walk(t, c.limit, func(pg store.Page) ([]store.User, string, error) {
			return s.FindUsers(t.Context(), p.ID, c.f, pg)
		}))
		name := findCase{f: c.f}.String()
		if len(got) != len(slices.Compact(sorted(got))) {
			t.Errorf("FindUsers %s, limit %d: a user appears twice: %q", name, c.limit, got)
		}
		if d := cmpKeys(c.want, sorted(got)); d != "" {
			t.Errorf("FindUsers %s, limit %d (-want +got):\n%s", name, c.limit, d)
		}
	}
}

// testFindUsersStability walks FindUsers page by page while users are created
// and deleted between pages: every user present throughout appears exactly
// once, and no user appears twice.
func testFindUsersStability(t *testing.T, s store.Store) {
	ctx := t.Context()
	filters := []store.UserFilter{
		{},
		{Field: "email", Prefix: true, Value: "m"},
		{Field: "email", Value: "m07@example.com"},
		{Field: store.FieldStatus, Prefix: true, Value: ""},
		{Field: store.FieldEnabled, Value: "true"},
		{Field: store.FieldSub, Prefix: true, Value: "sub-"},
	}
	for fi, f := range filters {
		pool := keyf("us-east-1_stable%d", fi)
		newPool(t, s, pool)
		users := seedMany(t, s, pool, 120)
		// Users whose key ends in 0 or 5 may be deleted; the rest are stable.
		var volatile []string
		stable := map[string]bool{}
		for _, u := range users {
			if u.Key[3] == '0' || u.Key[3] == '5' {
				volatile = append(volatile, u.Key)
			} else if matches(u, f) {
				stable[u.Key] = true
			}
		}
		// Delete from both ends and the middle, so deleted users lie before and
		// after the cursor.
		slices.SortFunc(volatile, func(a, b string) int { return strings.Compare(a[2:]+a[:2], b[2:]+b[:2]) })

		seen := map[string]int{}
		cursor := ""
		for page := 0; ; page++ {
			us, next, err := s.FindUsers(ctx, pool, f, store.Page{Cursor: cursor, Limit: 4})
			noErr(t, err, "FindUsers")
			for _, u := range us {
				seen[u.Key]++
			}
			if next == "" {
				break
			}
			cursor = next
			for range 2 {
				if len(volatile) > 0 {
					noErr(t, s.DeleteUser(ctx, pool, volatile[0]), "DeleteUser")
					volatile = volatile[1:]
				}
			}
			for _, k := range []string{keyf("a%03d", page), fmt.Sprintf("u%03d+%d", page*3%120, page), keyf("z%03d", page)} {
				u := user(pool, k)
				u.Attributes["email"] = fmt.Sprintf("m%02d@example.com", page%40)
				noErr(t, s.CreateUser(ctx, u), "CreateUser")
			}
		}
		for k, n := range seen {
			if n > 1 {
				t.Errorf("filter %v: user %s appeared %d times", findCase{f: f}, k, n)
			}
		}
		for k := range stable {
			if seen[k] != 1 {
				t.Errorf("filter %v: user %s present throughout appeared %d times", findCase{f: f}, k, seen[k])
			}
		}
	}
}

// matches reports whether u is selected by f, for the filters
// testFindUsersStability uses.
func matches(u *store.User, f store.UserFilter) bool {
	var v string
	switch f.Field {
	case "":
		return true
	case store.FieldStatus:
		v = u.Status
	case store.FieldSub:
		v = u.Sub
	case store.FieldEnabled:
		v = fmt.Sprint(u.Enabled)
	default:
		var ok bool
		if v, ok = u.Attributes[f.Field]; !ok {
			return false
		}
	}
	if f.Prefix {
		return len(v) >= len(f.Value) && v[:len(f.Value)] == f.Value
	}
	return v == f.Value
}

func testBadCursors(t *testing.T, s store.Store) {
	ctx := t.Context()
	const a, b = "us-east-1_cursa", "us-east-1_cursb"
	for _, pool := range []string{a, b} {
		newPool(t, s, pool)
		for i := range 3 {
			u := user(pool, keyf("u%d", i))
			u.Attributes["phone_number"] = u.Attributes["email"]
			noErr(t, s.CreateUser(ctx, u), "CreateUser")
			noErr(t, s.CreateGroup(ctx, &store.Group{PoolID: pool, Name: keyf("g%d", i), CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateGroup")
			noErr(t, s.AddUserToGroup(ctx, pool, u.Key, "g0"), "AddUserToGroup")
			noErr(t, s.AddUserToGroup(ctx, pool, "u0", keyf("g%d", i)), "AddUserToGroup")
			noErr(t, s.CreateClient(ctx, &store.Client{PoolID: pool, ID: pool + keyf("c%d", i), CreatedAt: t0, UpdatedAt: t0}, noLimit), "CreateClient")
		}
	}
	one := func(c string) store.Page { return store.Page{Cursor: c, Limit: 1} }
	emailA := store.UserFilter{Field: "email", Prefix: true, Value: "u"}
	_, cursor, err := s.FindUsers(ctx, a, emailA, one(""))
	noErr(t, err, "FindUsers")
	if cursor == "" {
		t.Fatal("FindUsers with Limit 1 of 3 users returned no cursor")
	}
	first, _, err := s.FindUsers(ctx, a, emailA, one(cursor))
	noErr(t, err, "FindUsers with a cursor")
	again, _, err := s.FindUsers(ctx, a, emailA, one(cursor))
	noErr(t, err, "FindUsers with the same cursor again")
	mustDiff(t, "page of a reused cursor", userKeys(first), userKeys(again))
	_, groupCursor, err := s.ListGroups(ctx, a, one(""))
	noErr(t, err, "ListGroups")
	_, clientCursor, err := s.ListClients(ctx, a, one(""))
	noErr(t, err, "ListClients")
	_, memberCursor, err := s.ListUsersInGroup(ctx, a, "g0", one(""))
	noErr(t, err, "ListUsersInGroup")

	find := func(pool string, f store.UserFilter, c string) error {
		_, _, err := s.FindUsers(ctx, pool, f, one(c))
		return err
	}
	bad := map[string]error{}
	for _, garbage := range []string{"not a cursor!", "e30", "AAAA", cursor + "x", "x" + cursor} {
		bad["FindUsers "+garbage] = find(a, emailA, garbage)
		_, _, bad["ListPools "+garbage] = s.ListPools(ctx, one(garbage))
		_, _, bad["ListClients "+garbage] = s.ListClients(ctx, a, one(garbage))
		_, _, bad["ListGroups "+garbage] = s.ListGroups(ctx, a, one(garbage))
		_, _, bad["ListGroupsForUser "+garbage] = s.ListGroupsForUser(ctx, a, "u0", one(garbage))
		_, _, bad["ListUsersInGroup "+garbage] = s.ListUsersInGroup(ctx, a, "g0", one(garbage))
	}
	bad["FindUsers with another field"] = find(a, store.UserFilter{Field: "phone_number", Prefix: true, Value: "u"}, cursor)
	bad["FindUsers with another value"] = find(a, store.UserFilter{Field: "email", Prefix: true, Value: "u0"}, cursor)
	bad["FindUsers exact instead of prefix"] = find(a, store.UserFilter{Field: "email", Value: "u"}, cursor)
	bad["FindUsers without a filter"] = find(a, store.UserFilter{}, cursor)
	bad["FindUsers in another pool"] = find(b, emailA, cursor)
	bad["FindUsers with a group cursor"] = find(a, store.UserFilter{}, groupCursor)
	bad["FindUsers with a member cursor"] = find(a, store.UserFilter{}, memberCursor)
	_, _, bad["ListUsersInGroup with a FindUsers cursor"] = s.ListUsersInGroup(ctx, a, "g0", one(cursor))
	_, _, bad["ListUsersInGroup of another group"] = s.ListUsersInGroup(ctx, a, "g1", one(memberCursor))
	_, _, bad["ListClients of another pool"] = s.ListClients(ctx, b, one(clientCursor))
	_, _, bad["ListGroups of another pool"] = s.ListGroups(ctx, b, one(groupCursor))
	_, _, bad["ListGroupsForUser with a group cursor"] = s.ListGroupsForUser(ctx, a, "u0", one(groupCursor))
	_, _, bad["ListPools with a group cursor"] = s.ListPools(ctx, one(groupCursor))
	for what, err := range bad {
		if !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("%s: got error %v, want ErrBadCursor", what, err)
		}
	}
}
