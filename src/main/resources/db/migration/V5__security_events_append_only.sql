-- The activity log is append-only for the application: a bug, or an injected statement, running as the
-- application's role cannot rewrite or erase what happened (a support action, a login from a stolen password).
-- The role that runs the migrations owns the table, and an owner can always grant these back to itself,
-- disable the trigger or drop the table: this protects against the application's own statements, not against
-- someone holding the owner's (or a superuser's) password. On an operator's database where another role runs
-- the migrations, revoke these from the application's role too.
REVOKE UPDATE, DELETE, TRUNCATE ON security_events FROM CURRENT_USER;
REVOKE UPDATE, DELETE, TRUNCATE ON security_events FROM PUBLIC;

-- Also refused for roles that still hold the privileges (a superuser, or a grant made later).
CREATE FUNCTION security_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'security_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER security_events_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON security_events
  FOR EACH STATEMENT EXECUTE FUNCTION security_events_append_only();
