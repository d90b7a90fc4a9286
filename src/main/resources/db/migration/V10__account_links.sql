-- Single-use links mailed for the account's own safety, owned by the auth verticle. Like sessions, only the
-- SHA-256 of the token (256 random bits) is kept; a used link is deleted by the statement that uses it.
--   password_reset: "Forgot password?", 1 hour; at most one per user (a newer link replaces it), voided by a
--                   completed login.
--   secure_account: "This wasn't me?" in each security notification, 7 days; one per mail.
CREATE TABLE account_links (
  token_hash bytea       PRIMARY KEY,
  user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose    text        NOT NULL CHECK (purpose IN ('password_reset', 'secure_account')),
  email      text        NOT NULL,                     -- the address the link was sent to
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX account_links_one_reset_idx ON account_links (user_id) WHERE purpose = 'password_reset';
CREATE INDEX account_links_user_idx ON account_links (user_id);
CREATE INDEX account_links_expires_idx ON account_links (expires_at);
