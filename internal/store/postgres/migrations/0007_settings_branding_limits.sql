-- Pool settings documents (MFA factors, threat protection, log delivery,
-- hosted UI customization, the SAML signing certificate), managed login
-- branding styles, and the account's provisioned request-rate limits.
-- Settings documents and styles go with their pool (ON DELETE CASCADE), and
-- those of an app client also go with the client.

-- client is '' for the pool's own document and the client's ID otherwise;
-- client_id repeats it as a reference to the client (NULL for the pool's
-- own), so that a client's documents go with it.
CREATE TABLE pool_settings (
    pool       bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    kind       text COLLATE "C" NOT NULL,
    client     text COLLATE "C" NOT NULL,
    client_id  text COLLATE "C" REFERENCES clients (id) ON DELETE CASCADE,
    doc        bytea       NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (pool, kind, client),
    CHECK ((client = '' AND client_id IS NULL) OR client_id = client)
);

CREATE INDEX pool_settings_by_client ON pool_settings (client_id) WHERE client_id IS NOT NULL;

-- A client has at most one style.
CREATE TABLE managed_login_brandings (
    id                          text COLLATE "C" PRIMARY KEY,
    pool                        bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    client_id                   text COLLATE "C" NOT NULL UNIQUE REFERENCES clients (id) ON DELETE CASCADE,
    settings                    bytea,
    assets                      bytea,
    use_cognito_provided_values boolean     NOT NULL,
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL
);

CREATE INDEX managed_login_brandings_by_pool ON managed_login_brandings (pool, id);

CREATE TABLE provisioned_limits (
    name       text COLLATE "C" PRIMARY KEY,
    value      bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);
