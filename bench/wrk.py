"""The load generator: Debian's ``wrk`` pinned to CPU 0, driven by a generated Lua script
(auth header, per-request bodies, unique idempotency keys), its figures read back as JSON
from the script's ``done`` hook."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

LUA = """
local threads = {}
local counter = 0
local bodies = %(bodies)s
local method = "%(method)s"
local headers = %(headers)s
local idem = %(idem)s
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  non2xx = 0
  math.randomseed(os.time() + id * 7919)
end
function request()
  counter = counter + 1
  local h = {}
  for k, v in pairs(headers) do h[k] = v end
  local body = nil
  if #bodies > 0 then
    body = bodies[math.random(#bodies)]
    h["Content-Type"] = "application/json"
  end
  if idem then h["Idempotency-Key"] = string.format("k-%%d-%%d-%%d", id, counter, os.time()) end
  return wrk.format(method, nil, h, body)
end
function response(status, hdrs, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"non2xx": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    n, e.connect + e.read + e.write + e.timeout))
end
"""


def _lua_str(s: str) -> str:
    return json.dumps(s)  # a JSON string is a valid Lua string literal for our ASCII bodies


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, timeout=300)
        path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed and apt-get could not install it")
    return path


def script(
    tmp: Path, name: str, method: str, headers: dict[str, str], bodies: list[str], idem: bool
) -> Path:
    lua_headers = (
        "{" + ", ".join(f"[{_lua_str(k)}] = {_lua_str(v)}" for k, v in headers.items()) + "}"
    )
    lua_bodies = "{" + ", ".join(_lua_str(b) for b in bodies) + "}"
    text = LUA % {
        "bodies": lua_bodies,
        "method": method,
        "headers": lua_headers,
        "idem": "true" if idem else "false",
    }
    path = tmp / f"{name}.lua"
    path.write_text(text)
    return path


def run(url: str, lua: Path, seconds: float, connections: int, pin: bool) -> dict[str, Any]:
    cmd = [
        *(["taskset", "-c", "0"] if pin else []),
        ensure_wrk(),
        "-t",
        "1",
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "-s",
        str(lua),
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("BENCHJSON ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    out: dict[str, Any] = json.loads(lines[-1].removeprefix("BENCHJSON "))
    out["rps"] = out["requests"] / (out["duration_us"] / 1e6)
    out["errors"] = out["non2xx"] + out["socket_errors"]
    return out
