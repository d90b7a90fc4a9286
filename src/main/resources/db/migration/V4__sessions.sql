-- Sessions belong to auth and live here, so no HTTP node holds session state and losing a node loses none.
-- The cookie's value is stored only as its SHA-256: a dump of this table opens no session.
CREATE TABLE sessions (
  token_hash       bytea       PRIMARY KEY,
  handle           uuid        NOT NULL UNIQUE,          -- the opaque id the sessions list shows
  user_id          bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  epoch            integer     NOT NULL,                 -- users.session_epoch it was opened under
  second_factor_at timestamptz,                          -- when this login passed a second factor (null: password only)
  created_at       timestamptz NOT NULL,
  last_seen_at     timestamptz NOT NULL,                 -- idle expiry counts from here
  expires_at       timestamptz NOT NULL,                 -- absolute expiry
  ip               text        NOT NULL,
  user_agent       text        NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_last_seen_at_idx ON sessions (last_seen_at);

-- Pending logins are found by the SHA-256 of their cookie value too; any in flight are dropped.
DELETE FROM pending_logins;
ALTER TABLE pending_logins DROP COLUMN id;
ALTER TABLE pending_logins ADD COLUMN token_hash bytea PRIMARY KEY;
