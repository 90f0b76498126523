#!/usr/bin/env bash
# The example execution environment (examples/execution-environment/) is a
# definition ansible-builder accepts: `ansible-builder create` writes its
# build context (nothing is pulled or built). And ansible-builder finds the
# collection's own needs through meta/execution-environment.yml: dnspython
# from meta/ee-requirements.txt and git from bindep.txt.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp -r "$repo/examples/execution-environment" "$work/ee"
(cd "$work/ee" && ansible-builder create --file execution-environment.yml --context "$work/context" >"$work/create.log" 2>&1) || {
  cat "$work/create.log"; echo "ee: ansible-builder create refused the example" >&2; exit 1; }
test -s "$work/context/_build/requirements.yml" || { echo "ee: the build context lacks _build/requirements.yml" >&2; exit 1; }
# Containerfile for podman, Dockerfile when docker is the runtime found.
test -s "$work/context/Containerfile" || test -s "$work/context/Dockerfile" || {
  echo "ee: the build context has no Containerfile" >&2; exit 1; }

# collections/ links back to this checkout as ansible_collections/fastapi_ops/server.
ansible-builder introspect --sanitize "$repo/collections" >"$work/introspect.log" 2>&1 || {
  cat "$work/introspect.log"; echo "ee: ansible-builder introspect failed" >&2; exit 1; }
for expected in "dnspython>=2.0  # from collection fastapi_ops.server" "git [platform:dpkg platform:rpm]  # from collection fastapi_ops.server"; do
  grep -qF "$expected" "$work/introspect.log" || {
    cat "$work/introspect.log"; echo "ee: introspection lacks '$expected'" >&2; exit 1; }
done
echo "ee: ansible-builder $(ansible-builder --version) creates the example's context; introspection finds dnspython and git"
