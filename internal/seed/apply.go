package seed

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/cognate-idp/cognate/internal/appclient"
	"github.com/cognate-idp/cognate/internal/authn"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/ops"
	"github.com/cognate-idp/cognate/internal/ops/clients"
	"github.com/cognate-idp/cognate/internal/ops/domains"
	"github.com/cognate-idp/cognate/internal/ops/groups"
	"github.com/cognate-idp/cognate/internal/ops/pools"
	"github.com/cognate-idp/cognate/internal/ops/resourceservers"
	"github.com/cognate-idp/cognate/internal/ops/users"
	"github.com/cognate-idp/cognate/internal/password"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool"
)

// Change is one record a seed file created or updated.
type Change struct {
	// Action is "created" or "updated".
	Action string
	// Kind is "user pool", "domain", "resource server", "group", "app
	// client" or "user".
	Kind   string
	PoolID string
	// ID is the record's ID or name within its pool.
	ID string
}

func (c Change) String() string {
	if c.Kind == "user pool" {
		return fmt.Sprintf("%s %s %s", c.Action, c.Kind, c.ID)
	}
	return fmt.Sprintf("%s %s %s in %s", c.Action, c.Kind, c.ID, c.PoolID)
}

// Apply makes the store hold what f declares, in one transaction: records
// that do not exist are created, through the operations that create them;
// records that differ from the file are updated to match it; records the
// file does not mention are left alone. It returns what it changed, nothing
// when the store already matched. An error names the line of the entry
// that could not be applied, and leaves the store as it was.
//
// A failed transaction is tried once more: another process (a replica
// starting with the same file) may have created a record between this
// one's look-up and its insert, and the second try finds it.
//
// deps are the server's operation dependencies; their store is replaced by
// the transaction's, and a sign-in core is made from them when Auth is nil.
func Apply(ctx context.Context, st store.Store, f *File, deps ops.Deps) ([]Change, error) {
	if deps.Auth == nil {
		deps.Auth = &authn.Service{Store: st, Keys: deps.Keys, IDs: deps.IDs, Now: deps.Now, Rand: deps.Rand, Notifier: deps.Notifier}
	}
	var changes []Change
	var err error
	for range 2 {
		err = st.Tx(ctx, func(tx store.Store) error {
			a := newApplier(tx, f.Name, deps)
			for i := range f.UserPools {
				if err := a.pool(ctx, &f.UserPools[i]); err != nil {
					return err
				}
			}
			changes = a.changes
			return nil
		})
		if err == nil {
			return changes, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

// applier applies a file inside one transaction, with the operation
// services bound to it.
type applier struct {
	tx      store.Store
	file    string
	opts    ops.Deps
	auth    *authn.Service
	pools   *pools.Service
	clients *clients.Service
	users   *users.Service
	groups  *groups.Service
	domains *domains.Service
	rs      *resourceservers.Service
	changes []Change
}

func newApplier(tx store.Store, file string, deps ops.Deps) *applier {
	d := deps.WithStore(tx)
	return &applier{
		tx: tx, file: file, opts: d, auth: d.Auth,
		pools:   &pools.Service{Deps: d},
		clients: &clients.Service{Deps: d},
		users:   &users.Service{Deps: d},
		groups:  &groups.Service{Deps: d},
		domains: &domains.Service{Deps: d},
		rs:      &resourceservers.Service{Deps: d},
	}
}

// errAt wraps an error applying the entry at line.
func (a *applier) errAt(line int, what string, err error) error {
	return fmt.Errorf("%s:%d: %s: %w", a.file, line, what, err)
}

func (a *applier) record(action, kind, poolID, id string) {
	a.changes = append(a.changes, Change{Action: action, Kind: kind, PoolID: poolID, ID: id})
}

// pool applies a pool entry and everything it holds.
func (a *applier) pool(ctx context.Context, p *Pool) error {
	what := fmt.Sprintf("user pool %q", p.PoolName)
	if p.Id != "" {
		what = "user pool " + p.Id
		if region, _, _ := strings.Cut(p.Id, "_"); region != a.opts.Region {
			return a.errAt(p.Line, what, fmt.Errorf("the pool ID is in region %s, but the server's region (--region) is %s", region, a.opts.Region))
		}
	}
	rec, err := a.findPool(ctx, p)
	if err != nil {
		return a.errAt(p.Line, what, err)
	}
	req := p.CreateUserPoolRequest
	var id string
	if rec == nil {
		out, err := a.pools.CreateUserPoolWithID(ctx, p.Id, &req)
		if err != nil {
			return a.errAt(p.Line, what, err)
		}
		id = out.UserPool.Id
		a.record("created", "user pool", id, id)
	} else {
		id = rec.ID
		changed, err := a.updatePool(ctx, rec, &req)
		if err != nil {
			return a.errAt(p.Line, what, err)
		}
		if changed {
			a.record("updated", "user pool", id, id)
		}
	}
	for i := range p.Domains {
		if err := a.domain(ctx, id, &p.Domains[i]); err != nil {
			return err
		}
	}
	for i := range p.ResourceServers {
		if err := a.resourceServer(ctx, id, &p.ResourceServers[i]); err != nil {
			return err
		}
	}
	for i := range p.Groups {
		if err := a.group(ctx, id, &p.Groups[i]); err != nil {
			return err
		}
	}
	for i := range p.Clients {
		if err := a.client(ctx, id, &p.Clients[i]); err != nil {
			return err
		}
	}
	for i := range p.Users {
		if err := a.user(ctx, id, &p.Users[i]); err != nil {
			return err
		}
	}
	return nil
}

// findPool returns the stored pool an entry names, by its ID or else by
// its name, or nil when there is none.
func (a *applier) findPool(ctx context.Context, p *Pool) (*store.Pool, error) {
	if p.Id != "" {
		rec, err := a.tx.GetPool(ctx, p.Id)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("get pool: %w", err)
		}
		return rec, nil
	}
	var found []store.Pool
	page := store.Page{Limit: 60}
	for {
		list, next, err := a.tx.ListPools(ctx, page)
		if err != nil {
			return nil, fmt.Errorf("list pools: %w", err)
		}
		for _, rec := range list {
			if rec.Name == p.PoolName {
				found = append(found, rec)
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return &found[0], nil
	}
	return nil, fmt.Errorf("%d pools are named %q; give the entry the Id of the one it declares", len(found), p.PoolName)
}

// ownedPoolMembers are the members of a pool's settings document that a
// CreateUserPool request decides: the seed sets them and leaves the others
// (which other operations set) as they are.
var ownedPoolMembers = func() []string {
	names := jsonNames(reflect.TypeFor[model.CreateUserPoolRequest](), "PoolName", "Schema", "UserPoolTags")
	return append(names, "SchemaAttributes")
}()

// ownedClientMembers are the members of a client's settings document that a
// CreateUserPoolClient request decides.
var ownedClientMembers = jsonNames(reflect.TypeFor[model.CreateUserPoolClientRequest](), "UserPoolId", "ClientName", "ClientSecret", "GenerateSecret")

// jsonNames returns the JSON member names of struct type t but those
// excluded.
func jsonNames(t reflect.Type, exclude ...string) []string {
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && !slices.Contains(exclude, name) {
			out = append(out, name)
		}
	}
	return out
}

// overlay returns the document cur with the members named in owned
// replaced by (or, when absent, removed as in) want's.
func overlay(cur, want []byte, owned []string) ([]byte, error) {
	var c, w map[string]json.RawMessage
	if err := json.Unmarshal(cur, &c); err != nil {
		return nil, fmt.Errorf("decode settings: %w", err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		return nil, fmt.Errorf("decode settings: %w", err)
	}
	if c == nil {
		c = map[string]json.RawMessage{}
	}
	for _, k := range owned {
		if v, ok := w[k]; ok {
			c[k] = v
		} else {
			delete(c, k)
		}
	}
	return json.Marshal(c)
}

// updatePool makes a stored pool's name, settings and (when the file gives
// them) tags those of the request, and reports whether it changed any.
// Settings Cognito cannot change on an existing pool are refused when they
// differ, except that custom attributes may be added, as
// AddCustomAttributes adds them.
func (a *applier) updatePool(ctx context.Context, rec *store.Pool, req *model.CreateUserPoolRequest) (bool, error) {
	want, err := userpool.NewSettings(req)
	if err != nil {
		return false, err
	}
	cur, err := userpool.Decode(rec)
	if err != nil {
		return false, err
	}
	if want.SchemaAttributes, err = mergeSchema(cur.Settings.SchemaAttributes, want.SchemaAttributes); err != nil {
		return false, err
	}
	for _, m := range []struct {
		name      string
		cur, want any
	}{
		{"UsernameAttributes", cur.Settings.UsernameAttributes, want.UsernameAttributes},
		{"AliasAttributes", cur.Settings.AliasAttributes, want.AliasAttributes},
		{"UsernameConfiguration", cur.Settings.UsernameConfiguration, want.UsernameConfiguration},
	} {
		if !sameJSON(m.cur, m.want) {
			return false, immutable(m.name)
		}
	}
	wantDoc, err := pools.EncodeSettings(want)
	if err != nil {
		return false, err
	}
	curDoc, err := pools.EncodeSettings(&cur.Settings)
	if err != nil {
		return false, err
	}
	doc, err := overlay(curDoc, wantDoc, ownedPoolMembers)
	if err != nil {
		return false, err
	}
	// Normalize through the settings type, as the operations write it.
	var next model.UserPoolType
	if err := json.Unmarshal(doc, &next); err != nil {
		return false, fmt.Errorf("decode settings: %w", err)
	}
	if doc, err = pools.EncodeSettings(&next); err != nil {
		return false, err
	}
	changed := false
	if !bytes.Equal(doc, curDoc) || rec.Name != req.PoolName {
		_, err := a.tx.UpdatePool(ctx, rec.ID, func(r *store.Pool) error {
			r.Name, r.Config, r.UpdatedAt = req.PoolName, doc, a.opts.Now()
			return nil
		})
		if err != nil {
			return false, fmt.Errorf("update pool: %w", err)
		}
		changed = true
	}
	if req.UserPoolTags != nil {
		have, err := a.tx.GetTags(ctx, rec.ID)
		if err != nil {
			return false, fmt.Errorf("get tags: %w", err)
		}
		if !maps.Equal(have, req.UserPoolTags) {
			_, err := a.tx.UpdateTags(ctx, rec.ID, func(t map[string]string) error {
				clear(t)
				maps.Copy(t, req.UserPoolTags)
				return nil
			})
			if err != nil {
				return false, fmt.Errorf("set tags: %w", err)
			}
			changed = true
		}
	}
	return changed, nil
}

func immutable(member string) error {
	return &model.InvalidParameterException{Message: fmt.Sprintf("%s cannot be changed on an existing user pool (as in Cognito); delete the pool, or give the entry another Id or PoolName", member)}
}

// sameJSON reports whether a and b encode alike, so that nil and empty
// values left out compare equal.
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	norm := func(b []byte) string {
		if s := string(b); s != "null" && s != "[]" && s != "{}" {
			return s
		}
		return ""
	}
	return err1 == nil && err2 == nil && norm(x) == norm(y)
}

// mergeSchema returns the schema an existing pool gets from the file: its
// attributes as they are, which the file must declare alike, followed by the
// custom attributes the file adds.
func mergeSchema(cur, want []model.SchemaAttributeType) ([]model.SchemaAttributeType, error) {
	byName := map[string]model.SchemaAttributeType{}
	for _, w := range want {
		byName[w.Name] = w
	}
	out := slices.Clone(cur)
	for _, c := range cur {
		w, ok := byName[c.Name]
		if !ok {
			return nil, immutable(fmt.Sprintf("Schema (attribute %s cannot be removed)", c.Name))
		}
		if !sameJSON(c, w) {
			return nil, immutable(fmt.Sprintf("Schema (attribute %s)", c.Name))
		}
		delete(byName, c.Name)
	}
	for _, w := range want {
		if _, added := byName[w.Name]; added {
			out = append(out, w)
		}
	}
	return out, nil
}

// domain applies a domain entry. A pool has one domain of each kind, so a
// domain of the entry's kind with another name is replaced.
func (a *applier) domain(ctx context.Context, poolID string, dm *Domain) error {
	what := fmt.Sprintf("domain %s", dm.Domain)
	in := dm.CreateUserPoolDomainRequest
	in.UserPoolId = poolID
	custom := in.CustomDomainConfig != nil
	version := int32(domains.ClassicHostedUI)
	if in.ManagedLoginVersion != nil {
		version = *in.ManagedLoginVersion
	}
	d, err := a.tx.GetDomain(ctx, in.Domain)
	switch {
	case err == nil && d.PoolID != poolID:
		return a.errAt(dm.Line, what, fmt.Errorf("the domain belongs to user pool %s", d.PoolID))
	case err == nil:
		set, err := domains.Decode(d)
		if err != nil {
			return a.errAt(dm.Line, what, err)
		}
		same := set.ManagedLoginVersion == version && sameJSON(set.CustomDomainConfig, in.CustomDomainConfig) &&
			(in.Routing == nil || sameJSON(set.Routing, in.Routing))
		if same {
			return nil
		}
		up := &model.UpdateUserPoolDomainRequest{UserPoolId: poolID, Domain: in.Domain, ManagedLoginVersion: &version, CustomDomainConfig: in.CustomDomainConfig, Routing: in.Routing}
		if _, err := a.domains.UpdateUserPoolDomain(ctx, up); err != nil {
			return a.errAt(dm.Line, what, err)
		}
		a.record("updated", "domain", poolID, in.Domain)
		return nil
	case !errors.Is(err, store.ErrNotFound):
		return a.errAt(dm.Line, what, fmt.Errorf("get domain: %w", err))
	}
	have, err := a.tx.ListPoolDomains(ctx, poolID)
	if err != nil {
		return a.errAt(dm.Line, what, fmt.Errorf("list domains: %w", err))
	}
	for _, old := range have {
		if old.Custom == custom {
			if err := a.tx.DeleteDomain(ctx, poolID, old.Name); err != nil {
				return a.errAt(dm.Line, what, fmt.Errorf("replace domain %s: %w", old.Name, err))
			}
		}
	}
	if _, err := a.domains.CreateUserPoolDomain(ctx, &in); err != nil {
		return a.errAt(dm.Line, what, err)
	}
	a.record("created", "domain", poolID, in.Domain)
	return nil
}

// resourceServer applies a resource server entry.
func (a *applier) resourceServer(ctx context.Context, poolID string, rs *ResourceServer) error {
	what := fmt.Sprintf("resource server %s", rs.Identifier)
	in := rs.CreateResourceServerRequest
	in.UserPoolId = poolID
	cur, err := a.tx.GetResourceServer(ctx, poolID, in.Identifier)
	if errors.Is(err, store.ErrNotFound) {
		if _, err := a.rs.CreateResourceServer(ctx, &in); err != nil {
			return a.errAt(rs.Line, what, err)
		}
		a.record("created", "resource server", poolID, in.Identifier)
		return nil
	}
	if err != nil {
		return a.errAt(rs.Line, what, fmt.Errorf("get resource server: %w", err))
	}
	want := make([]store.Scope, 0, len(in.Scopes))
	for _, sc := range in.Scopes {
		want = append(want, store.Scope{Name: sc.ScopeName, Description: sc.ScopeDescription})
	}
	if cur.Name == in.Name && slices.Equal(cur.Scopes, want) {
		return nil
	}
	up := &model.UpdateResourceServerRequest{UserPoolId: poolID, Identifier: in.Identifier, Name: in.Name, Scopes: in.Scopes}
	if _, err := a.rs.UpdateResourceServer(ctx, up); err != nil {
		return a.errAt(rs.Line, what, err)
	}
	a.record("updated", "resource server", poolID, in.Identifier)
	return nil
}

// group applies a group entry.
func (a *applier) group(ctx context.Context, poolID string, g *Group) error {
	what := fmt.Sprintf("group %s", g.GroupName)
	in := g.CreateGroupRequest
	in.UserPoolId = poolID
	cur, err := a.tx.GetGroup(ctx, poolID, in.GroupName)
	if errors.Is(err, store.ErrNotFound) {
		if _, err := a.groups.CreateGroup(ctx, &in); err != nil {
			return a.errAt(g.Line, what, err)
		}
		a.record("created", "group", poolID, in.GroupName)
		return nil
	}
	if err != nil {
		return a.errAt(g.Line, what, fmt.Errorf("get group: %w", err))
	}
	if cur.Description == in.Description && cur.RoleArn == in.RoleArn && reflect.DeepEqual(cur.Precedence, in.Precedence) {
		return nil
	}
	// UpdateGroup keeps members a request leaves out; the file's entry
	// is the whole group, so write it as given.
	_, err = a.tx.UpdateGroup(ctx, poolID, in.GroupName, func(cur *store.Group) error {
		cur.Description, cur.RoleArn, cur.Precedence, cur.UpdatedAt = in.Description, in.RoleArn, in.Precedence, a.opts.Now()
		return nil
	})
	if err != nil {
		return a.errAt(g.Line, what, fmt.Errorf("update group: %w", err))
	}
	a.record("updated", "group", poolID, in.GroupName)
	return nil
}

// client applies an app client entry: its name, settings and secret.
func (a *applier) client(ctx context.Context, poolID string, c *Client) error {
	what := fmt.Sprintf("app client %q", c.ClientName)
	if c.ClientId != "" {
		what = "app client " + c.ClientId
	}
	in := c.CreateUserPoolClientRequest
	in.UserPoolId = poolID
	cur, err := a.findClient(ctx, poolID, c)
	if err != nil {
		return a.errAt(c.Line, what, err)
	}
	if cur == nil {
		out, err := a.clients.CreateUserPoolClientWithID(ctx, c.ClientId, &in)
		if err != nil {
			return a.errAt(c.Line, what, err)
		}
		a.record("created", "app client", poolID, out.UserPoolClient.ClientId)
		return nil
	}
	p, err := a.opts.Pools.Load(ctx, a.tx, poolID)
	if err != nil {
		return a.errAt(c.Line, what, err)
	}
	want, err := clients.NewSettings(ctx, a.tx, p, &in)
	if err != nil {
		return a.errAt(c.Line, what, err)
	}
	doc, err := overlay(cur.Config, want, ownedClientMembers)
	if err != nil {
		return a.errAt(c.Line, what, err)
	}
	var next, prev model.UserPoolClientType
	if err := json.Unmarshal(doc, &next); err != nil {
		return a.errAt(c.Line, what, fmt.Errorf("decode client settings: %w", err))
	}
	if err := json.Unmarshal(cur.Config, &prev); err != nil {
		return a.errAt(c.Line, what, fmt.Errorf("decode client settings: %w", err))
	}
	secrets, err := a.secrets(cur, &in)
	if err != nil {
		return a.errAt(c.Line, what, err)
	}
	if cur.Name == in.ClientName && sameJSON(next, prev) && slices.EqualFunc(secrets, cur.Secrets, func(x, y store.ClientSecret) bool { return x.ID == y.ID }) {
		return nil
	}
	if doc, err = json.Marshal(&next); err != nil {
		return a.errAt(c.Line, what, fmt.Errorf("encode client settings: %w", err))
	}
	_, err = a.tx.UpdateClient(ctx, poolID, cur.ID, func(r *store.Client) error {
		r.Name, r.Config, r.Secrets, r.UpdatedAt = in.ClientName, doc, secrets, a.opts.Now()
		return nil
	})
	if err != nil {
		return a.errAt(c.Line, what, fmt.Errorf("update client: %w", err))
	}
	a.record("updated", "app client", poolID, cur.ID)
	return nil
}

// findClient returns the stored client an entry names, by its ID or else
// by its name in the pool, or nil when there is none.
func (a *applier) findClient(ctx context.Context, poolID string, c *Client) (*store.Client, error) {
	if c.ClientId != "" {
		rec, err := a.tx.GetClientByID(ctx, c.ClientId)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("get client: %w", err)
		}
		if rec.PoolID != poolID {
			return nil, fmt.Errorf("the client ID belongs to a client of user pool %s", rec.PoolID)
		}
		return rec, nil
	}
	var found []store.Client
	page := store.Page{Limit: 60}
	for {
		list, next, err := a.tx.ListClients(ctx, poolID, page)
		if err != nil {
			return nil, fmt.Errorf("list clients: %w", err)
		}
		for _, rec := range list {
			if rec.Name == c.ClientName {
				found = append(found, rec)
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return &found[0], nil
	}
	return nil, fmt.Errorf("the pool has %d app clients named %q; give the entry the ClientId of the one it declares", len(found), c.ClientName)
}

// secrets returns the secrets an existing client is to have: a given
// ClientSecret is its one secret (kept when stored already); GenerateSecret
// keeps the secrets it has, or draws one; neither leaves it without.
func (a *applier) secrets(cur *store.Client, in *model.CreateUserPoolClientRequest) ([]store.ClientSecret, error) {
	switch {
	case in.ClientSecret != "":
		for _, sec := range cur.Secrets {
			v, err := appclient.OpenSecret(a.opts.Keys, cur.ID, sec)
			if err != nil {
				return nil, err
			}
			if subtle.ConstantTimeCompare([]byte(v), []byte(in.ClientSecret)) == 1 {
				return []store.ClientSecret{sec}, nil
			}
		}
		sec, err := a.newSecret(cur.ID, in.ClientSecret)
		if err != nil {
			return nil, err
		}
		return []store.ClientSecret{sec}, nil
	case in.GenerateSecret != nil && *in.GenerateSecret:
		if len(cur.Secrets) > 0 {
			return cur.Secrets, nil
		}
		v, err := a.opts.IDs.ClientSecret()
		if err != nil {
			return nil, err
		}
		sec, err := a.newSecret(cur.ID, v)
		if err != nil {
			return nil, err
		}
		return []store.ClientSecret{sec}, nil
	}
	return nil, nil
}

// newSecret seals value as a new secret of a client, as the client
// operations do.
func (a *applier) newSecret(clientID, value string) (store.ClientSecret, error) {
	id, err := a.opts.IDs.SecretID(clientID)
	if err != nil {
		return store.ClientSecret{}, err
	}
	sealed, err := a.opts.Keys.Seal([]byte(value), appclient.SecretAAD(clientID, id))
	if err != nil {
		return store.ClientSecret{}, fmt.Errorf("seal client secret: %w", err)
	}
	return store.ClientSecret{ID: id, Sealed: sealed, CreatedAt: a.opts.Now()}, nil
}

// user applies a user entry: the user is created as AdminCreateUser creates
// one (without an invitation), and an existing user gets the file's
// attribute values, password, status, enabled flag and groups.
func (a *applier) user(ctx context.Context, poolID string, u *User) error {
	what := fmt.Sprintf("user %s", u.Username)
	p, err := a.opts.Pools.Load(ctx, a.tx, poolID)
	if err != nil {
		return a.errAt(u.Line, what, err)
	}
	pw, status := u.Password, model.UserStatusTypeConfirmed
	if pw == "" {
		pw, status = u.TemporaryPassword, model.UserStatusTypeForceChangePassword
	}
	if err := password.Check(p.Settings.Policies.PasswordPolicy, pw); err != nil {
		return a.errAt(u.Line, what, err)
	}
	enabled := u.Enabled == nil || *u.Enabled
	rec, err := p.FindUser(ctx, a.tx, u.Username)
	var notFound *model.UserNotFoundException
	created := errors.As(err, &notFound)
	if created {
		rec, err = a.createUser(ctx, p, u, pw)
	}
	if err != nil {
		return a.errAt(u.Line, what, err)
	}
	changed, err := a.updateUser(ctx, p, rec, u, pw, status, enabled, created)
	if err != nil {
		return a.errAt(u.Line, what, err)
	}
	added, err := a.memberships(ctx, p, rec, u.Groups)
	if err != nil {
		return a.errAt(u.Line, what, err)
	}
	switch {
	case created:
		a.record("created", "user", poolID, u.Username)
	case changed || added:
		a.record("updated", "user", poolID, u.Username)
	}
	return nil
}

// createUser creates a user through AdminCreateUser, with the password as
// its temporary password and no invitation, and returns the stored user.
func (a *applier) createUser(ctx context.Context, p *userpool.Pool, u *User, pw string) (*store.User, error) {
	out, err := a.users.AdminCreateUser(ctx, &model.AdminCreateUserRequest{
		UserPoolId: p.ID, Username: u.Username, UserAttributes: u.UserAttributes,
		TemporaryPassword: pw, MessageAction: model.MessageActionTypeSuppress,
	})
	if err != nil {
		return nil, err
	}
	rec, err := a.tx.GetUser(ctx, p.ID, p.Key(out.User.Username))
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	return rec, nil
}

// updateUser gives a user the entry's attribute values, password, status
// and enabled flag, and reports whether anything changed. The password is
// set only when the stored one is another (or an expired temporary one),
// so applying a file again does not reseal it; fresh says the user was
// just created with pw.
func (a *applier) updateUser(ctx context.Context, p *userpool.Pool, rec *store.User, u *User, pw, status string, enabled, fresh bool) (bool, error) {
	changed := false
	var attrs []model.AttributeType
	for _, at := range u.UserAttributes {
		if v, ok := rec.Attributes[at.Name]; !ok || v != at.Value {
			attrs = append(attrs, at)
		}
	}
	// A changed email or phone number is unverified unless the request
	// verifies it too: give the file's verification with it.
	for _, at := range attrs {
		if at.Name != "email" && at.Name != "phone_number" {
			continue
		}
		for _, v := range u.UserAttributes {
			if v.Name == at.Name+"_verified" && !slices.ContainsFunc(attrs, func(x model.AttributeType) bool { return x.Name == v.Name }) {
				attrs = append(attrs, v)
			}
		}
	}
	if len(attrs) > 0 {
		_, err := a.users.AdminUpdateUserAttributes(ctx, &model.AdminUpdateUserAttributesRequest{UserPoolId: p.ID, Username: rec.Username, UserAttributes: attrs})
		if err != nil {
			return false, err
		}
		changed = true
	}
	match := fresh
	var err error
	if !fresh {
		if match, err = a.auth.PasswordMatches(rec, pw); err != nil {
			return false, err
		}
	}
	reset := !match || (status == model.UserStatusTypeForceChangePassword && a.auth.TemporaryPasswordExpired(p, rec))
	if !reset && rec.Status == status && rec.Enabled == enabled {
		return changed, nil
	}
	var sealed []byte
	if reset {
		if sealed, err = password.Seal(a.opts.Keys, a.opts.Rand, p.ID, rec.Username, pw); err != nil {
			return false, err
		}
	}
	disabling := rec.Enabled && !enabled
	now := a.opts.Now()
	updated, err := a.auth.EditState(ctx, a.tx, rec, func(su *store.User, st *authn.State) error {
		if sealed != nil {
			authn.RememberPassword(p, su, st, sealed, now)
		}
		su.Status, su.Enabled, su.UpdatedAt = status, enabled, now
		return nil
	})
	if err != nil {
		return false, err
	}
	if disabling {
		if err := a.auth.RevokeAll(ctx, updated); err != nil {
			return false, err
		}
	}
	*rec = *updated
	return true, nil
}

// memberships adds the user to the groups the entry lists and reports
// whether it added any.
func (a *applier) memberships(ctx context.Context, p *userpool.Pool, rec *store.User, names []string) (bool, error) {
	if len(names) == 0 {
		return false, nil
	}
	have := map[string]bool{}
	page := store.Page{Limit: 60}
	for {
		list, next, err := a.tx.ListGroupsForUser(ctx, p.ID, rec.Key, page)
		if err != nil {
			return false, fmt.Errorf("list groups for user: %w", err)
		}
		for _, g := range list {
			have[g.Name] = true
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	added := false
	for _, g := range names {
		if have[g] {
			continue
		}
		err := a.tx.AddUserToGroup(ctx, p.ID, rec.Key, g)
		if errors.Is(err, store.ErrNotFound) {
			return false, fmt.Errorf("group %s does not exist in the pool", g)
		}
		if err != nil {
			return false, fmt.Errorf("add to group %s: %w", g, err)
		}
		added = true
	}
	return added, nil
}
