-- The credential room's rules on recovery_codes.

-- The signature before tombstones (p_now).
DROP FUNCTION IF EXISTS recovery_code_use(bigint, bytea[], bigint);

-- The recovery-code burn: one UPDATE lets a single request win a code (a user's codes differ, so at most one of
-- the code's digests matches: bound to the user or not, under each key of the ring, see RecoveryCodes); the code
-- stays as a tombstone (used_at) so a second try can say when it was used. A user's uses go one at a time (the
-- rows stay locked until commit), so the count left after each is exact: the mails at 2 and 0 left go once per set.
-- The TOTP steps the code's holder may have seen are burnt with it.
CREATE OR REPLACE FUNCTION recovery_code_use(p_user_id bigint, p_digests bytea[], p_burn_through bigint,
                                             p_now timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM recovery_codes WHERE user_id = p_user_id FOR UPDATE;
  UPDATE recovery_codes SET used_at = p_now
    WHERE user_id = p_user_id AND digest = ANY (p_digests) AND used_at IS NULL;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM totp_burn_through(p_user_id, p_burn_through);
  RETURN true;
END
$$;

-- When the user's code with these digests was used, if it was (null: never one of the current set's codes).
CREATE OR REPLACE FUNCTION recovery_code_used_at(p_user_id bigint, p_digests bytea[]) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
  SELECT used_at FROM recovery_codes WHERE user_id = p_user_id AND digest = ANY (p_digests) AND used_at IS NOT NULL
$$;

-- How many recovery codes the user has left, for another room's SELECT to call as
-- (SELECT n FROM recovery_codes_left(id) n): a set-returning SQL function in FROM is inlined by the planner, where a
-- scalar one would run as a function call on every row (about 4x the cost, measured).
CREATE OR REPLACE FUNCTION recovery_codes_left(p_user_id bigint) RETURNS SETOF integer
LANGUAGE sql STABLE AS $$
  SELECT count(*)::int FROM recovery_codes WHERE user_id = p_user_id AND used_at IS NULL
$$;

-- Passkeys.

-- How many passkeys the user has, for account's SELECT (inlined like recovery_codes_left).
CREATE OR REPLACE FUNCTION passkeys_count(p_user_id bigint) RETURNS SETOF integer
LANGUAGE sql STABLE AS $$
  SELECT count(*)::int FROM passkeys WHERE user_id = p_user_id
$$;

-- A new challenge; expired ones go with it, so the table holds only live challenges. A sign-in challenge (no user
-- yet) replaces the browser's earlier one, so a browser that asks again and again holds one row.
CREATE OR REPLACE FUNCTION passkey_challenge_create(p_challenge_hash bytea, p_binding_hash bytea, p_purpose text,
                                                    p_user_id bigint, p_now timestamptz, p_expires timestamptz)
  RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM passkey_challenges WHERE expires_at <= p_now
    OR (p_user_id IS NULL AND binding_hash = p_binding_hash AND purpose = p_purpose);
  INSERT INTO passkey_challenges (challenge_hash, binding_hash, purpose, user_id, expires_at)
    VALUES (p_challenge_hash, p_binding_hash, p_purpose, p_user_id, p_expires);
END
$$;

-- Spends a challenge: one DELETE lets one request have it, only for its session (or pending login, or for a sign-in
-- the browser), purpose and user (none for a sign-in), and only while it lives. True when this call spent it.
CREATE OR REPLACE FUNCTION passkey_challenge_use(p_challenge_hash bytea, p_binding_hash bytea, p_purpose text,
                                                 p_user_id bigint, p_now timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM passkey_challenges
    WHERE challenge_hash = p_challenge_hash AND binding_hash = p_binding_hash AND purpose = p_purpose
      AND user_id IS NOT DISTINCT FROM p_user_id AND expires_at > p_now;
  RETURN FOUND;
END
$$;

-- A verified signature moves the counter on; one that does not move it forward (a clone, or the same signature
-- twice) is refused, unless the authenticator keeps no counter (0 stored and 0 signed). True when accepted.
CREATE OR REPLACE FUNCTION passkey_use(p_user_id bigint, p_passkey_id uuid, p_sign_count bigint, p_now timestamptz)
  RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE passkeys SET sign_count = p_sign_count, last_used_at = p_now
    WHERE id = p_passkey_id AND user_id = p_user_id
      AND (sign_count < p_sign_count OR (sign_count = 0 AND p_sign_count = 0));
  RETURN FOUND;
END
$$;
