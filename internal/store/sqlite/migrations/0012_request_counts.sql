-- Request counts: the requests of each rate-limit key (an account's API
-- category, or one operation on one pool) in fixed one-second windows, so
-- that replicas on one database share their rate limits. Counts older than
-- a minute are deleted as a key's new windows open.

CREATE TABLE request_counts (
    name         TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (name, window_start)
) STRICT, WITHOUT ROWID;
