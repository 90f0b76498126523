#!/usr/bin/env bash
# Run Molecule from the collection root (where galaxy.yml is), so scenarios
# resolve the collection's roles and plugins by FQCN.
#   tests/molecule.sh --all          every scenario under molecule/
#   tests/molecule.sh -s caddy       one scenario
# The collection is found through collections/ (a link back to this checkout)
# first, so a run never uses a copy installed elsewhere (such as one another
# checkout's Molecule run put in ~/.ansible/collections). The collections
# bundled with the `ansible` package are still found on the Python path.
set -euo pipefail
cd "$(dirname "$0")/.."
export ANSIBLE_COLLECTIONS_PATH="$PWD/collections"
if [ "$#" -eq 0 ]; then set -- --all; fi
exec molecule test "$@"
