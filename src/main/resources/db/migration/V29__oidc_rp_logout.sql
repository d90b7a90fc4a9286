-- OpenID Connect logout (RP-initiated and back-channel), room auth/oidc. A client registers where users may come
-- back after logging out (matched exactly, like redirect_uris) and where the provider POSTs its logout tokens.
ALTER TABLE oidc_clients ADD COLUMN post_logout_redirect_uris text[] NOT NULL DEFAULT '{}';
ALTER TABLE oidc_clients ADD COLUMN backchannel_logout_uri text;

-- An RP-initiated logout waiting for the user's answer to "Log out?": bound to the browser's session (only that
-- session's browser can confirm it), with where to go afterwards once checked against the client's registration.
CREATE TABLE oidc_logouts (
  id             text        PRIMARY KEY,
  session_handle uuid        NOT NULL,
  client_id      text        REFERENCES oidc_clients (client_id) ON DELETE CASCADE,
  redirect_uri   text,
  state          text,
  language       text,
  expires_at     timestamptz NOT NULL
);
CREATE INDEX oidc_logouts_expires_at_idx ON oidc_logouts (expires_at);
