"""One member, as a marketer looks them up: basics (masked), RFM and latest orders."""

from __future__ import annotations

from typing import Any

from ..engine.base import Engine
from ..errors import NotFound
from ..masking import mask_date, mask_email, mask_name, mask_phone

_MASKS = {"name": mask_name, "phone": mask_phone, "email": mask_email, "birthday": mask_date}


def member_view(engine: Engine, member_id: str, *, show_pii: bool = False,
                orders: int = 5) -> dict[str, Any]:
    """Everything known about `member_id`; personal data masked unless `show_pii`."""
    basics = _one(engine, "SELECT * EXCLUDE (_run_id) FROM members WHERE member_id = ?",
                  member_id)
    profile = _one(engine, "SELECT * EXCLUDE (member_id) FROM member_profile "
                           "WHERE member_id = ?", member_id)
    if basics is None and profile is None:
        raise NotFound(f"找不到会员 member not found: {member_id}")
    if basics is not None and not show_pii:
        basics = {k: (_MASKS[k](v) if k in _MASKS else v) for k, v in basics.items()}
    cur = engine.execute(
        "SELECT order_id, ordered_at, channel, store_id, paid_amount, status FROM orders "
        "WHERE member_id = ? ORDER BY ordered_at DESC LIMIT ?", [member_id, orders])
    names = [d[0] for d in cur.description]
    latest = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    return {"member_id": member_id, "basics": basics or {}, "profile": profile or {},
            "orders": latest}


def _one(engine: Engine, sql: str, member_id: str) -> dict[str, Any] | None:
    cur = engine.execute(sql, [member_id])
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))
