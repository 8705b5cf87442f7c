-- User import jobs: the job, its uploaded CSV file in pieces, and the
-- result of each row. Everything goes with the pool (ON DELETE CASCADE).

CREATE TABLE import_jobs (
    id           text COLLATE "C" PRIMARY KEY,
    pool         bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    name         text        NOT NULL,
    status       text        NOT NULL,
    role_arn     text        NOT NULL,
    upload_key   bytea       NOT NULL,
    created_at   timestamptz NOT NULL,
    started_at   timestamptz,
    completed_at timestamptz,
    imported     bigint      NOT NULL,
    skipped      bigint      NOT NULL,
    failed       bigint      NOT NULL,
    message      text        NOT NULL,
    uploaded     bigint      NOT NULL,
    done         bigint      NOT NULL,
    line         bigint      NOT NULL
);
CREATE INDEX import_jobs_by_pool ON import_jobs (pool, id);
CREATE INDEX import_jobs_by_status ON import_jobs (status);

CREATE TABLE import_chunks (
    job  text COLLATE "C" NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    seq  bigint NOT NULL,
    data bytea  NOT NULL,
    PRIMARY KEY (job, seq)
);

CREATE TABLE import_results (
    job      text COLLATE "C" NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    line     bigint NOT NULL,
    username text   NOT NULL,
    outcome  text   NOT NULL,
    message  text   NOT NULL,
    PRIMARY KEY (job, line)
);
