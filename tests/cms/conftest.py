# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import pytest

from cms.models import AnnouncementIndexPage, HomePage


def publish(parent, page):
    """Add a page under ``parent`` and publish it, the way an editor does."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def home(db):
    """The site root the cms migrations create."""
    return HomePage.objects.get()


@pytest.fixture
def news(home):
    return publish(home, AnnouncementIndexPage(title="News", slug="news", show_in_menus=True))
