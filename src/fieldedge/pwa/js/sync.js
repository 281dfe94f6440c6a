// The sync loop of docs/sync.md: push the queue in order, upload the photos whose visit
// the server now holds, then pull until hasMore is false. Always safe to run again: a
// push retried whole is answered `duplicate`, a photo retried with its photoId is the
// same photo.
import { ApiError, Offline, SessionEnded, call } from "./api.js";
import { KINDS, STORE_OF, all, db, del, dropReplica, get, kvGet, kvSet, notice, put } from "./db.js";
import { describeConflict, describeRejection } from "./words.js";

const BATCH = 100;
const MAX_BACKOFF_S = 60;

// `serverAsked`: `retryAt` is a 429's Retry-After (the server's wish), not our backoff.
export const state = { running: null, failures: 0, retryAt: null, lastError: null,
  serverAsked: false, sessionEnded: false, listeners: new Set() };

// `rows`: the replica or the queue changed (redraw the screen); otherwise only the sync
// state did (a failure, a retry time): the banner, and a half-typed form is left alone.
function changed(rows = true) { for (const fn of state.listeners) fn(rows); }

async function clientId() {
  let id = await kvGet("clientId");
  if (!id) { id = crypto.randomUUID(); await kvSet("clientId", id); }
  return id;
}

// The next batch: in id order, cut before an update of a row created in this batch (a
// check-out of a visit made offline): its baseVersion is the version the server answers
// for that create, so it goes in the next push.
async function nextBatch() {
  const queue = await all("queue");
  const batch = [];
  const created = new Set();
  for (const entry of queue) {
    if (entry.op === "update" && entry.baseVersion == null) {
      if (created.has(entry.entityId)) break;
      const row = await get(STORE_OF[entry.entity], entry.entityId);
      entry.baseVersion = row && row.version != null ? row.version : 0;
    }
    if (entry.op === "create") created.add(entry.entityId);
    batch.push(entry);
    if (batch.length === BATCH) break;
  }
  return batch;
}

function wire(entry, now) {
  const m = { id: entry.id, entity: entry.entity, op: entry.op, entityId: entry.entityId,
    data: entry.data, clientTime: now };
  if (entry.baseVersion != null) m.baseVersion = entry.baseVersion;
  return m;
}

async function applyResult(entry, result) {
  const store = STORE_OF[entry.entity];
  if (result.record) await put(store, result.record);
  if (result.status === "conflict") {
    if (!result.record && result.error) await del(store, entry.entityId); // deleted: deletes win
    const row = result.record || entry.local.row;
    for (const c of result.conflicts || []) {
      await notice(describeConflict(entry.entity, row, c), "conflict");
    }
    if (!(result.conflicts || []).length) {
      await notice(describeRejection(entry.entity, row, result.error, "was changed by someone else"), "conflict");
    }
  } else if (result.status === "rejected") {
    if (entry.op === "create") await del(store, entry.entityId);
    await notice(describeRejection(entry.entity, entry.local.row, result.error), "error");
  }
}

async function push() {
  const id = await clientId();
  for (;;) {
    const batch = await nextBatch();
    if (!batch.length) return;
    const now = new Date().toISOString();
    let data;
    try {
      ({ data } = await call("/sync/push", { method: "POST",
        body: { clientId: id, mutations: batch.map((e) => wire(e, now)) } }));
    } catch (exc) {
      if (exc instanceof ApiError && exc.code === "OUT_OF_ORDER") {
        await renumber(exc.details.lastMutationId);
        continue;
      }
      throw exc;
    }
    const byId = new Map(data.results.map((r) => [r.id, r]));
    for (const entry of batch) {
      const result = byId.get(entry.id);
      if (result) await applyResult(entry, result);
      await del("queue", entry.id);
    }
    state.lastError = null; // the server answers again: a stale "No connection." would mislead
    changed();
  }
}

// 409 OUT_OF_ORDER: the server applied up to `last`. What is at or below it is done (a
// pull brings the rows); the rest is renumbered from last + 1 so the ids count up again.
async function renumber(last) {
  const d = await db();
  const tx = d.transaction(["queue", "kv"], "readwrite");
  const queue = await tx.objectStore("queue").getAll();
  await tx.objectStore("queue").clear();
  let next = last + 1;
  for (const entry of queue) {
    if (entry.id <= last) continue;
    await tx.objectStore("queue").put({ ...entry, id: next++ });
  }
  await tx.objectStore("kv").put(next, "nextMutationId");
  await tx.done;
}

// A photo goes up once the server holds its visit (no create of it left in the queue).
async function uploadPhotos() {
  const waiting = new Set((await all("queue")).filter((e) => e.entity === "visit" && e.op === "create").map((e) => e.entityId));
  for (const up of await all("uploads")) {
    if (waiting.has(up.visitId)) continue;
    const form = new FormData();
    form.append("file", up.blob, "photo.jpg");
    form.append("photoId", up.photoId);
    form.append("capturedAt", up.capturedAt);
    try {
      const { data } = await call(`/visits/${up.visitId}/photos`, { method: "POST", body: form });
      await put("photos", data);
      await del("uploads", up.photoId);
    } catch (exc) {
      if (!(exc instanceof ApiError) || exc.status >= 500 || exc.status === 429) throw exc;
      // A refusal (not an image, too large, the visit gone): retrying cannot help.
      await del("uploads", up.photoId);
      await del("photos", up.photoId);
      await notice(`A photo could not be kept: ${exc.plain}`, "error");
    }
    changed();
  }
}

async function pull() {
  const pending = new Set((await all("queue")).map((e) => e.entityId));
  let cursor = (await kvGet("cursor")) || null;
  for (;;) {
    let data;
    try {
      ({ data } = await call("/sync/pull", { method: "POST", body: { cursor, limit: 500 } }));
    } catch (exc) {
      if (exc instanceof ApiError && exc.code === "RESET_REQUIRED" && cursor) {
        await dropReplica();
        await notice("This device was away too long; its copy was rebuilt. Nothing unsent was lost.");
        cursor = null;
        continue;
      }
      throw exc;
    }
    const d = await db();
    const stores = KINDS.filter((k) => data.changes[k]);
    const tx = d.transaction([...stores, "kv"], "readwrite");
    for (const kind of stores) {
      const { upserted, deleted } = data.changes[kind];
      // A row with a mutation still queued keeps the user's version on screen.
      for (const row of upserted) if (!pending.has(row.id)) await tx.objectStore(kind).put(row);
      for (const id of deleted) if (!pending.has(id)) await tx.objectStore(kind).delete(id);
    }
    await tx.objectStore("kv").put(data.cursor, "cursor");
    await tx.objectStore("kv").put(data.serverTime, "pulledAt");
    await tx.done;
    cursor = data.cursor;
    if (!data.hasMore) break;
  }
  changed();
}

async function run() {
  try {
    await push();
    await uploadPhotos();
    await pull();
    state.failures = 0; state.retryAt = null; state.lastError = null; state.serverAsked = false;
  } catch (exc) {
    if (exc instanceof SessionEnded) {
      state.sessionEnded = true; state.lastError = "Sign in again to send your changes.";
    } else {
      // 429: as long as the server asks; 5xx and no network: exponential, capped.
      state.failures += 1;
      state.serverAsked = Boolean(exc instanceof ApiError && exc.retryAfter);
      const wait = state.serverAsked ? exc.retryAfter : Math.min(MAX_BACKOFF_S, 2 ** state.failures);
      state.retryAt = Date.now() + wait * 1000;
      state.lastError = exc instanceof ApiError ? exc.plain : exc.message;
      setTimeout(() => { if (state.retryAt && Date.now() >= state.retryAt - 50) syncNow(); }, wait * 1000);
    }
  } finally {
    changed(false);
  }
}

// What starts a sync by itself (the network's return, the timer) waits out a 429's
// Retry-After; the timer also waits out a backoff, which the network's return cuts short.
export function syncWhenDue({ backoff = true } = {}) {
  const waiting = state.retryAt && Date.now() < state.retryAt && (backoff || state.serverAsked);
  return waiting ? Promise.resolve() : syncNow();
}

export function syncNow() {
  if (state.sessionEnded) return Promise.resolve();
  if (!state.running) state.running = run().finally(() => { state.running = null; });
  return state.running;
}
