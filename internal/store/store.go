// Package store defines Cognate's persistence contract: the record types, the
// Store interface made of per-area interfaces, and the sentinel errors every
// backend maps its driver errors onto. Backends live in sub-packages (sqlite,
// postgres) and all pass the conformance suite in storetest.
//
// The store knows nothing of HTTP or of the wire model: records hold what the
// server keeps (sealed secrets, lookup keys), and settings documents that the
// operations layer owns are carried as opaque JSON.
package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors. Backends wrap them with context (fmt.Errorf("...: %w", ErrNotFound)).
var (
	// ErrNotFound means the addressed record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a record with the same primary name already exists.
	ErrConflict = errors.New("already exists")
	// ErrAliasConflict means one of a user's Aliases is held by another user of the pool.
	ErrAliasConflict = errors.New("alias already exists")
	// ErrBadCursor means a pagination cursor was not produced by this store for this query.
	ErrBadCursor = errors.New("invalid pagination cursor")
	// ErrLimit means a create would take a count past the limit the caller set.
	ErrLimit = errors.New("limit reached")
)

// Store is everything Cognate persists. Implementations are safe for
// concurrent use.
//
// Times are kept at microsecond precision and returned in UTC. The store
// never reads the clock: CreatedAt and UpdatedAt are what the caller sets.
// Listings and counts of a pool that does not exist are empty.
type Store interface {
	Pools
	Clients
	Users
	Groups
	Messages
	SigningKeys
	Sessions
	Codes
	RefreshTokens
	Domains
	ResourceServers
	TermsDocuments
	Tags
	IdentityProviders
	ProviderLinks
	PoolSettings
	Brandings
	ProvisionedLimits
	ImportJobs
	AuthEvents
	SAMLAssertions
	Replicas
	WebAuthnCredentials

	// Tx runs fn in one transaction: every write fn makes through tx commits
	// together or not at all. If fn returns an error the transaction rolls back
	// and Tx returns that error. Calling Tx on the tx passed to fn runs the
	// nested fn in the same transaction; if the nested fn fails, only its own
	// writes are undone. A method that fails inside a transaction likewise
	// undoes its own writes and leaves the transaction usable. fn must make
	// every call through tx, from its own goroutine, and not keep tx: the
	// outer store may wait for the transaction to end.
	Tx(ctx context.Context, fn func(tx Store) error) error
	// Close releases the store's resources.
	Close() error
}

// Page asks for one page of a listing. Cursor is empty for the first page or
// a value a previous call of the same listing returned (ErrBadCursor
// otherwise); Limit is at least 1.
type Page struct {
	Cursor string
	Limit  int
}

// Pool is a user pool. Config is the pool's settings document, owned by the
// operations layer and stored as given.
type Pool struct {
	ID        string
	Name      string
	Config    []byte
	CreatedAt time.Time
	UpdatedAt time.Time
	// Rev is the pool's revision: the store sets a new random one on
	// CreatePool and every UpdatePool (never zero, and never repeated by
	// a pool re-created under the same ID but by chance), ignoring the
	// caller's. GetUserWithPoolRev and FindUsersWithPoolRev return it
	// with users, GetClientByIDWithPoolRev with a client.
	Rev int64
}

// Pools stores user pools.
type Pools interface {
	// CreatePool stores a new pool; ErrConflict if the ID is taken.
	CreatePool(ctx context.Context, p *Pool) error
	// GetPool returns a pool or ErrNotFound.
	GetPool(ctx context.Context, id string) (*Pool, error)
	// UpdatePool reads the pool, applies fn and writes the result, in one
	// transaction with the row locked against concurrent updates. If fn
	// returns an error nothing is written and that error is returned. ID and
	// CreatedAt cannot be changed by fn.
	UpdatePool(ctx context.Context, id string, fn func(p *Pool) error) (*Pool, error)
	// DeletePool removes the pool and everything in it (clients, users,
	// groups, memberships, messages, signing keys, sessions, codes, refresh
	// tokens, domains, resource servers, terms, tags, identity providers,
	// provider links, settings documents, branding styles, auth events,
	// replicas); ErrNotFound if it does not exist.
	DeletePool(ctx context.Context, id string) error
	// ClaimPoolQuota returns ErrLimit if max pools have IDs starting with
	// prefix (a region's pools) already. Called in the transaction that
	// creates a pool, it keeps the count true until that transaction ends:
	// other transactions' claims wait for it.
	ClaimPoolQuota(ctx context.Context, prefix string, max int) error
	// ListPools returns pools ordered by ID and the cursor of the next page
	// ("" when there is none).
	ListPools(ctx context.Context, page Page) ([]Pool, string, error)
}

// Client is an app client of a pool. Config is the client's settings
// document, owned by the operations layer.
type Client struct {
	PoolID    string
	ID        string
	Name      string
	Config    []byte
	Secrets   []ClientSecret
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ClientSecret is one of a client's secrets, sealed with the master key.
type ClientSecret struct {
	ID        string
	Sealed    []byte
	CreatedAt time.Time
}

// Clients stores app clients.
type Clients interface {
	// CreateClient stores a new client; ErrNotFound if the pool does not
	// exist, ErrConflict if the client ID is taken, ErrLimit if the pool
	// has max clients already (checked atomically with the insert).
	CreateClient(ctx context.Context, c *Client, max int) error
	// GetClient returns a client of a pool, or ErrNotFound.
	GetClient(ctx context.Context, poolID, clientID string) (*Client, error)
	// GetClientByID returns a client by its ID alone (client IDs are globally
	// unique), or ErrNotFound. The public operations address clients this way.
	GetClientByID(ctx context.Context, clientID string) (*Client, error)
	// GetClientByIDWithPoolRev is GetClientByID that also returns, read in
	// the same statement, the client's pool's current Rev.
	GetClientByIDWithPoolRev(ctx context.Context, clientID string) (*Client, int64, error)
	// UpdateClient is the read-modify-write of a client, as UpdatePool. PoolID,
	// ID and CreatedAt cannot be changed by fn.
	UpdateClient(ctx context.Context, poolID, clientID string, fn func(c *Client) error) (*Client, error)
	// DeleteClient removes a client; ErrNotFound if it does not exist.
	DeleteClient(ctx context.Context, poolID, clientID string) error
	// ListClients returns a pool's clients ordered by ID.
	ListClients(ctx context.Context, poolID string, page Page) ([]Client, string, error)
}

// IndexedAttributes are the user attributes the store indexes for
// FindUsers, besides the username, sub, status and enabled fields.
var IndexedAttributes = []string{"email", "phone_number", "name", "given_name", "family_name", "preferred_username"}

// User is a user of a pool.
type User struct {
	PoolID string
	// Username is the user's internal username as created.
	Username string
	// Key is the lookup key of Username: the username itself, or its folded
	// form in a case-insensitive pool. Unique within the pool.
	Key string
	// Sub is the user's immutable UUID, unique within the pool.
	Sub string
	// Status is the Cognito user status (UNCONFIRMED, CONFIRMED, ...).
	Status  string
	Enabled bool
	// Attributes holds every attribute of the user, sub included.
	Attributes map[string]string
	// Aliases are further lookup keys (for example "email:bob@example.com")
	// that must be unique within the pool; ErrAliasConflict otherwise.
	Aliases []string
	// Password is the sealed SRP salt and verifier; nil when none is set.
	Password      []byte
	PasswordSetAt time.Time
	// State is the user's sign-in state document (failed attempts and
	// lockout, password history, sign-out time, pending attribute values),
	// owned by the operations layer and stored as given; nil when empty.
	State     []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Filter fields for FindUsers besides the names in IndexedAttributes.
const (
	FieldUsername = "username" // matches User.Key
	FieldSub      = "sub"
	FieldStatus   = "cognito:user_status" // matches User.Status exactly
	FieldEnabled  = "status"              // Value "true" or "false"
)

// UserFilter selects users by one field: an exact match, or a prefix match
// when Prefix is set. An empty Field selects every user.
type UserFilter struct {
	Field  string
	Prefix bool
	Value  string
}

// Users stores users.
type Users interface {
	// CreateUser stores a new user: ErrNotFound if the pool does not exist,
	// ErrConflict if the key or sub is taken, ErrAliasConflict if an alias is.
	CreateUser(ctx context.Context, u *User) error
	// GetUser returns a user by key, or ErrNotFound.
	GetUser(ctx context.Context, poolID, key string) (*User, error)
	// GetUserWithPoolRev returns a user by key and, read in the same
	// statement, its pool's current Rev, or ErrNotFound.
	GetUserWithPoolRev(ctx context.Context, poolID, key string) (*User, int64, error)
	// GetUserByAlias returns the user holding an alias, or ErrNotFound.
	GetUserByAlias(ctx context.Context, poolID, alias string) (*User, error)
	// GetUserBySub returns a user by sub, or ErrNotFound.
	GetUserBySub(ctx context.Context, poolID, sub string) (*User, error)
	// UpdateUser is the read-modify-write of a user, as UpdatePool: concurrent
	// updates of one user never lose each other's changes. PoolID, Username,
	// Key, Sub and CreatedAt cannot be changed by fn. ErrAliasConflict if the
	// new Aliases collide with another user's.
	UpdateUser(ctx context.Context, poolID, key string, fn func(u *User) error) (*User, error)
	// DeleteUser removes a user with their aliases, memberships, sessions,
	// codes and refresh tokens; ErrNotFound if the user does not exist.
	DeleteUser(ctx context.Context, poolID, key string) error
	// FindUsers lists a pool's users that match f, served from indexes, and
	// returns the cursor of the next page. f.Field must be empty, one of the
	// Field constants or a name in IndexedAttributes; values compare byte by
	// byte. The order of the users is the store's own. A cursor stays valid
	// while users are added or removed: no user present throughout is skipped
	// or repeated.
	FindUsers(ctx context.Context, poolID string, f UserFilter, page Page) ([]User, string, error)
	// FindUsersWithPoolRev is FindUsers that also returns, read in the same
	// statement, the pool's current Rev: zero when the page is empty, as
	// the statement then returns no row to carry it.
	FindUsersWithPoolRev(ctx context.Context, poolID string, f UserFilter, page Page) ([]User, string, int64, error)
	// CountUsers returns the number of users in a pool.
	CountUsers(ctx context.Context, poolID string) (int64, error)
}

// Group is a group of a pool.
type Group struct {
	PoolID      string
	Name        string
	Description string
	RoleArn     string
	Precedence  *int32
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Groups stores groups and memberships.
type Groups interface {
	// CreateGroup stores a new group: ErrNotFound if the pool does not exist,
	// ErrConflict if the name is taken, ErrLimit if the pool has max groups
	// already (checked atomically with the insert).
	CreateGroup(ctx context.Context, g *Group, max int) error
	// GetGroup returns a group or ErrNotFound.
	GetGroup(ctx context.Context, poolID, name string) (*Group, error)
	// UpdateGroup is the read-modify-write of a group, as UpdatePool. PoolID,
	// Name and CreatedAt cannot be changed by fn.
	UpdateGroup(ctx context.Context, poolID, name string, fn func(g *Group) error) (*Group, error)
	// DeleteGroup removes a group and its memberships; ErrNotFound if the
	// group does not exist.
	DeleteGroup(ctx context.Context, poolID, name string) error
	// ListGroups returns a pool's groups ordered by name.
	ListGroups(ctx context.Context, poolID string, page Page) ([]Group, string, error)
	// AddUserToGroup makes a user a member; adding a member again is not an
	// error. ErrNotFound if the user or the group does not exist.
	AddUserToGroup(ctx context.Context, poolID, userKey, group string) error
	// RemoveUserFromGroup ends a membership; removing a non-member is not an
	// error. ErrNotFound if the user or the group does not exist.
	RemoveUserFromGroup(ctx context.Context, poolID, userKey, group string) error
	// ListGroupsForUser returns the groups a user belongs to, ordered by name.
	ListGroupsForUser(ctx context.Context, poolID, userKey string, page Page) ([]Group, string, error)
	// ListUsersInGroup returns a group's members ordered by key.
	ListUsersInGroup(ctx context.Context, poolID, group string, page Page) ([]User, string, error)
}

// Message is a message waiting for delivery (an invitation, a code). Body is
// sealed with the master key because it may carry a temporary password or a
// code.
type Message struct {
	ID          string
	PoolID      string
	Username    string
	Kind        string // for example "invitation"
	Medium      string // EMAIL or SMS
	Destination string
	Body        []byte
	CreatedAt   time.Time
	// Attempts counts the failed attempts at delivering the message.
	Attempts int
}

// Messages is the outbox of messages to deliver.
type Messages interface {
	// EnqueueMessage stores a message for delivery: ErrNotFound if the pool
	// does not exist, ErrConflict if the ID is taken.
	EnqueueMessage(ctx context.Context, m *Message) error
	// PendingMessages returns up to limit undelivered messages, oldest first
	// (by CreatedAt, then in the order they were enqueued).
	PendingMessages(ctx context.Context, limit int) ([]Message, error)
	// MarkDelivered removes a delivered message from the outbox; ErrNotFound
	// if it is not there.
	MarkDelivered(ctx context.Context, id string) error
	// ClaimMessages leases up to limit messages of medium that are due at
	// now to owner until now+lease, and returns them oldest first, as
	// PendingMessages orders them. A message is due when it has never been
	// claimed, when its lease is over, or when the delay RetryMessage set is
	// over. No other claim returns a message while its lease lasts, so that
	// several senders sharing the outbox do not send one twice; the messages
	// of a claimer that stops are claimed again when their lease ends.
	ClaimMessages(ctx context.Context, medium, owner string, now time.Time, lease time.Duration, limit int) ([]Message, error)
	// RetryMessage records a failed attempt at delivering a message owner
	// has claimed: its lease ends, its Attempts grow by one and it is due
	// again at next. ErrNotFound if the message is not in the outbox or its
	// lease is not owner's.
	RetryMessage(ctx context.Context, id, owner string, next time.Time) error
	// ListMessages returns up to limit messages of the outbox, newest first
	// (by CreatedAt, then the last enqueued first). Only messages of poolID
	// and to destination (compared byte by byte) are listed; an empty poolID
	// or destination matches every one.
	ListMessages(ctx context.Context, poolID, destination string, limit int) ([]Message, error)
}

// SigningKey is one of a pool's token signing keys.
type SigningKey struct {
	PoolID string
	// KID is the key's ID in token headers and in the pool's JWKS. KIDs are
	// unique across pools.
	KID string
	// Use is what the key signs: "id" or "access" tokens.
	Use string
	// Sealed is the private key, sealed with the master key.
	Sealed    []byte
	CreatedAt time.Time
}

// SigningKeys stores token signing keys.
type SigningKeys interface {
	// CreateSigningKey stores a new key: ErrNotFound if the pool does not
	// exist, ErrConflict if the KID is taken (in any pool).
	CreateSigningKey(ctx context.Context, k *SigningKey) error
	// ListSigningKeys returns a pool's keys, oldest first (by CreatedAt, then
	// in the order they were created).
	ListSigningKeys(ctx context.Context, poolID string) ([]SigningKey, error)
}

// Session is the server side of an authentication session: the state
// between InitiateAuth and RespondToAuthChallenge. ID is a hash of the
// opaque value the client holds, never that value.
type Session struct {
	ID       string
	PoolID   string
	ClientID string
	// Sub is the user's sub; the session goes when the user does.
	Sub string
	// Data is the session's state, sealed by the operations layer.
	Data      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SAMLAssertions spends the IDs of the SAML assertions identity providers
// vouched with, so that each signs a user in once.
type SAMLAssertions interface {
	// SpendSAMLAssertion records that the pool accepted the assertion id,
	// which is valid until expiresAt: ErrConflict if it was spent before,
	// ErrNotFound if the pool does not exist.
	SpendSAMLAssertion(ctx context.Context, poolID, id string, expiresAt time.Time) error
	// DeleteExpiredSAMLAssertions removes the spent assertions that expired
	// before now (an expired assertion is refused whether or not it was
	// spent) and returns how many it removed.
	DeleteExpiredSAMLAssertions(ctx context.Context, now time.Time) (int64, error)
}

// Sessions stores authentication sessions.
type Sessions interface {
	// CreateSession stores a session: ErrNotFound if the pool or the user
	// (by sub) does not exist, ErrConflict if the ID is taken.
	CreateSession(ctx context.Context, s *Session) error
	// GetSession returns a session by ID, expired or not, or ErrNotFound.
	GetSession(ctx context.Context, id string) (*Session, error)
	// DeleteSession removes a session; ErrNotFound if it is not there, so
	// that of two callers consuming one session only one succeeds.
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions removes every session of a user.
	DeleteUserSessions(ctx context.Context, poolID, sub string) error
	// DeleteExpiredSessions removes sessions that expired before now and
	// returns how many it removed.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}

// Code is a one-time code sent to a user: to confirm a sign-up, to reset a
// password, to verify an attribute. A user has at most one code per
// Purpose. Sealed is the code sealed by the operations layer.
type Code struct {
	PoolID  string
	Sub     string
	Purpose string
	Sealed  []byte
	// Attempts counts wrong guesses so far.
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Codes stores one-time codes.
type Codes interface {
	// PutCode stores a code, replacing the user's code of the same purpose
	// (and its attempt count): ErrNotFound if the user does not exist.
	PutCode(ctx context.Context, c *Code) error
	// GetCode returns a user's code of one purpose, expired or not, or
	// ErrNotFound.
	GetCode(ctx context.Context, poolID, sub, purpose string) (*Code, error)
	// UpdateCode is the read-modify-write of a code, as UpdatePool. Only
	// Attempts and ExpiresAt may be changed by fn.
	UpdateCode(ctx context.Context, poolID, sub, purpose string, fn func(c *Code) error) (*Code, error)
	// DeleteCode removes a code; ErrNotFound if it is not there.
	DeleteCode(ctx context.Context, poolID, sub, purpose string) error
	// TakeCode removes a code and returns it, in one statement: of two
	// callers racing to take the same code, one gets it and the other
	// ErrNotFound.
	TakeCode(ctx context.Context, poolID, sub, purpose string) (*Code, error)
	// DeleteUserCodes removes every code of a user.
	DeleteUserCodes(ctx context.Context, poolID, sub string) error
}

// RefreshToken is one refresh token. ID is a hash of the opaque token the
// client holds, never the token. The tokens of one sign-in form a family
// (its origin_jti): rotation replaces a family's token with a new one, and
// revocation ends the whole family, access tokens included.
type RefreshToken struct {
	ID       string
	Family   string
	PoolID   string
	ClientID string
	// Sub is the user's sub; the token goes when the user does.
	Sub       string
	AuthTime  time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
	// RotatedAt is when the token was replaced by a newer one of its
	// family; zero while it is the current one.
	RotatedAt time.Time
	// Revoked is set when the family was revoked.
	Revoked bool
	// DeviceKey is the device the token is bound to: the one its sign-in
	// named or was given (NewDeviceMetadata); refreshing it requires that
	// device's key. Empty for a token bound to no device.
	DeviceKey string
}

// RefreshTokens stores refresh tokens and the revocation of their families.
type RefreshTokens interface {
	// CreateRefreshToken stores a token: ErrNotFound if the pool or the user
	// (by sub) does not exist, ErrConflict if the ID is taken.
	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	// GetRefreshToken returns a token by ID, or ErrNotFound.
	GetRefreshToken(ctx context.Context, id string) (*RefreshToken, error)
	// UpdateRefreshToken is the read-modify-write of a token, as UpdatePool:
	// of two concurrent rotations of one token, the second sees the first's
	// RotatedAt. Only RotatedAt, ExpiresAt and Revoked may be changed by fn
	// (the family, user, client and device key are kept).
	UpdateRefreshToken(ctx context.Context, id string, fn func(t *RefreshToken) error) (*RefreshToken, error)
	// RevokeFamily marks every token of a family revoked. Revoking an
	// unknown or revoked family is not an error.
	RevokeFamily(ctx context.Context, poolID, family string) error
	// RevokeUserTokens marks every token of a user revoked.
	RevokeUserTokens(ctx context.Context, poolID, sub string) error
	// FamilyRevoked reports whether a family is revoked or has no tokens
	// left (for example because its user was deleted).
	FamilyRevoked(ctx context.Context, poolID, family string) (bool, error)
	// DeleteExpiredRefreshTokens removes tokens that expired before now and
	// returns how many it removed.
	DeleteExpiredRefreshTokens(ctx context.Context, now time.Time) (int64, error)
}
