# SPDX-License-Identifier: AGPL-3.0-or-later
"""End to end: a board page updates live when a reviewer qualifies a lead elsewhere.

Named to run last: its live server flushes the database, data migrations included."""

from __future__ import annotations

import os
import shutil

import pytest
from channels.testing import ChannelsLiveServerTestCase
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from portal.accounts.roles import Role
from portal.leads.services import lead_submit
from portal.rewards.services import ledger_add
from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.factories import ProgramFactory, UserFactory, enable_mfa, give_role


def _session_cookie(user, host):
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "domain": host,
        "path": "/",
    }


@pytest.mark.django_db(transaction=True)
class LiveBoardTest(ChannelsLiveServerTestCase):
    serve_static = True

    @pytest.fixture(autouse=True)
    def _use_browser(self, browser):
        # pytest-playwright's browser: one Playwright per run (a second would clash).
        self.browser = browser

    def setUp(self):
        if not shutil.which(CHROMIUM):
            if os.environ.get("CI"):
                pytest.fail("Chromium is missing")
            pytest.skip("Chromium is not installed")
        program = ProgramFactory(name="Customer referrals")
        self.viewer = UserFactory(first_name="Vera", last_name="Viewer")
        ledger_add(participant=self.viewer, amount=30, event="adjustment", reason="start")
        self.climber = UserFactory(first_name="Carl", last_name="Climber")
        self.lead = lead_submit(
            referrer=self.climber,
            program=program,
            data={"name": "Big Prospect", "email": "big@prospect.example", "consent": True},
        )
        self.reviewer = enable_mfa(give_role(UserFactory(first_name="Rita"), Role.REVIEWER))

    def test_the_board_shows_the_new_rank_without_reload(self):
        ARTIFACTS.mkdir(exist_ok=True)
        browser = self.browser
        try:
            viewer = browser.new_context()
            viewer.add_cookies([_session_cookie(self.viewer, self.host)])
            board = viewer.new_page()
            board.goto(f"{self.live_server_url}/boards/everyone.points.month/")
            expect(board.locator("body[data-live-state=open]")).to_have_count(1, timeout=10000)
            row = board.locator(f'tr[data-id="{self.climber.pk}"]').first
            expect(row).to_contain_text("10")  # +10 for the submission
            board.evaluate("window.__notReloaded = true")

            reviewer = browser.new_context()
            reviewer.add_cookies([_session_cookie(self.reviewer, self.host)])
            admin = reviewer.new_page()
            admin.goto(f"{self.live_server_url}/admin/leads/{self.lead.pk}/")
            admin.get_by_role("button", name="Qualify").click()
            expect(admin.get_by_text("updated")).to_be_visible()

            # +50 for qualifying: Carl (60) passes Vera (30) on the open page.
            first = board.locator('tr[data-rank="1"]').first
            expect(first).to_contain_text("Carl Climber", timeout=10000)
            expect(first).to_contain_text("60")
            expect(board.locator("[data-my-rank]")).to_have_text("#2")
            assert board.evaluate("window.__notReloaded") is True
            board.screenshot(path=str(ARTIFACTS / "live-board.png"), full_page=True)
        finally:
            for context in browser.contexts:
                context.close()

    def test_one_socket_per_page_offline_keeps_the_board_and_resumes_without_reload(self):
        """The page opens one socket; when it cannot reach the live service it says it is
        offline and keeps its rows; once the service is back it resumes by itself and shows
        the board as it is now (the snapshot), with no reload."""
        ARTIFACTS.mkdir(exist_ok=True)
        browser = self.browser
        sockets = []
        state = {"down": False}

        def route(ws):
            sockets.append(ws)
            if state["down"]:
                ws.close(code=1011)
            else:
                ws.connect_to_server()

        try:
            viewer = browser.new_context()
            viewer.add_cookies([_session_cookie(self.viewer, self.host)])
            board = viewer.new_page()
            board.route_web_socket("**/ws/**", route)
            board.goto(f"{self.live_server_url}/boards/everyone.points.month/")
            expect(board.locator("body[data-live-state=open]")).to_have_count(1, timeout=10000)
            board.wait_for_timeout(500)
            assert len(sockets) == 1  # toasts and the board share one socket
            assert "board=everyone.points.month" in sockets[0].url
            board.evaluate("window.__notReloaded = true")

            state["down"] = True
            sockets[0].close(code=1011)
            banner = board.locator("[data-live-offline]")
            expect(banner).to_be_visible(timeout=10000)
            expect(board.locator("body[data-live-state=offline]")).to_have_count(1)
            # The last state stays on the page.
            expect(board.locator(f'tr[data-id="{self.viewer.pk}"]').first).to_contain_text("30")
            # While it is offline, Carl passes Vera.
            ledger_add(participant=self.climber, amount=90, event="adjustment", reason="t")

            state["down"] = False
            expect(board.locator("body[data-live-state=open]")).to_have_count(1, timeout=30000)
            expect(banner).to_have_count(0)
            first = board.locator('tr[data-rank="1"]').first
            expect(first).to_contain_text("Carl Climber", timeout=10000)
            expect(first).to_contain_text("100")
            assert board.evaluate("window.__notReloaded") is True
            board.screenshot(path=str(ARTIFACTS / "live-board-resumed.png"), full_page=True)
        finally:
            for context in browser.contexts:
                context.close()
