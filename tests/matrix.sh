#!/usr/bin/env bash
# The version matrix: ansible-test sanity, the unit tests and the Galaxy
# install smoke test on each supported ansible-core beside the toolchain's own
# (2.19 on .venv, which `make sanity unit galaxy` covers). Each version gets a
# venv under .cache/matrix/ from tests/matrix/ansible-core-X.txt, made with the
# Python it needs: pythonX.Y on PATH, or one of pyenv's versions.
#   tests/matrix.sh                    every version in MATRIX (default: 2.20 2.21)
#   tests/matrix.sh 2.20               one
#   tests/matrix.sh --scenario dns 2.21
#       instead: the Molecule scenario dns, its playbooks run by that
#       version's ansible-playbook (Molecule, testinfra and the collections
#       the scenarios use stay the toolchain's, from .venv)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
scenario=
if [ "${1:-}" = --scenario ]; then
  scenario=${2:?usage: tests/matrix.sh --scenario NAME [VERSION...]}
  shift 2
fi
cores=("$@")
[ ${#cores[@]} -gt 0 ] || read -ra cores <<<"${MATRIX:-2.20 2.21}"

# ansible-core 2.20 and 2.21 run on Python 3.12 to 3.14 on the controller.
python_for() {
  local v
  for v in 3.12 3.13 3.14; do
    if command -v "python$v" >/dev/null 2>&1 && "python$v" -c 'import venv' 2>/dev/null; then
      command -v "python$v"; return
    fi
    local root; root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
    for p in "$root"/versions/"$v".*/bin/"python$v"; do
      [ -x "$p" ] && "$p" -c 'import venv' 2>/dev/null && { echo "$p"; return; }
    done
  done
  return 1
}

summary=()
for core in "${cores[@]}"; do
  req="$repo/tests/matrix/ansible-core-$core.txt"
  [ -f "$req" ] || { echo "matrix: no $req" >&2; exit 2; }
  py=$(python_for) || { echo "matrix: ansible-core $core needs Python 3.12 or newer (pythonX.Y on PATH, or pyenv)" >&2; exit 1; }
  venv="$repo/.cache/matrix/$core"
  stamp="$venv/.stamp-$(sha256sum "$req" | cut -c1-12)"
  start=$SECONDS
  if [ ! -f "$stamp" ]; then
    rm -rf "$venv"
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    touch "$stamp"
  fi
  pyver=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  got=$("$venv/bin/ansible" --version); got=${got%%$'\n'*}
  echo "matrix: $got on Python $pyver ($py)"
  if [ -n "$scenario" ]; then
    # The toolchain's collections (community.docker for Molecule's driver, ...)
    # are on its Python path, which this ansible-core does not search.
    toolchain_collections=$(python3 -c 'import ansible_collections, os; print(os.path.dirname(list(ansible_collections.__path__)[0]))')
    # Only this version's ansible commands go in front of the toolchain's:
    # Molecule calls ansible-playbook (and testinfra ansible) from PATH, and
    # its verifier the toolchain's pytest with testinfra.
    shims="$venv/ansible-bin"
    mkdir -p "$shims"
    for command in "$venv"/bin/ansible*; do ln -sf "$command" "$shims/"; done
    (
      export PATH="$shims:$PATH"
      export ANSIBLE_COLLECTIONS_PATH="$repo/collections:$toolchain_collections"
      # converge.yml fails when its playbook runs on another ansible-core.
      export LAB_EXPECT_ANSIBLE_CORE=$core
      cd "$repo"
      t=$SECONDS; molecule test -s "$scenario"; echo "matrix $core: scenario $scenario $((SECONDS - t)) s"
    )
    summary+=("ansible-core $core (Python $pyver): scenario $scenario passed in $((SECONDS - start)) s")
    continue
  fi
  (
    export PATH="$venv/bin:$PATH"
    cd "$repo"
    t=$SECONDS; SANITY_PYTHON=$pyver tests/sanity.sh; echo "matrix $core: sanity $((SECONDS - t)) s"
    t=$SECONDS; pytest -q -p no:cacheprovider tests/unit; echo "matrix $core: unit $((SECONDS - t)) s"
    t=$SECONDS; GALAXY_IMPORTER=0 tests/galaxy-install.sh; echo "matrix $core: galaxy $((SECONDS - t)) s"
  )
  summary+=("ansible-core $core (Python $pyver): sanity, unit, galaxy passed in $((SECONDS - start)) s")
done
printf 'matrix: %s\n' "${summary[@]}"
