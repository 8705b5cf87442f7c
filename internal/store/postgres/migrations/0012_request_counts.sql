-- Request counts: the requests of each rate-limit key (an account's API
-- category, or one operation on one pool) in fixed one-second windows, so
-- that replicas on one database share their rate limits. Counts older than
-- a minute are deleted as a key's new windows open.

CREATE TABLE request_counts (
    name         text COLLATE "C" NOT NULL,
    window_start bigint NOT NULL,
    hits         bigint NOT NULL,
    PRIMARY KEY (name, window_start)
);
