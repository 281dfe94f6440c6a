"""The SSM parameters a stage needs, read from ``serverless.yml``, and whether they exist.

    python infra/ssm_params.py names --stage prod      # list them (required, optional)
    python infra/ssm_params.py check --stage prod      # exit 1 naming the missing ones
    python infra/ssm_params.py put-placeholders --stage ci --endpoint-url http://127.0.0.1:5000

``serverless.yml`` is the one list: every ``ENV: ${ssm:/fieldedge/${sls:stage}/name}``
line is a required parameter resolved at deploy time, one with a ``, ''`` fallback an
optional one; every ``ENV_FROM: ssm:/fieldedge/${sls:stage}/name`` line is a secret the
function reads itself at cold start (``?optional``: it may be missing). ``names`` prints
name, setting, required|optional and deploy|runtime. ``check``
gives the deployer the parameter names before ``osls package`` fails on them (the
framework names only the variables). ``put-placeholders`` fills a local SSM stand-in (the
moto server) so the offline package check resolves ``${ssm:…}`` exactly as a deploy does.
Credentials and region come from the usual AWS chain.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SERVERLESS_YML = Path(__file__).resolve().parent.parent / "serverless.yml"
_LINE = re.compile(
    r"^\s+([A-Z][A-Z0-9_]*): \$\{ssm:(/(?:[^,{}\s]|\$\{sls:stage\})+)(, '')?\}\s*(#.*)?$"
)
# A secret read by the function at cold start, by name: ``JWT_SECRET_FROM: ssm:/…``.
_RUNTIME = re.compile(
    r"^\s+([A-Z][A-Z0-9_]*)_FROM: ssm:(/(?:[^?{}\s]|\$\{sls:stage\})+)(\?optional)?\s*(#.*)?$"
)
_BATCH = 10  # GetParameters takes at most ten names a call
PLACEHOLDER = "placeholder-for-an-offline-package-check"


@dataclass(frozen=True)
class Parameter:
    env: str
    name: str
    required: bool
    read: str = "deploy"  # deploy: resolved into the template; runtime: by the function


def parameters(stage: str, source: Path = SERVERLESS_YML) -> list[Parameter]:
    """Every ``${ssm:…}`` environment line of ``serverless.yml``, with the stage filled in."""
    found = []
    for line in source.read_text(encoding="utf-8").splitlines():
        for pattern, read in ((_LINE, "deploy"), (_RUNTIME, "runtime")):
            match = pattern.match(line)
            if match:
                env, name, fallback = match.group(1), match.group(2), match.group(3)
                name = name.replace("${sls:stage}", stage)
                found.append(Parameter(env, name, not fallback, read))
    return found


def _client(region: str | None, endpoint_url: str | None) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2})
    return boto3.client("ssm", region_name=region, endpoint_url=endpoint_url, config=config)


def missing(client: Any, names: list[str]) -> list[str]:
    """The names SSM does not hold (GetParameters reports them as invalid)."""
    absent: list[str] = []
    for start in range(0, len(names), _BATCH):
        batch = names[start : start + _BATCH]
        answer = client.get_parameters(Names=batch, WithDecryption=False)
        absent += answer.get("InvalidParameters", [])
    return sorted(absent)


def _report(client: Any, command: str, stage: str, params: list[Parameter]) -> int:
    if command == "put-placeholders":
        for param in params:
            client.put_parameter(
                Name=param.name, Value=PLACEHOLDER, Type="SecureString", Overwrite=True
            )
        print(f"ssm_params: {len(params)} placeholders for stage {stage!r}")
        return 0
    required = {p.name: p.env for p in params if p.required}
    absent = missing(client, sorted(required))
    if absent:
        print(f"ssm_params: stage {stage!r} is missing {len(absent)} SSM parameter(s):")
        for name in absent:
            print(f"  {name}  (for {required[name]})")
        return 1
    print(f"ssm_params: stage {stage!r} has all {len(required)} required parameters")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("command", choices=("names", "check", "put-placeholders"))
    parser.add_argument("--stage", required=True)
    parser.add_argument("--region", default=None)
    parser.add_argument("--endpoint-url", default=None, help="a local SSM stand-in")
    args = parser.parse_args(argv)
    params = parameters(args.stage)
    if args.command == "names":
        for param in params:
            kind = "required" if param.required else "optional"
            print(f"{param.name}\t{param.env}\t{kind}\t{param.read}")
        return 0

    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client = _client(args.region, args.endpoint_url)
    except BotoCoreError as exc:
        print(f"ssm_params: {exc}", file=sys.stderr)
        return 2
    try:
        return _report(client, args.command, args.stage, params)
    except (BotoCoreError, ClientError) as exc:
        print(f"ssm_params: SSM refused or could not be reached: {exc}", file=sys.stderr)
        return 2
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())
