-- Activity is kept for TWOFA_ACTIVITY_RETENTION_DAYS: the nightly purge (security_events_purge, below) is the one
-- way a row leaves. UPDATE and TRUNCATE stay refused for every role (V5's trigger, now without DELETE); a DELETE is
-- refused row by row unless it runs inside the purge and the row is older than 90 days. So no statement of the
-- application (a bug, an injected one) can rewrite anything or erase the last 90 days, the history an intrusion
-- leaves; one that imitates the purge (it can set the same flag) reaches only events the purge removes anyway
-- within days of the minimum retention. The owner's caveat of V5 stands: whoever holds the owner's password can
-- drop a trigger.
DROP TRIGGER security_events_append_only ON security_events;
CREATE TRIGGER security_events_append_only
  BEFORE UPDATE OR TRUNCATE ON security_events
  FOR EACH STATEMENT EXECUTE FUNCTION security_events_append_only();

CREATE FUNCTION security_events_purge_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('twofa.activity_purge', true) IS DISTINCT FROM 'on' OR OLD.at >= now() - interval '90 days' THEN
    RAISE EXCEPTION 'security_events: only the retention purge deletes, and never an event of the last 90 days'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN OLD;
END
$$;

CREATE TRIGGER security_events_purge_only
  BEFORE DELETE ON security_events
  FOR EACH ROW EXECUTE FUNCTION security_events_purge_only();

-- One batch of the purge: at most p_batch of the oldest events recorded before p_before (never later than 90
-- days ago by the database's clock), in the caller's transaction; how many went. It runs with its owner's rights
-- (the role that ran the migrations and owns the table), so a runtime role with DML only needs no DELETE of its own.
CREATE FUNCTION security_events_purge(p_before timestamptz, p_batch integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp, public AS $$
DECLARE
  v_deleted integer;
BEGIN
  PERFORM set_config('twofa.activity_purge', 'on', true);
  DELETE FROM security_events WHERE id IN (
    SELECT id FROM security_events WHERE at < least(p_before, now() - interval '90 days') ORDER BY at, id LIMIT p_batch);
  GET DIAGNOSTICS v_deleted = ROW_COUNT;
  PERFORM set_config('twofa.activity_purge', 'off', true);
  RETURN v_deleted;
END
$$;

-- The owner gave up DELETE in V5; the purge function deletes with the owner's rights, so the owner takes it back
-- (the row trigger above now decides). Nobody else gets it.
GRANT DELETE ON security_events TO CURRENT_USER;
CREATE INDEX security_events_at ON security_events (at);
