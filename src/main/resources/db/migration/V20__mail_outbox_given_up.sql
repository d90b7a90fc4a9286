-- A mail that still fails two days after it was written is given up (its bodies cleared, never tried again) and
-- purged like a sent one, 30 days later. The due index leaves given-up rows out; the purge finds them by theirs.
ALTER TABLE mail_outbox ADD COLUMN given_up_at timestamptz;
DROP INDEX mail_outbox_due_idx;
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND given_up_at IS NULL;
CREATE INDEX mail_outbox_given_up_idx ON mail_outbox (given_up_at) WHERE given_up_at IS NOT NULL;
