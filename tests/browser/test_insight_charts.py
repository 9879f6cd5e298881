# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every insight chart in Chromium, on a desktop (1366 px) and a phone (360 px): it draws
(a visible SVG that fits the screen, or scrolls with its table), it breaks no Content Security Policy rule (no
inline style or script, nothing from elsewhere), and the page logs no error."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from portal.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VIEWPORTS = [("desktop", {"width": 1366, "height": 900}), ("phone", {"width": 360, "height": 740})]
# (persona, page, how many charts at least)
PAGES = [
    ("reviewer@demo.vouch.test", "/insight/?period=all", 2),
    ("manager@demo.vouch.test", "/insight/?period=all", 1),
    ("manager@demo.vouch.test", "/team/", 1),
    ("partner-admin@acme.example", "/partner/", 1),
    ("partner@acme.example", "/partner/", 1),
    ("employee@demo.vouch.test", "/me/", 2),
]

WATCH_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));"""

CHARTS = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const title = svg.querySelector(':scope > title');
  return {scrolls: svg.closest('.table-wrap') !== null, width: box.width, height: box.height, right: box.right, role: svg.getAttribute('role'),
          labelled: (svg.getAttribute('aria-labelledby') || '').split(' ')
            .every(id => id && document.getElementById(id)),
          title: title ? title.textContent : '', marks: svg.querySelectorAll('rect, polyline, circle').length};
})"""


def test_each_chart_draws_without_csp_violation_on_desktop_and_phone(
    browser, live_server, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    call_command("seed_demo", verbosity=0)
    problems: list[str] = []
    for email, path, at_least in PAGES:
        client = Client()
        client.force_login(User.objects.get(email=email))
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        for size, viewport in VIEWPORTS:
            context = browser.new_context(viewport=viewport)
            context.add_cookies(
                [
                    {
                        "name": django_settings.SESSION_COOKIE_NAME,
                        "value": cookie,
                        "url": live_server.url,
                    }
                ]
            )
            context.add_init_script(WATCH_CSP)
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            where = f"{email} {path} {size}"
            charts = page.evaluate(CHARTS)
            if len(charts) < at_least:
                problems.append(f"{where}: {len(charts)} charts, expected {at_least}")
            for chart in charts:
                if chart["width"] < 20 or chart["height"] < 10 or chart["marks"] == 0:
                    problems.append(f"{where}: chart not drawn: {chart}")
                # A sparkline in a table row scrolls with its table (.table-wrap).
                if chart["right"] > viewport["width"] + 1 and not chart["scrolls"]:
                    problems.append(f"{where}: chart wider than the screen: {chart}")
                if chart["role"] != "img" or not chart["labelled"] or not chart["title"]:
                    problems.append(f"{where}: chart without its accessible name: {chart}")
            violations = page.evaluate("window.__csp")
            if violations:
                problems.append(f"{where}: CSP violations {violations}")
            csp_errors = [e for e in errors if "Content Security Policy" in e]
            if csp_errors:
                problems.append(f"{where}: {csp_errors}")
            scroll = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if scroll > 1:
                problems.append(f"{where}: scrolls sideways by {scroll}px")
            context.close()
    assert not problems, "\n".join(problems)
