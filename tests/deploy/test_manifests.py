"""The deploy manifests say what docs/deploy.md promises: Lambda runtime and wiring,
per-stage secrets from SSM, least-privilege IAM, Cloud Run probes and secrets, and an
image that runs unprivileged with the Cloud Run entry.

The bundle itself is built and run offline by ``.ci/package.sh``, not here.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from fieldedge.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SSM = re.compile(r"^\$\{ssm:/fieldedge/\$\{sls:stage\}/([a-z0-9-]+)(, '')?\}$")
# Settings a deployer must give every stage (the rest have production-safe defaults).
STAGE_SETTINGS = {
    "DATABASE_URL", "DATABASE_URL_DIRECT", "KV_URL", "UPSTASH_REDIS_REST_URL",
    "UPSTASH_REDIS_REST_TOKEN", "STORAGE_URL", "MAIL_URL", "MAIL_FROM", "JWT_SECRET",
    "CORS_ORIGINS", "PUBLIC_BASE_URL", "APP_BASE_URL",
}  # fmt: skip
SETTINGS = {name.upper() for name in Settings.model_fields}
BY_NAME = re.compile(r"^ssm:/fieldedge/\$\{sls:stage\}/([a-z0-9-]+)(\?optional)?$")
SECRETS = {
    "DATABASE_URL", "DATABASE_URL_DIRECT", "KV_URL", "JWT_SECRET", "UPSTASH_REDIS_REST_TOKEN",
    "STORAGE_SECRET_ACCESS_KEY",
}  # fmt: skip
OWN_STORAGE_KEYS = {"STORAGE_ACCESS_KEY_ID", "STORAGE_SECRET_ACCESS_KEY"}


@pytest.fixture(scope="module")
def sls() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "serverless.yml").read_text())


@pytest.fixture(scope="module")
def run_service() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "infra/cloudrun/service.yaml").read_text())


def test_lambda_runtime_and_architecture_default_to_what_ci_tests(sls: dict[str, Any]) -> None:
    defaults = sls["params"]["default"]
    assert sls["frameworkVersion"] == "4"  # osls, pinned in package.json
    assert sls["provider"]["name"] == "aws"
    assert sls["provider"]["runtime"] == "${param:runtime}"
    assert sls["provider"]["architecture"] == "${param:architecture}"
    assert (defaults["runtime"], defaults["architecture"]) == ("python3.11", "x86_64")
    assert sls["provider"]["logRetentionInDays"] == "${param:logRetentionInDays}"
    assert isinstance(defaults["logRetentionInDays"], int)


def test_api_is_the_mangum_handler_behind_a_catch_all_http_api(sls: dict[str, Any]) -> None:
    api = sls["functions"]["api"]
    assert api["handler"] == "fieldedge_handlers.aws_lambda.handler"
    assert api["events"] == [{"httpApi": "*"}]
    assert "cors" not in sls["provider"]["httpApi"]  # the app answers CORS itself
    assert api["timeout"] == "${param:apiTimeout}"
    assert sls["params"]["default"]["apiTimeout"] < 30  # HTTP API's own limit


def test_jobs_run_on_schedules_passing_the_job_name(sls: dict[str, Any]) -> None:
    jobs = sls["functions"]["jobs"]
    assert jobs["handler"] == "fieldedge_handlers.aws_lambda.jobs"
    schedules = {e["schedule"]["input"]["job"]: e["schedule"]["rate"] for e in jobs["events"]}
    assert schedules["outbox"] == "rate(1 minute)"
    assert schedules["audit-link"] == "rate(1 minute)"
    assert schedules["sweep"] == "rate(1 hour)"
    assert schedules["attendance-close"] == "rate(1 hour)"  # days end at every UTC hour
    assert schedules["maintenance"] == "rate(1 hour)"  # days start at every UTC hour
    for daily in ("payment-reminders", "visit-digest"):
        assert re.fullmatch(r"cron\(\d+ \d+ \* \* \? \*\)", schedules[daily])
    assert len(schedules) == 7


def test_every_stage_setting_comes_from_that_stages_ssm(sls: dict[str, Any]) -> None:
    env = sls["provider"]["environment"]
    named = {name if name in SETTINGS else name.removesuffix("_FROM") for name in env}
    assert named <= SETTINGS, "an environment name no setting reads"
    at_deploy = {name for name, value in env.items() if SSM.match(str(value))}
    at_run = {name.removesuffix("_FROM") for name, value in env.items() if BY_NAME.match(value)}
    assert at_deploy | at_run == STAGE_SETTINGS | OWN_STORAGE_KEYS
    optional = {name for name in at_deploy if SSM.match(env[name]).group(2)}  # type: ignore[union-attr]
    optional |= {
        name.removesuffix("_FROM")
        for name, value in env.items()
        if BY_NAME.match(value) and BY_NAME.match(value).group(2)  # type: ignore[union-attr]
    }
    assert optional == {"UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"} | OWN_STORAGE_KEYS
    assert env["FIELDEDGE_ENV"] == "prod"


def test_no_secret_value_ever_reaches_the_template(sls: dict[str, Any]) -> None:
    """A ${ssm:} value is resolved by the deploy tool into the CloudFormation template and
    the function's environment in plain text; a secret is named instead (X_FROM) and read
    by the function itself at cold start."""
    env = sls["provider"]["environment"]
    for secret in SECRETS:
        assert secret not in env, secret
        assert BY_NAME.match(env[f"{secret}_FROM"]), secret
    statements = sls["provider"]["iam"]["role"]["statements"]
    reads = [s for s in statements if s["Action"] == ["ssm:GetParameters"]]
    assert [s["Resource"] for s in reads] == [
        "arn:aws:ssm:${aws:region}:${aws:accountId}:parameter/fieldedge/${sls:stage}/*"
    ]


def test_iam_reaches_only_the_bucket_and_the_ses_identity(sls: dict[str, Any]) -> None:
    statements = sls["provider"]["iam"]["role"]["statements"]
    granted = {(action, s["Resource"]) for s in statements for action in s["Action"]}
    assert granted - {
        (
            "ssm:GetParameters",
            "arn:aws:ssm:${aws:region}:${aws:accountId}:parameter/fieldedge/${sls:stage}/*",
        )
    } == {
        ("s3:GetObject", "arn:aws:s3:::${param:bucket}/*"),
        ("s3:PutObject", "arn:aws:s3:::${param:bucket}/*"),
        ("s3:DeleteObject", "arn:aws:s3:::${param:bucket}/*"),
        ("s3:ListBucket", "arn:aws:s3:::${param:bucket}"),
        (
            "ses:SendEmail",
            "arn:aws:ses:${aws:region}:${aws:accountId}:identity/${param:sesIdentity}",
        ),
    }
    assert all(s["Effect"] == "Allow" for s in statements)


def test_the_bundle_is_built_from_the_wheel_for_the_lambda_platform(sls: dict[str, Any]) -> None:
    assert sls["package"]["artifact"] == "build/lambda/fieldedge.zip"
    assert sls["plugins"] == ["./infra/serverless/wheel-artifact.js"]
    assert (ROOT / "infra/serverless/wheel-artifact.js").is_file()
    build = (ROOT / "infra/lambda/build.sh").read_text()
    assert "pip wheel" in build
    assert "--no-deps" in build
    for flag in ("--platform", "manylinux2014_", "--implementation cp", "--only-binary=:all:"):
        assert flag in build


def test_the_deploy_tool_is_pinned_to_osls() -> None:
    manifest = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    # osls for deploys, and idb, the PWA's one library (docs/pwa.md); both exact.
    assert set(manifest["devDependencies"]) == {"osls", "idb"}
    for version in manifest["devDependencies"].values():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert lock["packages"]["node_modules/osls"]["version"] == manifest["devDependencies"]["osls"]
    assert "node_modules/serverless" not in lock["packages"]


def _container(service: dict[str, Any]) -> dict[str, Any]:
    (container,) = service["spec"]["template"]["spec"]["containers"]
    return container


def test_cloud_run_probes_liveness_without_touching_dependencies(
    run_service: dict[str, Any],
) -> None:
    assert run_service["apiVersion"] == "serving.knative.dev/v1"
    container = _container(run_service)
    assert container["startupProbe"]["httpGet"]["path"] == "/api/health/live"
    assert container["livenessProbe"]["httpGet"]["path"] == "/api/health/live"
    template = run_service["spec"]["template"]
    assert template["spec"]["containerConcurrency"] > 0
    assert 0 < template["spec"]["timeoutSeconds"] <= 3600
    annotations = template["metadata"]["annotations"]
    assert int(annotations["autoscaling.knative.dev/minScale"]) >= 0
    assert int(annotations["autoscaling.knative.dev/maxScale"]) >= 1


def test_cloud_run_takes_secrets_from_secret_manager_and_sizes_from_concurrency(
    run_service: dict[str, Any],
) -> None:
    env = {item["name"]: item for item in _container(run_service)["env"]}
    assert "PORT" not in env  # Cloud Run sets it
    assert set(env) <= SETTINGS | {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
    for secret in ("DATABASE_URL", "KV_URL", "STORAGE_URL", "MAIL_URL", "JWT_SECRET"):
        ref = env[secret]["valueFrom"]["secretKeyRef"]
        assert ref["name"].startswith("fieldedge-")
        assert ref["key"] == "latest"
        assert "value" not in env[secret]
    concurrency = run_service["spec"]["template"]["spec"]["containerConcurrency"]
    assert int(env["SERVER_CONCURRENCY"]["value"]) == concurrency
    sized = Settings(
        fieldedge_env="test", jwt_secret="s" * 40, server_concurrency=concurrency, _env_file=None
    )
    assert sized.db_pool_size + sized.db_max_overflow <= concurrency
    cpus = float(_container(run_service)["resources"]["limits"]["cpu"])
    assert 1 <= sized.argon2_concurrency <= max(1, cpus)


def _dockerfile() -> tuple[dict[str, str], list[str]]:
    lines = [line.strip() for line in (ROOT / "infra/Dockerfile").read_text().splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    args = dict(
        line.removeprefix("ARG ").split("=", 1)
        for line in instructions
        if line.startswith("ARG ") and "=" in line
    )
    return args, instructions


def test_the_image_runs_the_cloud_run_entry_unprivileged() -> None:
    args, instructions = _dockerfile()
    runtime = instructions[max(i for i, x in enumerate(instructions) if x.startswith("FROM")) :]
    base = runtime[0].removeprefix("FROM ").replace("${PYTHON_BASE}", args["PYTHON_BASE"])
    assert base.startswith("python:3.11-slim")
    users = [x.split()[1] for x in runtime if x.startswith("USER ")]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")


def test_the_image_base_is_pinned_by_digest() -> None:
    args, instructions = _dockerfile()
    froms = [x.split()[1] for x in instructions if x.startswith("FROM ")]
    assert froms == ["${PYTHON_BASE}", "${PYTHON_BASE}"]
    assert re.fullmatch(r"python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}", args["PYTHON_BASE"])


LOCK = ROOT / "infra/locks/py3.11.txt"


def _locked() -> dict[str, tuple[str, list[str]]]:
    """``{name: (version, hashes)}`` of the lock file."""
    entries: dict[str, tuple[str, list[str]]] = {}
    name = ""
    for line in LOCK.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)", line):
            name = match.group(1).lower().replace("_", "-")
            entries[name] = (match.group(2), [])
        elif match := re.search(r"--hash=sha256:([0-9a-f]{64})", line):
            entries[name][1].append(match.group(1))
    return entries


def test_the_runtime_lock_satisfies_pyproject_and_is_hashed() -> None:
    from packaging.requirements import Requirement

    locked = _locked()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for line in project["dependencies"]:
        requirement = Requirement(line)
        name = requirement.name.lower().replace("_", "-")
        assert name in locked, f"{name} is not in {LOCK.name}: run infra/lock.sh"
        assert requirement.specifier.contains(locked[name][0]), (name, locked[name][0])
    assert all(hashes for _, hashes in locked.values())
    # Made by lock.sh, which resolves for the target (3.11.0 on manylinux), never for this
    # machine's Python: markers such as python_full_version < '3.11.3' are the target's.
    assert "#    infra/lock.sh 3.11\n" in LOCK.read_text()


def test_the_zip_and_the_image_install_the_same_locked_set() -> None:
    build = (ROOT / "infra/lambda/build.sh").read_text()
    assert 'LOCK="infra/locks/py$PY_VERSION.txt"' in build
    assert "--require-hashes --no-deps" in build
    args, instructions = _dockerfile()
    assert args["LOCK"] == "infra/locks/py3.11.txt"
    assert "COPY ${LOCK} requirements.lock" in instructions
    assert any("--require-hashes --no-deps -r requirements.lock" in x for x in instructions)
    assert "!infra/locks/" in (ROOT / "infra/Dockerfile.dockerignore").read_text()
