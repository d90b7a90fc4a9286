-- Run by Flyway after every migrate when TWOFA_DB_MIGRATE_URL's role (the owner of the schema) is not
-- TWOFA_DB_URL's role (the one the nodes serve with): that runtime role may read and write rows, nothing more.
-- It owns nothing, so it cannot alter, drop or disable a trigger on any table (security_events' append-only
-- trigger, V5), create objects or replace functions. Run at each migrate, so tables of later migrations follow.
GRANT USAGE ON SCHEMA public TO ${runtime_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${runtime_role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${runtime_role};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${runtime_role};
-- The activity log stays append-only for it (V5 revokes these from the migrating role and PUBLIC).
REVOKE UPDATE, DELETE, TRUNCATE ON security_events FROM ${runtime_role};
-- Readiness reads the migration history; only the migrator writes it.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON flyway_schema_history FROM ${runtime_role};
