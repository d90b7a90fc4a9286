-- A used recovery code stays as a tombstone (used_at set) until its set is replaced, so a second try with it can
-- answer "used already on DATE" instead of reading like a typo. Unused codes are the rows with used_at null.
ALTER TABLE recovery_codes ADD COLUMN used_at timestamptz;
