#!/usr/bin/env bash
# Offline packaging check: the Lambda zip a deployer uploads is the one tested here.
#
#  1. `osls package` (pinned by package-lock.json) for a stage with no SSM parameters
#     must fail naming every missing variable; infra/ssm_params.py must name the paths.
#  2. `osls package --stage ci` resolves ${ssm:...} from a local SSM stand-in (moto's
#     server on 127.0.0.1, holding placeholders) exactly as a deploy resolves them from
#     AWS, and builds the bundle from the wheel (infra/lambda/build.sh).
#  3. The zip must be under Lambda's limits (50 MB zipped, 250 MB unzipped).
#  4. Unpacked, the handler is imported from the bundle alone (python -I -S: no
#     virtualenv, no PYTHONPATH) and answers HTTP API v2 events for /api/health/live and
#     /api/health on a migrated SQLite file.
#
# Needs the project's venv (.venv, with the test extras: moto) and node/npm.
# Nothing leaves this machine but npm's and PyPI's package downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

STARTED=$SECONDS
fail() { echo "package.sh: FAIL: $*" >&2; exit 1; }
step() { echo "package.sh: [$((SECONDS - STARTED))s] $*"; }

VENV_PY="$ROOT/.venv/bin/python"
[ -x "$VENV_PY" ] || fail "no .venv: build it first (python3 -m venv .venv && .venv/bin/pip install -e '.[test]')"
[ -x .venv/bin/moto_server ] || fail ".venv has no moto_server: install the test extras"
command -v npm >/dev/null || fail "npm is not installed"

WORK="$(mktemp -d)"
MOTO_PID=""
cleanup() {
  if [ -n "$MOTO_PID" ]; then kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step "npm ci"
npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>"$WORK/npm.log" \
  || { cat "$WORK/npm.log" >&2; fail "npm ci"; }

# Fake credentials and a local endpoint for every AWS call, from Python and from node
# (AWS SDK v3 honours AWS_ENDPOINT_URL); ~/.aws and instance metadata are never read.
PORT="$("$VENV_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_DEFAULT_REGION=eu-west-1 AWS_REGION=eu-west-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off NODE_NO_WARNINGS=1
export BUILD_PYTHON="$VENV_PY"  # builds the wheel; pip downloads wheels for Lambda, not it

step "SSM stand-in: moto server on $AWS_ENDPOINT_URL"
.venv/bin/moto_server -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 1 50); do
  "$VENV_PY" -c "import urllib.request as u; u.urlopen('$AWS_ENDPOINT_URL/moto-api/', timeout=1)" 2>/dev/null && break
  kill -0 "$MOTO_PID" 2>/dev/null || { cat "$WORK/moto.log" >&2; fail "moto server exited"; }
  sleep 0.2
done

PARAMS=(--param bucket=fieldedge-ci --param sesIdentity=example.com)

step "a stage without its SSM parameters must fail, naming them"
if npx osls package --stage ci-missing "${PARAMS[@]}" >"$WORK/missing.log" 2>&1; then
  fail "osls package succeeded for a stage with no SSM parameters"
fi
for env in $("$VENV_PY" infra/ssm_params.py names --stage ci-missing | awk '$3 == "required" && $4 == "deploy" {print $2}'); do
  grep -q "provider.environment.$env\"" "$WORK/missing.log" \
    || { cat "$WORK/missing.log" >&2; fail "osls did not name the missing $env"; }
done
grep -m 3 -E '^\s+- Cannot resolve' "$WORK/missing.log" | sed 's/^/    /'
echo "    ..."
if "$VENV_PY" infra/ssm_params.py check --stage ci-missing >"$WORK/check.log"; then
  fail "ssm_params.py check passed for a stage with no SSM parameters"
fi
head -3 "$WORK/check.log" | sed 's/^/    /'

step "osls package --stage ci (placeholders in the SSM stand-in)"
"$VENV_PY" infra/ssm_params.py put-placeholders --stage ci >/dev/null
"$VENV_PY" infra/ssm_params.py check --stage ci >/dev/null || fail "placeholders not in SSM"
npx osls package --stage ci "${PARAMS[@]}" 2>&1 | sed 's/^/    /' || fail "osls package --stage ci"
ZIP=build/lambda/fieldedge.zip
[ -f "$ZIP" ] || fail "osls package wrote no $ZIP"
grep -q '"fieldedge.zip"\|/fieldedge.zip"' .serverless/cloudformation-template-update-stack.json \
  || fail "the CloudFormation template does not deploy $ZIP"
# Secrets are read by the function at cold start: the template holds their names only.
for env in $("$VENV_PY" infra/ssm_params.py names --stage ci | awk '$4 == "runtime" {print $2}'); do
  grep -q "\"$env\":" .serverless/cloudformation-template-update-stack.json \
    && fail "the CloudFormation template holds $env itself, not only ${env}_FROM"
  grep -q "\"${env}_FROM\": \"ssm:/fieldedge/ci/" .serverless/cloudformation-template-update-stack.json \
    || fail "the CloudFormation template does not name ${env}_FROM"
done

step "sizes"
read -r ZIPPED UNZIPPED < <("$VENV_PY" - "$ZIP" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(os.path.getsize(sys.argv[1]), sum(i.file_size for i in z.infolist()))
PY
)
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1048576 }'; }
echo "    zipped   $(mb "$ZIPPED") (limit 50 MB)"
echo "    unzipped $(mb "$UNZIPPED") (limit 250 MB)"
[ "$ZIPPED" -lt $((50 * 1048576)) ] || fail "zip is $(mb "$ZIPPED"), over 50 MB"
[ "$UNZIPPED" -lt $((250 * 1048576)) ] || fail "bundle is $(mb "$UNZIPPED") unzipped, over 250 MB"

step "unpack, migrate a SQLite file, answer /api/health from the bundle alone"
mkdir -p "$WORK/bundle" "$WORK/run"
"$VENV_PY" -m zipfile -e "$ZIP" "$WORK/bundle"
SECRET="$("$VENV_PY" -c 'print("s" * 40)')"
APP_ENV=(
  "PATH=/usr/bin:/bin" "HOME=$WORK/run" "FIELDEDGE_ENV=prod" "JWT_SECRET=$SECRET"
  "DATABASE_URL=sqlite+aiosqlite:///$WORK/run/fieldedge.db" "KV_URL=memory://"
  "STORAGE_URL=file://tmp" "MAIL_URL=console://"
)
(cd "$WORK/run" && env -i "${APP_ENV[@]}" "$ROOT/.venv/bin/fieldedge" migrate up) \
  || fail "fieldedge migrate up on the check's SQLite file"
(cd "$WORK/run" && env -i "${APP_ENV[@]}" "$VENV_PY" -I -S "$ROOT/infra/lambda/smoke.py" "$WORK/bundle") \
  | sed 's/^/    /' || fail "the unpacked bundle did not answer /api/health with 200"

step "ok: $(mb "$ZIPPED") zipped, $(mb "$UNZIPPED") unzipped, in $((SECONDS - STARTED))s"
