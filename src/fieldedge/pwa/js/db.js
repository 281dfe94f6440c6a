// The device's storage: one IndexedDB database holding the replica (one store per synced
// kind), the queue of mutations, photos waiting to upload, notices for the user, and `kv`
// (tokens, clientId, cursor, the next mutation id).
import { openDB } from "../vendor/idb.js";

export const KINDS = ["users", "contacts", "visits", "photos", "products", "orders",
  "payments", "plans", "beats"];
// Mutation entity -> the replica store its rows live in.
export const STORE_OF = { contact: "contacts", visit: "visits", order: "orders",
  payment: "payments" };

let dbPromise = null;

export function db() {
  if (!dbPromise) {
    dbPromise = openDB("fieldedge", 1, {
      upgrade(d) {
        for (const kind of KINDS) d.createObjectStore(kind, { keyPath: "id" });
        d.createObjectStore("queue", { keyPath: "id" });
        d.createObjectStore("uploads", { keyPath: "photoId" });
        d.createObjectStore("notices", { keyPath: "key", autoIncrement: true });
        d.createObjectStore("kv");
      },
    });
  }
  return dbPromise;
}

export async function kvGet(key) { return (await db()).get("kv", key); }
export async function kvSet(key, value) { return (await db()).put("kv", value, key); }
export async function kvDel(key) { return (await db()).delete("kv", key); }
export async function all(store) { return (await db()).getAll(store); }
export async function get(store, id) { return (await db()).get(store, id); }
export async function put(store, row) { return (await db()).put(store, row); }
export async function del(store, id) { return (await db()).delete(store, id); }
export async function count(store) { return (await db()).count(store); }

export async function notice(text, kind = "info") {
  await put("notices", { text, kind, at: new Date().toISOString() });
}

// A write the user made: the row as they see it now, and the mutation that tells the
// server, in one transaction so the queue and the replica never disagree.
export async function queueWrite(mutation, store, row) {
  const d = await db();
  const tx = d.transaction(["kv", "queue", store], "readwrite");
  try {
    const next = (await tx.objectStore("kv").get("nextMutationId")) || 1;
    await tx.objectStore("kv").put(next + 1, "nextMutationId");
    const entry = { ...mutation, id: next, clientTime: null, local: { store, row } };
    await tx.objectStore("queue").put(entry);
    await tx.objectStore(store).put({ ...row, _pending: true });
    await tx.done;
    return entry;
  } catch (exc) {
    // All or nothing (a full disk, QuotaExceededError): the queue is as it was.
    try { tx.abort(); } catch { /* already aborted by the failure */ }
    throw exc;
  }
}

// A 409 RESET_REQUIRED, or a new replica: drop every pulled row and the cursor, then put
// back what the queue still holds, so unsent work stays on screen.
export async function dropReplica() {
  const d = await db();
  const tx = d.transaction([...KINDS, "queue", "kv"], "readwrite");
  for (const kind of KINDS) await tx.objectStore(kind).clear();
  await tx.objectStore("kv").delete("cursor");
  for (const entry of await tx.objectStore("queue").getAll()) {
    await tx.objectStore(entry.local.store).put({ ...entry.local.row, _pending: true });
  }
  await tx.done;
}

// A different person signs in on this device: nothing of the last one stays.
export async function wipe() {
  const d = await db();
  const stores = [...KINDS, "queue", "uploads", "notices", "kv"];
  const tx = d.transaction(stores, "readwrite");
  for (const s of stores) await tx.objectStore(s).clear();
  await tx.done;
}
