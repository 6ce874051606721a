#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers for the test run. On this project's machines one runs at
# 127.0.0.1:5432 already; on a machine where it is installed but stopped we start the cluster, and
# where it is missing we install it. Tests use EDOC_TEST_POSTGRES_URL (default: the postgres role
# on 127.0.0.1:5432, database test).
set -uo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  echo "PostgreSQL is not installed: installing it"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql >/dev/null || exit 0
fi
ver=$(ls /etc/postgresql | sort -V | tail -n 1)
echo "Starting PostgreSQL $ver"
$SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
# A fresh Debian cluster only trusts local socket peers: allow the test role over TCP.
if ! psql -h 127.0.0.1 -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
  hba=$(ls /etc/postgresql/"$ver"/main/pg_hba.conf)
  echo "host all all 127.0.0.1/32 trust" | $SUDO tee -a "$hba" >/dev/null
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main reload || true
fi
psql -h 127.0.0.1 -U postgres -d postgres -tc "select 1 from pg_database where datname='test'" \
  2>/dev/null | grep -q 1 || psql -h 127.0.0.1 -U postgres -d postgres -c 'create database test' \
  >/dev/null 2>&1 || true
exit 0
