-- Accounts and their second factor. Owned by the auth verticle.
CREATE TABLE users (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email               text        NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) <= 254),
  password_hash       text        NOT NULL,                -- Argon2id, PHC string format
  created_at          timestamptz NOT NULL,
  session_epoch       integer     NOT NULL DEFAULT 0,      -- moved on to end every session of the user
  totp_secret         bytea,                               -- AES-256-GCM: nonce || ciphertext || tag
  totp_pending_secret bytea,                               -- same, while enrollment awaits its first code
  totp_last_step      bigint                               -- last accepted RFC 6238 time step (replay guard)
);

-- HMAC-SHA-256 digests of unused recovery codes; the primary key serves the consume-by-digest lookup.
CREATE TABLE recovery_codes (
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  digest  bytea  NOT NULL,
  PRIMARY KEY (user_id, digest)
);

-- Logins whose password step passed and whose second factor is still owed.
CREATE TABLE pending_logins (
  id         uuid        PRIMARY KEY,
  user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  failures   integer     NOT NULL DEFAULT 0
);
CREATE INDEX pending_logins_created_at_idx ON pending_logins (created_at);
CREATE INDEX pending_logins_user_id_idx ON pending_logins (user_id);

-- One row per counted attempt; limits are sliding windows over these rows.
CREATE TABLE throttle_attempts (
  key text        NOT NULL,
  at  timestamptz NOT NULL
);
CREATE INDEX throttle_attempts_key_at_idx ON throttle_attempts (key, at);
