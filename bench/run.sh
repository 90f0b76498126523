#!/usr/bin/env bash
# `make bench`: measure the deployed stack and the deploys in a sandbox of
# containers (bench/README.md). `bench/run.sh down` removes the sandbox;
# `bench/run.sh report [FILE.json]` writes docs/benchmarks.md from a result.
set -euo pipefail
cd "$(dirname "$0")/.."
python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
export PATH="$PWD/.venv/bin:$PATH"
exec "$python" bench/bench.py "$@"
