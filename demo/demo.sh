#!/usr/bin/env bash
# `make demo`: start the sandbox (demo/up.yml), deploy the bundled example app
# with site.yml, then ask it for its answer over HTTPS, trusting only Pebble's
# issuing root. Run from the repository root with the toolchain venv on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

state=demo/.state
domain=app.example.test
target=fastapi-ops-demo-target
started=$(date +%s)

export ANSIBLE_PIPELINING=1
export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=0
export ANSIBLE_DISPLAY_OK_HOSTS=${ANSIBLE_DISPLAY_OK_HOSTS:-1}
export ANSIBLE_LOCALHOST_WARNING=0
export ANSIBLE_INVENTORY_UNPARSED_WARNING=0

mkdir -p "$state"
ansible-playbook demo/up.yml
ansible-playbook -i "$state/inventory.json" site.yml "$@"

address=$(cat "$state/target-address")
# Caddy may still be finishing its first certificate order: a few tries, 1 s apart.
ask() {
  curl -sS --fail --max-time 5 --cacert "$state/pebble-root.pem" \
    --resolve "$domain:443:$address" "https://$domain/"
}
answer=""
for _attempt in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
  answer=$(ask 2>/dev/null) && break
  sleep 1
done
[ -n "$answer" ] || answer=$(ask) || { echo "demo: no HTTPS answer from https://$domain/" >&2; exit 1; }
issuer=$(openssl s_client -connect "$address:443" -servername "$domain" </dev/null 2>/dev/null \
  | openssl x509 -noout -issuer | sed 's/^issuer=//')

cat <<MSG

  https://$domain/ answers (through Caddy and Gunicorn on $target, $address):
    $answer
  certificate issuer: $issuer  (Pebble, the sandbox's ACME server)
  took $(( $(date +%s) - started )) s

  try it:     curl --cacert $state/pebble-root.pem --resolve $domain:443:$address https://$domain/
  a shell:    docker exec -it $target bash
  tear down:  make demo-down
MSG
