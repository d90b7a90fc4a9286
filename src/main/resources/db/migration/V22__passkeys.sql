-- Passkeys (WebAuthn credentials) of the credential room: public keys only, never a private key.
CREATE TABLE passkeys (
  id            uuid        PRIMARY KEY,                      -- opaque handle shown to the browser
  user_id       bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  credential_id bytea       NOT NULL UNIQUE,                  -- the authenticator's id for the credential
  public_key    bytea       NOT NULL,                         -- COSE_Key (CBOR), as the authenticator gave it
  sign_count    bigint      NOT NULL CHECK (sign_count >= 0), -- last signature counter seen (clone detection)
  transports    text[]      NOT NULL DEFAULT '{}',
  aaguid        uuid,                                         -- the authenticator model (zero when undisclosed)
  name          text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- A WebAuthn challenge: random, single use (deleted when used), for one purpose of one session or pending login.
CREATE TABLE passkey_challenges (
  challenge_hash bytea       PRIMARY KEY,                     -- SHA-256 of the challenge
  binding_hash   bytea       NOT NULL,                        -- SHA-256 of the session's (or pending login's) cookie
  purpose        text        NOT NULL CHECK (purpose IN ('register', 'login', 'step_up')),
  user_id        bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at     timestamptz NOT NULL
);
CREATE INDEX passkey_challenges_expiry ON passkey_challenges (expires_at);
