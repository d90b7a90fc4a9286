-- The anti-phishing phrase every mail to the account shows above its text, sealed like the TOTP secret (AES-GCM
-- under the key ring, bound to the user id). A change waits as the pending phrase until phrase_pending_at.
ALTER TABLE users ADD COLUMN phrase_box bytea, ADD COLUMN phrase_pending_box bytea,
  ADD COLUMN phrase_pending_at timestamptz;

-- A waiting mail's copy of its recipient's phrase box: the body holds a placeholder, filled in memory only as the
-- mail goes out, so the phrase is never plain text in the outbox. Cleared with the bodies.
ALTER TABLE mail_outbox ADD COLUMN phrase_box bytea;
