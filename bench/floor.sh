#!/usr/bin/env bash
# The floor of provisioning: the installs site.yml makes on a fresh Debian 12
# server, by plain shell, with nothing checked or configured around them. Any
# tool pays at least this for apt, pip and the Caddy download. bench.py runs
# it in a fresh container of the bench's target image and times it; it needs,
# in /root/floor: uv-requirements.txt (the python role's pinned, hashed uv),
# hello/ (the example app with its hash-pinned requirements.txt), and in the
# environment FLOOR_CADDY_URL, FLOOR_CADDY_CHECKSUM (sha256:HEX) and
# FLOOR_SERVER_PACKAGES (the app role's server stack pins).
set -euo pipefail
cd /root/floor
export DEBIAN_FRONTEND=noninteractive

# The python role's packages, and procps (the gunicorn role's).
apt-get update -qq
apt-get install -y -qq python3.11 python3.11-venv python3-venv procps >/dev/null

# uv, pinned with hashes, in a virtualenv of its own (the python role).
python3 -m venv /opt/fastapi-ops/uv
/opt/fastapi-ops/uv/bin/python -m pip install --quiet --disable-pip-version-check --no-input --no-deps \
  --require-hashes -r uv-requirements.txt

# One release of the app: its code, a virtualenv with exactly its lock plus
# the server stack (already in the lock), byte-compiled (the app role).
release=/srv/fastapi/hello/releases/floor
mkdir -p "$release/src"
cp -r hello/. "$release/src/"
python3 -m venv --without-pip "$release/venv"
export UV_CACHE_DIR=/var/cache/fastapi-ops/uv UV_PYTHON_DOWNLOADS=never UV_SYSTEM_CERTS=true
/opt/fastapi-ops/uv/bin/uv pip sync --quiet --python "$release/venv/bin/python" --compile-bytecode \
  --require-hashes "$release/src/requirements.txt"
# shellcheck disable=SC2086  # a list of pins
/opt/fastapi-ops/uv/bin/uv pip install --quiet --python "$release/venv/bin/python" $FLOOR_SERVER_PACKAGES
"$release/venv/bin/python" -m compileall -q "$release/src"

# The pinned Caddy release, checksum verified (the caddy role's download).
mkdir -p /usr/local/lib/caddy
python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
  "$FLOOR_CADDY_URL" /usr/local/lib/caddy/caddy.tar.gz
echo "${FLOOR_CADDY_CHECKSUM#sha256:}  /usr/local/lib/caddy/caddy.tar.gz" | sha256sum --check --quiet
tar -C /usr/local/lib/caddy -xzf /usr/local/lib/caddy/caddy.tar.gz caddy
ln -sf /usr/local/lib/caddy/caddy /usr/local/bin/caddy

# The users the roles make.
useradd --system --no-create-home --shell /usr/sbin/nologin caddy
useradd --system --no-create-home --shell /usr/sbin/nologin fastapi-hello
/usr/local/bin/caddy version >/dev/null
"$release/venv/bin/gunicorn" --version >/dev/null
