"""Every SKU's most similar SKUs, kept in the warehouse table ``sku_similar``.

``recommend similar`` used to refit the recommender on every call (about a second at
demo scale, half a minute at a million members). Serving already has the fitted model,
so it writes each SKU's top-N neighbours once (decision 0019) and a lookup is one
indexed read. Rows hold the raw similarity (only the SKU itself left out); exclusions
(out of stock, not launched, filters) are applied when the rows are read, so a stock
change shows at once without a new run.

How the rows are made, per recommender:

- item-CF: the fitted neighbour matrix already is the answer; one vectorised top-N
  over all its rows (the same :func:`sparse_top_k` as ``item_similarity``).
- content: attribute-cosine rows in blocks, up to 10k SKUs (all pairs grow with n²).
- ALS / BPR: cosine of the item factors (as implicit's ``similar_items``), up to 10k SKUs.
- popularity: skipped — its "similar" list is the same best-seller list for every SKU.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp
from sqlglot import exp

from ..engine.base import Engine
from .base import Interactions, Recommender, TopN, top_k
from .itemcf import ItemCFRecommender, sparse_top_k

TABLE = "sku_similar"
DEPTH = 20
# all-pairs similarity (content, factors) is stored only up to this many SKUs: it grows
# with the square (ALS, 64 factors: 20k SKUs 6.7 s, so 10k about 1.7 s); beyond,
# `recommend similar` computes per call as before
DENSE_MAX_SKUS = 10_000
_BLOCK = 1024
DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    sku VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    similar_sku VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    recommender VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    computed_at TIMESTAMP NOT NULL  -- local wall clock (decision 0002)
)"""
_NOTES: dict[str, tuple[str, str]] = {
    "popularity": ("热销算法的相似商品对每个商品都相同，不单独保存",
                   "popularity's similar list is the same for every SKU; not stored"),
    "large": ("商品数 {n} 超过 {cap}，{name} 的相似商品不预先保存，查询时即时计算",
              "{n} SKUs is above {cap}: {name}'s similar SKUs are computed per lookup"),
    "unknown": ("推荐算法 {name} 不提供相似商品，未保存",
                "{name} has no item similarity; nothing stored"),
}


@dataclass(frozen=True)
class SimilarWrite:
    """What a serving run stored in ``sku_similar`` (rows 0 and a note when skipped)."""

    recommender: str
    skus: int          # SKUs with at least one stored neighbour
    rows: int
    depth: int
    seconds: float
    note: tuple[str, str] | None = None   # (zh, en) why nothing was stored

    def note_text(self, lang: str = "zh") -> str:
        if self.note is None:
            return ""
        return self.note[0] if lang == "zh" else self.note[1]


@dataclass(frozen=True)
class StoredSimilar:
    """One SKU's stored neighbours (rank, sku, score) and the run they come from."""

    frame: pd.DataFrame
    model_version: str
    computed_at: datetime
    depth: int         # N of that run: a list shorter than N is the SKU's whole list


def _note(key: str, **values: object) -> tuple[str, str]:
    zh, en = _NOTES[key]
    return zh.format(**values), en.format(**values)


def _block_top(matrix: sp.csr_matrix, start: int, n: int) -> TopN:
    """Top-n of a block of rows ``start …``, the diagonal and non-positive left out."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    keep = (matrix.indices != rows + start) & (matrix.data > 0)
    return sparse_top_k(matrix, n, keep=keep)


def similarity_top(recommender: Recommender, n: int = DEPTH,
                   ) -> tuple[TopN | None, tuple[str, str] | None]:
    """Every column's ``n`` most similar columns of a fitted recommender, or a note why not.

    Item-CF rows equal ``item_similarity(column, n)`` exactly (same top-k, same ties).
    """
    name = recommender.name
    inter = recommender.interactions_
    if isinstance(recommender, ItemCFRecommender):
        return sparse_top_k(sp.csr_matrix(recommender.similarity_), n), None
    if name == "popularity":
        return None, _note("popularity")
    if name not in ("content", "als", "bpr"):
        return None, _note("unknown", name=name)
    if inter.n_items > DENSE_MAX_SKUS:
        return None, _note("large", n=f"{inter.n_items:,}", cap=f"{DENSE_MAX_SKUS:,}",
                           name=name)
    from .content import ContentRecommender
    from .factorization import _ImplicitRecommender

    unit = np.empty((0, 0), np.float32)
    if isinstance(recommender, _ImplicitRecommender):
        factors = np.asarray(recommender.model_.item_factors, np.float32)
        norms = np.linalg.norm(factors, axis=1)
        unit = (factors / np.where(norms == 0, 1, norms)[:, None]).astype(np.float32)
    elif not isinstance(recommender, ContentRecommender):
        return None, _note("unknown", name=name)
    parts: list[TopN] = []
    for start in range(0, inter.n_items, _BLOCK):
        cols = np.arange(start, min(start + _BLOCK, inter.n_items))
        if isinstance(recommender, ContentRecommender):   # as its item_similarity
            block = sp.csr_matrix(recommender.item_vectors_[cols] @ recommender._items_t)
            parts.append(_block_top(block, start, n))
        else:  # implicit factors: dense cosine, as its similar_items
            dense = unit[cols] @ unit.T
            dense[np.arange(len(cols)), cols] = -np.inf
            dense[dense <= 0] = -np.inf
            parts.append(top_k(dense, n))
    return TopN(np.vstack([p.items for p in parts]),
                np.vstack([p.scores for p in parts])), None


def similar_rows(inter: Interactions, top: TopN) -> pa.Table:
    """Long table (sku, rank, similar_sku, score) from a TopN over every column."""
    n_items, k = top.items.shape
    flat = top.items.reshape(-1)
    ok = flat >= 0
    skus = np.asarray(inter.skus, dtype=object).astype(str)
    return pa.table({
        "sku": pa.array(np.repeat(skus, k)[ok], pa.string()),
        "rank": pa.array(np.tile(np.arange(1, k + 1, dtype=np.int32), n_items)[ok],
                         pa.int32()),
        "similar_sku": pa.array(skus[flat[ok]], pa.string()),
        "score": pa.array(top.scores.reshape(-1)[ok].astype(np.float64), pa.float64()),
    })


def write_similar(engine: Engine, recommender: Recommender, model_version: str,
                  n: int = DEPTH) -> SimilarWrite:
    """Replace ``recommender``'s rows of ``sku_similar`` with its top-``n`` per SKU.

    One transaction: a lookup sees the old run's rows or the new run's, never a mix.
    Recommenders without a cheap per-SKU similarity leave their old rows deleted and
    say why (a stale list of another model version would be worse than computing).
    """
    started = time.perf_counter()
    name = recommender.name
    top, note = similarity_top(recommender, n)
    rows = similar_rows(recommender.interactions_, top) if top is not None else None
    with engine.transaction():
        engine.execute(DDL)
        engine.execute(f"DELETE FROM {TABLE} WHERE recommender = ?", [name])
        if rows is not None and rows.num_rows:
            view = "_sku_similar_new"
            engine.register(view, rows)
            engine.execute(
                f"INSERT INTO {TABLE} SELECT sku, rank, similar_sku, score, ?, ?, "
                f"current_localtimestamp() FROM {view}", [name, model_version])
            engine.register(view, rows.slice(0, 0))   # let go of the rows
    count = rows.num_rows if rows is not None else 0
    skus = int((top.items[:, 0] >= 0).sum()) if top is not None else 0
    return SimilarWrite(name, skus, count, n, round(time.perf_counter() - started, 3), note)


def read_similar(engine: Engine, sku: str, recommender: str) -> StoredSimilar | None:
    """``sku``'s stored neighbours for ``recommender``; None when that recommender has no
    stored rows at all (then the caller computes). A SKU without neighbours in a stored
    run gets an empty frame: its answer *is* empty for that model."""
    if not engine.table_exists(TABLE):
        return None
    run = engine.fetchall(
        f"SELECT max(rank), max(model_version), max(computed_at) FROM {TABLE} "
        "WHERE recommender = ?", [recommender])
    if not run or run[0][0] is None:
        return None
    depth, version, computed_at = run[0]
    code = exp.Literal.string(str(sku)).sql(dialect="duckdb")
    frame: pd.DataFrame = engine.frame(
        f"SELECT rank, similar_sku AS sku, score FROM {TABLE} "
        f"WHERE recommender = ? AND sku = {code} ORDER BY rank", [recommender])
    return StoredSimilar(frame, str(version), computed_at, int(depth))
