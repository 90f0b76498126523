#!/usr/bin/env bash
# Run Molecule scenarios from the collection root (where galaxy.yml is), so
# they resolve the collection's roles and plugins by FQCN.
#   tests/molecule.sh lab caddy      these scenarios, one after another
#   tests/molecule.sh --all          every scenario under molecule/
# The collection is found through collections/ (a link back to this checkout)
# first, so a run never uses a copy installed elsewhere (such as one another
# checkout's Molecule run put in ~/.ansible/collections). The collections
# bundled with the `ansible` package are still found on the Python path.
set -euo pipefail
cd "$(dirname "$0")/.."
export ANSIBLE_COLLECTIONS_PATH="$PWD/collections"
if [ "$#" -eq 0 ] || [ "$1" = --all ]; then
  exec molecule test --all
fi
# Molecule wraps its output at the terminal's width, 80 columns when CI has
# no terminal: wider lines keep a failure's message on one line.
export COLUMNS="${COLUMNS:-160}"

# Why a scenario failed, from its output: the failed tasks, pytest's short
# summary and its assertion lines, so the end of a long log says it.
why_failed() {
  sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^ *\xe2\x94\x82 \{0,1\}//' "$1" | awk '
    /^=+ short test summary info/ { summary = 1; print; next }
    summary && /^=+/ { summary = 0; print; next }
    summary { print; next }
    /^(fatal|failed): \[/ { print; more = 4; next }
    /^(CRITICAL|ERROR) / || /^\* \[/ { print; next }
    more > 0 && /^  / { print; more--; next }
    { more = 0 }
    /^E +/ && errors++ < 40 { print }
  ' | tail -n 80
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
passed=0
for scenario in "$@"; do
  scenario=${scenario#-s}
  [ -n "$scenario" ] || continue
  start=$(date +%s)
  if molecule test -s "$scenario" 2>&1 | tee "$log"; then
    echo "molecule: scenario $scenario passed in $(( $(date +%s) - start )) s"
    passed=$((passed + 1))
  else
    echo "molecule: scenario $scenario FAILED after $(( $(date +%s) - start )) s; why:"
    why_failed "$log"
    failed+=("$scenario")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "molecule: failed scenarios: ${failed[*]}"
fi
# The count of scenarios, in the plain form CI reads.
echo "molecule: $passed passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ]
