-- Pool configuration: domains, resource servers with their custom scopes,
-- terms documents of app clients, and pool tags. Every table goes with its
-- pool (ON DELETE CASCADE); terms also go with their app client.

-- A domain name is unique across pools, and a pool has at most one prefix
-- domain and one custom domain. The primary key is the lookup the hosted
-- endpoints route requests by.
CREATE TABLE domains (
    name       text COLLATE "C" PRIMARY KEY,
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    custom     boolean     NOT NULL,
    config     bytea,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (pool, custom)
);

CREATE TABLE resource_servers (
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    identifier text COLLATE "C" NOT NULL,
    name       text        NOT NULL,
    scopes     jsonb       NOT NULL, -- array of {name, description}
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (pool, identifier)
);

-- A client has at most one terms document of each name.
CREATE TABLE terms (
    id          text COLLATE "C" PRIMARY KEY,
    pool        bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    client_id   text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    source      text        NOT NULL,
    enforcement text        NOT NULL,
    links       jsonb       NOT NULL, -- object of language to URL
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (client_id, name)
);

CREATE INDEX terms_by_pool ON terms (pool, id);

CREATE TABLE pool_tags (
    pool  bigint NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    key   text   NOT NULL,
    value text   NOT NULL,
    PRIMARY KEY (pool, key)
);

-- Tags given at CreateUserPool and UpdateUserPool used to live in the pool's
-- settings document (JSON written by Cognate); move them to pool_tags, their
-- one record from now on.
INSERT INTO pool_tags (pool, key, value)
SELECT p.pk, t.key, t.value
FROM pools p, jsonb_each_text(convert_from(p.config, 'UTF8')::jsonb -> 'UserPoolTags') t
WHERE p.config IS NOT NULL AND jsonb_typeof(convert_from(p.config, 'UTF8')::jsonb -> 'UserPoolTags') = 'object';

UPDATE pools SET config = convert_to((convert_from(config, 'UTF8')::jsonb - 'UserPoolTags')::text, 'UTF8')
WHERE config IS NOT NULL AND convert_from(config, 'UTF8')::jsonb ? 'UserPoolTags';
