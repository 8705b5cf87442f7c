-- The directory: pools, app clients, users, groups, memberships and the
-- message outbox.
--
-- Conventions: pools and users have bigint surrogate keys so that the large
-- indexes stay compact; every child row carries the pool's key and goes with
-- it (ON DELETE CASCADE). Text that is ordered or range-scanned is COLLATE
-- "C": byte order, which prefix ranges and keyset pagination rely on, and
-- the same order as SQLite's.

CREATE TABLE pools (
    pk         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text COLLATE "C" NOT NULL UNIQUE,
    name       text        NOT NULL,
    config     bytea,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE clients (
    id         text COLLATE "C" PRIMARY KEY,
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    name       text        NOT NULL,
    config     bytea,
    secrets    jsonb       NOT NULL, -- array of {id, sealed, created_at}
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE INDEX clients_by_pool ON clients (pool, id);

-- The users row is the record; user_attrs and aliases are indexes over it
-- that the store keeps in step.
CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool            bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    key             text COLLATE "C" NOT NULL,
    username        text        NOT NULL,
    sub             text COLLATE "C" NOT NULL,
    status          text COLLATE "C" NOT NULL,
    enabled         boolean     NOT NULL,
    attributes      jsonb       NOT NULL,
    aliases         text[]      NOT NULL,
    password        bytea,
    password_set_at timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    UNIQUE (pool, key),
    UNIQUE (pool, sub)
);

CREATE INDEX users_by_status ON users (pool, status, key);
CREATE INDEX users_by_enabled ON users (pool, enabled, key);

-- One row per user and indexed attribute (store.IndexedAttributes), for
-- exact and prefix matches ordered by (value, user_id).
CREATE TABLE user_attrs (
    pool    bigint NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    name    text COLLATE "C" NOT NULL,
    value   text COLLATE "C" NOT NULL,
    user_id bigint NOT NULL,
    PRIMARY KEY (pool, name, value, user_id)
);

CREATE TABLE aliases (
    pool    bigint NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    alias   text COLLATE "C" NOT NULL,
    user_id bigint NOT NULL,
    PRIMARY KEY (pool, alias)
);

CREATE TABLE user_groups (
    pool        bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    name        text COLLATE "C" NOT NULL,
    description text        NOT NULL,
    role_arn    text        NOT NULL,
    precedence  integer,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (pool, name)
);

-- Group and user names are immutable, so memberships hold them directly and
-- both listings read in index order.
CREATE TABLE memberships (
    pool       bigint NOT NULL,
    group_name text COLLATE "C" NOT NULL,
    user_key   text COLLATE "C" NOT NULL,
    PRIMARY KEY (pool, group_name, user_key),
    FOREIGN KEY (pool, group_name) REFERENCES user_groups (pool, name) ON DELETE CASCADE,
    FOREIGN KEY (pool, user_key) REFERENCES users (pool, key) ON DELETE CASCADE
);

CREATE INDEX memberships_by_user ON memberships (pool, user_key, group_name);

CREATE TABLE messages (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          text COLLATE "C" NOT NULL UNIQUE,
    pool        bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    username    text        NOT NULL,
    kind        text        NOT NULL,
    medium      text        NOT NULL,
    destination text        NOT NULL,
    body        bytea,
    created_at  timestamptz NOT NULL
);

CREATE INDEX messages_by_age ON messages (created_at, seq);
CREATE INDEX messages_by_pool ON messages (pool);
