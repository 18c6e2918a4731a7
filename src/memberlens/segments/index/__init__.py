"""The roaring-bitmap index of tag values: audience counts in milliseconds.

`rebuild_index(engine)` builds it from member_profile and stores it in the warehouse;
`current_index(engine)` returns the loaded, fresh index (or None, and SQL answers).
See docs/decisions/0010-audience-bitmap-index.md.
"""

from __future__ import annotations

from .audience_index import AudienceIndex, IndexStale, current_index, forget
from .build import IndexBuild, build_tag, build_tags, rebuild_index
from .literals import IndexUnsupported

__all__ = [
    "AudienceIndex",
    "IndexBuild",
    "IndexStale",
    "IndexUnsupported",
    "build_tag",
    "build_tags",
    "current_index",
    "forget",
    "rebuild_index",
]
