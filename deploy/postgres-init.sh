#!/bin/sh
# Run once by the postgres image when its data folder is new (docker-entrypoint-initdb.d): the
# role the web, worker and beat connect as. It owns no table; `grant_app_role`, run by the
# `migrate` service after each migration, gives it the app's tables and, on the audit log, only
# SELECT and INSERT.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE send_app LOGIN PASSWORD '${APP_DB_PASSWORD}';
GRANT CONNECT ON DATABASE "${POSTGRES_DB}" TO send_app;
SQL
