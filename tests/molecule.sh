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
failed=()
passed=0
for scenario in "$@"; do
  scenario=${scenario#-s}
  [ -n "$scenario" ] || continue
  start=$(date +%s)
  if molecule test -s "$scenario"; then
    echo "molecule: scenario $scenario passed in $(( $(date +%s) - start )) s"
    passed=$((passed + 1))
  else
    echo "molecule: scenario $scenario FAILED after $(( $(date +%s) - start )) s"
    failed+=("$scenario")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "molecule: failed scenarios: ${failed[*]}"
fi
# The count of scenarios, in the plain form CI reads.
echo "molecule: $passed passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ]
