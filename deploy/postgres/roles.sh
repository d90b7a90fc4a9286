#!/bin/sh
# Run once by the postgres image, on an empty data volume (docker-entrypoint-initdb.d), as its superuser:
# - twofa_owner owns database twofa and its schema; only the one-shot `migrate` service logs in with it.
# - twofa_app is what the nodes serve with: no superuser, no CREATEDB or CREATEROLE, it owns nothing; each
#   migrate grants it the rows (src/main/resources/db/runtime-role/afterMigrate.sql), so it cannot disable
#   the activity log's append-only trigger, drop a table or create one.
# The passwords come from .env (scripts/compose-env generates them); psql quotes them as literals.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$TWOFA_DB_OWNER_PASSWORD" -v app_password="$TWOFA_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE twofa_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE twofa_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
ALTER DATABASE twofa OWNER TO twofa_owner;
ALTER SCHEMA public OWNER TO twofa_owner;
REVOKE ALL ON DATABASE twofa FROM PUBLIC;
GRANT CONNECT ON DATABASE twofa TO twofa_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
