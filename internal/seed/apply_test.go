package seed

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/ids"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/ops/pools"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/seal"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/postgres"
	"github.com/cognate-idp/cognate/internal/store/postgres/pgtesting"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// clock is a clock the tests move by hand.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// env is a store with what Apply needs.
type env struct {
	st    store.Store
	opts  ops.Deps
	clock *clock
}

// onStores runs fn on a SQLite store and, when one is available, a
// PostgreSQL store.
func onStores(t *testing.T, fn func(t *testing.T, e *env)) {
	open := map[string]func(t *testing.T) store.Store{
		"sqlite": func(t *testing.T) store.Store {
			st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "c.db"))
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		"postgres": func(t *testing.T) store.Store {
			st, err := postgres.Open(t.Context(), pgtesting.SchemaURL(t))
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			st := open[name](t)
			t.Cleanup(func() { st.Close() })
			keys, _, err := seal.LoadOrCreate(filepath.Join(t.TempDir(), "key"))
			if err != nil {
				t.Fatal(err)
			}
			c := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
			fn(t, &env{st: st, clock: c, opts: ops.Deps{
				Keys: keys, IDs: ids.Generator{Rand: rand.Reader}, Now: c.Now, Rand: rand.Reader,
				Region: "us-east-1", AccountID: "123456789012",
			}})
		})
	}
}

// apply parses and applies a seed file given as text.
func (e *env) apply(t *testing.T, text string) ([]Change, error) {
	t.Helper()
	f, err := Parse("seed.yaml", []byte(text))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return Apply(t.Context(), e.st, f, e.opts)
}

func (e *env) mustApply(t *testing.T, text string) []string {
	t.Helper()
	changes, err := e.apply(t, text)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	var out []string
	for _, c := range changes {
		out = append(out, c.String())
	}
	return out
}

// snapshot is every record a seed file can touch.
type snapshot struct {
	Pools           []store.Pool
	Tags            map[string]map[string]string
	Domains         []store.Domain
	ResourceServers []store.ResourceServer
	Groups          []store.Group
	Clients         []store.Client
	Users           []store.User
	Members         map[string][]string
}

func all[T any](t *testing.T, list func(store.Page) ([]T, string, error)) []T {
	t.Helper()
	var out []T
	page := store.Page{Limit: 100}
	for {
		items, next, err := list(page)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, items...)
		if next == "" {
			return out
		}
		page.Cursor = next
	}
}

func (e *env) snapshot(t *testing.T) snapshot {
	t.Helper()
	ctx := t.Context()
	s := snapshot{Tags: map[string]map[string]string{}, Members: map[string][]string{}}
	s.Pools = all(t, func(p store.Page) ([]store.Pool, string, error) { return e.st.ListPools(ctx, p) })
	for _, p := range s.Pools {
		tags, err := e.st.GetTags(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.Tags[p.ID] = tags
		ds, err := e.st.ListPoolDomains(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.Domains = append(s.Domains, ds...)
		s.ResourceServers = append(s.ResourceServers, all(t, func(pg store.Page) ([]store.ResourceServer, string, error) {
			return e.st.ListResourceServers(ctx, p.ID, pg)
		})...)
		s.Groups = append(s.Groups, all(t, func(pg store.Page) ([]store.Group, string, error) { return e.st.ListGroups(ctx, p.ID, pg) })...)
		s.Clients = append(s.Clients, all(t, func(pg store.Page) ([]store.Client, string, error) { return e.st.ListClients(ctx, p.ID, pg) })...)
		users := all(t, func(pg store.Page) ([]store.User, string, error) {
			return e.st.FindUsers(ctx, p.ID, store.UserFilter{}, pg)
		})
		slices.SortFunc(users, func(a, b store.User) int { return strings.Compare(a.Key, b.Key) })
		s.Users = append(s.Users, users...)
		for _, u := range users {
			for _, g := range all(t, func(pg store.Page) ([]store.Group, string, error) {
				return e.st.ListGroupsForUser(ctx, p.ID, u.Key, pg)
			}) {
				s.Members[p.ID+"/"+u.Username] = append(s.Members[p.ID+"/"+u.Username], g.Name)
			}
		}
	}
	return s
}

func (e *env) user(t *testing.T, poolID, name string) *store.User {
	t.Helper()
	p, err := userpool.Load(t.Context(), e.st, poolID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.FindUser(t.Context(), e.st, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) passwordIs(t *testing.T, u *store.User, pw string) bool {
	t.Helper()
	ok, err := (&authn.Service{Keys: e.opts.Keys}).PasswordMatches(u, pw)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func readExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../examples/cognate.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const examplePool = "us-east-1_Example01"

func TestApplyExampleTwice(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		example := readExample(t)
		got := e.mustApply(t, example)
		want := []string{
			"created user pool " + examplePool,
			"created domain example-dev in " + examplePool,
			"created resource server https://api.example.com in " + examplePool,
			"created group admins in " + examplePool,
			"created group readers in " + examplePool,
			"created app client 4example0web0client0000000 in " + examplePool,
			"created app client 4example0service0client000 in " + examplePool,
			"created user alice@example.com in " + examplePool,
			"created user bob@example.com in " + examplePool,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		before := e.snapshot(t)

		e.clock.Advance(time.Hour)
		if got := e.mustApply(t, example); len(got) != 0 {
			t.Errorf("applying the file again changed %v", got)
		}
		if diff := cmp.Diff(before, e.snapshot(t)); diff != "" {
			t.Errorf("applying the file again changed records (-before +after):\n%s", diff)
		}

		// What the file declares is what the store holds.
		svc, err := e.st.GetClient(ctx, examplePool, "4example0service0client000")
		if err != nil {
			t.Fatal(err)
		}
		if len(svc.Secrets) != 1 {
			t.Fatalf("service client has %d secrets", len(svc.Secrets))
		}
		if v, err := appclient.OpenSecret(e.opts.Keys, svc.ID, svc.Secrets[0]); err != nil || v != "example0secret0for0the0service0client0000000000000" {
			t.Errorf("service client secret = %q, %v", v, err)
		}
		web, err := e.st.GetClient(ctx, examplePool, "4example0web0client0000000")
		if err != nil || len(web.Secrets) != 0 {
			t.Fatalf("web client = %+v, %v", web, err)
		}
		alice := e.user(t, examplePool, "ALICE@example.com") // the pool is case-insensitive
		if alice.Status != model.UserStatusTypeConfirmed || !alice.Enabled || !e.passwordIs(t, alice, "Alice-password-1") {
			t.Errorf("alice = %s enabled %v", alice.Status, alice.Enabled)
		}
		if alice.Username == "alice@example.com" || alice.Attributes["email"] != "alice@example.com" || alice.Attributes["custom:tenant"] != "acme" {
			t.Errorf("alice: username %s, attributes %v (the pool signs in by email: the username is the sub)", alice.Username, alice.Attributes)
		}
		bob := e.user(t, examplePool, "bob@example.com")
		if bob.Status != model.UserStatusTypeForceChangePassword || !e.passwordIs(t, bob, "Bob-temporary-1") {
			t.Errorf("bob = %s", bob.Status)
		}
		if diff := cmp.Diff([]string{"admins", "readers"}, before.Members[examplePool+"/"+alice.Username]); diff != "" {
			t.Errorf("alice's groups: %s", diff)
		}
		if diff := cmp.Diff(map[string]string{"environment": "development"}, before.Tags[examplePool]); diff != "" {
			t.Errorf("tags: %s", diff)
		}
		// The pool is exactly what CreateUserPool makes of the same request.
		f, err := ReadFile("../../examples/cognate.yaml")
		if err != nil {
			t.Fatal(err)
		}
		settings, err := userpool.NewSettings(&f.UserPools[0].CreateUserPoolRequest)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := pools.EncodeSettings(settings)
		if err != nil {
			t.Fatal(err)
		}
		if string(doc) != string(before.Pools[0].Config) {
			t.Errorf("seeded settings\n%s\ndiffer from CreateUserPool's\n%s", before.Pools[0].Config, doc)
		}
	})
}

// base is a small file the update tests change.
const base = `UserPools:
  - Id: us-east-1_TestPool01
    PoolName: test
    Policies:
      PasswordPolicy: {MinimumLength: 8}
    ResourceServers:
      - Identifier: api
        Name: API
        Scopes: [{ScopeName: read, ScopeDescription: Read}]
    Groups:
      - GroupName: staff
        Description: Staff
    Clients:
      - ClientId: testclient0000000000000001
        ClientName: app
        ClientSecret: first0secret0000000000000000
        AllowedOAuthFlowsUserPoolClient: true
        AllowedOAuthFlows: [client_credentials]
        AllowedOAuthScopes: [api/read]
    Users:
      - Username: carol
        Password: carol-password
        UserAttributes:
          - {Name: email, Value: carol@example.com}
          - {Name: email_verified, Value: "true"}
          - {Name: given_name, Value: Carol}
`

const testPool = "us-east-1_TestPool01"

func TestApplyUpdates(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		e.mustApply(t, base)
		before := e.snapshot(t)
		e.clock.Advance(time.Hour)

		changed := strings.NewReplacer(
			"PoolName: test", "PoolName: renamed",
			"{MinimumLength: 8}", "{MinimumLength: 10}",
			"Scopes: [{ScopeName: read, ScopeDescription: Read}]", "Scopes: [{ScopeName: read, ScopeDescription: Read}, {ScopeName: write, ScopeDescription: Write}]",
			"Description: Staff", "Description: Everyone on staff",
			"first0secret0000000000000000", "second0secret000000000000000",
			"AllowedOAuthScopes: [api/read]", "AllowedOAuthScopes: [api/read, api/write]",
			"Password: carol-password", "Password: carol-password-2\n        Enabled: false\n        Groups: [staff]",
			"Value: carol@example.com", "Value: carol@example.org",
		).Replace(base)
		got := e.mustApply(t, changed)
		want := []string{
			"updated user pool " + testPool,
			"updated resource server api in " + testPool,
			"updated group staff in " + testPool,
			"updated app client testclient0000000000000001 in " + testPool,
			"updated user carol in " + testPool,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		after := e.snapshot(t)
		if after.Pools[0].Name != "renamed" || !after.Pools[0].UpdatedAt.Equal(e.clock.Now()) || !after.Pools[0].CreatedAt.Equal(before.Pools[0].CreatedAt) {
			t.Errorf("pool = %+v", after.Pools[0])
		}
		p, err := userpool.Load(ctx, e.st, testPool)
		if err != nil {
			t.Fatal(err)
		}
		if *p.Settings.Policies.PasswordPolicy.MinimumLength != 10 {
			t.Errorf("MinimumLength = %d", *p.Settings.Policies.PasswordPolicy.MinimumLength)
		}
		if after.Groups[0].Description != "Everyone on staff" || len(after.ResourceServers[0].Scopes) != 2 {
			t.Errorf("group %+v, resource server %+v", after.Groups[0], after.ResourceServers[0])
		}
		c := after.Clients[0]
		if v, err := appclient.OpenSecret(e.opts.Keys, c.ID, c.Secrets[0]); err != nil || v != "second0secret000000000000000" || len(c.Secrets) != 1 {
			t.Errorf("client secret = %q, %v (%d secrets)", v, err, len(c.Secrets))
		}
		if !strings.Contains(string(c.Config), "api/write") {
			t.Errorf("client settings %s", c.Config)
		}
		carol := e.user(t, testPool, "carol")
		if carol.Enabled || !e.passwordIs(t, carol, "carol-password-2") || carol.Attributes["email"] != "carol@example.org" {
			t.Errorf("carol = %+v", carol)
		}
		// The file verifies the new email, as AdminUpdateUserAttributes
		// would only when given email_verified.
		if carol.Attributes["email_verified"] != "true" {
			t.Errorf("carol's email_verified = %q", carol.Attributes["email_verified"])
		}
		if diff := cmp.Diff([]string{"staff"}, after.Members[testPool+"/carol"]); diff != "" {
			t.Errorf("carol's groups: %s", diff)
		}

		e.clock.Advance(time.Hour)
		if got := e.mustApply(t, changed); len(got) != 0 {
			t.Errorf("applying the changed file again changed %v", got)
		}
		if diff := cmp.Diff(after, e.snapshot(t)); diff != "" {
			t.Errorf("applying the changed file again changed records:\n%s", diff)
		}
	})
}

// TestApplyRestores checks that changes made through the API since the
// file was applied are undone, and the password resealed only when it no
// longer matches.
func TestApplyRestores(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		e.mustApply(t, base)
		carol := e.user(t, testPool, "carol")
		sealed, err := password.Seal(e.opts.Keys, rand.Reader, testPool, carol.Username, "changed-by-carol")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.st.UpdateUser(ctx, testPool, carol.Key, func(u *store.User) error {
			u.Password, u.Status, u.Enabled = sealed, model.UserStatusTypeResetRequired, false
			u.Attributes["given_name"] = "Caroline"
			u.Attributes["nickname"] = "caz"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got := e.mustApply(t, base)
		if diff := cmp.Diff([]string{"updated user carol in " + testPool}, got); diff != "" {
			t.Errorf("changes: %s", diff)
		}
		carol = e.user(t, testPool, "carol")
		if carol.Status != model.UserStatusTypeConfirmed || !carol.Enabled || !e.passwordIs(t, carol, "carol-password") || carol.Attributes["given_name"] != "Carol" {
			t.Errorf("carol = %s %v %v", carol.Status, carol.Enabled, carol.Attributes)
		}
		if carol.Attributes["nickname"] != "caz" {
			t.Errorf("an attribute the file does not list was removed: %v", carol.Attributes)
		}
		// The stored password matches: applying again does not reseal it.
		again := e.mustApply(t, base)
		if len(again) != 0 || string(e.user(t, testPool, "carol").Password) != string(carol.Password) {
			t.Errorf("applying again changed %v, or resealed the password", again)
		}
	})
}

func TestApplyTemporaryPasswordExpiry(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		file := strings.Replace(base, "Password: carol-password", "TemporaryPassword: carol-password", 1)
		e.mustApply(t, file)
		e.clock.Advance(6 * 24 * time.Hour)
		if got := e.mustApply(t, file); len(got) != 0 {
			t.Errorf("a valid temporary password was renewed: %v", got)
		}
		e.clock.Advance(2 * 24 * time.Hour)
		if got := e.mustApply(t, file); len(got) != 1 {
			t.Errorf("an expired temporary password was not renewed: %v", got)
		}
		carol := e.user(t, testPool, "carol")
		if carol.Status != model.UserStatusTypeForceChangePassword || !carol.PasswordSetAt.Equal(e.clock.Now()) {
			t.Errorf("carol = %s, password set at %v", carol.Status, carol.PasswordSetAt)
		}
	})
}

func TestApplyCustomAttributes(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		with := strings.Replace(base, "    ResourceServers:", "    Schema:\n      - {Name: team, AttributeDataType: String}\n    ResourceServers:", 1)
		e.mustApply(t, base)
		if got := e.mustApply(t, with); len(got) != 1 || got[0] != "updated user pool "+testPool {
			t.Errorf("adding a custom attribute changed %v", got)
		}
		p, err := userpool.Load(t.Context(), e.st, testPool)
		if err != nil {
			t.Fatal(err)
		}
		if p.Attribute("custom:team") == nil {
			t.Error("custom:team was not added")
		}
		if got := e.mustApply(t, with); len(got) != 0 {
			t.Errorf("applying again changed %v", got)
		}
		_, err = e.apply(t, base)
		if err == nil || !strings.Contains(err.Error(), "seed.yaml:2: user pool us-east-1_TestPool01:") || !strings.Contains(err.Error(), "attribute custom:team cannot be removed") {
			t.Errorf("removing a custom attribute: %v", err)
		}
	})
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name, file string
		want       string
	}{
		{"immutable setting", strings.Replace(base, "PoolName: test", "PoolName: test\n    UsernameAttributes: [email]", 1),
			"seed.yaml:2: user pool us-east-1_TestPool01: InvalidParameterException: UsernameAttributes cannot be changed"},
		{"region", strings.ReplaceAll(base, "us-east-1_TestPool01", "eu-west-1_TestPool01"),
			"seed.yaml:2: user pool eu-west-1_TestPool01: the pool ID is in region eu-west-1, but the server's region (--region) is us-east-1"},
		{"unknown group", strings.Replace(base, "Password: carol-password", "Password: carol-password\n        Groups: [nobody]", 1),
			"seed.yaml:21: user carol: group nobody does not exist in the pool"},
		{"password policy", strings.Replace(base, "Password: carol-password", "Password: short", 1),
			"seed.yaml:21: user carol: InvalidPasswordException: Password does not conform to policy: Password not long enough"},
		{"client settings", strings.Replace(base, "ClientName: app", "ClientName: app\n        ReadAttributes: [shoe_size]", 1),
			"seed.yaml:14: app client testclient0000000000000001: InvalidParameterException: Invalid read attributes"},
		{"unknown scope", strings.Replace(base, "[api/read]", "[other/read]", 1),
			"seed.yaml:14: app client testclient0000000000000001: ScopeDoesNotExistException"},
		{"attribute schema", strings.Replace(base, "Name: given_name", "Name: shoe_size", 1),
			"seed.yaml:21: user carol: update user: InvalidParameterException: user.shoe_size: Attribute does not exist in the schema."},
	}
	onStores(t, func(t *testing.T, e *env) {
		e.mustApply(t, base)
		before := e.snapshot(t)
		e.clock.Advance(time.Hour)
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.apply(t, tc.file)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want %q", err, tc.want)
				}
				if diff := cmp.Diff(before, e.snapshot(t)); diff != "" {
					t.Errorf("a failed apply changed records:\n%s", diff)
				}
			})
		}
	})
}

// TestApplyRollsBack checks that a file that fails part way changes
// nothing, not even the pools before the failing entry.
func TestApplyRollsBack(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		file := base + `  - PoolName: second
    Users:
      - Username: dave
        Password: Dave-password-1
        Groups: [missing]
`
		_, err := e.apply(t, file)
		if err == nil || !strings.Contains(err.Error(), "seed.yaml:29: user dave: group missing does not exist") {
			t.Fatalf("got %v", err)
		}
		if s := e.snapshot(t); len(s.Pools) != 0 {
			t.Errorf("a failed apply left pools %v", s.Pools)
		}
	})
}

func TestApplyMatchesPoolsByName(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		svc := &pools.Service{Deps: ops.Deps{Store: e.st, IDs: e.opts.IDs, Now: e.opts.Now, Region: "us-east-1", AccountID: "123456789012"}}
		out, err := svc.CreateUserPool(ctx, &model.CreateUserPoolRequest{PoolName: "byname"})
		if err != nil {
			t.Fatal(err)
		}
		file := "UserPools:\n  - PoolName: byname\n    MfaConfiguration: OFF\n    Groups: [{GroupName: g}]\n"
		got := e.mustApply(t, file)
		if diff := cmp.Diff([]string{"created group g in " + out.UserPool.Id}, got); diff != "" {
			t.Errorf("the pool named in the file was not the existing one: %s", diff)
		}
		if _, err := svc.CreateUserPool(ctx, &model.CreateUserPoolRequest{PoolName: "byname"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.apply(t, file)
		if err == nil || !strings.Contains(err.Error(), `seed.yaml:2: user pool "byname": 2 pools are named "byname"`) {
			t.Errorf("got %v", err)
		}
		// A new name makes a new pool, with a drawn ID.
		got = e.mustApply(t, "UserPools:\n  - PoolName: fresh\n")
		if len(got) != 1 || !strings.HasPrefix(got[0], "created user pool us-east-1_") {
			t.Errorf("got %v", got)
		}
	})
}

func TestApplyClientIDsAndSecrets(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		e.mustApply(t, base)
		// The same client ID under another pool is refused.
		other := "UserPools:\n  - Id: us-east-1_OtherPool1\n    PoolName: other\n    Clients:\n      - {ClientId: testclient0000000000000001, ClientName: app}\n"
		_, err := e.apply(t, other)
		if err == nil || !strings.Contains(err.Error(), "seed.yaml:5: app client testclient0000000000000001: the client ID belongs to a client of user pool "+testPool) {
			t.Errorf("got %v", err)
		}
		// GenerateSecret keeps a secret once drawn; no secret removes it.
		gen := "UserPools:\n  - Id: us-east-1_OtherPool1\n    PoolName: other\n    Clients:\n      - {ClientName: gen, GenerateSecret: true}\n"
		e.mustApply(t, gen)
		list, _, err := e.st.ListClients(ctx, "us-east-1_OtherPool1", store.Page{Limit: 10})
		if err != nil || len(list) != 1 || len(list[0].Secrets) != 1 {
			t.Fatalf("clients %+v, %v", list, err)
		}
		if got := e.mustApply(t, gen); len(got) != 0 {
			t.Errorf("GenerateSecret drew a new secret: %v", got)
		}
		e.mustApply(t, strings.Replace(gen, ", GenerateSecret: true", "", 1))
		c, err := e.st.GetClient(ctx, "us-east-1_OtherPool1", list[0].ID)
		if err != nil || len(c.Secrets) != 0 || c.ID != list[0].ID {
			t.Errorf("client %+v, %v", c, err)
		}
	})
}

func TestApplyDomains(t *testing.T) {
	onStores(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		with := func(domains string) string {
			return strings.Replace(base, "    ResourceServers:", "    Domains:\n"+domains+"    ResourceServers:", 1)
		}
		e.mustApply(t, with("      - Domain: first-test\n"))
		custom := "      - Domain: auth.example.com\n        CustomDomainConfig: {CertificateArn: \"arn:aws:acm:us-east-1:123456789012:certificate/abc\"}\n"
		got := e.mustApply(t, with("      - Domain: second-test\n"+custom))
		want := []string{"created domain second-test in " + testPool, "created domain auth.example.com in " + testPool}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("changes: %s", diff)
		}
		ds, err := e.st.ListPoolDomains(ctx, testPool)
		if err != nil || len(ds) != 2 || ds[0].Name != "second-test" || ds[1].Name != "auth.example.com" {
			t.Fatalf("domains %+v, %v", ds, err)
		}
		got = e.mustApply(t, with("      - Domain: second-test\n        ManagedLoginVersion: 2\n"+custom))
		if diff := cmp.Diff([]string{"updated domain second-test in " + testPool}, got); diff != "" {
			t.Errorf("changes: %s", diff)
		}
		if got := e.mustApply(t, with("      - Domain: second-test\n        ManagedLoginVersion: 2\n"+custom)); len(got) != 0 {
			t.Errorf("applying again changed %v", got)
		}
		// A domain another pool holds is refused.
		_, err = e.apply(t, "UserPools:\n  - Id: us-east-1_OtherPool1\n    PoolName: other\n    Domains: [{Domain: second-test}]\n")
		if err == nil || !strings.Contains(err.Error(), "seed.yaml:4: domain second-test: the domain belongs to user pool "+testPool) {
			t.Errorf("got %v", err)
		}
	})
}

func TestChangeString(t *testing.T) {
	c := Change{Action: "created", Kind: "user", PoolID: "us-east-1_abcdefghi", ID: "bob"}
	if got := fmt.Sprint(c); got != "created user bob in us-east-1_abcdefghi" {
		t.Errorf("got %q", got)
	}
}

// TestApplyConcurrently applies one file from two stores on one database
// at once, as replicas starting together do: both succeed, and the records
// are made once.
func TestApplyConcurrently(t *testing.T) {
	dsn := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "c.db") },
		"postgres": func(t *testing.T) string { return pgtesting.SchemaURL(t) },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			where := dsn[name](t)
			open := func() store.Store {
				var st store.Store
				var err error
				if name == "sqlite" {
					st, err = sqlite.Open(t.Context(), where)
				} else {
					st, err = postgres.Open(t.Context(), where)
				}
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}
			stores := []store.Store{open(), open()}
			keys, _, err := seal.LoadOrCreate(filepath.Join(t.TempDir(), "key"))
			if err != nil {
				t.Fatal(err)
			}
			f, err := ReadFile("../../examples/cognate.yaml")
			if err != nil {
				t.Fatal(err)
			}
			opts := ops.Deps{Keys: keys, IDs: ids.Generator{Rand: rand.Reader}, Now: time.Now, Rand: rand.Reader, Region: "us-east-1", AccountID: "123456789012"}
			errs := make(chan error, len(stores))
			for _, st := range stores {
				go func() {
					_, err := Apply(t.Context(), st, f, opts)
					errs <- err
				}()
			}
			for range stores {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			e := &env{st: stores[0]}
			s := e.snapshot(t)
			if len(s.Pools) != 1 || len(s.Clients) != 2 || len(s.Users) != 2 {
				t.Errorf("%d pools, %d clients, %d users", len(s.Pools), len(s.Clients), len(s.Users))
			}
		})
	}
}
