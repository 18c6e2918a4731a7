"""A 1M-member × 50k-SKU interaction set with the structure real baskets have.

Members like a few leaf categories and a price level; SKUs within a leaf follow a
power law, so a few sell a lot (what popularity lives on) while each member's own
choices stay inside their leaves (what collaborative filtering lives on). Purchases
weigh 1, carts 0.3 and views 0.1, as `memberlens.recommend.interactions` blends them.
Written once to Parquet (integer ids) and cached.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

LEAVES = 500
FAVOURITES = 3
KINDS = (("purchase", 1.0, 0.45), ("cart", 0.3, 0.2), ("view", 0.1, 0.35))


def synth_path(work: Path, members: int, skus: int, per_member: int) -> Path:
    return work / f"recommend-m{members}-s{skus}-i{per_member}.parquet"


def products(skus: int, seed: int = 0) -> pa.Table:
    """sku, category (leaf), category_l1, brand and price of every SKU."""
    rng = np.random.default_rng(seed)
    leaf = np.sort(rng.integers(0, LEAVES, skus))
    price = np.round(np.exp(rng.normal(4.0 + (leaf % 7) * 0.3, 0.6)), 2)
    return pa.table({
        "sku": pa.array([f"S{i:06d}" for i in range(skus)]),
        "category": pa.array([f"leaf{c:03d}" for c in leaf]),
        "category_l1": pa.array([f"dept{c // 25:02d}" for c in leaf]),
        "brand": pa.array([f"brand{(c * 7 + b) % 2000:04d}"
                           for c, b in zip(leaf, rng.integers(0, 12, skus), strict=True)]),
        "price": pa.array(price),
        "stock": pa.array(np.where(rng.random(skus) < 0.03, 0, 100)),
        # a tenth launched in the last quarter of the year, the rest long before
        "launched_at": pa.array(np.datetime64("2025-01-01") + np.where(
            rng.random(skus) < 0.1, rng.integers(270, 365, skus), -rng.integers(30, 900, skus)
        ).astype("timedelta64[D]")),
    })


def write_interactions(path: Path, members: int, skus: int, per_member: int,
                       seed: int = 0) -> Path:
    """member (int32), item (int32), kind, weight, day (int16, 0..364) rows to Parquet."""
    if path.exists():
        return path
    rng = np.random.default_rng(seed + 1)
    leaf = np.sort(np.random.default_rng(seed).integers(0, LEAVES, skus))
    start = np.searchsorted(leaf, np.arange(LEAVES))
    count = np.diff(np.append(start, skus))
    leaf_pop = 1.0 / np.arange(1, LEAVES + 1) ** 0.7
    leaf_pop = rng.permutation(leaf_pop / leaf_pop.sum())
    writer: pq.ParquetWriter | None = None
    tmp = path.with_suffix(".tmp")
    chunk = 100_000
    for lo in range(0, members, chunk):
        n = min(chunk, members - lo)
        fav = rng.choice(LEAVES, size=(n, FAVOURITES), p=leaf_pop)
        level = rng.beta(2, 2, n)  # price level: where in a leaf's price order one buys
        sizes = rng.poisson(per_member * rng.gamma(1.5, 1 / 1.5, n)) + 1
        owner = np.repeat(np.arange(n), sizes)
        m = len(owner)
        pick_fav = rng.random(m) < 0.85
        lf = np.where(pick_fav, fav[owner, rng.integers(0, FAVOURITES, m)],
                      rng.choice(LEAVES, size=m, p=leaf_pop))
        # power law inside a leaf, shifted toward the member's price level
        rank = np.minimum((rng.pareto(1.2, m) * 0.15 * count[lf]).astype(np.int64),
                          count[lf] - 1)
        shift = (level[owner] * count[lf]).astype(np.int64)
        item = start[lf] + (np.where(rng.random(m) < 0.5, rank, rank + shift) % count[lf])
        kind = rng.choice(len(KINDS), size=m, p=[k[2] for k in KINDS])
        weight = np.array([k[1] for k in KINDS], dtype=np.float32)[kind]
        table = pa.table({
            "member": pa.array((owner + lo).astype(np.int32)),
            "item": pa.array(item.astype(np.int32)),
            "kind": pa.array(kind.astype(np.int8)),
            "weight": pa.array(weight),
            "day": pa.array(rng.integers(0, 365, m).astype(np.int16)),
        })
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()
    tmp.rename(path)
    return path
