-- Which key of the ring made each recovery-code digest (KeyRing id, 8 hex digits). NULL: made before key ids,
-- under the key's pre-HKDF derivation; such codes keep working while their key stays in TWOFA_SECRET_KEYS.
ALTER TABLE recovery_codes ADD COLUMN key_id text;
