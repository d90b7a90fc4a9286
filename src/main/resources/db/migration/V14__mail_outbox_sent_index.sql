-- Sent mails are purged after 30 days by auth's timer (every minute): this index lets that DELETE find them
-- without reading the whole outbox.
CREATE INDEX mail_outbox_sent_idx ON mail_outbox (sent_at) WHERE sent_at IS NOT NULL;
