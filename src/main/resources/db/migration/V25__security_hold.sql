-- Until when sensitive changes (turning 2FA off, new recovery codes, the anti-phishing phrase) are paused after a
-- risky change to the account; set in the transaction of that change. Null or past: no hold.
ALTER TABLE users ADD COLUMN security_hold_until timestamptz;
