"""The Lua the Redis and Upstash adapters share, so both enforce one rate-limit rule.

The sliding window is a sorted set per key: one member per counted hit, scored by the
server's own clock (``TIME``, microseconds), so every instance of the API agrees on
"now" whatever its local clock says. Trim, count, maybe add, expire and read the oldest
hit happen in one script, which Redis runs atomically: fifty concurrent callers against
a limit of ten get exactly ten "yes" answers, in one round trip each.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from fieldedge.ports.kv import RateWindow

# KEYS[1] the window's sorted set; ARGV[1] limit; ARGV[2] window length in microseconds;
# KEYS[2..] keys whose values to read in the same call (a token's revocation marks).
# Returns {allowed (0|1), remaining, microseconds until the oldest counted hit leaves,
# then the value of each KEYS[2..] (nil when absent)}.
SLIDING_WINDOW = """
if redis.replicate_commands then pcall(redis.replicate_commands) end
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%d', now - window))
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  -- Members must be unique; two hits may share a microsecond (or a clock step back).
  local member = string.format('%d', now)
  local n = 0
  while redis.call('ZSCORE', key, member) do
    n = n + 1
    member = string.format('%d-%d', now, n)
  end
  redis.call('ZADD', key, string.format('%d', now), member)
  count = count + 1
  allowed = 1
end
local reset = window
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
if oldest[2] then
  reset = tonumber(oldest[2]) + window - now
  redis.call('PEXPIRE', key, math.ceil(window / 1000))
end
local reply = {allowed, limit - count, reset}
for i = 2, #KEYS do
  reply[i + 2] = redis.call('GET', KEYS[i])
end
return reply
"""

# KEYS[1] a counter; ARGV[1] its lifetime in milliseconds, set when the counter is born.
# Returns the counter after one increment.
INCR_WITH_TTL = """
redis.call('SET', KEYS[1], 0, 'PX', ARGV[1], 'NX')
return redis.call('INCR', KEYS[1])
"""


def _sha(script: str) -> str:
    """What Redis computes for SCRIPT LOAD, so EVALSHA needs no round trip to learn it."""
    return hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()


SHAS = {script: _sha(script) for script in (SLIDING_WINDOW, INCR_WITH_TTL)}


def window_args(limit: int, window_s: float) -> list[str]:
    """ARGV for ``SLIDING_WINDOW``; a window shorter than a microsecond is one microsecond."""
    if limit < 0 or window_s <= 0:
        raise ValueError("hit_window needs limit >= 0 and window_s > 0")
    return [str(limit), str(max(1, math.ceil(window_s * 1_000_000)))]


def window_from_reply(reply: Sequence[object], limit: int, reads: int = 0) -> RateWindow:
    """Turn the script's ``{allowed, remaining, reset_us, values…}`` into the port's
    answer (a nil value at the end of a Lua table is dropped: padded back here)."""
    allowed, remaining, reset_us = (_as_int(part) for part in reply[:3])
    values = [_as_bytes(part) for part in reply[3 : 3 + reads]]
    values += [None] * (reads - len(values))
    return RateWindow(
        allowed=allowed == 1,
        limit=limit,
        remaining=max(0, remaining),
        reset_s=max(0, reset_us) / 1_000_000,
        values=tuple(values),
    )


def _as_bytes(part: object) -> bytes | None:
    if part is None or part is False:
        return None
    if isinstance(part, bytes):
        return part
    return str(part).encode()


def _as_int(part: object) -> int:
    if isinstance(part, int | str | bytes):
        return int(part)
    raise ValueError(f"unexpected rate-window reply part {part!r}")
