-- The session room's rules on sessions and pending_logins (a login waiting for its second factor).

-- The signatures before the per-user cap and before the second factor's method: a call that fits two overloads
-- would be ambiguous.
DROP FUNCTION IF EXISTS session_open(bytea, uuid, bigint, integer, timestamptz, timestamptz, timestamptz, text, text);
DROP FUNCTION IF EXISTS session_open(bytea, uuid, bigint, integer, timestamptz, timestamptz, timestamptz, text, text, integer);

-- Opens the session a completed login (or a sign-up) makes: its login is its first step-up, unless a trusted
-- browser skipped its code step (p_second_factor_method 'trusted_browser'): that never counts as one. A user keeps at most
-- p_max_per_user sessions: opening one more ends those used least recently (dead ones first), under the user's
-- lock, so concurrent logins cannot overshoot the cap.
CREATE OR REPLACE FUNCTION session_open(p_token_hash bytea, p_handle uuid, p_user_id bigint, p_epoch integer,
                                        p_second_factor_at timestamptz, p_now timestamptz, p_expires_at timestamptz,
                                        p_ip text, p_user_agent text, p_max_per_user integer,
                                        p_second_factor_method text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_ended uuid[];
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('sessions:' || p_user_id, 0));
  WITH ended AS (
    DELETE FROM sessions WHERE token_hash IN (
      SELECT token_hash FROM sessions WHERE user_id = p_user_id
      ORDER BY (epoch = p_epoch AND expires_at > p_now) DESC, last_seen_at DESC, created_at DESC, token_hash
      OFFSET p_max_per_user - 1)
    RETURNING handle)
  SELECT array_agg(handle) INTO v_ended FROM ended;
  IF v_ended IS NOT NULL THEN
    PERFORM oidc_sessions_ended(v_ended, p_now);   -- the applications they logged in to are told (R__oidc.sql)
  END IF;
  INSERT INTO sessions (token_hash, handle, user_id, epoch, second_factor_at, created_at, last_seen_at, expires_at,
                        ip, user_agent, step_up_at, second_factor_method)
    VALUES (p_token_hash, p_handle, p_user_id, p_epoch, p_second_factor_at, p_now, p_now, p_expires_at,
            p_ip, p_user_agent,
            CASE WHEN p_second_factor_method = 'trusted_browser' THEN NULL ELSE p_now END, p_second_factor_method);
END
$$;

CREATE OR REPLACE FUNCTION pending_login_create(p_token_hash bytea, p_user_id bigint, p_login_id uuid,
                                                p_now timestamptz, p_ip text, p_user_agent text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pending_logins (token_hash, user_id, login_id, created_at, ip, user_agent)
    VALUES (p_token_hash, p_user_id, p_login_id, p_now, p_ip, p_user_agent);
END
$$;

-- Locks the live pending login (created at or after p_created_after) for this transaction, so its second steps
-- are serialized: false when there is none.
CREATE OR REPLACE FUNCTION pending_login_lock(p_token_hash bytea, p_created_after timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM pending_logins WHERE token_hash = p_token_hash AND created_at >= p_created_after FOR UPDATE;
  RETURN FOUND;
END
$$;

CREATE OR REPLACE FUNCTION pending_login_end(p_token_hash bytea) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM pending_logins WHERE token_hash = p_token_hash;
END
$$;

-- Counts a wrong code; at p_max_failures the pending login is dropped. Returns the wrong codes so far.
CREATE OR REPLACE FUNCTION pending_login_fail(p_token_hash bytea, p_max_failures integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_failures integer;
BEGIN
  UPDATE pending_logins SET failures = failures + 1 WHERE token_hash = p_token_hash RETURNING failures INTO v_failures;
  IF v_failures >= p_max_failures THEN
    PERFORM pending_login_end(p_token_hash);
  END IF;
  RETURN v_failures;
END
$$;

-- The live pending login named by p_token_hash (created at or after p_created_after), for other rooms' SELECTs.
CREATE OR REPLACE FUNCTION pending_login_live(p_token_hash bytea, p_created_after timestamptz)
  RETURNS TABLE (user_id bigint, login_id uuid, pending_at timestamptz, ip text, user_agent text)
LANGUAGE sql STABLE AS $$
  SELECT p.user_id, p.login_id, p.created_at, p.ip, p.user_agent FROM pending_logins p
  WHERE p.token_hash = p_token_hash AND p.created_at >= p_created_after
$$;

-- The session with this handle while it lives: last seen after p_seen_after (its idle limit), before its absolute
-- expiry, and opened under its user's current epoch (the rule SessionRepository.resolve applies to a cookie).
-- For other rooms' SELECTs: an OpenID Connect token lives only as long as the session it was issued under.
CREATE OR REPLACE FUNCTION session_live(p_handle uuid, p_now timestamptz, p_seen_after timestamptz)
  RETURNS TABLE (user_id bigint)
LANGUAGE sql STABLE AS $$
  SELECT s.user_id FROM sessions s CROSS JOIN LATERAL account_user(s.user_id) u
  WHERE s.handle = p_handle AND s.last_seen_at > p_seen_after AND s.expires_at > p_now AND u.session_epoch = s.epoch
$$;
