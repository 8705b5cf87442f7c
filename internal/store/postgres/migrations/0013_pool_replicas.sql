-- Pool replicas: a pool's secondary replicas (multi-Region replication),
-- one per region. A replica keeps its pool's ID and shares its directory;
-- the row holds what is the replica's own: its status and its tags.

CREATE TABLE pool_replicas (
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    region     text COLLATE "C" NOT NULL,
    status     text        NOT NULL,
    tags       jsonb       NOT NULL, -- object of tag key to value
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (pool, region)
);
