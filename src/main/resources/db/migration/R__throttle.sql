-- The throttle room's rules on throttle_attempts: every counter and limit is a key with attempts in a window.

-- A budget's count: under the key's lock (held to the end of the transaction, so attempts on one key are
-- serialized; each later statement takes a fresh snapshot and sees every attempt committed before the lock was
-- granted), the attempts still in the window and the oldest of them.
CREATE OR REPLACE FUNCTION throttle_count(p_key text, p_window_start timestamptz,
                                          OUT attempts integer, OUT oldest timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_key, 0));
  SELECT count(*)::int, min(at) INTO attempts, oldest FROM throttle_attempts WHERE key = p_key AND at > p_window_start;
END
$$;

-- Admits one attempt when the budget has room and records it: NULL when admitted, else the oldest attempt in the
-- window (the caller's Retry-After runs from it). The key's attempts that have left the window go on the way.
CREATE OR REPLACE FUNCTION throttle_reserve(p_key text, p_max integer, p_now timestamptz, p_window_start timestamptz)
RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
  v_budget record;
BEGIN
  SELECT * INTO v_budget FROM throttle_count(p_key, p_window_start);
  DELETE FROM throttle_attempts WHERE key = p_key AND at <= p_window_start;
  IF v_budget.attempts >= p_max THEN
    RETURN v_budget.oldest;
  END IF;
  PERFORM throttle_record(p_key, p_now);
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION throttle_record(p_key text, p_now timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO throttle_attempts (key, at) VALUES (p_key, p_now);
END
$$;

-- A success resets its budget.
CREATE OR REPLACE FUNCTION throttle_forget(p_key text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM throttle_attempts WHERE key = p_key;
END
$$;

-- Counts one attempt under each key (dropping that key's attempts at or before its p_before, which have left its
-- window), and forgets every attempt under p_reset_key when it is not NULL: a success counts against one budget
-- and clears another.
CREATE OR REPLACE FUNCTION throttle_record_all(p_keys text[], p_before timestamptz[], p_now timestamptz,
                                               p_reset_key text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_reset_key IS NOT NULL THEN
    PERFORM throttle_forget(p_reset_key);
  END IF;
  DELETE FROM throttle_attempts t USING unnest(p_keys, p_before) AS k(key, before)
    WHERE t.key = k.key AND t.at <= k.before;
  INSERT INTO throttle_attempts (key, at) SELECT key, p_now FROM unnest(p_keys) AS key;
END
$$;

-- Reserve-then-check for several budgets at once (a password step: account and address, account, address, the
-- browser; logins only checked): under every key's lock, taken in one fixed order so that two requests on shared
-- keys cannot deadlock, each key's attempts in its window are counted; when none of the keys with a p_max is full,
-- one attempt is recorded under each key of p_record, before the password is checked, so concurrent guesses
-- cannot overshoot. A NULL p_max counts without refusing. Returns every key's count before this attempt, its
-- oldest attempt in the window (the caller's Retry-After runs from it) and whether it refused.
CREATE OR REPLACE FUNCTION throttle_reserve_all(p_keys text[], p_max integer[], p_window_start timestamptz[],
                                                p_record boolean[], p_now timestamptz)
RETURNS TABLE (budget_key text, budget_attempts integer, budget_oldest timestamptz, budget_refused boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_i        integer;
  v_budget   record;
  v_attempts integer[] := '{}';
  v_oldest   timestamptz[] := '{}';
  v_full     boolean := false;
BEGIN
  FOR v_i IN SELECT i FROM generate_subscripts(p_keys, 1) AS i ORDER BY hashtextextended(p_keys[i], 0), p_keys[i] LOOP
    SELECT * INTO v_budget FROM throttle_count(p_keys[v_i], p_window_start[v_i]);
    v_attempts[v_i] := v_budget.attempts;
    v_oldest[v_i] := v_budget.oldest;
    v_full := v_full OR (v_budget.attempts >= p_max[v_i]) IS TRUE;
  END LOOP;
  IF NOT v_full THEN
    DELETE FROM throttle_attempts t USING unnest(p_keys, p_window_start, p_record) AS k(key, since, keep)
      WHERE k.keep AND t.key = k.key AND t.at <= k.since;
    INSERT INTO throttle_attempts (key, at) SELECT k.key, p_now FROM unnest(p_keys, p_record) AS k(key, keep)
      WHERE k.keep;
  END IF;
  RETURN QUERY SELECT p_keys[i], v_attempts[i], v_oldest[i], (v_attempts[i] >= p_max[i]) IS TRUE
    FROM generate_subscripts(p_keys, 1) AS i;
END
$$;

-- Gives back one attempt recorded at p_at under each key (a reservation whose password was right after all). Under
-- the keys' locks, taken in throttle_reserve_all's order: two twin attempts (one key, one instant) released at once
-- would otherwise pick the same row, and a transaction that goes on to write other rows of these keys takes its
-- locks before touching them. Call it before anything else in the transaction touches these keys.
CREATE OR REPLACE FUNCTION throttle_release(p_keys text[], p_at timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_key text;
BEGIN
  FOR v_key IN SELECT k FROM unnest(p_keys) AS k ORDER BY hashtextextended(k, 0), k LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(v_key, 0));
  END LOOP;
  DELETE FROM throttle_attempts t WHERE t.ctid IN (
    SELECT (SELECT a.ctid FROM throttle_attempts a WHERE a.key = k AND a.at = p_at LIMIT 1) FROM unnest(p_keys) AS k);
END
$$;
