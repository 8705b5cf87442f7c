-- User import jobs: the job, its uploaded CSV file in pieces, and the
-- result of each row. Everything goes with the pool (ON DELETE CASCADE).

CREATE TABLE import_jobs (
    id           TEXT    PRIMARY KEY,
    pool         INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    role_arn     TEXT    NOT NULL,
    upload_key   BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    started_at   INTEGER,
    completed_at INTEGER,
    imported     INTEGER NOT NULL,
    skipped      INTEGER NOT NULL,
    failed       INTEGER NOT NULL,
    message      TEXT    NOT NULL,
    uploaded     INTEGER NOT NULL,
    done         INTEGER NOT NULL,
    line         INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX import_jobs_by_pool ON import_jobs (pool, id);
CREATE INDEX import_jobs_by_status ON import_jobs (status);

CREATE TABLE import_chunks (
    job  TEXT    NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    seq  INTEGER NOT NULL,
    data BLOB    NOT NULL,
    PRIMARY KEY (job, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE import_results (
    job      TEXT    NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    line     INTEGER NOT NULL,
    username TEXT    NOT NULL,
    outcome  TEXT    NOT NULL,
    message  TEXT    NOT NULL,
    PRIMARY KEY (job, line)
) STRICT, WITHOUT ROWID;
