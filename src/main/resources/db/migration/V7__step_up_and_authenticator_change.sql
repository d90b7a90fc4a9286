-- A session's last fresh proof of its password (and second factor, with 2FA on): sensitive actions need one
-- within TWOFA_STEP_UP_MINUTES.
ALTER TABLE sessions ADD COLUMN step_up_at timestamptz;

-- When the current authenticator was added (shown in Account), and which session asked for the pending key
-- and when, so a reload of the setup screen within 15 minutes shows the same key instead of a new one.
ALTER TABLE users ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE users ADD COLUMN totp_pending_created_at timestamptz;
ALTER TABLE users ADD COLUMN totp_pending_session uuid;
UPDATE users SET totp_enabled_at = created_at WHERE totp_secret IS NOT NULL;

-- Security events written by auth in the same transaction as the change they record, then relayed to audit:
-- no event, no change; and an event is never lost when audit is briefly away.
CREATE TABLE event_outbox (
  id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event jsonb NOT NULL
);
-- The relay may deliver an event twice (audit recorded it, the outbox delete failed): the id makes it once.
ALTER TABLE security_events ADD COLUMN event_id uuid;
CREATE UNIQUE INDEX security_events_event_id_key ON security_events (event_id);
