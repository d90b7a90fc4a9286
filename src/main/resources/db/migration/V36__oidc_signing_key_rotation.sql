-- Signing-key rotation: a key is published from its insertion, signs from signs_from (after the publish delay, so
-- applications caching the JWKS have it), and once a successor signs it stays published until published_until
-- (its last tokens have expired). NULL published_until: the current key of its algorithm, one per algorithm.
ALTER TABLE oidc_signing_keys ADD COLUMN signs_from timestamptz, ADD COLUMN published_until timestamptz;
UPDATE oidc_signing_keys SET signs_from = created_at;
ALTER TABLE oidc_signing_keys ALTER COLUMN signs_from SET NOT NULL;
-- A start made several keys of one algorithm before this migration: the newest is current, the others retire now.
UPDATE oidc_signing_keys k SET published_until = now()
 WHERE EXISTS (SELECT 1 FROM oidc_signing_keys n WHERE n.alg = k.alg AND (n.created_at, n.kid) > (k.created_at, k.kid));
CREATE UNIQUE INDEX oidc_signing_keys_one_current ON oidc_signing_keys (alg) WHERE published_until IS NULL;
