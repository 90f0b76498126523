#!/usr/bin/env bash
# Ensure a Docker engine answers: reuse a running one, otherwise (as root on
# Debian/Ubuntu) install Debian's docker.io and start dockerd in the background.
set -euo pipefail

log() { printf 'lab: %s\n' "$*" >&2; }

if docker info >/dev/null 2>&1; then
  log "Docker engine already running"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "no Docker engine answers and this is not root: start Docker yourself (or run as root on Debian/Ubuntu)"
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "no Docker engine and no apt-get: install Docker Engine for your distribution, start it, and run again"
    exit 1
  fi
  log "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

# A systemd host starts the engine through its unit; a container or a CI
# sandbox without systemd gets dockerd in the background.
if [ -d /run/systemd/system ] && systemctl start docker >/dev/null 2>&1; then
  log "dockerd started by systemd"
else
  log_file=${LAB_DOCKERD_LOG:-/var/log/fastapi-ops-lab-dockerd.log}
  log "starting dockerd in the background (log: $log_file)"
  nohup dockerd >"$log_file" 2>&1 &
fi

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "Docker engine answers"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within 60 s; see its log"
exit 1
