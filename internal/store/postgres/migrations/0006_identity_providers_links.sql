-- Federation: a pool's identity providers, their IdP identifiers, and the
-- links of external identities to users. Every table goes with its pool
-- (ON DELETE CASCADE); identifiers also go with their provider, links with
-- their user. Every foreign key has an index that leads with it.

-- config holds the provider's settings document (details with sealed
-- secrets, attribute mapping); identifiers its IdP identifiers in order,
-- which idp_identifiers indexes.
CREATE TABLE identity_providers (
    pool        bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    name        text COLLATE "C" NOT NULL,
    type        text        NOT NULL,
    identifiers text[]      NOT NULL,
    config      bytea,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (pool, name)
);

-- An IdP identifier is unique across a pool's providers; the primary key is
-- the lookup of GetIdentityProviderByIdentifier.
CREATE TABLE idp_identifiers (
    pool       bigint NOT NULL,
    identifier text COLLATE "C" NOT NULL,
    provider   text COLLATE "C" NOT NULL,
    PRIMARY KEY (pool, identifier),
    FOREIGN KEY (pool, provider) REFERENCES identity_providers (pool, name) ON DELETE CASCADE
);

CREATE INDEX idp_identifiers_by_provider ON idp_identifiers (pool, provider);

-- An external identity, (provider, attribute, value), is linked to at most
-- one user; the primary key is the lookup federated sign-in resolves its
-- user by, and carries the user's sub so that it needs no join. Links do
-- not refer to identity_providers: deleting a provider and making it again,
-- as infrastructure code does when it replaces one, keeps them.
CREATE TABLE provider_links (
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    provider   text COLLATE "C" NOT NULL,
    attribute  text COLLATE "C" NOT NULL,
    value      text COLLATE "C" NOT NULL,
    user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sub        text COLLATE "C" NOT NULL,
    is_primary boolean     NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (pool, provider, attribute, value)
);

CREATE INDEX provider_links_by_user ON provider_links (user_id);
