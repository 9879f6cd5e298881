# SPDX-License-Identifier: AGPL-3.0-or-later
"""Locale formats Django does not ship (FORMAT_MODULE_PATH): Tagalog."""
