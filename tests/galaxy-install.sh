#!/usr/bin/env bash
# Build the collection tarball as Galaxy would publish it, install it into a
# temporary collections path, and run a playbook from it by FQCN, with the
# working tree out of reach (the test runs from an empty directory). Then
# galaxy-importer checks the tarball as Galaxy's import would (ansible-doc of
# every plugin and role, ansible-lint's production profile, the metadata),
# offline and without its container, in a fresh HOME so nothing installed
# for this user is seen; any warning or error fails the test.
# GALAXY_IMPORTER=0 skips that part (the version matrix does).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
ansible-galaxy collection build "$repo" --output-path "$work/dist" >/dev/null
tarball=$(ls "$work"/dist/fastapi_ops-server-*.tar.gz)
echo "galaxy: built $(basename "$tarball")"
ansible-galaxy collection install --no-deps -p "$work/collections" "$tarball" >/dev/null
test -f "$work/collections/ansible_collections/fastapi_ops/server/playbooks/preflight.yml"
if tar -tzf "$tarball" | grep -E '(^|/)(molecule|collections|demo|bench|bench-results|\.venv|\.ansible|\.cache|\.pytest_cache|__pycache__|tests/lab)/' >/dev/null; then
  echo "galaxy: the tarball carries development files" >&2
  exit 1
fi

cd "$work"
run() { ansible-playbook fastapi_ops.server.preflight -i localhost, -c local -e fastapi_hosts=localhost "$@"; }

run -e "@$repo/tests/galaxy/apps-valid.yml" >"$work/valid.log" 2>&1 || {
  cat "$work/valid.log"; echo "galaxy: preflight of a valid apps list failed" >&2; exit 1; }
grep -q '1 app(s) valid' "$work/valid.log"

if run -e "@$repo/tests/galaxy/apps-invalid.yml" >"$work/invalid.log" 2>&1; then
  cat "$work/invalid.log"; echo "galaxy: preflight accepted an invalid apps list" >&2; exit 1
fi
for expected in "4 problem(s) in fastapi_apps; nothing was changed" "(Hello).name" "(Hello).domain" "(Hello).source.ref" "(Hello).asgi"; do
  grep -qF "$expected" "$work/invalid.log" || {
    cat "$work/invalid.log"; echo "galaxy: expected '$expected' in the preflight's failure" >&2; exit 1; }
done
echo "galaxy: installed tarball runs fastapi_ops.server.preflight (valid list passes, invalid list fails with 4 problems)"

[ "${GALAXY_IMPORTER:-1}" = 0 ] && exit 0
mkdir -p "$work/home" "$work/import"
cd "$work/import"
HOME="$work/home" GALAXY_IMPORTER_CONFIG="$repo/tests/galaxy/galaxy-importer.cfg" \
  python -m galaxy_importer.main "$tarball" >"$work/import.log" 2>&1 || {
  cat "$work/import.log"; echo "galaxy: galaxy-importer refused the tarball" >&2; exit 1; }
if grep -E '^(WARNING|ERROR|CRITICAL)|Traceback' "$work/import.log"; then
  echo "galaxy: galaxy-importer printed the warnings or errors above" >&2; exit 1
fi
echo "galaxy: galaxy-importer $(python -c 'import importlib.metadata as m; print(m.version("galaxy-importer"))') imports the tarball with no warning and no error"
