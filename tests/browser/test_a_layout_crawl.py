# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every page in every demo persona's menus, on a phone (360×740) and a desktop (1366×900):
no sideways scroll, no console error, no serious or critical axe-core violation, and the
menu, Settings, notifications and Log out reachable and operable by keyboard. Finnish
(long compounds) is crawled on the phone too. Screenshots land in test-artifacts/layout/.

The Wagtail admin (/admin/) is left out: it is Wagtail's own interface. Named to run after
the browser tests that need the migrations' data; it restores that data itself
(serialized_rollback) and loads the demo."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from portal.accounts.models import User
from portal.demo.management.commands.seed_demo import DEMO_USERS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
PASSES = [("en", "phone", PHONE), ("en", "desktop", DESKTOP), ("fi", "phone", PHONE)]
SKIP_PREFIXES = ("/admin/",)

OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .filter(e => e.parentElement.getBoundingClientRect().right <= width + 1)
    .slice(0, 5)
    .map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 40));
}"""

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const box = e.getBoundingClientRect();
  return {tag: e.tagName, cls: e.className, href: e.getAttribute('href'), type: e.type || '',
          text: (e.innerText || e.getAttribute('aria-label') || '').trim(),
          checked: !!e.checked, width: box.width, height: box.height,
          outline: getComputedStyle(e).outlineStyle};
}"""


def _log_in(context, live_server, user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def _menu_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        ".site-header a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    links = [urlsplit(h).path for h in hrefs if h.startswith("/")]
    return [h for h in dict.fromkeys(links) if not h.startswith(SKIP_PREFIXES)]


def _check_keyboard(page, menu: list[str]) -> list[str]:
    """Tab from the top of the page: the skip link comes first and shows; the menu opens
    from the keyboard where it is folded; every menu link and Log out take the focus."""
    problems = []
    reached: set[str] = set()
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    if not first or first["href"] != "#content" or first["width"] < 20:
        problems.append(f"the skip link is not first or not visible when focused: {first}")
    log_out = None
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not focused:
            continue
        if "nav-toggle" in focused["cls"] and not focused["checked"]:
            page.keyboard.press("Space")  # open the folded menu
        if focused["href"]:
            reached.add(urlsplit(focused["href"]).path)
        in_user_menu = "document.activeElement.closest('.user-menu') !== null"
        if (
            focused["tag"] == "BUTTON"
            and focused["type"] == "submit"
            and page.evaluate(in_user_menu)
        ):
            log_out = focused
            break
        if focused["tag"] == "INPUT" and focused["type"] == "search":
            break
    missing = [link for link in menu if link not in reached and link != "/"]
    # The content menu (subnav) comes after Log out in tab order: Log out ends the walk.
    missing = [link for link in missing if not page.is_visible(f'.subnav a[href="{link}"]')]
    if missing:
        problems.append(f"menu links not reached by keyboard: {missing}")
    if not log_out:
        problems.append("Log out was not reached by keyboard")
    else:
        # Wait for the navigation Enter starts (not only for the current page's load).
        with page.expect_navigation(timeout=15000):
            page.keyboard.press("Enter")
        page.wait_for_load_state()
        if page.get_attribute("body", "data-live") != "off":
            problems.append("Enter on Log out did not log out")
    return problems


def _socket_refused(text: str) -> bool:
    """pytest's live server speaks HTTP only: the page's live socket is refused there (the
    sockets are tested against the ASGI server in test_zz_live_board.py)."""
    return text.startswith("WebSocket connection to") and "/ws/live/" in text


def test_every_menu_page_fits_phone_and_desktop_has_no_errors_and_works_by_keyboard(
    browser, live_server, artifacts, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = False  # as in the demo: the staff pages themselves
    call_command("seed_demo", verbosity=0)
    folder = artifacts / "layout"
    folder.mkdir(exist_ok=True)
    axe = Axe()
    problems: list[str] = []
    crawled = 0
    for language, size, viewport in PASSES:
        User.objects.filter(email__in=[u[0] for u in DEMO_USERS]).update(language=language)
        for email, *_ in DEMO_USERS:
            user = User.objects.get(email=email)
            persona = email.split("@")[0]
            context = browser.new_context(viewport=viewport)
            try:
                _log_in(context, live_server, user)
                page = context.new_page()
                errors: list[str] = []
                page.on(
                    "console",
                    lambda m, e=errors: (
                        e.append(m.text)
                        if m.type == "error" and not _socket_refused(m.text)
                        else None
                    ),
                )
                page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
                page.goto(live_server.url + "/")
                menu = _menu_links(page)
                assert len(menu) >= 5, f"{persona}: too few menu links: {menu}"
                for path in menu:
                    where = f"{language} {size} {persona} {path}"
                    errors.clear()
                    response = page.goto(live_server.url + path)
                    page.wait_for_load_state("load")
                    crawled += 1
                    if response is None or response.status >= 400:
                        problems.append(f"{where}: HTTP {response and response.status}")
                        continue
                    name = re.sub(r"[^a-z0-9]+", "-", path).strip("-") or "home"
                    page.screenshot(
                        path=str(folder / f"{language}-{size}-{persona}-{name}.png"),
                        full_page=True,
                    )
                    overflow = page.evaluate(
                        "document.documentElement.scrollWidth - window.innerWidth"
                    )
                    if overflow > 0:
                        wide = page.evaluate(OVERFLOWING)
                        problems.append(f"{where}: {overflow}px sideways scroll: {wide}")
                    if errors:
                        problems.append(f"{where}: console errors {errors[:3]}")
                    for violation in axe.run(page).response["violations"]:
                        if violation["impact"] in ("serious", "critical"):
                            nodes = [n["html"][:80] for n in violation["nodes"][:3]]
                            problems.append(f"{where}: axe {violation['id']} {nodes}")
                page.goto(live_server.url + "/")
                problems += [
                    f"{language} {size} {persona}: {p}" for p in _check_keyboard(page, menu)
                ]
            finally:
                context.close()
    (folder / "problems.txt").write_text("\n".join(problems))
    assert crawled >= 100, crawled
    assert not problems, "\n".join(problems)
