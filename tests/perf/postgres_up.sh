#!/usr/bin/env bash
# The benchmark needs the local PostgreSQL (as .ci/run starts it); skipped when BENCH_DATABASE_URL
# points elsewhere.
set -euo pipefail
case "${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ve_bench}" in
  *@127.0.0.1:5432/*|*@localhost:5432/*) ;;
  *) exit 0 ;;
esac
WITH_POSTGRES=1 bash .ci/system-deps
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  cluster=$(ls /etc/postgresql | head -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
