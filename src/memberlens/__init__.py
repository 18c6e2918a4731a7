"""memberlens — 会员画像与精准营销: member profiling and precision marketing."""

from __future__ import annotations

__version__ = "0.1.0"
