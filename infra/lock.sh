#!/usr/bin/env bash
# Lock the runtime dependencies for the interpreter and platform that run them (never
# this machine's): every version pinned, every file hashed. The Lambda zip
# (infra/lambda/build.sh) and the Cloud Run image (infra/Dockerfile) both install exactly
# this set, with pip --require-hashes.
#
#   infra/lock.sh [PYTHON_VERSION]        # default 3.11: writes infra/locks/py3.11.txt
#
# uv resolves for the *target*: environment markers are evaluated for Python
# PYTHON_VERSION.0 on manylinux2014 (Lambda's python3.11 platform, which the slim image's
# glibc also runs), so a dependency that only older patch releases need (as redis-py once
# needed async-timeout below 3.11.3) is locked in rather than dropped because the build
# machine's Python is newer. Hashes cover every file of each pinned version, so the same lock
# serves x86_64 and arm64. Run it after changing the dependencies in pyproject.toml, and
# commit the result (tests/deploy checks the lock still satisfies pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
PY_VERSION="${1:-3.11}"
UV="${UV:-uv}"
command -v "$UV" >/dev/null || { echo "lock.sh: needs uv (pip install uv)" >&2; exit 2; }
mkdir -p infra/locks
"$UV" pip compile pyproject.toml --quiet --generate-hashes --only-binary :all: \
  --python-version "$PY_VERSION" --python-platform x86_64-manylinux_2_17 \
  --custom-compile-command "infra/lock.sh $PY_VERSION" \
  -o "infra/locks/py$PY_VERSION.txt"
echo "lock.sh: wrote infra/locks/py$PY_VERSION.txt"
