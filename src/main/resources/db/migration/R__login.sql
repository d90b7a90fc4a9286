-- The login room owns no table: its one-round-trip statements call the rules of the rooms that own them
-- (R__session, R__throttle, R__account, R__credential, R__events), each defined once there. A completed login
-- leaves reset links alone: whoever else knows the password must not void the owner's.

-- A passed password step that owes a second factor: the login counted under the address's limit (this address's
-- failures on the account forgotten, the attempt reserved as a failure given back), the pending login created and
-- its event queued, in one round trip.
DROP FUNCTION IF EXISTS login_password_step(text, text, timestamptz, timestamptz, bytea, bigint, uuid, text, text, jsonb);
CREATE OR REPLACE FUNCTION login_password_step(
  p_forgotten_key  text,          -- this address's password failures on the account
  p_logins_key     text,          -- the address's successful logins
  p_logins_before  timestamptz,   -- logins at or before this have left that limit's window
  p_now            timestamptz,
  p_pending_hash   bytea,
  p_user_id        bigint,
  p_login_id       uuid,
  p_ip             text,
  p_user_agent     text,
  p_event          jsonb,
  p_reserved_keys  text[],        -- the attempt reserved under the password limits before the check ...
  p_reserved_at    timestamptz)   -- ... at this time
  RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM throttle_release(p_reserved_keys, p_reserved_at);
  PERFORM throttle_record_all(ARRAY[p_logins_key], ARRAY[p_logins_before], p_now, p_forgotten_key);
  PERFORM pending_login_create(p_pending_hash, p_user_id, p_login_id, p_now, p_ip, p_user_agent);
  PERFORM event_outbox_add(p_event);
END
$$;

-- The signature before the per-user session cap (p_session_max).
DROP FUNCTION IF EXISTS login_code_step(bytea, timestamptz, bigint, bigint, bytea[], bigint, text, integer, timestamptz,
                                        timestamptz, integer, bytea, uuid, integer, timestamptz, text, text, jsonb,
                                        jsonb, jsonb);

-- The signature before passkeys (p_passkey_id, p_passkey_sign_count).
DROP FUNCTION IF EXISTS login_code_step(bytea, timestamptz, bigint, bigint, bytea[], bigint, text, integer, timestamptz,
                                        timestamptz, integer, bytea, uuid, integer, timestamptz, text, text, integer,
                                        jsonb, jsonb, jsonb);

-- The signature before the passkey's key binding (p_passkey_binding).
DROP FUNCTION IF EXISTS login_code_step(bytea, timestamptz, bigint, bigint, bytea[], bigint, text, integer, timestamptz,
                                        timestamptz, integer, bytea, uuid, integer, timestamptz, text, text, integer,
                                        jsonb, jsonb, jsonb, uuid, bigint);

-- A login's second step (the code step), checked in Java (the TOTP secret is opened there only) and written here in one
-- transaction under the pending login's row lock and the budget's lock: the budget is counted before the code is
-- used; a correct code completes the login (and resets the budget it had spent), a wrong one spends an attempt
-- and counts against the pending login, which is dropped at its limit.
CREATE OR REPLACE FUNCTION login_code_step(
  -- the pending login (live when created at or after p_pending_after) and its account
  p_pending_hash bytea, p_pending_after timestamptz, p_user_id bigint,
  -- the code as checked in Java: the TOTP step it matched, or a recovery code's digests under every key and the
  -- TOTP step its use burns through (all null: a code that matches nothing)
  p_totp_step bigint, p_recovery_digests bytea[], p_burn_through bigint,
  -- the second-factor budget (attempts at or before p_window_start have left it) and the pending login's limit
  p_budget_key text, p_budget_max integer, p_now timestamptz, p_window_start timestamptz, p_max_failures integer,
  -- the session opened if the login completes, and the user's cap on live sessions
  p_session_hash bytea, p_session_handle uuid, p_session_epoch integer, p_session_expires timestamptz,
  p_ip text, p_user_agent text, p_session_max integer,
  -- the event of each outcome (p_abandoned's "failures" is set here)
  p_succeeded jsonb, p_failed jsonb, p_abandoned jsonb,
  -- or a passkey whose signature Java verified, with the counter it signed (the counter rule is passkey_use's)
  -- and where its key lives ('hwk' or 'swk', kept on the session for OpenID Connect's amr)
  p_passkey_id uuid DEFAULT NULL, p_passkey_sign_count bigint DEFAULT NULL, p_passkey_binding text DEFAULT NULL)
RETURNS TABLE (step_outcome text, budget_oldest timestamptz, failure_count integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_budget   record;
  v_accepted boolean := false;
  v_failures integer;
BEGIN
  IF NOT pending_login_lock(p_pending_hash, p_pending_after) THEN
    PERFORM event_outbox_add(p_failed);
    RETURN QUERY SELECT 'no_pending_login'::text, NULL::timestamptz, 0;
    RETURN;
  END IF;

  SELECT * INTO v_budget FROM throttle_count(p_budget_key, p_window_start);
  IF v_budget.attempts >= p_budget_max THEN
    PERFORM event_outbox_add(p_failed);
    RETURN QUERY SELECT 'rate_limited'::text, v_budget.oldest, 0;
    RETURN;
  END IF;

  IF p_totp_step IS NOT NULL THEN
    v_accepted := totp_accept_step(p_user_id, p_totp_step);
  ELSIF p_recovery_digests IS NOT NULL THEN
    v_accepted := recovery_code_use(p_user_id, p_recovery_digests, p_burn_through, p_now);
  ELSIF p_passkey_id IS NOT NULL THEN
    v_accepted := passkey_use(p_user_id, p_passkey_id, p_passkey_sign_count, p_now);
  END IF;

  IF v_accepted THEN
    PERFORM pending_login_end(p_pending_hash);
    IF v_budget.attempts > 0 THEN
      PERFORM throttle_forget(p_budget_key);
    END IF;
    PERFORM session_open(p_session_hash, p_session_handle, p_user_id, p_session_epoch, p_now, p_now,
                         p_session_expires, p_ip, p_user_agent, p_session_max,
                         CASE WHEN p_totp_step IS NOT NULL THEN 'totp'
                              WHEN p_passkey_id IS NOT NULL THEN coalesce('passkey_' || p_passkey_binding, 'passkey')
                              ELSE 'recovery_code' END);
    PERFORM event_outbox_add(p_succeeded);
    RETURN QUERY SELECT 'completed'::text, NULL::timestamptz, 0;
    RETURN;
  END IF;

  PERFORM throttle_record(p_budget_key, p_now);
  v_failures := pending_login_fail(p_pending_hash, p_max_failures);
  PERFORM event_outbox_add(p_failed);
  IF v_failures < p_max_failures THEN
    RETURN QUERY SELECT 'invalid_code'::text, NULL::timestamptz, v_failures;
    RETURN;
  END IF;
  -- That wrong code was its last: the pending login is gone, and the owner hears of it.
  PERFORM event_outbox_add(jsonb_set(p_abandoned, '{details,failures}', to_jsonb(v_failures::text)));
  RETURN QUERY SELECT 'dropped'::text, NULL::timestamptz, v_failures;
END
$$;

-- A sign-in with a passkey and no password (its signature, user verification and challenge checked in Java, by
-- the passkey room), written in one transaction under the account budget's lock: the account's second-factor
-- budget is counted first (the same budget as the code step's), then the counter moves forward (passkey_use) and
-- the session opens with both factors, the address's reservation and the account's spent budget given back; or
-- the refusal (p_passkey_id null: refused in Java; or a counter that did not move) spends an attempt of the budget.
CREATE OR REPLACE FUNCTION login_passkey_sign_in(
  p_user_id bigint, p_passkey_id uuid, p_passkey_sign_count bigint,
  p_budget_key text, p_budget_max integer, p_now timestamptz, p_window_start timestamptz,
  -- the attempt reserved under the address's limit before the check, given back when it succeeds
  p_reserved_keys text[], p_reserved_at timestamptz,
  p_session_hash bytea, p_session_handle uuid, p_session_epoch integer, p_session_expires timestamptz,
  p_ip text, p_user_agent text, p_session_max integer, p_session_method text,
  p_succeeded jsonb, p_failed jsonb)
RETURNS TABLE (step_outcome text, budget_oldest timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  v_budget record;
BEGIN
  SELECT * INTO v_budget FROM throttle_count(p_budget_key, p_window_start);
  IF v_budget.attempts >= p_budget_max THEN
    PERFORM event_outbox_add(p_failed);
    RETURN QUERY SELECT 'rate_limited'::text, v_budget.oldest;
    RETURN;
  END IF;
  IF p_passkey_id IS NOT NULL AND passkey_use(p_user_id, p_passkey_id, p_passkey_sign_count, p_now) THEN
    PERFORM throttle_release(p_reserved_keys, p_reserved_at);
    IF v_budget.attempts > 0 THEN
      PERFORM throttle_forget(p_budget_key);
    END IF;
    PERFORM session_open(p_session_hash, p_session_handle, p_user_id, p_session_epoch, p_now, p_now,
                         p_session_expires, p_ip, p_user_agent, p_session_max, p_session_method);
    PERFORM event_outbox_add(p_succeeded);
    RETURN QUERY SELECT 'completed'::text, NULL::timestamptz;
    RETURN;
  END IF;
  PERFORM throttle_record(p_budget_key, p_now);
  PERFORM event_outbox_add(p_failed);
  RETURN QUERY SELECT 'refused'::text, NULL::timestamptz;
END
$$;
