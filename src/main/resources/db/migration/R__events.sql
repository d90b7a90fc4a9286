-- The events room's outbox: a security event is written in the commit of what it records, and relayed to audit
-- after it.
CREATE OR REPLACE FUNCTION event_outbox_add(p_event jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_outbox (event) VALUES (p_event);
END
$$;
