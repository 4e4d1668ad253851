"""Repository-level pytest configuration."""

import importlib.util

# The networks need the `deep` extra (torch, skorch); without it their
# doctests are skipped rather than failing at import.
collect_ignore_glob = []
if importlib.util.find_spec("torch") is None or importlib.util.find_spec("skorch") is None:
    collect_ignore_glob.append("skactive/nets/*")
