// The app shell, kept for offline starts. VERSION is a digest of the shell's files
// (tests/pwa/test_shell.py checks it), so every release installs a new cache and drops
// the old one. API calls are never cached: the app reads its IndexedDB replica instead.
const VERSION = "shell-dd9d60d117ae";
const SHELL = [
  "./", "index.html", "style.css", "config.js", "manifest.webmanifest",
  "js/account.js", "js/api.js", "js/app.js", "js/db.js", "js/money.js", "js/photos.js", "js/sync.js",
  "js/views.js", "js/words.js", "vendor/idb.js",
  "icons/icon-192.png", "icons/icon-512.png", "icons/maskable-512.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || !url.href.startsWith(self.registration.scope)) return;
  // A link from an email (/app/orders/{id}, /app/reset-password?token=…) goes to the app's
  // own router, as the server's 303 does; any other navigation opens the cached shell.
  const rest = url.pathname.slice(new URL(self.registration.scope).pathname.length);
  if (request.mode === "navigate" && rest && rest !== "index.html") {
    event.respondWith(Response.redirect(`${self.registration.scope}${url.search}#/${rest}`, 303));
    return;
  }
  const key = request.mode === "navigate" ? "index.html" : request;
  event.respondWith(caches.open(VERSION).then(async (cache) => {
    // ignoreVary: the API adds "Vary: Origin", and a module script asks with an Origin.
    const hit = await cache.match(key, { ignoreVary: true, ignoreSearch: request.mode === "navigate" });
    return hit || fetch(request);
  }));
});
