"""Recommendations kept in the warehouse, and read back for one member or campaign.

Lists go through the model-scores contract (decision 0011) as model ``recommend``:
outputs ``skus``, ``names``, ``categories`` and ``source`` feed the profile tags
(recommended_skus …); ``scores`` and ``reasons`` ride along for ``recommend member``.
List values are DuckDB list literals (``[SP1, 'a, b']``) that cast back to ``VARCHAR[]``
exactly, which is how the tag compiler and refresh_profile give them their type.
No fitted model is persisted: refitting item-CF on the warehouse takes about a second
at demo scale, and a pickle of our own models is never loaded (decision 0019).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from ..engine.base import Engine
from ..tags.catalog import Catalog
from ..tags.model_scores import TABLE, ProfileRefresh, refresh_profile, write_scores
from .base import RecommendError
from .exclusions import sql_value

MODEL = "recommend"
OUTPUTS = ("skus", "names", "categories", "source", "scores", "reasons")
DETAIL_COLUMNS = ["sku", "name", "category_l1", "category", "brand", "price", "stock"]


def _product_lookup(engine: Engine, skus: npt.NDArray[np.object_],
                    ) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Name (the SKU when unknown) and leaf category of each distinct SKU."""
    names = skus.copy()
    categories = np.full(len(skus), None, dtype=object)
    if engine.table_exists("products") and len(skus):
        found = engine.fetch_arrow(
            "SELECT sku, name, category FROM products "
            f"WHERE list_contains({sql_value([str(s) for s in skus])}, sku)").to_pandas()
        pos = pd.Index(skus).get_indexer(pd.Index(found["sku"]))
        named = found["name"].notna().to_numpy()
        names[pos[named]] = found["name"].to_numpy(dtype=object)[named]
        categories[pos] = found["category"].to_numpy(dtype=object)
    return names, categories


def _list_column(values: npt.NDArray[Any], offsets: npt.NDArray[np.int32],
                 kind: pa.DataType) -> pa.ListArray:
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(values, kind))


def _lists(engine: Engine, frame: pd.DataFrame) -> pa.Table:
    """One row per member: the lists in rank order, names from products (SKU if none).

    Built from offsets in numpy rather than a GROUP BY: the frame is already one block
    of rows per member.
    """
    missing = [c for c in ("member_id", "rank", "sku", "score", "reason")
               if c not in frame.columns]
    if missing:
        raise RecommendError(f"推荐结果缺少列 {', '.join(missing)} / the recommendations "
                             f"frame has no column {', '.join(missing)}")
    codes, members = pd.factorize(frame["member_id"].astype(str), sort=True)
    order = np.lexsort((frame["rank"].to_numpy(), codes))
    codes = codes[order]
    counts = np.bincount(codes, minlength=len(members))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    sku_codes, skus = pd.factorize(frame["sku"].astype(str).to_numpy()[order])
    names, categories = _product_lookup(engine, np.asarray(skus, dtype=object))
    reasons = frame["reason"].astype(str).to_numpy()[order]
    personal = np.maximum.reduceat((reasons != "popular").astype(np.int8), offsets[:-1]) \
        if len(reasons) else np.zeros(0, dtype=np.int8)
    # categories: distinct per member, in order of first appearance
    cats = pd.DataFrame({"m": codes, "c": categories[sku_codes]}).dropna()
    cats = cats.drop_duplicates()
    cat_offsets = np.concatenate([[0], np.cumsum(np.bincount(
        cats["m"].to_numpy(), minlength=len(members)))]).astype(np.int32)
    return pa.table({
        "member_id": pa.array(np.asarray(members, dtype=object), pa.string()),
        "skus": _list_column(np.asarray(skus, dtype=object)[sku_codes], offsets, pa.string()),
        "names": _list_column(names[sku_codes], offsets, pa.string()),
        "categories": _list_column(cats["c"].to_numpy(dtype=object), cat_offsets,
                                   pa.string()),
        "source": pa.array(np.where(personal > 0, "personalised", "popular"), pa.string()),
        "scores": _list_column(np.round(frame["score"].to_numpy(dtype=np.float64)[order], 6),
                               offsets, pa.float64()),
        "reasons": _list_column(reasons, offsets, pa.string()),
    })


def write_recommendations(
    engine: Engine, frame: pd.DataFrame, *, model_version: str, as_of: date,
    members: Sequence[str] | None = None, catalog: Catalog | None = None,
    atomic: bool = True,
) -> ProfileRefresh:
    """Store each member's list as model ``recommend`` for `as_of` and refresh the profile.

    Replaces the lists written earlier for the same `as_of`; ``member_profile`` then
    holds ``recommended_skus`` etc. (audiences: ``recommended_skus contains "SP100123"``).
    `members` without a row in `frame` get empty (NULL) lists, so an older run's list
    does not show through for them (the newest score wins, decision 0011).
    """
    from ..tags import load_catalog

    lists = _lists(engine, frame)
    if members is not None:
        have = set(lists.column("member_id").to_pylist())
        missing = sorted({str(m) for m in members} - have)
        if missing:
            blanks = {f.name: pa.nulls(len(missing), f.type) for f in lists.schema}
            blanks["member_id"] = pa.array(missing, pa.string())
            lists = pa.concat_tables([lists, pa.table(blanks, schema=lists.schema)])
    cat = catalog if catalog is not None else load_catalog()
    if atomic:
        with engine.transaction():
            write_scores(engine, model=MODEL, version=model_version, as_of=as_of, table=lists,
                         atomic=False)
            return refresh_profile(engine, cat, MODEL, atomic=False)
    write_scores(engine, model=MODEL, version=model_version, as_of=as_of, table=lists,
                 atomic=False)
    return refresh_profile(engine, cat, MODEL, atomic=False)


def stored_as_of(engine: Engine) -> date | None:
    """The newest date lists were written for, or None."""
    if not engine.table_exists(TABLE):
        return None
    value = engine.scalar(f"SELECT max(as_of) FROM {TABLE} WHERE model = ?", [MODEL])
    return value if value is None or isinstance(value, date) else date.fromisoformat(str(value))


def stored_list(engine: Engine, member_id: str, as_of: date | None = None,
                ) -> tuple[pd.DataFrame, str | None, date | None]:
    """A member's stored list (rank, sku, score, reason), its model version and date.

    The newest list written on or before `as_of` (default: any); an empty frame when
    the member has none.
    """
    empty = pd.DataFrame({"rank": [], "sku": [], "score": [], "reason": []})
    if not engine.table_exists(TABLE):
        return empty, None, None
    cut = " AND as_of <= ?" if as_of is not None else ""
    params: list[Any] = [MODEL, str(member_id), *([as_of] if as_of is not None else [])]
    row = engine.fetchall(f"""
        WITH latest AS (
            SELECT output, value, model_version, as_of FROM {TABLE}
            WHERE model = ? AND member_id = ?{cut}
            QUALIFY row_number() OVER (PARTITION BY output
                                       ORDER BY as_of DESC, scored_at DESC) = 1)
        SELECT CAST(max(value) FILTER (WHERE output = 'skus') AS VARCHAR[]),
               CAST(max(value) FILTER (WHERE output = 'scores') AS DOUBLE[]),
               CAST(max(value) FILTER (WHERE output = 'reasons') AS VARCHAR[]),
               max(model_version) FILTER (WHERE output = 'skus'),
               max(as_of) FILTER (WHERE output = 'skus')
        FROM latest""", params)
    skus, scores, reasons, version, day = row[0] if row else (None, None, None, None, None)
    if not skus:
        return empty, None, None
    n = len(skus)
    scores = list(scores or []) + [None] * (n - len(scores or []))
    reasons = list(reasons or []) + ["popular"] * (n - len(reasons or []))
    frame = pd.DataFrame({"rank": range(1, n + 1), "sku": list(skus), "score": scores[:n],
                          "reason": reasons[:n]})
    return frame, version, day


def product_details(engine: Engine, skus: Sequence[str]) -> pd.DataFrame:
    """Name, categories, brand, price and stock of `skus`, in their order (NULL if unknown)."""
    out = pd.DataFrame({"sku": [str(s) for s in skus]})
    if not engine.table_exists("products") or not len(out):
        return out.reindex(columns=DETAIL_COLUMNS)
    have = {str(r[0]) for r in engine.fetchall(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'products'")}
    typed = {"price": "CAST(price AS DOUBLE) AS price"}
    picks = ", ".join(typed.get(c, c) if c in have else f"NULL AS {c}"
                      for c in DETAIL_COLUMNS[1:])
    found: pd.DataFrame = engine.frame(
        f"SELECT sku, {picks} FROM products "
        f"WHERE list_contains({sql_value(list(out['sku']))}, sku)")
    return out.merge(found, on="sku", how="left").reindex(columns=DETAIL_COLUMNS)


def personalisation_variables(engine: Engine, member_id: str, n: int = 3,
                              ) -> dict[str, str | float | int | None]:
    """Campaign template variables from the member's stored list (decision 0019).

    Always the same keys: ``rec_count`` and, for i = 1…n, ``rec_i_sku``, ``rec_i_name``,
    ``rec_i_price``, ``rec_i_category``, ``rec_i_reason``; None where the list is shorter.

    Examples
    --------
    >>> personalisation_variables(engine, "M00002862", n=1)  # doctest: +SKIP
    {'rec_count': 10, 'rec_1_sku': 'SP100123', 'rec_1_name': '兰蔻 经典面霜 50ml', ...}
    """
    frame, _, _ = stored_list(engine, member_id)
    details = product_details(engine, frame["sku"].tolist()) if len(frame) else None
    out: dict[str, str | float | int | None] = {"rec_count": len(frame)}
    for i in range(1, n + 1):
        have = details is not None and i <= len(frame)
        row = details.iloc[i - 1] if have and details is not None else None
        out[f"rec_{i}_sku"] = str(row["sku"]) if row is not None else None
        out[f"rec_{i}_name"] = _text(row, "name")
        out[f"rec_{i}_price"] = (float(row["price"]) if row is not None
                                 and pd.notna(row["price"]) else None)
        out[f"rec_{i}_category"] = _text(row, "category")
        out[f"rec_{i}_reason"] = str(frame["reason"].iloc[i - 1]) if have else None
    return out


def _text(row: pd.Series | None, column: str) -> str | None:
    if row is None or pd.isna(row[column]):
        return None
    return str(row[column])
