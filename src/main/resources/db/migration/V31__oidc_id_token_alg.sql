-- The algorithm a client's ID tokens (and logout tokens) are signed with: RS256 by default, or ES256.
ALTER TABLE oidc_clients ADD COLUMN id_token_signed_response_alg text NOT NULL DEFAULT 'RS256'
  CHECK (id_token_signed_response_alg IN ('RS256', 'ES256'));
