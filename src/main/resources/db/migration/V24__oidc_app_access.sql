-- The applications each user logged in to (Account › "Apps you've logged in to"), owned by the room auth/oidc:
-- when a code was last issued to one for them. "Remove access" deletes the row with the user's tokens and consent.
CREATE TABLE oidc_app_access (
  user_id       bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id     text        NOT NULL REFERENCES oidc_clients (client_id) ON DELETE CASCADE,
  last_used_at  timestamptz NOT NULL,
  PRIMARY KEY (user_id, client_id)
);

-- Applications allowed on the consent screen before this table existed.
INSERT INTO oidc_app_access (user_id, client_id, last_used_at)
SELECT user_id, client_id, granted_at FROM oidc_consents;
