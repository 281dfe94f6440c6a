// Boot: the service worker, the session, the router, the banner and the sync triggers
// (app start, the network coming back, a timer, and every write).
import { Offline, SKEW_NOTICE_MS, SessionEnded, clock, login, logout, me, session } from "./api.js";
import { count, kvGet, kvSet, wipe } from "./db.js";
import { state, syncNow, syncWhenDue } from "./sync.js";
import * as account from "./account.js";
import * as views from "./views.js";

const SYNC_EVERY_MS = 30_000;
const $ = (sel) => document.querySelector(sel);
const main = () => $("#main");

if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js", { scope: "./" });

function say(text, kind = "info") {
  const box = $("#message");
  box.textContent = text;
  box.className = kind;
}

function typing() {
  const el = document.activeElement;
  return main().contains(el) && el.matches("input:not([type=file]), textarea, select");
}

async function banner() {
  const n = await views.waiting();
  const online = navigator.onLine && !(state.lastError === "No connection.");
  const b = $("#banner");
  b.className = state.sessionEnded ? "signin" : online ? "online" : "offline";
  b.querySelector("#net").textContent = state.sessionEnded ? "Signed out" : online ? "Online" : "Offline";
  b.querySelector("#waiting").textContent = n ? `${n} change${n === 1 ? "" : "s"} waiting` : "All changes sent";
  b.querySelector("#retry").textContent = state.lastError && !state.sessionEnded
    ? `${state.lastError}${state.retryAt ? ` Retrying at ${new Date(state.retryAt).toLocaleTimeString()}.` : ""}` : "";
  const skew = Math.round(Math.abs(clock.skewMs) / 60_000);
  b.querySelector("#clock").textContent = Math.abs(clock.skewMs) > SKEW_NOTICE_MS
    ? `This phone's clock is ${skew >= 120 ? `${Math.round(skew / 60)} hours` : `${skew} minutes`} ${clock.skewMs > 0 ? "behind" : "ahead of"} the server's. ` +
      "Set it to automatic time: check-ins and orders are stamped with it." : "";
  const notices = await count("notices");
  $("#notices-link").textContent = notices ? `Notices (${notices})` : "Notices";
}

async function route() {
  const [name, id] = location.hash.replace(/^#\/?/, "").split("/");
  if (name === "forgot" || name === "reset-password") {
    $("#app").hidden = true; $("#login").hidden = true; $("#account").hidden = false;
    if (name === "forgot") account.forgot($("#account"));
    else account.resetPassword($("#account"), (why) => showLogin(why));
    return;
  }
  $("#account").hidden = true;
  const me = views.ctx.me;
  if (!me || state.sessionEnded) return showLogin();
  $("#app").hidden = false; $("#login").hidden = true;
  $("#approvals-link").hidden = me.role === "SALES_REP";
  const m = main();
  if (name === "contact") await views.contact(m, id);
  else if (name === "order") await views.orderForm(m, id);
  else if (name === "orders") await views.orders(m);
  else if (name === "pay") await views.payForm(m, id);
  else if (name === "today") await views.today(m);
  else if (name === "approvals") await views.approvals(m);
  else if (name === "notices") await views.notices(m);
  else if (name === "day") await account.day(m, views.ctx, views.position);
  else if (name === "expenses") await account.expenses(m, views.ctx);
  else await views.contacts(m);
  await banner();
}

async function showLogin(why = "") {
  $("#app").hidden = true; $("#account").hidden = true; $("#login").hidden = false;
  const n = await views.waiting();
  $("#login-why").textContent = why || (state.sessionEnded
    ? `Your session has ended. Sign in again${n ? `: your ${n} unsent change${n === 1 ? " is" : "s are"} kept and will be sent` : ""}.` : "");
}

async function signIn(ev) {
  ev.preventDefault();
  const form = new FormData(ev.target);
  let who;
  try {
    who = await login(form.get("email").trim(), form.get("password"));
  } catch (exc) {
    $("#login-why").textContent = exc.code === "INVALID_CREDENTIALS" ? "Wrong email or password."
      : exc instanceof Offline ? "No connection: signing in needs the network." : exc.message;
    return;
  }
  const last = await kvGet("me");
  if (last && last.user.id !== who.user.id) {
    const n = await views.waiting();
    if (n) {
      // The queue is the other person's work, pushed under their clientId: never discard it silently.
      await logout();
      $("#login-why").textContent = `This phone holds ${n} unsent change${n === 1 ? "" : "s"} of ${last.user.name}. Sign in as them to send ${n === 1 ? "it" : "them"} first.`;
      return;
    }
    await wipe();
  }
  await kvSet("me", who);
  Object.assign(views.ctx, { me: who.user, company: who.company });
  state.sessionEnded = false;
  ev.target.reset();
  say(`Signed in as ${who.user.name}.`);
  await route();
  syncNow();
}

async function start() {
  Object.assign(views.ctx, { say, rerender: route });
  state.listeners.add((rows) => {
    if (state.sessionEnded) showLogin();
    // Never redraw under the rep's fingers: a form being typed in keeps its text.
    else if (rows && !typing()) route();
    else banner();
  });
  $("#login-form").addEventListener("submit", signIn);
  $("#sync-now").addEventListener("click", () => { state.failures = 0; syncNow(); });
  $("#sign-out").addEventListener("click", async () => {
    const n = await views.waiting();
    if (n && !confirm(`${n} changes are not sent yet. They stay on this phone. Sign out?`)) return;
    await logout(); state.sessionEnded = true; showLogin("Signed out.");
  });
  window.addEventListener("hashchange", route);
  window.addEventListener("online", () => { banner(); syncWhenDue({ backoff: false }); });
  window.addEventListener("offline", banner);
  const known = await kvGet("me");
  if (/^#\/?(forgot|reset-password)/.test(location.hash)) {
    if (known) Object.assign(views.ctx, { me: known.user, company: known.company });
    await route();
  } else if (known && (await session())) {
    Object.assign(views.ctx, { me: known.user, company: known.company });
    await route();
    syncNow();
    me().then((fresh) => kvSet("me", fresh)).catch((exc) => { if (exc instanceof SessionEnded) showLogin(); });
  } else {
    state.sessionEnded = Boolean(known);
    if (known) Object.assign(views.ctx, { me: known.user, company: known.company });
    await showLogin();
  }
  // Not before a 429's Retry-After (or a backoff) is up: the timer in sync.js retries then.
  setInterval(() => { if (navigator.onLine) syncWhenDue(); }, SYNC_EVERY_MS);
}

start();
