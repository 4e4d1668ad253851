"""Labeling with people: a persistent session store and the annotator page.

:class:`LabelingSession` drives an :class:`~skactive.ActiveLearner` from an
SQLite file that records the pool's identity, every query, claim and label;
``skactive label`` serves it to annotators in the browser.
"""

from ._app import LabelingServer, make_server, serve
from ._session import (
    InvalidLabelError,
    LabelingError,
    LabelingSession,
    StaleClaimError,
    UnknownItemError,
)
from ._store import Claim, LabelRecord, LabelStore, pool_fingerprint

__all__ = [
    "Claim",
    "InvalidLabelError",
    "LabelRecord",
    "LabelStore",
    "LabelingServer",
    "LabelingError",
    "LabelingSession",
    "StaleClaimError",
    "UnknownItemError",
    "make_server",
    "pool_fingerprint",
    "serve",
]
