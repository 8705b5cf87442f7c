// Package userpool holds a user pool's settings document as the operations
// see it: Cognito's defaults for a new pool, the attribute schema with the
// standard attributes, username and alias rules, and the conversion of the
// stored settings to the wire's UserPoolType. Every operation area uses it
// to load the pool it works in.
package userpool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
)

// Pool is a stored pool with its settings decoded.
type Pool struct {
	ID        string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Settings holds every member of UserPoolType the pool keeps; the
	// identity, dates and counts are filled in by Describe.
	Settings model.UserPoolType
}

// NotFound is the error Cognito gives for a pool that does not exist.
func NotFound(id string) error {
	return &model.ResourceNotFoundException{Message: fmt.Sprintf("User pool %s does not exist.", id)}
}

// Load reads a pool, decoding its settings afresh; a missing pool is a
// ResourceNotFoundException. Operations load through the server's Memo.
func Load(ctx context.Context, st store.Pools, id string) (*Pool, error) {
	return (*Memo)(nil).Load(ctx, st, id)
}

// Memo memoizes the decoding of pools' settings documents: every operation
// loads its pool, and decoding the document costs more than reading it. Load
// uses an entry only when the stored bytes are exactly those it was decoded
// from, LoadUser only when the pool's stored revision is the entry's, so the
// memo can never be stale, and a memo may be shared by every replica's
// requests and transactions. The server owns one; a nil *Memo
// decodes every time.
type Memo struct {
	size int
	mu   sync.RWMutex
	m    map[string]memoEntry
}

type memoEntry struct {
	raw      []byte
	settings *model.UserPoolType
	// rev, name, createdAt and updatedAt are those of the pool row the
	// settings were last found current in; LoadUser serves the entry only
	// while the pool's revision is still rev.
	rev                  int64
	name                 string
	createdAt, updatedAt time.Time
}

// NewMemo returns a memo holding at most size pools.
func NewMemo(size int) *Memo {
	return &Memo{size: size, m: map[string]memoEntry{}}
}

// Load reads a pool; a missing pool is a ResourceNotFoundException. The
// settings returned may be shared with other callers of the same memo:
// treat them as read-only (Decode gives a copy to change).
func (c *Memo) Load(ctx context.Context, st store.Pools, id string) (*Pool, error) {
	p, _, err := c.load(ctx, st, id)
	return p, err
}

// load is Load that also returns the revision the pool was read at.
func (c *Memo) load(ctx context.Context, st store.Pools, id string) (*Pool, int64, error) {
	rec, err := st.GetPool(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, NotFound(id)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("load pool: %w", err)
	}
	if e, ok := c.get(rec.ID); ok && bytes.Equal(e.raw, rec.Config) {
		if e.rev != rec.Rev { // every write moves the revision
			c.put(rec, e.settings) // same settings in a newer revision
		}
		return &Pool{ID: rec.ID, Name: rec.Name, CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt, Settings: *e.settings}, rec.Rev, nil
	}
	p, err := Decode(rec)
	if err != nil {
		return nil, 0, err
	}
	c.put(rec, &p.Settings)
	return p, rec.Rev, nil
}

// LoadAt is Load for a caller that has just read the pool's revision rev
// in a statement of its own: a pool memoized at rev is returned without a
// query, any other is loaded.
func (c *Memo) LoadAt(ctx context.Context, st store.Pools, id string, rev int64) (*Pool, error) {
	if e, ok := c.get(id); ok && e.rev != 0 && e.rev == rev {
		return e.pool(id), nil
	}
	return c.Load(ctx, st, id)
}

// Read runs read with a pool, saving the query that loads it when it can:
// read does its own statement, which also reads the pool's current
// revision, and reports that revision.
//
// When the pool is memoized, read first runs with the memoized pool and
// fresh false, and its result stands if it saw the memoized revision. If
// it saw no revision (zero, for a statement that found no row), one pool
// read confirms or refutes the memoized one. Otherwise (pool not memoized,
// revision moved, or read failed) Read loads the pool, which fails first
// when the pool does not exist, and runs read again with the loaded pool
// and fresh true, reporting nothing: so every error comes from a run with
// the current pool, in Load's order. read must have no effect that a
// second run cannot repeat.
func (c *Memo) Read(ctx context.Context, st store.Pools, id string, read func(p *Pool, fresh bool) (rev int64, err error)) (*Pool, error) {
	e, memoized := c.get(id)
	memoized = memoized && e.rev != 0
	var readErr error
	if memoized {
		p := e.pool(id)
		rev, err := read(p, false)
		if err == nil && rev == e.rev {
			return p, nil
		}
		if err == nil && rev != 0 {
			memoized = false // the pool changed: read again with it
		}
		readErr = err
	}
	p, rev, err := c.load(ctx, st, id)
	if err != nil {
		return nil, err
	}
	if memoized && readErr == nil && rev == e.rev {
		// Unchanged since the entry was made, so throughout read too:
		// revisions never come back.
		return p, nil
	}
	if _, err := read(p, true); err != nil {
		return nil, err
	}
	return p, nil
}

// LoadUser loads a pool and resolves a username or alias in it, as Load
// followed by FindUser, with one query fewer when it can (Read): the user
// is read by key together with the pool's revision. A user not found by
// key is looked for again with the loaded pool, by key and alias, so the
// errors are Load's and FindUser's. The pool's settings are shared as
// Load's are.
func (c *Memo) LoadUser(ctx context.Context, st store.Store, poolID, name string) (*Pool, *store.User, error) {
	var u *store.User
	p, err := c.Read(ctx, st, poolID, func(p *Pool, fresh bool) (rev int64, err error) {
		if fresh {
			u, err = p.FindUser(ctx, st, name)
			return 0, err
		}
		u, rev, err = st.GetUserWithPoolRev(ctx, poolID, p.Key(name))
		return rev, err
	})
	if err != nil {
		return nil, nil, err
	}
	return p, u, nil
}

// pool returns the memoized pool, with settings shared as Load's are.
func (e memoEntry) pool(id string) *Pool {
	return &Pool{ID: id, Name: e.name, CreatedAt: e.createdAt, UpdatedAt: e.updatedAt, Settings: *e.settings}
}

func (c *Memo) get(id string) (memoEntry, bool) {
	if c == nil {
		return memoEntry{}, false
	}
	c.mu.RLock()
	e, ok := c.m[id]
	c.mu.RUnlock()
	return e, ok
}

func (c *Memo) put(rec *store.Pool, s *model.UserPoolType) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[rec.ID]; !ok && len(c.m) >= c.size {
		for k := range c.m { // evict an arbitrary entry
			delete(c.m, k)
			break
		}
	}
	c.m[rec.ID] = memoEntry{raw: bytes.Clone(rec.Config), settings: s,
		rev: rec.Rev, name: rec.Name, createdAt: rec.CreatedAt, updatedAt: rec.UpdatedAt}
}

// Decode turns a stored pool into a Pool.
func Decode(rec *store.Pool) (*Pool, error) {
	p := &Pool{ID: rec.ID, Name: rec.Name, CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt}
	if err := json.Unmarshal(rec.Config, &p.Settings); err != nil {
		return nil, fmt.Errorf("decode pool %s settings: %w", rec.ID, err)
	}
	return p, nil
}

// Encode returns the settings document to store.
func Encode(s *model.UserPoolType) ([]byte, error) {
	keep := *s
	keep.Id, keep.Name, keep.Arn = "", "", ""
	keep.CreationDate, keep.LastModifiedDate, keep.EstimatedNumberOfUsers = nil, nil, nil
	b, err := json.Marshal(&keep)
	if err != nil {
		return nil, fmt.Errorf("encode pool settings: %w", err)
	}
	return b, nil
}

// ARN returns the pool's Amazon Resource Name.
func ARN(region, account, id string) string {
	return fmt.Sprintf("arn:aws:cognito-idp:%s:%s:userpool/%s", region, account, id)
}

// Describe returns the pool as DescribeUserPool reports it.
func (p *Pool) Describe(region, account string, users int64) *model.UserPoolType {
	out := p.Settings
	out.Id = p.ID
	out.Name = p.Name
	out.Arn = ARN(region, account, p.ID)
	out.CreationDate = model.NewTime(p.CreatedAt)
	out.LastModifiedDate = model.NewTime(p.UpdatedAt)
	n := int32(min(users, 1<<31-1))
	out.EstimatedNumberOfUsers = &n
	return &out
}

// CaseSensitive reports whether usernames (and the email and
// preferred_username aliases) are matched case-sensitively. Cognito's API
// default is true.
func (p *Pool) CaseSensitive() bool {
	uc := p.Settings.UsernameConfiguration
	return uc == nil || uc.CaseSensitive == nil || *uc.CaseSensitive
}

// Key returns the lookup key of a username in this pool.
func (p *Pool) Key(username string) string {
	if p.CaseSensitive() {
		return username
	}
	return strings.ToLower(username)
}

// UsernameAttributes returns the attributes (email, phone_number) users sign
// in with instead of a username, if the pool uses them.
func (p *Pool) UsernameAttributes() []string { return p.Settings.UsernameAttributes }

// Attribute returns the schema of an attribute, or nil when the pool's
// schema has no such attribute.
func (p *Pool) Attribute(name string) *model.SchemaAttributeType {
	for i := range p.Settings.SchemaAttributes {
		if p.Settings.SchemaAttributes[i].Name == name {
			return &p.Settings.SchemaAttributes[i]
		}
	}
	return nil
}

// Aliases returns the unique lookup keys a user with attrs holds in this
// pool: the email and phone number when they are username attributes
// (verified or not), and each verified alias attribute (email and
// phone_number count when verified, preferred_username always).
func (p *Pool) Aliases(attrs map[string]string) []string {
	var out []string
	add := func(kind, v string) {
		if v == "" {
			return
		}
		if kind != "phone_number" && !p.CaseSensitive() {
			v = strings.ToLower(v)
		}
		out = append(out, AliasKey(kind, v))
	}
	for _, a := range p.Settings.UsernameAttributes {
		add(a, attrs[a])
	}
	for _, a := range p.Settings.AliasAttributes {
		switch a {
		case "email", "phone_number":
			if IsTrue(attrs[a+"_verified"]) && !contains(p.Settings.UsernameAttributes, a) {
				add(a, attrs[a])
			}
		default:
			add(a, attrs[a])
		}
	}
	return out
}

// AliasKey is the store's alias key for an attribute value already folded
// as the pool requires.
func AliasKey(attr, value string) string { return attr + ":" + value }

// AliasCandidates returns the alias keys a sign-in name could be, in the
// order Cognito resolves them, for looking a user up by alias.
func (p *Pool) AliasCandidates(name string) []string {
	var kinds []string
	kinds = append(kinds, p.Settings.UsernameAttributes...)
	kinds = append(kinds, p.Settings.AliasAttributes...)
	var out []string
	for _, k := range kinds {
		v := name
		if k != "phone_number" && !p.CaseSensitive() {
			v = strings.ToLower(v)
		}
		out = append(out, AliasKey(k, v))
	}
	return out
}

// FindUser resolves a username or alias to a user, as AdminGetUser and the
// other admin operations accept either. A missing user is
// UserNotFoundException "User does not exist.".
func (p *Pool) FindUser(ctx context.Context, st store.Users, name string) (*store.User, error) {
	u, err := st.GetUser(ctx, p.ID, p.Key(name))
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("get user: %w", err)
	}
	for _, alias := range p.AliasCandidates(name) {
		u, err := st.GetUserByAlias(ctx, p.ID, alias)
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("get user by alias: %w", err)
		}
	}
	return nil, ErrUserNotFound()
}

// ErrUserNotFound is Cognito's error for a user that does not exist.
func ErrUserNotFound() error {
	return &model.UserNotFoundException{Message: "User does not exist."}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
