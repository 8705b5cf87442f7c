-- SAML assertions spent: each assertion ID an identity provider vouched
-- with signs a user in once (the ID is stored hashed).

CREATE TABLE saml_assertions (
    pool       INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    id         TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (pool, id)
) STRICT;
