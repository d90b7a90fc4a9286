-- Mails waiting for the SMTP server (or the .eml folder), written in the same transaction as the change that
-- causes them. Owned by the auth verticle. A sent row keeps its envelope for a while; its bodies are cleared
-- (they may hold a single-use link).
CREATE TABLE mail_outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id         bigint      REFERENCES users (id) ON DELETE CASCADE,
  kind            text        NOT NULL,
  recipient       text        NOT NULL,
  subject         text        NOT NULL,
  text_body       text,
  html_body       text,
  created_at      timestamptz NOT NULL,
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  sent_at         timestamptz
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;

-- The language of the user's mails, taken from the browser at sign-up.
ALTER TABLE users ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'ja'));

-- When the address was proven by a link sent to it; security mails go only to proven addresses.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- Outstanding verification links: only the SHA-256 of the token (a 256-bit random value) is kept, like
-- sessions. One per user (a new link replaces the last); used or expired, the row is gone.
CREATE TABLE email_verifications (
  token_hash bytea       PRIMARY KEY,
  user_id    bigint      NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  email      text        NOT NULL,                     -- the address the link was sent to
  expires_at timestamptz NOT NULL
);
