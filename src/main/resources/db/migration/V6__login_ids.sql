-- Each login attempt has an id that all its steps carry into Activity, so the app can show one row per attempt.
-- Logins in flight are dropped (their second step would have no id to report).
DELETE FROM pending_logins;
ALTER TABLE pending_logins ADD COLUMN login_id uuid NOT NULL;
