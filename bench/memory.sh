#!/usr/bin/env bash
# Memory probe, run in the bench target (`bash -s`): one line per process,
# "ROLE PID RSS_KB", for our stack (the live slot's Gunicorn master and
# workers, Caddy) and the stacks it is compared with.
set -euo pipefail

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }

emit() {  # $1 = role of the main process, $2 = role of its children, $3 = unit
  local pid child
  pid=$(systemctl show -p MainPID --value "$3" 2>/dev/null || echo 0)
  [ -n "$pid" ] && [ "$pid" != 0 ] || return 0
  echo "$1 $pid $(rss "$pid")"
  [ -n "$2" ] || return 0
  for child in $(pgrep -P "$pid" || true); do
    # multiprocessing's resource tracker (Uvicorn's supervisor starts one) is no worker.
    if grep -q resource_tracker "/proc/$child/cmdline" 2>/dev/null; then
      echo "${1}_tracker $child $(rss "$child")"
    else
      echo "$2 $child $(rss "$child")"
    fi
  done
}

live=$(systemctl list-units --state=running --no-legend --plain 'fastapi-hello@*.service' | awk 'NR == 1 {print $1}')
[ -z "$live" ] || emit gunicorn_master gunicorn_worker "$live"
emit caddy "" caddy.service
emit nginx_master nginx_worker nginx.service
emit plain_master plain_worker bench-gunicorn.service
emit uvicorn "" bench-uvicorn.service
emit uvicorn_workers_master uvicorn_workers_worker bench-uvicorn-workers.service
emit granian_master granian_worker bench-granian.service
