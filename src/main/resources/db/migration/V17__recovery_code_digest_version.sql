-- Which message each recovery-code digest was made of: 1, HMAC(k, code) (every row written before this migration,
-- so the default); 2, HMAC(k, user id || code), which binds the digest to its account. Version 1 rows keep working
-- until their user gets new codes; every new code is written as version 2.
ALTER TABLE recovery_codes ADD COLUMN digest_version smallint NOT NULL DEFAULT 1 CHECK (digest_version IN (1, 2));
