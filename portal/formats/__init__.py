"""Locale formats Django does not ship (FORMAT_MODULE_PATH): Tagalog."""
