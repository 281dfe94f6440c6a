"""A rep's morning in the PWA, offline, and their manager's side of it, in real browsers.

The rep signs in, loses the network, checks in at two outlets (mocked geolocation),
attaches a photo, edits a contact, takes an order and records a payment; reloads the app
offline (the shell and the queue survive); gets the network back; the queue drains, and
the server holds exactly those rows once each. Meanwhile the manager edits the same
contact and approves the order once it arrives; the rep's app shows both.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from .conftest import MANAGER, REP, Server, shot

pytestmark = pytest.mark.slow


def test_the_pwa_in_a_real_browser(server: Server, browser: Any) -> None:
    """One test per backend, so that however the tests are spread over workers, each
    backend's server starts once: starting one (migrate, seed the demo) costs more than
    all the scenarios."""
    offline_morning_drains_once_and_the_manager_answers(server, browser)
    failing_server_interrupted_upload_and_revoked_session_lose_nothing(server, browser)
    backlog_of_500_mutations_drains_once(server, browser)
    bad_input_gets_a_clear_message_and_loses_nothing(server, browser)
    password_reset_day_route_and_expense_screens(server, browser)


REP_NOTE = "Rep: call before noon"
MANAGER_NOTE = "Manager: closed on Mondays"


def camera_jpeg() -> bytes:
    """A photo as a phone camera makes it: larger than the app keeps."""
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (180, 120, 60)).save(out, "JPEG", quality=90)
    return out.getvalue()


def sign_in(page: Any, server: Server, email: str) -> None:
    page.goto(server.app)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "fieldedge-demo-2026")
    page.click("text=Sign in")
    page.wait_for_selector("#banner #waiting:has-text('All changes sent')")
    page.wait_for_selector("#contact-list li a")


def waiting(page: Any, text: str) -> None:
    from playwright.sync_api import expect

    # Generous: a drain of 500 mutations is five pushes, a photo upload, and a pull.
    expect(page.locator("#banner")).to_contain_text(text, timeout=60_000)


def drained(page: Any, message: str) -> None:
    """The write behind ``message`` is queued (the message follows it), then sent."""
    page.wait_for_selector(f"#message:has-text('{message}')")
    page.wait_for_function(
        "import('./js/db.js').then(async (db) => (await db.count('queue')) === 0)"
    )


def tax_on(amount: int, rate_bp: int) -> int:
    quotient, remainder = divmod(amount * rate_bp, 10_000)
    return quotient + (1 if 2 * remainder >= 10_000 else 0)


def listed(api: Any, path: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get(path, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def offline_morning_drains_once_and_the_manager_answers(server: Server, browser: Any) -> None:
    started = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    rep_token = server.token(REP)
    with server.api(rep_token) as api:
        places = [c for c in listed(api, "/contacts") if c["latitude"] is not None][:2]
        product = listed(api, "/products")[0]
    first, second = places

    rep = browser.new_context(
        permissions=["geolocation"],
        geolocation={"latitude": first["latitude"], "longitude": first["longitude"], "accuracy": 8},
        viewport={"width": 420, "height": 860},
    )
    page = rep.new_page()
    errors: list[Any] = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(server.app)
    page.wait_for_selector("#login-form")
    shot(page, server, "login")
    sign_in(page, server, REP)
    # The shell is cached once the service worker is active: only then may the network go.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"{server.app}#/today")  # the demo plans a beat on some weekdays only
    page.wait_for_selector("#main h2:has-text('Today')")
    shot(page, server, "today")
    page.goto(f"{server.app}#/contacts")
    page.fill("#search", first["name"][:5])
    page.wait_for_selector(f"#contact-list a:has-text('{first['name']}')")
    shot(page, server, "contacts")

    rep.set_offline(True)
    page.click(f"#contact-list a:has-text('{first['name']}')")
    page.click("#check-in")
    page.wait_for_selector("#message:has-text('Checked in')")
    page.fill("textarea[name=notes]", REP_NOTE)
    page.click("#edit button")
    page.wait_for_selector(f"#contact-notes:has-text('{REP_NOTE}')")
    page.click("#check-out")
    page.wait_for_selector("#message:has-text('Checked out')")

    page.click("text=Take order")
    page.fill(f"input[name='{product['id']}']", "3")
    subtotal = product["unitPrice"] * 3
    total = subtotal + tax_on(subtotal, product["taxRateBp"])
    assert page.inner_text("#total") == f"INR {total / 100:.2f}"
    shot(page, server, "order")
    page.click("#place")
    page.wait_for_selector("#orders li:has-text('not sent yet')")
    page.click("#orders >> text=Record payment")
    page.fill("input[name=amount]", "10.00")
    page.click("#pay button")
    page.wait_for_selector("#message:has-text('Payment of INR 10.00 recorded')")

    rep.set_geolocation({"latitude": second["latitude"], "longitude": second["longitude"],
                         "accuracy": 12})  # fmt: skip
    page.goto(f"{server.app}#/contact/{second['id']}")
    page.click("#check-in")
    page.wait_for_selector("#photo", state="attached")
    page.set_input_files("#photo", files=[
        {"name": "shelf.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}])  # fmt: skip
    page.wait_for_selector("#message:has-text('Photo kept (1600\u00d71200)')")
    # Five visits, edits, orders and payments, a check-out and one photo.
    waiting(page, "Offline · 7 changes waiting")
    shot(page, server, "offline-visit")

    page.reload()  # still offline: the service worker serves the shell, IndexedDB the queue
    waiting(page, "Offline · 7 changes waiting")
    page.goto(f"{server.app}#/orders")
    page.wait_for_selector("#orders li:has-text('not sent yet')")
    shot(page, server, "offline-orders")

    # The manager, online, edits the contact the rep edited offline.
    office = browser.new_context(viewport={"width": 420, "height": 860})
    boss = office.new_page()
    sign_in(boss, server, MANAGER)
    boss.goto(f"{server.app}#/contact/{first['id']}")
    boss.fill("textarea[name=notes]", MANAGER_NOTE)
    boss.click("#edit button")
    drained(boss, "Saved")

    rep.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    waiting(page, "Online · All changes sent")

    with server.api(rep_token) as api:
        mine = [v for v in listed(api, "/visits", userId=_me(api)) if v["createdAt"] >= started]
        assert sorted(v["contactId"] for v in mine) == sorted([first["id"], second["id"]])
        at_first = next(v for v in mine if v["contactId"] == first["id"])
        assert at_first["checkedOutAt"] is not None
        assert at_first["verified"] is True
        at_second = api.get(f"/visits/{next(v['id'] for v in mine if v is not at_first)}")
        assert [p["status"] for p in at_second.json()["data"]["photos"]] == ["READY"]
        orders = [
            o for o in listed(api, "/orders", contactId=first["id"]) if o["createdAt"] >= started
        ]
        assert [(o["total"], o["amountPaid"]) for o in orders] == [(total, 1000)]
        assert [p["amount"] for p in listed(api, "/payments", orderId=orders[0]["id"])] == [1000]
        contact = api.get(f"/contacts/{first['id']}").json()["data"]
        assert contact["notes"] == MANAGER_NOTE
    number = orders[0]["number"]

    boss.click("#sync-now")
    boss.goto(f"{server.app}#/approvals")
    boss.wait_for_selector(f"#approvals li:has-text('{number}')")
    shot(boss, server, "approvals")
    boss.click(f"#approvals li:has-text('{number}') >> text=Approve")
    boss.wait_for_selector(f"#message:has-text('{number} approved')")

    page.click("#sync-now")
    page.goto(f"{server.app}#/orders")
    page.wait_for_selector(f"#orders li:has-text('{number}') .status:has-text('Approved')")
    shot(page, server, "orders-approved")
    page.goto(f"{server.app}#/notices")
    notice = page.inner_text("#notices")
    assert "someone else changed the notes" in notice
    assert f"Kept theirs: “{MANAGER_NOTE}”. Yours was: “{REP_NOTE}”." in notice
    shot(page, server, "conflict")
    office.close()
    rep.close()
    assert errors == []


def _me(api: Any) -> str:
    return str(api.get("/auth/me").json()["data"]["user"]["id"])


def _first_place(server: Server, email: str) -> tuple[str, dict[str, Any]]:
    token = server.token(email)
    with server.api(token) as api:
        return token, next(c for c in listed(api, "/contacts") if c["latitude"] is not None)


def failing_server_interrupted_upload_and_revoked_session_lose_nothing(
    server: Server, browser: Any
) -> None:
    token, place = _first_place(server, "sneha@demo.fieldedge.dev")
    where = {"latitude": place["latitude"], "longitude": place["longitude"], "accuracy": 10}
    context = browser.new_context(permissions=["geolocation"], geolocation=where)
    page = context.new_page()
    sign_in(page, server, "sneha@demo.fieldedge.dev")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    answers = {"push": 0, "upload": 0}

    def push(route: Any) -> None:  # the first push meets a server error
        answers["push"] += 1
        if answers["push"] == 1:
            error = {"success": False, "error": {"code": "INTERNAL_ERROR", "message": "Boom."}}
            route.fulfill(status=500, json=error)
        else:
            route.continue_()

    def upload(route: Any) -> None:  # the first upload is cut off mid-way
        answers["upload"] += 1
        route.abort("connectionreset") if answers["upload"] == 1 else route.continue_()

    context.set_offline(True)
    page.goto(f"{server.app}#/contact/{place['id']}")
    page.click("#check-in")
    page.set_input_files("#photo", files=[
        {"name": "shelf.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}])  # fmt: skip
    waiting(page, "Offline · 2 changes waiting")
    # Routed once the network is back: offline attempts never reach a route.
    context.route("**/api/v1/sync/push", push)
    context.route("**/api/v1/visits/*/photos", upload)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    waiting(page, "The server had a problem (500). Retrying at")  # backed off, queue intact
    waiting(page, "2 changes waiting")
    shot(page, server, "retrying")
    page.click("#sync-now")
    waiting(page, "1 change waiting")  # the visit went; the photo's upload was cut off
    page.click("#sync-now")
    waiting(page, "All changes sent")
    assert answers == {"push": 2, "upload": 2}
    with server.api(token) as api:
        visit = next(
            v for v in listed(api, "/visits", contactId=place["id"]) if not v["checkedOutAt"]
        )
        photos = api.get(f"/visits/{visit['id']}").json()["data"]["photos"]
        assert [p["status"] for p in photos] == ["READY"]

    # The session is revoked (signed out elsewhere) while a check-out waits in the queue.
    context.set_offline(True)
    page.click("#check-out")
    waiting(page, "1 change waiting")
    refresh = page.evaluate(
        "import('./js/db.js').then((db) => db.kvGet('session')).then((s) => s.refresh)"
    )
    with server.api(token) as api:
        assert api.post("/auth/logout", json={"refreshToken": refresh}).status_code == 200
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#login-why:has-text('your 1 unsent change is kept')")
    shot(page, server, "session-ended")
    page.fill("input[name=email]", "sneha@demo.fieldedge.dev")
    page.fill("input[name=password]", "fieldedge-demo-2026")
    page.click("text=Sign in")
    waiting(page, "All changes sent")
    with server.api(token) as api:
        assert api.get(f"/visits/{visit['id']}").json()["data"]["checkedOutAt"] is not None
    context.close()


def backlog_of_500_mutations_drains_once(server: Server, browser: Any) -> None:
    token, place = _first_place(server, "vikram@demo.fieldedge.dev")
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, server, "vikram@demo.fieldedge.dev")
    context.set_offline(True)
    # A week offline: 500 check-ins, queued through the app's own store.
    page.evaluate(
        """async (contactId) => {
          const db = await import('./js/db.js');
          const start = Date.now() - 500 * 60000;
          for (let i = 0; i < 500; i++) {
            const id = crypto.randomUUID();
            const data = {contactId, latitude: 18.52, longitude: 73.85, accuracyM: 9,
              checkedInAt: new Date(start + i * 60000).toISOString()};
            await db.queueWrite({entity: 'visit', op: 'create', entityId: id, data}, 'visits',
              {id, ...data, checkedOutAt: null, version: null});
          }
        }""",
        place["id"],
    )
    page.reload()
    waiting(page, "Offline · 500 changes waiting")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    waiting(page, "All changes sent")
    with server.api(token) as api:
        seen: list[dict[str, Any]] = []
        cursor = None
        while True:
            params = {"contactId": place["id"], **({"cursor": cursor} if cursor else {})}
            response = api.get("/visits", params={"limit": 100, **params}).json()
            seen += response["data"]
            cursor = response["pagination"]["nextCursor"]
            if not cursor:
                break
    mine = [v for v in seen if v["accuracyM"] == 9 and v["latitude"] == 18.52]
    assert len(mine) == len({v["id"] for v in mine}) == 500
    context.close()


QUEUED = "import('./js/db.js').then((db) => db.count('queue'))"


def bad_input_gets_a_clear_message_and_loses_nothing(server: Server, browser: Any) -> None:
    """A phone three hours slow, whose token expires offline, whose storage fills, that
    picks a file that is not a photo; then a server that answers 429, hangs, and refuses
    the photo with 415. Each gets words on screen; the visit arrives once."""
    email = "ananya@demo.fieldedge.dev"
    token, place = _first_place(server, email)
    where = {"latitude": place["latitude"], "longitude": place["longitude"], "accuracy": 10}
    context = browser.new_context(permissions=["geolocation"], geolocation=where,
                                  viewport={"width": 420, "height": 860})  # fmt: skip
    # The page's clock (Date, timers) is the fake one: three hours slow, and movable.
    context.clock.install(time=datetime.now(UTC) - timedelta(hours=3))
    page = context.new_page()
    sign_in(page, server, email)
    waiting(page, "This phone's clock is 3 hours behind the server's.")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    shot(page, server, "clock-wrong")

    context.set_offline(True)
    page.goto(f"{server.app}#/contact/{place['id']}")
    page.click("#check-in")
    page.wait_for_selector("#message:has-text('Checked in')")
    # Not a photo: refused on the phone, before anything is stored or sent.
    page.set_input_files("#photo", files=[
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a picture"}])  # fmt: skip
    page.wait_for_selector("#message:has-text('“notes.txt” is not a photo')")
    # The device's storage is full: the check-out is refused in words, the queue kept.
    page.evaluate("""() => {
      const put = IDBObjectStore.prototype.put;
      window.restorePut = () => { IDBObjectStore.prototype.put = put; };
      IDBObjectStore.prototype.put = function (...args) {
        const full = new DOMException("The quota has been exceeded.", "QuotaExceededError");
        if (this.name === "queue") throw full;
        return put.apply(this, args);
      };
    }""")
    page.click("#check-out")
    page.wait_for_selector("#message:has-text('This phone has no room left')")
    assert page.evaluate(QUEUED) == 1
    shot(page, server, "storage-full")
    page.evaluate("window.restorePut()")
    page.wait_for_selector("#check-out")  # the visit is still open on the phone
    page.set_input_files("#photo", files=[
        {"name": "shelf.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}])  # fmt: skip
    waiting(page, "Offline · 2 changes waiting")
    # The access token expires while the phone is offline.
    context.clock.fast_forward("16:00")

    seen: list[str] = []  # in the order the browser sent them

    def refresh(route: Any) -> None:
        seen.append("refresh")
        route.continue_()

    pushes: list[Any] = []

    def push(route: Any) -> None:  # busy for two minutes, then hangs, then answers
        pushes.append(route)
        seen.append("push")
        if len(pushes) == 1:
            busy = {"success": False, "error": {"code": "RATE_LIMITED", "message": "Slow down."}}
            route.fulfill(status=429, json=busy, headers={"Retry-After": "120"})
        elif len(pushes) > 2:
            route.continue_()  # the second is left hanging: the app gives up on it

    def upload(route: Any) -> None:
        refused = {"success": False, "error": {"code": "UNSUPPORTED_MEDIA_TYPE",
                                               "message": "Unsupported media type."}}  # fmt: skip
        route.fulfill(status=415, json=refused)

    context.route("**/api/v1/auth/refresh", refresh)
    context.route("**/api/v1/sync/push", push)
    context.route("**/api/v1/visits/*/photos", upload)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    waiting(page, "The server is busy. Retrying at")
    wait_s = page.evaluate("import('./js/sync.js').then((s) => s.state.retryAt - Date.now())")
    assert 110_000 < wait_s <= 120_000  # Retry-After, not the (at most 60 s) backoff
    shot(page, server, "busy")
    context.clock.fast_forward("01:30")  # the 30 s sync timer fires, and waits too
    assert page.evaluate("import('./js/sync.js').then((s) => s.state.running === null)")
    with page.expect_request("**/api/v1/sync/push"):
        context.clock.fast_forward("00:31")
    context.clock.fast_forward("00:31")  # it hangs: the app gives up after 30 s
    waiting(page, "The server did not answer in time. Retrying at")
    assert len(pushes) >= 2  # the page's clock runs on: a retry may already have gone
    waiting(page, "2 changes waiting")
    context.clock.fast_forward("00:05")
    waiting(page, "All changes sent")
    # The token that expired offline was refreshed once back (before the first push; again
    # if a retry raced the network's return and its refresh failed), then pushed.
    assert "refresh" in seen, seen
    assert seen[-1] == "push", seen
    page.goto(f"{server.app}#/notices")
    assert "does not accept that kind of file" in page.inner_text("#notices")
    with server.api(token) as api:
        mine = [v for v in listed(api, "/visits", contactId=place["id"], userId=_me(api))
                if not v["checkedOutAt"]]  # fmt: skip
        assert len(mine) == 1
        # The phone's time, judged against the clientTime sent with it: not flagged.
        checked_in = datetime.fromisoformat(mine[0]["checkedInAt"].replace("Z", "+00:00"))
        assert checked_in < datetime.now(UTC) - timedelta(hours=2)
        assert "CLOCK_SKEW" not in mine[0]["flags"]
        assert api.get(f"/visits/{mine[0]['id']}").json()["data"]["photos"] == []
    context.close()


def password_reset_day_route_and_expense_screens(server: Server, browser: Any) -> None:
    """A rep who forgot their password gets a new one through the emailed link, punches
    in, reorders today's route, claims an expense and punches out: all in the app."""
    email = "karan@demo.fieldedge.dev"
    token, place = _first_place(server, email)
    where = {"latitude": place["latitude"], "longitude": place["longitude"], "accuracy": 9}
    context = browser.new_context(permissions=["geolocation"], geolocation=where,
                                  viewport={"width": 420, "height": 860})  # fmt: skip
    page = context.new_page()
    page.goto(server.app)
    page.click("text=Forgot your password?")
    page.fill("#reset-request input[name=email]", email)
    page.click("text=Email me a link")
    page.wait_for_selector("#account-why:has-text('is on its way')")
    shot(page, server, "forgot-password")
    page.goto(server.mailed_link(email, "/reset-password"))  # 303 into the app's router
    page.fill("#reset-confirm input[name=password]", "karan-new-secret-2026")
    page.fill("#reset-confirm input[name=again]", "karan-new-secret-2026")
    shot(page, server, "reset-password")
    page.click("text=Set password")
    page.wait_for_selector("#login-why:has-text('Password changed')")
    page.fill("#login-form input[name=email]", email)
    page.fill("#login-form input[name=password]", "karan-new-secret-2026")
    page.click("text=Sign in")
    page.wait_for_selector("#banner #waiting:has-text('All changes sent')")
    token = _token(server, email, "karan-new-secret-2026")

    page.goto(f"{server.app}#/day")
    page.click("#punch-in")
    page.wait_for_selector("#day-status:has-text('In since')")
    shot(page, server, "day")

    with server.api(token) as api:
        before = [s["contact"]["id"] for s in api.get("/plans/today").json()["data"]["stops"]]
    if len(before) >= 2:  # the demo plans no beat on Sundays
        page.goto(f"{server.app}#/today")
        page.click(f"[data-stop='{before[0]}'] >> [aria-label=Later]")
        page.wait_for_selector("#message:has-text('is now stop 2')")
        page.wait_for_selector(f"#stops li:first-child[data-stop='{before[1]}']")
        shot(page, server, "route-order")
        with server.api(token) as api:
            after = [s["contact"]["id"] for s in api.get("/plans/today").json()["data"]["stops"]]
        assert after == [before[1], before[0], *before[2:]]

    page.goto(f"{server.app}#/expenses")
    page.fill("#claim input[name=title]", "Client lunch")
    page.select_option("#claim select[name=category]", "FOOD")
    page.fill("#claim input[name=amount]", "250.50")
    page.fill("#claim input[name=note]", "Dr. Rao, new catalogue")
    page.click("text=Create claim")
    page.wait_for_selector("#message:has-text('Claim “Client lunch” created: INR 250.50')")
    page.wait_for_selector("#claims li:has-text('Client lunch')")
    shot(page, server, "expense")

    page.goto(f"{server.app}#/day")
    page.click("#punch-out")
    page.wait_for_selector("#day-status:has-text('Out at')")
    with server.api(token) as api:
        claims = [c for c in listed(api, "/expenses") if c["title"] == "Client lunch"]
        assert [[(ln["category"], ln["amount"]) for ln in c["lines"]] for c in claims] == [
            [("FOOD", 25050)]
        ]
        days = [d for d in listed(api, "/attendance", userId=_me(api)) if d["inAccuracyM"] == 9]
        assert len(days) == 1
        assert days[0]["punchedOutAt"] is not None
    context.close()


def _token(server: Server, email: str, password: str) -> str:
    with server.api() as api:
        response = api.post("/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["data"]["accessToken"])
