"""``python -m skactive``: the ``skactive`` command (see :mod:`skactive.cli`)."""

import sys

from .cli import main

__all__ = []

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
