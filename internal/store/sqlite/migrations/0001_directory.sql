-- The directory: pools, app clients, users, groups, memberships and the
-- message outbox.
--
-- Conventions: times are INTEGER microseconds since the Unix epoch, UTC.
-- Pools and users have integer surrogate keys so that the large indexes stay
-- compact; every child row carries the pool's key and goes with it
-- (ON DELETE CASCADE). Text compares byte by byte (BINARY), which is what
-- prefix ranges and keyset pagination rely on.

CREATE TABLE pools (
    pk         INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    config     BLOB,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE clients (
    id         TEXT    PRIMARY KEY,
    pool       INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    config     BLOB,
    secrets    TEXT    NOT NULL, -- JSON array of {id, sealed, created_at}
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX clients_by_pool ON clients (pool, id);

-- The users row is the record; user_attrs and aliases are indexes over it
-- that the store keeps in step.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    pool            INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    key             TEXT    NOT NULL,
    username        TEXT    NOT NULL,
    sub             TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    enabled         INTEGER NOT NULL,
    attributes      TEXT    NOT NULL, -- JSON object
    aliases         TEXT    NOT NULL, -- JSON array
    password        BLOB,
    password_set_at INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (pool, key),
    UNIQUE (pool, sub)
) STRICT;

CREATE INDEX users_by_status ON users (pool, status, key);
CREATE INDEX users_by_enabled ON users (pool, enabled, key);

-- One row per user and indexed attribute (store.IndexedAttributes), for
-- exact and prefix matches ordered by (value, user_id).
CREATE TABLE user_attrs (
    pool    INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    name    TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (pool, name, value, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE aliases (
    pool    INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    alias   TEXT    NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (pool, alias)
) STRICT, WITHOUT ROWID;

CREATE TABLE user_groups (
    pool        INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    role_arn    TEXT    NOT NULL,
    precedence  INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (pool, name)
) STRICT, WITHOUT ROWID;

-- Group and user names are immutable, so memberships hold them directly and
-- both listings read in index order.
CREATE TABLE memberships (
    pool       INTEGER NOT NULL,
    group_name TEXT    NOT NULL,
    user_key   TEXT    NOT NULL,
    PRIMARY KEY (pool, group_name, user_key),
    FOREIGN KEY (pool, group_name) REFERENCES user_groups (pool, name) ON DELETE CASCADE,
    FOREIGN KEY (pool, user_key) REFERENCES users (pool, key) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX memberships_by_user ON memberships (pool, user_key, group_name);

CREATE TABLE messages (
    seq         INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    pool        INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    username    TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    medium      TEXT    NOT NULL,
    destination TEXT    NOT NULL,
    body        BLOB,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX messages_by_age ON messages (created_at, seq);
CREATE INDEX messages_by_pool ON messages (pool);
