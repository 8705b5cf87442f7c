-- Pool replicas: a pool's secondary replicas (multi-Region replication),
-- one per region. A replica keeps its pool's ID and shares its directory;
-- the row holds what is the replica's own: its status and its tags.

CREATE TABLE pool_replicas (
    pool       INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    region     TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    tags       TEXT    NOT NULL, -- JSON object of tag key to value
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (pool, region)
) STRICT, WITHOUT ROWID;
