-- Users' authentication event history (AdminListUserAuthEvents).
--
-- sort_key orders a user's events newest first (the inverted creation time,
-- then the ID), so that listing and pruning to the newest N are index
-- scans. Events go with their user or pool.

CREATE TABLE auth_events (
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id         text COLLATE "C" NOT NULL,
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    sort_key   text COLLATE "C" NOT NULL,
    created_at timestamptz NOT NULL,
    data       bytea,
    PRIMARY KEY (user_id, id)
);

CREATE UNIQUE INDEX auth_events_by_id ON auth_events (id);
CREATE INDEX auth_events_by_order ON auth_events (user_id, sort_key);
CREATE INDEX auth_events_by_pool ON auth_events (pool);
