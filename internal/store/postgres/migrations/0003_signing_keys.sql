-- Token signing keys: each pool's RSA keys for ID and access tokens, the
-- private key sealed with the master key. KIDs are unique across pools;
-- a pool's keys list oldest first, in (created_at, seq) order.

CREATE TABLE signing_keys (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kid        text COLLATE "C" NOT NULL UNIQUE,
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    key_use    text        NOT NULL, -- 'id' or 'access'
    sealed     bytea       NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX signing_keys_by_pool ON signing_keys (pool, created_at, seq);
