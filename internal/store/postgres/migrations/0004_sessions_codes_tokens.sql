-- Sign-in state: each user's state document, authentication sessions,
-- one-time codes and refresh tokens.
--
-- The new tables refer to their user by the users row id and go with the
-- user or the pool (ON DELETE CASCADE), so that deleting either leaves no
-- session, code or token behind. Every foreign key has an index that leads
-- with it, so that cascades are index scans rather than sequential scans.

ALTER TABLE users ADD COLUMN state bytea;

-- Sessions live minutes; DeleteExpiredSessions clears them in expires_at
-- order.
CREATE TABLE sessions (
    id         text COLLATE "C" PRIMARY KEY,
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  text        NOT NULL,
    data       bytea,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_pool ON sessions (pool);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- At most one code per user and purpose.
CREATE TABLE codes (
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text COLLATE "C" NOT NULL,
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    sealed     bytea,
    attempts   integer     NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, purpose)
);

CREATE INDEX codes_by_pool ON codes (pool);

-- refresh_tokens_by_family covers FamilyRevoked (an index-only read of the
-- family's entries) and RevokeFamily, and serves the pool's cascade.
CREATE TABLE refresh_tokens (
    id         text COLLATE "C" PRIMARY KEY,
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    family     text COLLATE "C" NOT NULL,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  text        NOT NULL,
    auth_time  timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz,
    revoked    boolean     NOT NULL
);

CREATE INDEX refresh_tokens_by_family ON refresh_tokens (pool, family, revoked);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
