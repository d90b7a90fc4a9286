-- Passwordless sign-in with a passkey: its challenge is made before anyone is known, so it names no user; it is
-- bound to the browser (its device cookie) and the purpose 'sign_in' instead.
ALTER TABLE passkey_challenges ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE passkey_challenges DROP CONSTRAINT passkey_challenges_purpose_check;
ALTER TABLE passkey_challenges ADD CONSTRAINT passkey_challenges_purpose_check
  CHECK (purpose IN ('register', 'login', 'step_up', 'sign_in'));
ALTER TABLE passkey_challenges ADD CONSTRAINT passkey_challenges_user_unless_sign_in
  CHECK ((purpose = 'sign_in') = (user_id IS NULL));
