#!/usr/bin/env bash
# ansible-test sanity for the collection. ansible-test needs the collection at
# .../ansible_collections/fastapi_ops/server as a real directory outside any git
# checkout (inside one it lists targets with git), so the files git knows
# (tracked, and new ones not ignored) are copied to a temporary tree first.
# Its default test container is unreachable here: the tests run in venvs
# (--venv), and ansible-test's pip bootstrap script, which it would download,
# is replaced by a stand-in in its cache that uses ensurepip.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/fastapi_ops/server"
python=${SANITY_PYTHON:-3.11}

mkdir -p "$dest"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | \
  while IFS= read -r -d '' f; do
    # collections/ only points back at this checkout, for playbooks run from a clone.
    case "$f" in collections/*) continue ;; esac
    [ -e "$f" ] && printf '%s\0' "$f"
  done | \
  xargs -0 cp --parents -t "$dest")

# The stand-in for get-pip: ansible-test runs it as `python get_pip.py pip==X ...`.
cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
pip_version=$(python3 - <<'PY'
import inspect, re
from ansible_test._internal import python_requirements
print(re.search(r"pip='([\d.]+)'", inspect.getsource(python_requirements.get_venv_packages)).group(1))
PY
)
cat >"$cache/get-pip-stand-in.py" <<'PY'
"""Stand-in for the get-pip bootstrap: install pip from the interpreter's own wheel."""
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
args = [a for a in sys.argv[1:] if not a.startswith("--")]
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", *args])
PY
cp "$cache/get-pip-stand-in.py" "$cache/get_pip_${pip_version//./_}.py"

cd "$dest"
ansible-test sanity --venv --python "$python" --color "$@"
