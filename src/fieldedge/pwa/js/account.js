// The screens that need the network: a forgotten password (before signing in), the
// working day (punch in and out), and expense claims. Each says so when it is offline.
import { ApiError, Offline, anonymous, call } from "./api.js";
import { format } from "./money.js";

const h = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const $ = (sel) => document.querySelector(sel);
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "");

function why(exc, doing) {
  if (exc instanceof Offline) return `${doing} needs a connection. Try again when you are online.`;
  if (exc instanceof ApiError) {
    const details = Object.values(exc.details || {}).flat().join(" ");
    return `${exc.plain}${details ? ` ${details}` : ""}`;
  }
  throw exc;
}

// ---- a forgotten password ---------------------------------------------------------------

export function forgot(box, say) {
  box.innerHTML = `<h1>Forgot your password?</h1>
    <form id="reset-request"><label>Email <input name="email" type="email" autocomplete="username" required></label>
    <button>Email me a link</button></form><p id="account-why" role="alert"></p>
    <p><a href="#/">Back to sign in</a></p>`;
  $("#reset-request").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const email = new FormData(ev.target).get("email").trim();
    try {
      await anonymous("/auth/password-reset/request", { method: "POST", body: { email } });
      $("#account-why").textContent = `If ${email} has an account, a link to choose a new password is on its way. It works once, for an hour.`;
    } catch (exc) { $("#account-why").textContent = why(exc, "Asking for a link"); }
  });
}

// APP_BASE_URL/reset-password?token=… arrives here as /app/?token=…#/reset-password.
export function resetPassword(box, signIn) {
  const token = new URLSearchParams(location.search).get("token") || "";
  box.innerHTML = `<h1>Choose a new password</h1>
    <form id="reset-confirm"><label>New password <input name="password" type="password" autocomplete="new-password" minlength="10" maxlength="128" required></label>
    <label>Again <input name="again" type="password" autocomplete="new-password" required></label>
    <button>Set password</button></form><p id="account-why" role="alert"></p>`;
  if (!token) $("#account-why").textContent = "This link has no token: open the link from the email again.";
  $("#reset-confirm").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = new FormData(ev.target);
    if (form.get("password") !== form.get("again")) { $("#account-why").textContent = "The two passwords differ."; return; }
    try {
      await anonymous("/auth/password-reset/confirm", { method: "POST", body: { token, newPassword: form.get("password") } });
    } catch (exc) {
      $("#account-why").textContent = exc instanceof ApiError && exc.status < 500 && !exc.details.newPassword
        ? "This link has expired or was already used. Ask for a new one." : why(exc, "Setting a password");
      return;
    }
    history.replaceState(null, "", location.pathname);
    signIn("Password changed. Sign in with the new one.");
  });
}

// ---- the working day --------------------------------------------------------------------

export async function day(main, ctx, position) {
  let mine = null;
  try {
    const { data } = await call("/attendance/today");
    mine = data.find((row) => row.user.id === ctx.me.id) || null;
  } catch (exc) { main.innerHTML = `<h2>My day</h2><p>${h(why(exc, "Seeing your day"))}</p>`; return; }
  const a = mine && mine.attendance;
  const status = mine ? mine.status : "ABSENT";
  const line = status === "IN" ? `In since ${time(a.punchedInAt)} (±${Math.round(a.inAccuracyM)} m).`
    : status === "OUT" ? `Out at ${time(a.punchedOutAt)}: ${a.workedMinutes} min worked, ${a.visitCount} visit${a.visitCount === 1 ? "" : "s"}, ${((a.distanceM || 0) / 1000).toFixed(1)} km.`
      : "Not punched in yet.";
  main.innerHTML = `<h2>My day</h2><p id="day-status">${h(line)}</p>
    ${status === "ABSENT" ? '<button id="punch-in">Punch in</button>' : status === "IN" ? '<button id="punch-out">Punch out</button>' : ""}`;
  const punch = async (button, path, doing) => {
    button.disabled = true;
    let coords;
    try { coords = await position(); } catch (exc) { ctx.say(exc.message, "error"); button.disabled = false; return; }
    try {
      // No time sent: the server stamps the punch with its own clock.
      await call(path, { method: "POST", body: { latitude: coords.latitude, longitude: coords.longitude,
        accuracyM: Math.round(coords.accuracy * 10) / 10 } });
      ctx.say(`${doing} done (±${Math.round(coords.accuracy)} m).`);
    } catch (exc) { ctx.say(why(exc, doing), "error"); }
    ctx.rerender();
  };
  const pin = $("#punch-in");
  if (pin) pin.addEventListener("click", () => punch(pin, "/attendance/punch-in", "Punching in"));
  const pout = $("#punch-out");
  if (pout) pout.addEventListener("click", () => punch(pout, "/attendance/punch-out", "Punching out"));
}

// ---- expense claims ---------------------------------------------------------------------

const CATEGORIES = { TRAVEL: "Travel", FOOD: "Food", LODGING: "Lodging", OTHER: "Other" };

export async function expenses(main, ctx) {
  const currency = ctx.company ? ctx.company.currency : "INR";
  let claims = [];
  let away = "";
  try {
    claims = (await call("/expenses?limit=100")).data
      .sort((a, b) => (b.createdAt || "").localeCompare(a.createdAt || "")).slice(0, 20);
  } catch (exc) { away = why(exc, "Seeing your claims"); }
  const today = new Date().toLocaleDateString("en-CA"); // YYYY-MM-DD, the phone's day
  main.innerHTML = `<h2>Expenses</h2>
    <form id="claim"><label>Title <input name="title" maxlength="200" required></label>
      <label>Category <select name="category">${Object.entries(CATEGORIES).map(([k, v]) => `<option value="${k}">${v}</option>`).join("")}</select></label>
      <label>Date <input name="date" type="date" value="${today}" required></label>
      <label>Amount (${h(currency)}) <input name="amount" type="number" min="0.01" step="0.01" required></label>
      <label>Note <input name="note" maxlength="500"></label>
      <button>Create claim</button></form>
    <h3>My claims</h3><ul class="list" id="claims">${claims.map((c) => `<li><b>${h(c.title || "Claim")}</b>
      · ${format(c.total, c.currency || currency)} · ${h(c.status)}<br><small>${c.lines.map((l) => `${CATEGORIES[l.category] || h(l.category)} ${h(l.date)} ${format(l.amount, c.currency || currency)}`).join("; ")}</small></li>`).join("")
      || `<li>${h(away || "No claims yet.")}</li>`}</ul>`;
  $("#claim").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = new FormData(ev.target);
    const line = { category: form.get("category"), date: form.get("date"),
      amount: Math.round(Number(form.get("amount")) * 100) };
    if (form.get("note").trim()) line.note = form.get("note").trim();
    try {
      const { data } = await call("/expenses", { method: "POST",
        body: { id: crypto.randomUUID(), title: form.get("title").trim(), lines: [line] } });
      ctx.say(`Claim “${data.title}” created: ${format(data.total, data.currency || currency)}, a draft.`);
    } catch (exc) { ctx.say(why(exc, "Creating a claim"), "error"); return; }
    ctx.rerender();
  });
}
