-- Federation: a pool's identity providers, their IdP identifiers, and the
-- links of external identities to users. Every table goes with its pool
-- (ON DELETE CASCADE); identifiers also go with their provider, links with
-- their user.

-- config holds the provider's settings document (details with sealed
-- secrets, attribute mapping); identifiers its IdP identifiers in order,
-- which idp_identifiers indexes.
CREATE TABLE identity_providers (
    pool        INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    identifiers TEXT    NOT NULL, -- JSON array
    config      BLOB,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (pool, name)
) STRICT, WITHOUT ROWID;

-- An IdP identifier is unique across a pool's providers; the primary key is
-- the lookup of GetIdentityProviderByIdentifier.
CREATE TABLE idp_identifiers (
    pool       INTEGER NOT NULL,
    identifier TEXT    NOT NULL,
    provider   TEXT    NOT NULL,
    PRIMARY KEY (pool, identifier),
    FOREIGN KEY (pool, provider) REFERENCES identity_providers (pool, name) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX idp_identifiers_by_provider ON idp_identifiers (pool, provider);

-- An external identity, (provider, attribute, value), is linked to at most
-- one user; the primary key is the lookup federated sign-in resolves its
-- user by, and carries the user's sub so that it needs no join. Links do
-- not refer to identity_providers: deleting a provider and making it again,
-- as infrastructure code does when it replaces one, keeps them.
CREATE TABLE provider_links (
    pool       INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    provider   TEXT    NOT NULL,
    attribute  TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sub        TEXT    NOT NULL,
    is_primary INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (pool, provider, attribute, value)
) STRICT, WITHOUT ROWID;

CREATE INDEX provider_links_by_user ON provider_links (user_id);
