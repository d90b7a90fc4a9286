-- Browsers whose owner ticked "Don't ask for a code on this browser" at a login's code step (the trust room). A
-- browser is named by its device cookie (256 random bits the server issued, HttpOnly, SameSite=Lax, Secure under
-- https), kept here only as a SHA-256, per account. A trust counts only under the account's session epoch it was
-- made in (a password change or reset, a new authenticator, "This wasn't me" and a support reset move the epoch
-- on, in their own transaction) and until expires_at; removing a passkey deletes the account's rows.
CREATE TABLE trusted_browsers (
  id           uuid        PRIMARY KEY,                      -- opaque handle shown to the browser
  user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  device_hash  bytea       NOT NULL,
  epoch        integer     NOT NULL,                         -- users.session_epoch when it was trusted
  created_at   timestamptz NOT NULL,                         -- trusted at (its first use)
  last_used_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  ip           text        NOT NULL,                         -- of its last use
  user_agent   text        NOT NULL,
  UNIQUE (user_id, device_hash)
);
CREATE INDEX trusted_browsers_expires_at_idx ON trusted_browsers (expires_at);
