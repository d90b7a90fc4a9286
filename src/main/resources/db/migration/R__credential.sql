-- The credential room's rules on recovery_codes.

-- The recovery-code burn: one DELETE lets a single request win a code (a user's codes differ, so at most one of
-- the code's digests matches: bound to the user or not, under each key of the ring, see RecoveryCodes); the TOTP
-- steps its holder may have seen are burnt with it.
CREATE OR REPLACE FUNCTION recovery_code_use(p_user_id bigint, p_digests bytea[], p_burn_through bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM recovery_codes WHERE user_id = p_user_id AND digest = ANY (p_digests);
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM totp_burn_through(p_user_id, p_burn_through);
  RETURN true;
END
$$;

-- How many recovery codes the user has left, for another room's SELECT to call as
-- (SELECT n FROM recovery_codes_left(id) n): a set-returning SQL function in FROM is inlined by the planner, where a
-- scalar one would run as a function call on every row (about 4x the cost, measured).
CREATE OR REPLACE FUNCTION recovery_codes_left(p_user_id bigint) RETURNS SETOF integer
LANGUAGE sql STABLE AS $$
  SELECT count(*)::int FROM recovery_codes WHERE user_id = p_user_id
$$;
