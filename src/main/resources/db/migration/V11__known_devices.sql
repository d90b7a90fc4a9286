-- Browsers each account was used from, for the "new sign-in" mail. A browser is named by its device cookie (256
-- random bits, like a session's), kept here only as its SHA-256. A row older than 90 days means what no row
-- means: the browser counts as new, so the purge may delete it.
CREATE TABLE known_devices (
  user_id          bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  device_hash      bytea       NOT NULL,
  last_seen_at     timestamptz NOT NULL,                 -- its latest completed login (or the sign-up)
  previous_seen_at timestamptz,                          -- the one before: what the latest login was judged by
  PRIMARY KEY (user_id, device_hash)
);
CREATE INDEX known_devices_last_seen_at_idx ON known_devices (last_seen_at);

-- When a new-sign-in mail last went out per account and browser: at most one an hour each. The browser is its
-- device hash, or for one that keeps no cookies the SHA-256 of its IP address and user agent.
CREATE TABLE sign_in_notices (
  user_id      bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  browser_hash bytea       NOT NULL,
  mailed_at    timestamptz NOT NULL,
  PRIMARY KEY (user_id, browser_hash)
);
CREATE INDEX sign_in_notices_mailed_at_idx ON sign_in_notices (mailed_at);

-- Where the password step of a pending login came from, for the mail sent when its second step never comes.
ALTER TABLE pending_logins ADD COLUMN ip text NOT NULL DEFAULT '';
ALTER TABLE pending_logins ADD COLUMN user_agent text NOT NULL DEFAULT '';
