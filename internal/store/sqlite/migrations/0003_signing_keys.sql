-- Token signing keys: each pool's RSA keys for ID and access tokens, the
-- private key sealed with the master key. KIDs are unique across pools;
-- a pool's keys list oldest first, in (created_at, seq) order.

CREATE TABLE signing_keys (
    seq        INTEGER PRIMARY KEY,
    kid        TEXT    NOT NULL UNIQUE,
    pool       INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    key_use    TEXT    NOT NULL, -- "id" or "access"
    sealed     BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX signing_keys_by_pool ON signing_keys (pool, created_at, seq);
