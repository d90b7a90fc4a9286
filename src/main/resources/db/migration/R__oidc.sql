-- The OpenID Connect provider's rules (room auth/oidc) that other rooms' statements call.

-- The twofa sessions p_handles ended. Called in the statement that ends them (the session room's deletes, the
-- session cap of session_open), so in its transaction, and by the provider's sweep for sessions that died
-- without a delete (an epoch moved on): each application that got tokens from one of them and registered a
-- back-channel logout URI gets a logout token through oidc_logout_outbox. Each session is told once (its rows are
-- deleted as they are read). Returns how many logout tokens were queued.
-- With p_client_id, only that application is told (Account's "Remove access" ends its sessions there alone).
DROP FUNCTION IF EXISTS oidc_sessions_ended(uuid[], timestamptz);
CREATE OR REPLACE FUNCTION oidc_sessions_ended(p_handles uuid[], p_now timestamptz, p_client_id text DEFAULT NULL)
  RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_queued integer;
BEGIN
  IF p_handles IS NULL OR cardinality(p_handles) = 0 THEN
    RETURN 0;
  END IF;
  WITH ended AS (
    DELETE FROM oidc_session_clients
    WHERE session_handle = ANY (p_handles) AND (p_client_id IS NULL OR client_id = p_client_id)
    RETURNING session_handle, client_id, user_id),
  queued AS (
    INSERT INTO oidc_logout_outbox (client_id, subject, session_handle, created_at, next_attempt_at)
    SELECT e.client_id, s.subject::text, e.session_handle, p_now, p_now
    FROM ended e
    JOIN oidc_clients c ON c.client_id = e.client_id AND c.backchannel_logout_uri IS NOT NULL
    JOIN oidc_subjects s ON s.user_id = e.user_id
    RETURNING 1)
  SELECT count(*) INTO v_queued FROM queued;
  RETURN v_queued;
END
$$;
