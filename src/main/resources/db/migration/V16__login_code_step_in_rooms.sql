-- login_second_step (V13, V15) gives way to login_code_step (R__login.sql), which only calls the rules of the
-- rooms that own the tables (R__session, R__throttle, R__account, R__credential, R__links, R__events). A new
-- name, so that a repeatable migration applied before V13 (a migration run with a target) never meets V13's
-- CREATE FUNCTION.
DROP FUNCTION login_second_step(bytea, timestamptz, bigint, bigint, bytea[], bigint, text, integer, timestamptz,
                                timestamptz, integer, bytea, uuid, integer, timestamptz, text, text, jsonb, jsonb,
                                jsonb);
