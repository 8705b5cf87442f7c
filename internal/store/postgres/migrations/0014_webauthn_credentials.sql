-- Users' passkeys (StartWebAuthnRegistration, CompleteWebAuthnRegistration,
-- the WEB_AUTHN sign-in challenge).
--
-- A credential ID is unique in its pool. sort_key orders a user's
-- credentials oldest first (creation time, then ID). sign_count is the
-- authenticator's counter, advanced by a conditional update at each
-- sign-in. Credentials go with their user or pool.

CREATE TABLE webauthn_credentials (
    user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    pool         bigint      NOT NULL REFERENCES pools (pk) ON DELETE CASCADE,
    id           text COLLATE "C" NOT NULL,
    sort_key     text COLLATE "C" NOT NULL,
    sign_count   bigint      NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    data         bytea       NOT NULL,
    PRIMARY KEY (user_id, id)
);

CREATE UNIQUE INDEX webauthn_credentials_by_pool_id ON webauthn_credentials (pool, id);
CREATE INDEX webauthn_credentials_by_order ON webauthn_credentials (user_id, sort_key);
