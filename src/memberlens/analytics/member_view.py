"""One member as a marketer looks them up (member 360°): basics, tags, orders, events."""

from __future__ import annotations

from typing import Any

from ..engine.base import Engine
from ..errors import NotFound
from ..masking import mask_date, mask_email, mask_name, mask_phone
from ..tags import CATEGORY_LABELS, Catalog, load_catalog

ORDER_COLUMNS = ("order_id", "ordered_at", "channel", "store_id", "paid_amount", "status")
EVENT_COLUMNS = ("occurred_at", "event_type", "sku", "keyword", "channel", "device")
_MASKS = {"name": mask_name, "phone": mask_phone, "email": mask_email, "birthday": mask_date}


def member_view(engine: Engine, member_id: str, *, show_pii: bool = False, orders: int = 5,
                events: int = 5, catalog: Catalog | None = None, lang: str = "zh"
                ) -> dict[str, Any]:
    """Everything known about `member_id`; personal data masked unless `show_pii`.

    Tags come grouped by category with their display names, in the catalog's order.
    """
    catalog = catalog or load_catalog()
    basics = _one(engine, "SELECT * EXCLUDE (_run_id) FROM members WHERE member_id = ?",
                  member_id)
    profile = (_one(engine, "SELECT * FROM member_profile WHERE member_id = ?", member_id)
               if engine.table_exists("member_profile") else None)
    if basics is None and profile is None:
        raise NotFound(f"找不到会员 member not found: {member_id}")
    if basics is not None and not show_pii:
        basics = {k: (_MASKS[k](v) if k in _MASKS else v) for k, v in basics.items()}
    groups = []
    for category, tags in catalog.by_category().items():
        items = [{"key": t.key, "label": t.label(lang), "value": profile.get(t.key),
                  "unit": t.unit} for t in tags if profile is not None and t.key in profile]
        if items:
            zh, en = CATEGORY_LABELS[category]
            groups.append({"category": category.value, "label": zh if lang == "zh" else en,
                           "tags": items})
    return {
        "member_id": member_id,
        "as_of": profile.get("as_of") if profile else None,
        "basics": basics or {},
        "tags": groups,
        "orders": _rows(engine, f"""
            SELECT {", ".join(ORDER_COLUMNS)} FROM orders
            WHERE member_id = ? ORDER BY ordered_at DESC LIMIT ?""", [member_id, orders]),
        "orders_columns": ORDER_COLUMNS,
        "events": _rows(engine, f"""
            SELECT {", ".join(EVENT_COLUMNS)} FROM events
            WHERE member_id = ? ORDER BY occurred_at DESC LIMIT ?""", [member_id, events]),
        "events_columns": EVENT_COLUMNS,
    }


def _rows(engine: Engine, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = engine.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _one(engine: Engine, sql: str, member_id: str) -> dict[str, Any] | None:
    rows = _rows(engine, sql, [member_id])
    return rows[0] if rows else None
