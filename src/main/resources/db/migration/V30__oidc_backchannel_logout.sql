-- OpenID Connect Back-Channel Logout 1.0, room auth/oidc.

-- Which applications got tokens from each twofa session: when the session ends, each of them that registered a
-- back-channel logout URI is told (oidc_sessions_ended, R__oidc.sql), and the row goes.
CREATE TABLE oidc_session_clients (
  session_handle uuid   NOT NULL,
  client_id      text   NOT NULL REFERENCES oidc_clients (client_id) ON DELETE CASCADE,
  user_id        bigint NOT NULL,
  PRIMARY KEY (session_handle, client_id)
);

-- Logout tokens to POST, written in the transaction that ends the session, then delivered (and deleted) by any
-- auth node, retried with backoff and given up after a bound; the token is signed at each attempt (it lives 2 min).
CREATE TABLE oidc_logout_outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_id       text        NOT NULL REFERENCES oidc_clients (client_id) ON DELETE CASCADE,
  subject         text        NOT NULL,
  session_handle  uuid        NOT NULL,
  created_at      timestamptz NOT NULL,
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  given_up_at     timestamptz
);
CREATE INDEX oidc_logout_outbox_due_idx ON oidc_logout_outbox (next_attempt_at) WHERE given_up_at IS NULL;
CREATE INDEX oidc_logout_outbox_given_up_idx ON oidc_logout_outbox (given_up_at) WHERE given_up_at IS NOT NULL;
