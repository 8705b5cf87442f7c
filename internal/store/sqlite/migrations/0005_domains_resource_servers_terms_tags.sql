-- Pool configuration: domains, resource servers with their custom scopes,
-- terms documents of app clients, and pool tags. Every table goes with its
-- pool (ON DELETE CASCADE); terms also go with their app client.

-- A domain name is unique across pools, and a pool has at most one prefix
-- domain and one custom domain. The primary key is the lookup the hosted
-- endpoints route requests by.
CREATE TABLE domains (
    name       TEXT    PRIMARY KEY,
    pool       INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    custom     INTEGER NOT NULL, -- 1 for a custom domain, 0 for a prefix domain
    config     BLOB,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (pool, custom)
) STRICT, WITHOUT ROWID;

CREATE TABLE resource_servers (
    pool       INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    identifier TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    scopes     TEXT    NOT NULL, -- JSON array of {name, description}
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (pool, identifier)
) STRICT, WITHOUT ROWID;

-- A client has at most one terms document of each name.
CREATE TABLE terms (
    id          TEXT    PRIMARY KEY,
    pool        INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    client_id   TEXT    NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    enforcement TEXT    NOT NULL,
    links       TEXT    NOT NULL, -- JSON object of language to URL
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (client_id, name)
) STRICT, WITHOUT ROWID;

CREATE INDEX terms_by_pool ON terms (pool, id);

CREATE TABLE pool_tags (
    pool  INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    key   TEXT    NOT NULL,
    value TEXT    NOT NULL,
    PRIMARY KEY (pool, key)
) STRICT, WITHOUT ROWID;

-- Tags given at CreateUserPool and UpdateUserPool used to live in the pool's
-- settings document; move them to pool_tags, their one record from now on.
INSERT INTO pool_tags (pool, key, value)
SELECT p.pk, t.key, t.value
FROM pools p, json_each(CAST(p.config AS TEXT), '$.UserPoolTags') t
WHERE json_valid(CAST(p.config AS TEXT)) AND json_type(CAST(p.config AS TEXT), '$.UserPoolTags') = 'object';

UPDATE pools SET config = CAST(json_remove(CAST(config AS TEXT), '$.UserPoolTags') AS BLOB)
WHERE json_valid(CAST(config AS TEXT)) AND json_type(CAST(config AS TEXT), '$.UserPoolTags') IS NOT NULL;
