// The screens. Each reads the replica (IndexedDB) and never waits on the network, so it
// looks the same offline; writes go through `queueWrite` and show at once as pending.
import { ApiError, Offline, call } from "./api.js";
import { all, count, del, get, kvGet, kvSet, put, queueWrite } from "./db.js";
import { format, priceLines } from "./money.js";
import { compress } from "./photos.js";
import { syncNow } from "./sync.js";

const h = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const $ = (sel) => document.querySelector(sel);
const pendingTag = (row) => (row && row._pending ? ' <span class="pending">not sent yet</span>' : "");

export const ctx = { me: null, company: null, say: () => {}, rerender: () => {} };

export function position() {
  return new Promise((ok, fail) => {
    if (!navigator.geolocation) { fail(new Error("This device cannot tell its position.")); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => ok(p.coords),
      (e) => fail(new Error(e.code === 1 ? "Allow location to check in." : "No position yet; try again in the open.")),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  });
}

function metres(a, b) {
  const r = (d) => (d * Math.PI) / 180;
  const s = Math.sin(r(b.latitude - a.latitude) / 2) ** 2 +
    Math.cos(r(a.latitude)) * Math.cos(r(b.latitude)) * Math.sin(r(b.longitude - a.longitude) / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.sqrt(s));
}

// A write to the device: storage full is the one error a rep can act on.
async function saveLocally(fn) {
  try {
    return await fn();
  } catch (exc) {
    if (exc && exc.name === "QuotaExceededError") {
      ctx.say("This phone has no room left for the app's data. Free some space; nothing already saved is lost.", "error");
      return null;
    }
    throw exc;
  }
}

const STATUS = { PENDING: "Waiting for approval", APPROVED: "Approved", REJECTED: "Rejected",
  DISPATCHED: "Dispatched", DELIVERED: "Delivered", CANCELLED: "Cancelled" };

// ---- contacts ---------------------------------------------------------------------------

let near = null;

export async function contacts(main, query = "") {
  let rows = await all("contacts");
  const q = query.trim().toLowerCase();
  if (q) rows = rows.filter((c) => [c.name, c.city, c.phone].some((v) => v && v.toLowerCase().includes(q)));
  if (near) {
    rows = rows.filter((c) => c.latitude != null).map((c) => ({ ...c, d: metres(near, c) }));
    rows.sort((a, b) => a.d - b.d);
  } else rows.sort((a, b) => a.name.localeCompare(b.name));
  main.innerHTML = `<h2>Contacts</h2>
    <div class="row"><input id="search" type="search" placeholder="Search name, city, phone" value="${h(query)}">
    <button id="near">${near ? "A–Z" : "Near me"}</button></div>
    <ul class="list" id="contact-list">${rows.map((c) => `<li><a href="#/contact/${c.id}">${h(c.name)}</a>
      <small>${h(c.city || "")}${c.d != null ? ` · ${(c.d / 1000).toFixed(1)} km` : ""}</small>${pendingTag(c)}</li>`).join("")
      || "<li>No contacts yet. They arrive with the first sync.</li>"}</ul>`;
  const search = $("#search");
  search.addEventListener("input", () => contacts(main, search.value).then(() => {
    const s = $("#search"); s.focus(); s.setSelectionRange(s.value.length, s.value.length);
  }));
  $("#near").addEventListener("click", async () => {
    if (near) { near = null; return contacts(main, search.value); }
    try { near = await position(); } catch (exc) { ctx.say(exc.message, "error"); }
    return contacts(main, search.value);
  });
}

export async function contact(main, id) {
  const c = await get("contacts", id);
  if (!c) { main.innerHTML = "<p>This contact is not on this device.</p>"; return; }
  const visits = (await all("visits")).filter((v) => v.contactId === id)
    .sort((a, b) => b.checkedInAt.localeCompare(a.checkedInAt));
  const open = visits.find((v) => v.userId === ctx.me.id && !v.checkedOutAt);
  const photos = await all("photos");
  const isRep = ctx.me.role === "SALES_REP";
  main.innerHTML = `<h2 id="contact-name">${h(c.name)}${pendingTag(c)}</h2>
    <p>${h(c.type)} · ${h(c.city || "")} · ${h(c.phone || "no phone")}</p>
    <p>Notes: <span id="contact-notes">${h(c.notes || "")}</span></p>
    <div class="actions">
      ${open ? `<button id="check-out">Check out</button>
        <label class="button">Add photo<input id="photo" type="file" accept="image/*" capture="environment" hidden></label>`
      : `<button id="check-in">Check in here</button>`}
      ${isRep ? `<a class="button" href="#/order/${c.id}">Take order</a>` : ""}
    </div>
    <form id="edit"><h3>Edit</h3>
      <label>Phone <input name="phone" value="${h(c.phone || "")}"></label>
      <label>Notes <textarea name="notes">${h(c.notes || "")}</textarea></label>
      <button>Save</button></form>
    <h3>Visits</h3><ul class="list" id="visits">${visits.map((v) => {
      const n = photos.filter((p) => p.visitId === v.id).length;
      return `<li>${new Date(v.checkedInAt).toLocaleString()} ${v.checkedOutAt ? "– " + new Date(v.checkedOutAt).toLocaleTimeString() : "(open)"}
        ${v.verified === true ? "· verified" : v.verified === false ? "· not verified " + h((v.flags || []).join(", ")) : ""}
        · ${n} photo${n === 1 ? "" : "s"}${pendingTag(v)}</li>`;
    }).join("") || "<li>None yet.</li>"}</ul>`;
  const checkIn = $("#check-in");
  if (checkIn) checkIn.addEventListener("click", async () => {
    checkIn.disabled = true;
    let coords;
    try { coords = await position(); } catch (exc) { ctx.say(exc.message, "error"); checkIn.disabled = false; return; }
    const visitId = crypto.randomUUID();
    const data = { contactId: id, latitude: coords.latitude, longitude: coords.longitude,
      accuracyM: Math.round(coords.accuracy * 10) / 10, checkedInAt: new Date().toISOString() };
    const row = { id: visitId, ...data, userId: ctx.me.id, checkedOutAt: null, flags: [],
      verified: null, version: null };
    if (await saveLocally(() => queueWrite({ entity: "visit", op: "create", entityId: visitId, data }, "visits", row))) {
      ctx.say(`Checked in at ${c.name} (±${Math.round(coords.accuracy)} m).`);
      done();
    } else checkIn.disabled = false;
  });
  const checkOut = $("#check-out");
  if (checkOut) checkOut.addEventListener("click", async () => {
    const data = { checkedOutAt: new Date().toISOString() };
    if (!(await saveLocally(() => queueWrite({ entity: "visit", op: "update", entityId: open.id,
      baseVersion: open.version, data }, "visits", { ...open, ...data })))) return;
    ctx.say(`Checked out of ${c.name}.`);
    done();
  });
  const photo = $("#photo");
  if (photo) photo.addEventListener("change", async () => {
    const file = photo.files[0];
    if (!file) return;
    let small;
    try { small = await compress(file); } catch (exc) { ctx.say(exc.message, "error"); return; }
    const photoId = crypto.randomUUID();
    const capturedAt = new Date().toISOString();
    const ok = await saveLocally(async () => {
      await put("uploads", { photoId, visitId: open.id, blob: small.blob, capturedAt });
      await put("photos", { id: photoId, visitId: open.id, capturedAt, status: "PENDING", _pending: true });
      return true;
    });
    if (ok) ctx.say(`Photo kept (${small.width}×${small.height}); it uploads after the visit is sent.`);
    done();
  });
  $("#edit").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = new FormData(ev.target);
    const data = {};
    for (const f of ["phone", "notes"]) {
      const v = form.get(f).trim() || null;
      if (v !== (c[f] ?? null)) data[f] = v;
    }
    if (!Object.keys(data).length) return;
    if (!(await saveLocally(() => queueWrite({ entity: "contact", op: "update", entityId: id,
      baseVersion: c.version, data }, "contacts", { ...c, ...data })))) return;
    ctx.say(`Saved ${c.name}.`);
    done();
  });
}

function done() { ctx.rerender(); syncNow(); }

// ---- orders and payments ----------------------------------------------------------------

export async function orderForm(main, contactId) {
  const c = await get("contacts", contactId);
  const products = (await all("products")).filter((p) => p.active).sort((a, b) => a.name.localeCompare(b.name));
  const byId = new Map(products.map((p) => [p.id, p]));
  const currency = ctx.company ? ctx.company.currency : "INR";
  main.innerHTML = `<h2>Order for ${h(c ? c.name : "?")}</h2>
    <form id="order"><table class="catalogue"><tr><th>Product</th><th>Price</th><th>Tax</th><th>Qty</th></tr>
    ${products.map((p) => `<tr><td>${h(p.name)} <small>${h(p.sku)}</small></td><td>${format(p.unitPrice, currency)}</td>
      <td>${p.taxRateBp / 100}%</td><td><input type="number" min="0" max="100000" step="1" value="0" name="${p.id}" aria-label="Quantity of ${h(p.name)}"></td></tr>`).join("")}
    </table><p>Subtotal <b id="subtotal">–</b> · Tax <b id="tax">–</b> · Total <b id="total">–</b></p>
    <button id="place">Place order</button></form>`;
  const form = $("#order");
  const lines = () => [...form.querySelectorAll("input[type=number]")]
    .map((i) => ({ productId: i.name, quantity: Math.trunc(Number(i.value)) })).filter((l) => l.quantity > 0);
  const refresh = () => {
    const priced = priceLines(lines(), byId);
    $("#subtotal").textContent = format(priced.subtotal, currency);
    $("#tax").textContent = format(priced.tax, currency);
    $("#total").textContent = format(priced.total, currency);
  };
  form.addEventListener("input", refresh);
  refresh();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const chosen = lines();
    if (!chosen.length) { ctx.say("Choose at least one product.", "error"); return; }
    const priced = priceLines(chosen, byId);
    const id = crypto.randomUUID();
    const data = { contactId, items: chosen, total: priced.total };
    const row = { id, number: null, contactId, userId: ctx.me.id, status: "PENDING", currency,
      ...priced, amountPaid: 0, balanceDue: priced.total, version: null, createdAt: new Date().toISOString() };
    if (!(await saveLocally(() => queueWrite({ entity: "order", op: "create", entityId: id, data }, "orders", row)))) return;
    ctx.say(`Order taken: ${format(priced.total, currency)}.`);
    location.hash = "#/orders";
    syncNow();
  });
}

export async function orders(main) {
  const contactsById = new Map((await all("contacts")).map((c) => [c.id, c]));
  const rows = (await all("orders")).filter((o) => ctx.me.role !== "SALES_REP" || o.userId === ctx.me.id)
    .sort((a, b) => (b.createdAt || "").localeCompare(a.createdAt || ""));
  main.innerHTML = `<h2>Orders</h2><ul class="list" id="orders">${rows.map((o) => `<li data-order="${o.id}">
    <b>${h(o.number || "New order")}</b> · ${h((contactsById.get(o.contactId) || {}).name || "")} · ${format(o.total, o.currency)}
    · <span class="status">${STATUS[o.status] || h(o.status)}</span>${o.rejectionReason ? `: ${h(o.rejectionReason)}` : ""}${pendingTag(o)}
    <br><small>Paid ${format(o.amountPaid, o.currency)}, due ${format(o.balanceDue, o.currency)}</small>
    ${o.balanceDue > 0 && o.userId === ctx.me.id && !["REJECTED", "CANCELLED"].includes(o.status) ? ` <a class="button" href="#/pay/${o.id}">Record payment</a>` : ""}
    </li>`).join("") || "<li>No orders yet.</li>"}</ul>`;
}

export async function payForm(main, orderId) {
  const o = await get("orders", orderId);
  if (!o) { main.innerHTML = "<p>This order is not on this device.</p>"; return; }
  main.innerHTML = `<h2>Payment for ${h(o.number || "the new order")}</h2>
    <form id="pay"><label>Amount (${h(o.currency)}) <input name="amount" type="number" min="0.01" step="0.01" max="${o.balanceDue / 100}" value="${(o.balanceDue / 100).toFixed(2)}"></label>
    <label>Method <select name="method">${["CASH", "UPI", "CHEQUE", "BANK_TRANSFER", "CARD"].map((m) => `<option>${m}</option>`).join("")}</select></label>
    <button>Record payment</button></form>`;
  $("#pay").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = new FormData(ev.target);
    const amount = Math.round(Number(form.get("amount")) * 100);
    if (!(amount > 0) || amount > o.balanceDue) { ctx.say(`Enter an amount up to ${format(o.balanceDue, o.currency)}.`, "error"); return; }
    const id = crypto.randomUUID();
    const data = { orderId, amount, method: form.get("method") };
    const row = { id, ...data, userId: ctx.me.id, receivedAt: new Date().toISOString(), version: null };
    const ok = await saveLocally(async () => {
      await queueWrite({ entity: "payment", op: "create", entityId: id, data }, "payments", row);
      await put("orders", { ...o, amountPaid: o.amountPaid + amount, balanceDue: o.balanceDue - amount });
      return true;
    });
    if (!ok) return;
    ctx.say(`Payment of ${format(amount, o.currency)} recorded.`);
    location.hash = "#/orders";
    syncNow();
  });
}

// ---- today, approvals, notices ----------------------------------------------------------

export async function today(main) {
  try {
    const { data } = await call("/plans/today");
    await kvSet("today", data);
  } catch (exc) {
    if (!(exc instanceof Offline) && !(exc instanceof ApiError)) throw exc;
  }
  const plan = await kvGet("today");
  if (!plan || !plan.stops.length) { main.innerHTML = "<h2>Today</h2><p>Nothing planned for today.</p>"; return; }
  const last = plan.stops.length - 1;
  main.innerHTML = `<h2>Today · ${h(plan.day)}</h2><p>${plan.visited} of ${plan.planned} visited, ${plan.productive} with an order.</p>
    <ol class="list" id="stops">${plan.stops.map((s, i) => `<li data-stop="${s.contact.id}"><a href="#/contact/${s.contact.id}">${h(s.contact.name)}</a>
      <small>${h(s.contact.city || "")} · ${h(s.status.toLowerCase())}</small>
      <span class="move"><button data-move="${i}" data-by="-1" aria-label="Earlier" ${i ? "" : "disabled"}>↑</button>
      <button data-move="${i}" data-by="1" aria-label="Later" ${i < last ? "" : "disabled"}>↓</button></span></li>`).join("")}</ol>`;
  // The rep's own order of today's stops: PUT /plans/today/order with every planned contact.
  main.querySelectorAll("[data-move]").forEach((b) => b.addEventListener("click", async () => {
    const ids = plan.stops.map((s) => s.contact.id);
    const i = Number(b.dataset.move);
    const j = i + Number(b.dataset.by);
    [ids[i], ids[j]] = [ids[j], ids[i]];
    try {
      const { data } = await call("/plans/today/order", { method: "PUT", body: { contactIds: ids } });
      await kvSet("today", data);
      ctx.say(`Route changed: ${data.stops[j] ? data.stops[j].contact.name : "the stop"} is now stop ${j + 1}.`);
    } catch (exc) {
      ctx.say(exc instanceof Offline ? "Changing the route needs a connection." : exc.plain || exc.message, "error");
    }
    ctx.rerender();
  }));
}

export async function approvals(main) {
  const users = new Map((await all("users")).map((u) => [u.id, u]));
  const contactsById = new Map((await all("contacts")).map((c) => [c.id, c]));
  const rows = (await all("orders")).filter((o) => o.status === "PENDING" && o.userId !== ctx.me.id);
  main.innerHTML = `<h2>Orders to approve</h2><ul class="list" id="approvals">${rows.map((o) => `<li data-order="${o.id}">
    <b>${h(o.number)}</b> · ${h((users.get(o.userId) || {}).name || "")} · ${h((contactsById.get(o.contactId) || {}).name || "")}
    · ${format(o.total, o.currency)}<br>
    <button data-approve="${o.id}">Approve</button>
    <input data-reason="${o.id}" placeholder="Reason to reject"> <button data-reject="${o.id}">Reject</button></li>`).join("")
    || "<li>Nothing waiting.</li>"}</ul>`;
  const decide = async (id, body) => {
    try {
      const { data } = await call(`/orders/${id}`, { method: "PATCH", body,
        headers: { "Idempotency-Key": crypto.randomUUID() } });
      await put("orders", data);
      ctx.say(`${data.number} ${data.status === "APPROVED" ? "approved" : "rejected"}.`);
    } catch (exc) {
      ctx.say(exc instanceof Offline ? "Approvals need a connection." : exc.message, "error");
    }
    ctx.rerender();
  };
  main.querySelectorAll("[data-approve]").forEach((b) => b.addEventListener("click", () => decide(b.dataset.approve, { status: "APPROVED" })));
  main.querySelectorAll("[data-reject]").forEach((b) => b.addEventListener("click", () => {
    const reason = main.querySelector(`[data-reason="${b.dataset.reject}"]`).value.trim();
    if (!reason) { ctx.say("Say why it is rejected.", "error"); return; }
    decide(b.dataset.reject, { status: "REJECTED", reason });
  }));
}

export async function notices(main) {
  const rows = (await all("notices")).reverse();
  main.innerHTML = `<h2>What happened</h2><ul class="list" id="notices">${rows.map((n) =>
    `<li class="${h(n.kind)}">${h(n.text)} <button data-dismiss="${n.key}" aria-label="Dismiss">✕</button></li>`).join("")
    || "<li>Nothing to report.</li>"}</ul>`;
  main.querySelectorAll("[data-dismiss]").forEach((b) => b.addEventListener("click", async () => {
    await del("notices", Number(b.dataset.dismiss)); ctx.rerender();
  }));
}

export async function waiting() { return (await count("queue")) + (await count("uploads")); }
