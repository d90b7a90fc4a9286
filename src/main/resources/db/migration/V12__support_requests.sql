-- Requests to turn off 2FA, made by someone who passed the password step of a login (owned by auth). The owner
-- is mailed a link that cancels the request: only the SHA-256 of its 256-bit random token is kept, and it is
-- cleared when the request closes, so the link works once and only while the request is open.
CREATE TABLE support_requests (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id           bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  reason            text        NOT NULL CHECK (reason IN ('lost_phone', 'deleted_app', 'lost_recovery_codes', 'never_enabled')),
  contact           text        NOT NULL CHECK (length(contact) BETWEEN 1 AND 200),
  message           text        NOT NULL DEFAULT '' CHECK (length(message) <= 2000),
  status            text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'declined', 'cancelled')),
  created_at        timestamptz NOT NULL,
  closed_at         timestamptz,
  closed_by         text,                                  -- the staff member's email (done, declined)
  decline_reason    text,                                  -- what the user was told
  cancel_token_hash bytea       UNIQUE,
  CHECK ((status = 'open') = (closed_at IS NULL)),
  CHECK (status = 'open' OR cancel_token_hash IS NULL)
);
-- One open request per account: a second (even a concurrent one) fails with a unique violation.
CREATE UNIQUE INDEX support_requests_one_open_idx ON support_requests (user_id) WHERE status = 'open';
-- The desk's lists by status, and the per-account count of recent requests.
CREATE INDEX support_requests_status_idx ON support_requests (status, created_at);
CREATE INDEX support_requests_user_idx ON support_requests (user_id, created_at);
