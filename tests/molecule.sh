#!/usr/bin/env bash
# Run Molecule from the collection root (where galaxy.yml is), so scenarios
# resolve the collection's roles and plugins by FQCN.
#   tests/molecule.sh --all          every scenario under molecule/
#   tests/molecule.sh -s caddy       one scenario
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then set -- --all; fi
exec molecule test "$@"
