-- The OpenID Connect provider's tables, owned by the room auth/oidc. Secrets and tokens are stored only as the
-- SHA-256 of a 256-bit random value (a fast hash is enough for such a value), signing keys only sealed.

-- The applications the operator registers (`twofa clients add`). redirect_uris are matched exactly.
CREATE TABLE oidc_clients (
  client_id     text        PRIMARY KEY,
  name          text        NOT NULL,
  redirect_uris text[]      NOT NULL,
  secret_hash   bytea,                              -- null: a public client (PKCE only)
  first_party   boolean     NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- The stable, opaque subject (`sub`) of each user who logged in to an application: never the email or the row id.
CREATE TABLE oidc_subjects (
  user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  subject uuid   NOT NULL UNIQUE
);

-- What each user allowed an application that is not first-party (the consent screen), remembered per client.
CREATE TABLE oidc_consents (
  user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id  text        NOT NULL REFERENCES oidc_clients (client_id) ON DELETE CASCADE,
  scope      text        NOT NULL,
  granted_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, client_id)
);

-- Signing keys: the private JWK sealed (a JWE under the key ring's OIDC purpose key), the public JWK in clear.
CREATE TABLE oidc_signing_keys (
  kid        text        PRIMARY KEY,
  alg        text        NOT NULL,
  sealed     text        NOT NULL,
  public_jwk text        NOT NULL,
  created_at timestamptz NOT NULL
);

-- An authorization request waiting for its user to log in: the browser carries only this opaque id.
CREATE TABLE oidc_authorizations (
  id         text        PRIMARY KEY,
  client_id  text        NOT NULL REFERENCES oidc_clients (client_id) ON DELETE CASCADE,
  query      text        NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

-- Authorization codes: single use (used_at set by one conditional UPDATE); a used row stays until it expires so
-- that a second use can revoke every token of its grant.
CREATE TABLE oidc_codes (
  code_hash      bytea       PRIMARY KEY,
  grant_id       uuid        NOT NULL,
  client_id      text        NOT NULL REFERENCES oidc_clients (client_id) ON DELETE CASCADE,
  user_id        bigint      NOT NULL,
  redirect_uri   text        NOT NULL,
  scope          text        NOT NULL,
  nonce          text,
  code_challenge text        NOT NULL,
  session_handle uuid        NOT NULL,
  auth_time      timestamptz NOT NULL,
  amr            text[]      NOT NULL,
  acr            text        NOT NULL,
  expires_at     timestamptz NOT NULL,
  used_at        timestamptz
);
CREATE INDEX oidc_codes_expires_at_idx ON oidc_codes (expires_at);

-- Access and refresh tokens of a grant (one per code); a rotated refresh token keeps its row (used_at) so that its
-- reuse is seen and ends the whole grant.
CREATE TABLE oidc_tokens (
  token_hash     bytea       PRIMARY KEY,
  kind           text        NOT NULL CHECK (kind IN ('access', 'refresh')),
  grant_id       uuid        NOT NULL,
  client_id      text        NOT NULL REFERENCES oidc_clients (client_id) ON DELETE CASCADE,
  user_id        bigint      NOT NULL,
  scope          text        NOT NULL,
  session_handle uuid        NOT NULL,
  auth_time      timestamptz NOT NULL,
  amr            text[]      NOT NULL,
  acr            text        NOT NULL,
  expires_at     timestamptz NOT NULL,
  used_at        timestamptz
);
CREATE INDEX oidc_tokens_grant_id_idx ON oidc_tokens (grant_id);
CREATE INDEX oidc_tokens_expires_at_idx ON oidc_tokens (expires_at);

-- Which second factor a session passed ('totp' or 'recovery_code'; null: none, or 2FA just enabled with an app
-- code), so that an ID token's amr can say a recovery code was used. The session room's column; session_open
-- (R__session.sql) takes it as a new last argument, so its old signature goes.
ALTER TABLE sessions ADD COLUMN second_factor_method text;
DROP FUNCTION IF EXISTS session_open(bytea, uuid, bigint, integer, timestamptz, timestamptz, timestamptz, text, text);
