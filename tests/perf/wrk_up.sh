#!/usr/bin/env bash
# wrk drives the saturation stages of the benchmark: installed from Debian when we are root,
# otherwise we say how.
set -euo pipefail
command -v wrk >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "Installing: wrk"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq wrk >/dev/null
else
  echo "Missing: wrk — install it (sudo apt-get install wrk)." >&2
  exit 1
fi
