#!/usr/bin/env bash
# Build the Lambda bundle from the wheel: the project's wheel plus exactly the locked
# runtime dependencies (infra/locks/pyX.Y.txt, resolved for the target interpreter by
# infra/lock.sh, every file hash-checked) as manylinux wheels for the Lambda platform
# (never this machine's), so the compiled drivers (asyncpg, argon2-cffi-bindings,
# pydantic-core, uuid-utils, ...) load on Lambda. Nothing is resolved here: a marker is
# never evaluated against the build machine's Python. Test and dev dependencies stay out.
#
#   LAMBDA_PYTHON=3.11 LAMBDA_ARCH=x86_64 infra/lambda/build.sh [OUT_ZIP]
#
# The serverless plugin (infra/serverless/wheel-artifact.js) runs this with the values
# of provider.runtime and provider.architecture, so the bundle always matches them.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY_VERSION="${LAMBDA_PYTHON:-3.11}"
ARCH="${LAMBDA_ARCH:-x86_64}"
OUT="${1:-build/lambda/fieldedge.zip}"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac  # the zip is written from inside the tree
PYTHON="${BUILD_PYTHON:-python3}"

case "$ARCH" in
  x86_64) MACHINE=x86_64 ;;
  arm64) MACHINE=aarch64 ;;
  *) echo "build.sh: LAMBDA_ARCH must be x86_64 or arm64, not '$ARCH'" >&2; exit 2 ;;
esac
case "$PY_VERSION" in
  3.1[1-9]) ;;
  *) echo "build.sh: LAMBDA_PYTHON must be 3.11 or newer, not '$PY_VERSION'" >&2; exit 2 ;;
esac
# Lambda's python3.11 runs on Amazon Linux 2 (glibc 2.26): manylinux2014 (glibc 2.17) only.
# python3.12 and newer run on Amazon Linux 2023 (glibc 2.34), which also takes 2_28 wheels.
PLATFORMS=(--platform "manylinux2014_$MACHINE")
if [ "${PY_VERSION#3.}" -ge 12 ]; then
  PLATFORMS+=(--platform "manylinux_2_28_$MACHINE")
fi

LOCK="infra/locks/py$PY_VERSION.txt"
[ -f "$LOCK" ] || { echo "build.sh: no $LOCK: run infra/lock.sh $PY_VERSION and commit it" >&2; exit 2; }

WORK="build/lambda"
TREE="$WORK/tree"
rm -rf "$TREE" "$WORK/wheel" "$OUT"
mkdir -p "$TREE" "$WORK/wheel" "$(dirname "$OUT")"

# pip warns about index locations of this machine's pip config that don't exist; the
# rest of stderr passes through. pipefail keeps pip's exit status.
unnoisy() { grep -v 'is ignored: it is neither a file nor a directory' >&2 || true; }

echo "build.sh: wheel of the project"
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$WORK/wheel" . 2> >(unnoisy)
WHEEL="$(ls "$WORK"/wheel/fieldedge-*.whl)"

# The lock plus the wheel itself (hashed here), installed as one hash-checked set with
# no resolution: --no-deps, so pip adds nothing the lock does not name.
REQS="$WORK/requirements.txt"
cp "$LOCK" "$REQS"
echo "fieldedge @ file://$PWD/$WHEEL --hash=sha256:$(sha256sum "$WHEEL" | cut -d' ' -f1)" >> "$REQS"
echo "build.sh: $WHEEL and $LOCK for cp${PY_VERSION/./} ${PLATFORMS[*]}"
"$PYTHON" -m pip install --quiet --no-compile --disable-pip-version-check \
  --target "$TREE" "${PLATFORMS[@]}" --implementation cp --python-version "$PY_VERSION" \
  --only-binary=:all: --require-hashes --no-deps -r "$REQS" 2> >(unnoisy)

# Lambda never runs these: caches, console-script shims with this machine's shebang,
# the libraries' own test suites, type stubs, C/Cython sources and JS source maps.
# dist-info stays: importlib.metadata reads versions from it.
find "$TREE" -depth -type d -name __pycache__ -exec rm -rf {} +
find "$TREE" -mindepth 2 -depth -type d -name tests -exec rm -rf {} +
rm -rf "$TREE/bin"
find "$TREE" -type f \( -name '*.pyi' -o -name '*.pyx' -o -name '*.pxd' -o -name '*.c' \
  -o -name '*.cpp' -o -name '*.h' -o -name '*.hpp' -o -name '*.js.map' \) -delete
# Debug symbols are most of a compiled driver's size and Lambda has no debugger; strip
# them when this machine's strip understands the target's objects.
if [ "$(uname -m)" = "$MACHINE" ] && command -v strip >/dev/null; then
  find "$TREE" -type f -name '*.so*' -exec strip --strip-debug {} +
fi

# Lambda's file system is read-only, so Python cannot cache bytecode there: compile it
# now, hash-checked against nothing (unchecked-hash), when this Python is the target's.
if [ "$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$PY_VERSION" ]; then
  "$PYTHON" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$TREE" >/dev/null
else
  echo "build.sh: $PYTHON is not $PY_VERSION; bundle ships without bytecode" >&2
fi

# Stable timestamps and order: the same inputs give the same zip (and code hash).
find "$TREE" -exec touch -h -d '2020-01-01T00:00:00Z' {} +
(cd "$TREE" && find . -type f -o -type l | LC_ALL=C sort | zip -q -X -@ "$OUT")
echo "build.sh: wrote $OUT"
