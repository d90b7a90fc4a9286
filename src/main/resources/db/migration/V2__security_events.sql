-- The activity log. Owned by the audit verticle; no foreign key into the auth tables, by design.
CREATE TABLE security_events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    bigint      NOT NULL,
  at         timestamptz NOT NULL,
  type       text        NOT NULL,
  success    boolean     NOT NULL,
  ip         text        NOT NULL,
  user_agent text        NOT NULL,
  actor      text                               -- staff member's email when support acted
);
-- Serves the Activity page: a user's events newest first, continued by keyset (id < cursor).
CREATE INDEX security_events_user_id_id_idx ON security_events (user_id, id DESC);
