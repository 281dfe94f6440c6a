// Talking to fieldedge: the envelope, the tokens, and refresh rotation.
//
// Tokens live in IndexedDB (kv "session"), read by this module only. Every refresh returns
// a new refresh token and presenting an old one again revokes the whole session, so
// refreshes are serialised: one at a time in this tab (a shared promise) and across tabs
// (the Web Locks API), each re-reading the stored pair before spending it.
import { API_BASE } from "../config.js";
import { kvGet, kvSet, kvDel } from "./db.js";

export class ApiError extends Error {
  constructor(status, body, headers) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || null;
    this.details = error.details || {};
    this.retryAfter = Number(headers && headers.get("Retry-After")) || null;
    this.plain = plainWords(status, error.message);
  }
}
// What a rep reads in the banner or a notice: the server's words when it has some that
// help, plain ones for the statuses that say "not you, try later" or "not that file".
function plainWords(status, message) {
  if (status === 429) return "The server is busy.";
  if (status >= 500) return `The server had a problem (${status}).`;
  if (status === 415) return "The server does not accept that kind of file; only photos (JPEG, PNG, WebP) can be attached.";
  return message || `HTTP ${status}`;
}

// The session is over (revoked, or the refresh token refused): sign in again.
export class SessionEnded extends Error {}
// No answer at all: offline, DNS, a dropped connection.
export class Offline extends Error {}

const url = (path) => `${API_BASE}/api/v1${path}`;
// A server that hangs is treated as one that is away: the caller retries later. A timer
// and an AbortController (not AbortSignal.timeout) so that tests can move the clock.
const TIMEOUT_MS = 30_000;
// The server's clock minus this phone's, from each answer's Date header. The server
// decides every time that matters (clientTime lets it correct ours); this only tells the
// rep that their clock is wrong.
export const clock = { skewMs: 0 };
export const SKEW_NOTICE_MS = 5 * 60_000;

async function send(path, { method = "GET", body, token, headers = {} } = {}) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new DOMException("timeout", "TimeoutError")), TIMEOUT_MS);
  const init = { method, headers: { ...headers }, signal: abort.signal };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  let parsed = null;
  try {
    response = await fetch(url(path), init);
    try { parsed = await response.json(); } catch (exc) { if (abort.signal.aborted) throw exc; parsed = null; }
  } catch (exc) {
    throw new Offline(abort.signal.aborted ? "The server did not answer in time." : "No connection.");
  } finally {
    clearTimeout(timer);
  }
  const date = Date.parse(response.headers.get("Date") || "");
  if (!Number.isNaN(date)) clock.skewMs = date - Date.now();
  if (!response.ok) throw new ApiError(response.status, parsed, response.headers);
  return { data: parsed ? parsed.data : null, headers: response.headers, status: response.status };
}

// A call before signing in (a password reset): no token.
export const anonymous = (path, options) => send(path, options);

export async function session() { return kvGet("session"); }

async function store(tokens) {
  const pair = { access: tokens.accessToken, refresh: tokens.refreshToken,
    expiresAt: Date.now() + tokens.expiresIn * 1000 };
  await kvSet("session", pair);
  return pair;
}

export async function login(email, password) {
  const { data } = await send("/auth/login", { method: "POST", body: { email, password } });
  await store(data);
  return me();
}

export async function logout() {
  const pair = await session();
  await kvDel("session");
  if (pair) {
    try { await send("/auth/logout", { method: "POST", body: { refreshToken: pair.refresh }, token: pair.access }); }
    catch { /* offline or already revoked: the tokens are gone from this device either way */ }
  }
}

let refreshing = null;

async function refreshOnce(spent) {
  const pair = await session();
  if (!pair) throw new SessionEnded("Signed out.");
  // Another tab (or an earlier call here) rotated it while we waited: use theirs.
  if (pair.access !== spent) return pair;
  try {
    const { data } = await send("/auth/refresh", { method: "POST", body: { refreshToken: pair.refresh } });
    return await store(data);
  } catch (exc) {
    if (exc instanceof ApiError && exc.status === 401) {
      await kvDel("session");
      throw new SessionEnded("Your session has ended.");
    }
    throw exc;
  }
}

function refresh(spent) {
  if (!refreshing) {
    const run = () => refreshOnce(spent);
    const locked = navigator.locks ? navigator.locks.request("fieldedge-refresh", run) : run();
    refreshing = locked.finally(() => { refreshing = null; });
  }
  return refreshing;
}

// An authenticated call: refreshes a token about to expire, and once on TOKEN_EXPIRED.
export async function call(path, options = {}) {
  let pair = await session();
  if (!pair) throw new SessionEnded("Not signed in.");
  if (pair.expiresAt - Date.now() < 30_000) {
    try { pair = await refresh(pair.access); } catch (exc) { if (!(exc instanceof Offline)) throw exc; }
  }
  try {
    return await send(path, { ...options, token: pair.access });
  } catch (exc) {
    if (!(exc instanceof ApiError) || exc.status !== 401) throw exc;
    if (exc.code !== "TOKEN_EXPIRED") {
      await kvDel("session");
      throw new SessionEnded("Your session has ended.");
    }
    pair = await refresh(pair.access);
    return send(path, { ...options, token: pair.access });
  }
}

export async function me() { return (await call("/auth/me")).data; }
