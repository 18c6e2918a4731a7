"""The clustering capability's error: what was wrong (tag, option, run) and what to do."""

from __future__ import annotations

from ...errors import MemberlensError


class ClusterError(MemberlensError):
    """A clustering request cannot be done as asked (bad feature, k, method or run)."""

    http_status = 400
