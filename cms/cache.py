# SPDX-License-Identifier: AGPL-3.0-or-later
"""One generation number for everything cached about the page tree (audiences, menus,
the current agreement): publishing, unpublishing, moving or deleting a page bumps it."""

from __future__ import annotations

from django.core.cache import cache

GENERATION_KEY = "cms:generation"
TIMEOUT = 3600


def key(name: str) -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = 0
        cache.add(GENERATION_KEY, generation, None)
    return f"cms:{generation}:{name}"


def content_changed() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value starts a new generation
        cache.set(GENERATION_KEY, 1, None)
