-- Sign-in state: each user's state document, authentication sessions,
-- one-time codes and refresh tokens.
--
-- The new tables refer to their user by the users row id and go with the
-- user or the pool (ON DELETE CASCADE), so that deleting either leaves no
-- session, code or token behind. Every foreign key has an index that leads
-- with it, so that cascades are index searches rather than table scans.

ALTER TABLE users ADD COLUMN state BLOB;

-- Sessions live minutes; DeleteExpiredSessions clears them in expires_at
-- order.
CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    pool       INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  TEXT    NOT NULL,
    data       BLOB,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_pool ON sessions (pool);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- At most one code per user and purpose.
CREATE TABLE codes (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL,
    pool       INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    sealed     BLOB,
    attempts   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, purpose)
) STRICT, WITHOUT ROWID;

CREATE INDEX codes_by_pool ON codes (pool);

-- refresh_tokens_by_family covers FamilyRevoked (an index-only read of the
-- family's entries) and RevokeFamily, and serves the pool's cascade.
CREATE TABLE refresh_tokens (
    id         TEXT    PRIMARY KEY,
    pool       INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    family     TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  TEXT    NOT NULL,
    auth_time  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER,
    revoked    INTEGER NOT NULL
) STRICT;

CREATE INDEX refresh_tokens_by_family ON refresh_tokens (pool, family, revoked);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
