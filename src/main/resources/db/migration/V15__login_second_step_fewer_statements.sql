-- login_second_step with three statements fewer on the common path, a correct code with an unspent budget
-- (11 statements were 8): the attempt is recorded only when the code is wrong (a correct one reset the budget it
-- had just spent, in the same commit), the budget is reset only when it holds attempts, and attempts that have
-- left the window are no longer deleted here (they never count, and the scheduled purge removes them). Still
-- one transaction under the pending login's row lock and the budget's advisory lock, so the outcomes are the
-- same as V13's: the budget is counted before the code is used, a wrong code spends an attempt, a correct one
-- clears them.
CREATE OR REPLACE FUNCTION login_second_step(
  p_pending_hash     bytea,
  p_pending_after    timestamptz,   -- a pending login created before this has expired
  p_user_id          bigint,
  p_totp_step        bigint,        -- the step the TOTP code matched (null: none, or a recovery code)
  p_recovery_digests bytea[],       -- the recovery code's digests under every key (null: a TOTP code)
  p_burn_through     bigint,        -- a recovery login makes every TOTP step up to this one unusable
  p_budget_key       text,
  p_budget_max       integer,
  p_now              timestamptz,
  p_window_start     timestamptz,   -- budget attempts at or before this have left the window
  p_max_failures     integer,
  p_session_hash     bytea,
  p_session_handle   uuid,
  p_session_epoch    integer,
  p_session_expires  timestamptz,
  p_ip               text,
  p_user_agent       text,
  p_succeeded        jsonb,         -- the event if the login completes
  p_failed           jsonb,         -- the event if it does not
  p_abandoned        jsonb)         -- the event if this wrong code drops the pending login ("failures" set here)
RETURNS TABLE (step_outcome text, budget_oldest timestamptz, failure_count integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_attempts integer;
  v_oldest   timestamptz;
  v_accepted boolean := false;
  v_failures integer;
BEGIN
  PERFORM 1 FROM pending_logins WHERE token_hash = p_pending_hash AND created_at >= p_pending_after FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO event_outbox (event) VALUES (p_failed);
    RETURN QUERY SELECT 'no_pending_login'::text, NULL::timestamptz, 0;
    RETURN;
  END IF;

  -- The lock serializes attempts on one budget; each later statement of this (volatile) function takes a fresh
  -- snapshot, so it sees every attempt committed before the lock was granted.
  PERFORM pg_advisory_xact_lock(hashtextextended(p_budget_key, 0));
  SELECT count(*)::int, min(at) INTO v_attempts, v_oldest
    FROM throttle_attempts WHERE key = p_budget_key AND at > p_window_start;
  IF v_attempts >= p_budget_max THEN
    INSERT INTO event_outbox (event) VALUES (p_failed);
    RETURN QUERY SELECT 'rate_limited'::text, v_oldest, 0;
    RETURN;
  END IF;

  IF p_totp_step IS NOT NULL THEN
    UPDATE users SET totp_last_step = p_totp_step
      WHERE id = p_user_id AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < p_totp_step);
    v_accepted := FOUND;
  ELSIF p_recovery_digests IS NOT NULL THEN
    DELETE FROM recovery_codes WHERE user_id = p_user_id AND digest = ANY (p_recovery_digests);
    v_accepted := FOUND;
    IF v_accepted THEN
      UPDATE users SET totp_last_step = GREATEST(COALESCE(totp_last_step, p_burn_through), p_burn_through)
        WHERE id = p_user_id;
    END IF;
  END IF;

  IF v_accepted THEN
    DELETE FROM pending_logins WHERE token_hash = p_pending_hash;
    IF v_attempts > 0 THEN
      DELETE FROM throttle_attempts WHERE key = p_budget_key;
    END IF;
    -- A completed login shows the password is known after all.
    DELETE FROM account_links WHERE user_id = p_user_id AND purpose = 'password_reset';
    INSERT INTO sessions (token_hash, handle, user_id, epoch, second_factor_at, created_at, last_seen_at, expires_at,
                          ip, user_agent)
      VALUES (p_session_hash, p_session_handle, p_user_id, p_session_epoch, p_now, p_now, p_now, p_session_expires,
              p_ip, p_user_agent);
    INSERT INTO event_outbox (event) VALUES (p_succeeded);
    RETURN QUERY SELECT 'completed'::text, NULL::timestamptz, 0;
    RETURN;
  END IF;

  INSERT INTO throttle_attempts (key, at) VALUES (p_budget_key, p_now);
  UPDATE pending_logins SET failures = failures + 1 WHERE token_hash = p_pending_hash RETURNING failures INTO v_failures;
  INSERT INTO event_outbox (event) VALUES (p_failed);
  IF v_failures >= p_max_failures THEN
    DELETE FROM pending_logins WHERE token_hash = p_pending_hash;
    INSERT INTO event_outbox (event)
      VALUES (jsonb_set(p_abandoned, '{details,failures}', to_jsonb(v_failures::text)));
    RETURN QUERY SELECT 'dropped'::text, NULL::timestamptz, v_failures;
    RETURN;
  END IF;
  RETURN QUERY SELECT 'invalid_code'::text, NULL::timestamptz, v_failures;
END
$$;
