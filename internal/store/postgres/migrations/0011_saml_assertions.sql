-- SAML assertions spent: each assertion ID an identity provider vouched
-- with signs a user in once (the ID is stored hashed).

CREATE TABLE saml_assertions (
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    id         text COLLATE "C" NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (pool, id)
);
