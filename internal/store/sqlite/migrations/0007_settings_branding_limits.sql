-- Pool settings documents (MFA factors, threat protection, log delivery,
-- hosted UI customization, the SAML signing certificate), managed login
-- branding styles, and the account's provisioned request-rate limits.
-- Settings documents and styles go with their pool (ON DELETE CASCADE), and
-- those of an app client also go with the client.

-- client is '' for the pool's own document and the client's ID otherwise;
-- client_id repeats it as a reference to the client (NULL for the pool's
-- own), so that a client's documents go with it.
CREATE TABLE pool_settings (
    pool       INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    client     TEXT    NOT NULL,
    client_id  TEXT    REFERENCES clients (id) ON DELETE CASCADE,
    doc        BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (pool, kind, client),
    CHECK ((client = '' AND client_id IS NULL) OR client_id = client)
) STRICT, WITHOUT ROWID;

CREATE INDEX pool_settings_by_client ON pool_settings (client_id) WHERE client_id IS NOT NULL;

-- A client has at most one style.
CREATE TABLE managed_login_brandings (
    id                          TEXT    PRIMARY KEY,
    pool                        INTEGER NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    client_id                   TEXT    NOT NULL UNIQUE REFERENCES clients (id) ON DELETE CASCADE,
    settings                    BLOB,
    assets                      BLOB,
    use_cognito_provided_values INTEGER NOT NULL,
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX managed_login_brandings_by_pool ON managed_login_brandings (pool, id);

CREATE TABLE provisioned_limits (
    name       TEXT    PRIMARY KEY,
    value      INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
