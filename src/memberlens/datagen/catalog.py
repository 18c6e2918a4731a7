"""Products built from the category tree, and the lookups baskets need.

Within each leaf, products are ordered by price so a member's *price level*
(a quantile) picks cheap or premium items; products launched inside the window
are only sold after their launch day.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .categories import (
    FEMALE_LEANING,
    LEAVES,
    MALE_LEANING,
    PARENT_LEANING,
    PRODUCT_STYLES,
)
from .seasonality import Timeline
from .textcols import code, dates, join, money, pick

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
OUT_OF_STOCK_SHARE = 0.03


def _flat(groups: list[list[int]]) -> tuple[IntArray, IntArray, IntArray]:
    """Ragged lists as (flat values, offsets, counts)."""
    counts = np.array([len(g) for g in groups], dtype=np.int64)
    offsets = (np.cumsum(counts) - counts).astype(np.int64)
    flat = np.array([v for g in groups for v in g], dtype=np.int64)
    return flat, offsets, counts


@dataclass(frozen=True)
class Catalog:
    """Products (sorted by leaf, then price) and per-leaf lookup tables."""

    sku: pa.Array
    name: pa.Array
    leaf: IntArray
    brand: pa.Array
    price_cents: IntArray
    launched: IntArray  # day number
    leaf_offset: IntArray
    leaf_count: IntArray
    old_flat: IntArray  # products launched before the window, per leaf, by price
    old_offset: IntArray
    old_count: IntArray
    popularity: FloatArray  # per leaf, sums to 1
    companion_flat: IntArray
    companion_offset: IntArray
    companion_count: IntArray
    keyword_vocab: pa.Array
    keyword_offset: IntArray
    keyword_count: IntArray
    female_bias: FloatArray  # per leaf: >1 leans female, <1 leans male
    parent_leaf: npt.NDArray[np.bool_]

    @property
    def n_leaves(self) -> int:
        return len(LEAVES)

    def __len__(self) -> int:
        return len(self.leaf)

    def pick_product(
        self, rng: np.random.Generator, leaf: IntArray, quantile: FloatArray, day: IntArray
    ) -> IntArray:
        """A product of ``leaf`` near the price ``quantile``, on sale on ``day``."""
        q = np.clip(quantile + rng.normal(0.0, 0.18, len(leaf)), 0.0, 0.9999)
        product = self.leaf_offset[leaf] + (q * self.leaf_count[leaf]).astype(np.int64)
        too_new = self.launched[product] > day
        if too_new.any():
            lf, qq = leaf[too_new], q[too_new]
            old = self.old_offset[lf] + (qq * self.old_count[lf]).astype(np.int64)
            product[too_new] = self.old_flat[old]
        return product

    def companion(self, rng: np.random.Generator, leaf: IntArray) -> IntArray:
        """A leaf often bought together with ``leaf``."""
        k = rng.integers(0, 1 << 30, len(leaf)) % self.companion_count[leaf]
        return self.companion_flat[self.companion_offset[leaf] + k]

    def keyword(self, rng: np.random.Generator, leaf: IntArray) -> pa.Array:
        """A Chinese search phrase for ``leaf`` (category words or brand + category)."""
        k = rng.integers(0, 1 << 30, len(leaf)) % self.keyword_count[leaf]
        return pick(self.keyword_vocab, self.keyword_offset[leaf] + k)

    def table(self) -> pa.Table:
        """Rows of ``products.csv``."""
        leaves = LEAVES
        return pa.table({
            "sku": self.sku,
            "name": self.name,
            "category_l1": pick(pa.array([lf.l1 for lf in leaves]), self.leaf),
            "category_l2": pick(pa.array([lf.l2 for lf in leaves]), self.leaf),
            "category": pick(pa.array([lf.name for lf in leaves]), self.leaf),
            "brand": self.brand,
            "price": money(self.price_cents),
            "launched_at": dates(self.launched),
            "stock": pa.array(self.stock()),
        })

    def stock(self) -> IntArray:
        """Units on hand per SKU, a pure function of the SKU code and price.

        Drawn from a CRC of the code rather than the generator's stream, so adding this
        column moved no other value; about 3% of SKUs are out of stock (0), the rest
        hold fewer units the dearer they are.
        """
        codes = [str(s) for s in self.sku.to_pylist()]
        u = np.array([zlib.crc32(c.encode()) for c in codes], dtype=np.float64) / 2.0**32
        v = np.array([zlib.crc32(f"{c}#stock".encode()) for c in codes],
                     dtype=np.float64) / 2.0**32
        yuan = np.maximum(self.price_cents / 100.0, 1.0)
        units = np.round(2000.0 / np.sqrt(yuan) * (0.2 + 1.6 * v)).astype(np.int64) + 1
        return np.where(u < OUT_OF_STOCK_SHARE, 0, units).astype(np.int64)


def _list_price(raw: FloatArray) -> IntArray:
    """Shop-like prices in cents: 299.00, 1999.00, 49.90, 9.90."""
    yuan = np.where(raw >= 100, np.round(raw / 10) * 10 - 1, np.round(raw) - 0.1)
    return np.maximum(np.round(yuan * 100), 190).astype(np.int64)


def build_catalog(rng: np.random.Generator, n_products: int, timeline: Timeline) -> Catalog:
    """Draw ``n_products`` products over every leaf of the category tree."""
    pop = np.array([lf.popularity for lf in LEAVES])
    per_leaf = np.maximum(4, np.floor(n_products * np.sqrt(pop) / np.sqrt(pop).sum()))
    per_leaf = per_leaf.astype(np.int64)
    leaf = np.repeat(np.arange(len(LEAVES)), per_leaf)
    n = len(leaf)
    median = np.array([lf.price for lf in LEAVES])[leaf]
    spread = np.array([lf.spread for lf in LEAVES])[leaf]
    price = _list_price(median * np.exp(spread * rng.standard_normal(n)))
    # launch: most products predate the window, about a quarter are launched inside it
    old = rng.random(n) < 0.75
    first_of_leaf = np.concatenate([[True], leaf[1:] != leaf[:-1]])
    second_of_leaf = np.concatenate([[False], first_of_leaf[:-1]])
    old |= first_of_leaf | second_of_leaf
    launched = np.where(
        old,
        timeline.start - rng.integers(30, 6 * 365, n),
        timeline.start + rng.integers(0, max(timeline.end - timeline.start - 30, 1), n),
    )
    order = np.lexsort((price, leaf))
    leaf, price, launched = leaf[order], price[order], launched[order]

    brand_vocab = [b for lf in LEAVES for b in lf.brands]
    brand_off = np.cumsum([0] + [len(lf.brands) for lf in LEAVES])[:-1]
    brand_cnt = np.array([len(lf.brands) for lf in LEAVES])
    brand_idx = brand_off[leaf] + rng.integers(0, 1 << 30, n) % brand_cnt[leaf]
    spec_vocab = [s for lf in LEAVES for s in lf.specs]
    spec_off = np.cumsum([0] + [len(lf.specs) for lf in LEAVES])[:-1]
    spec_cnt = np.array([len(lf.specs) for lf in LEAVES])
    spec_idx = spec_off[leaf] + rng.integers(0, 1 << 30, n) % spec_cnt[leaf]
    style = rng.integers(0, len(PRODUCT_STYLES), n)
    brand = pick(pa.array(brand_vocab), brand_idx)
    name = join(brand, " ", pick(pa.array(PRODUCT_STYLES), style),
                pick(pa.array([lf.name for lf in LEAVES]), leaf), " ",
                pick(pa.array(spec_vocab), spec_idx))

    leaf_count = np.bincount(leaf, minlength=len(LEAVES)).astype(np.int64)
    leaf_offset = (np.cumsum(leaf_count) - leaf_count).astype(np.int64)
    is_old = launched <= timeline.start
    old_flat, old_offset, old_count = _flat(
        [list(np.flatnonzero(is_old & (leaf == i))) for i in range(len(LEAVES))])
    by_name = {lf.name: i for i, lf in enumerate(LEAVES)}
    comp_flat, comp_offset, comp_count = _flat(
        [[by_name[c] for c in lf.companions] or [i] for i, lf in enumerate(LEAVES)])
    words = [[*lf.keywords, lf.name, *(f"{b} {lf.name}" for b in lf.brands[:3])]
             for lf in LEAVES]
    kw_count = np.array([len(w) for w in words], dtype=np.int64)
    kw_offset = (np.cumsum(kw_count) - kw_count).astype(np.int64)
    female_bias = np.array([2.5 if lf.name in FEMALE_LEANING else
                            0.4 if lf.name in MALE_LEANING else 1.0 for lf in LEAVES])
    return Catalog(
        sku=code("SP", 100_001 + np.arange(n), 6), name=name, leaf=leaf, brand=brand,
        price_cents=price, launched=launched.astype(np.int64),
        leaf_offset=leaf_offset, leaf_count=leaf_count,
        old_flat=old_flat, old_offset=old_offset, old_count=old_count,
        popularity=pop / pop.sum(),
        companion_flat=comp_flat, companion_offset=comp_offset, companion_count=comp_count,
        keyword_vocab=pa.array([w for ws in words for w in ws]),
        keyword_offset=kw_offset, keyword_count=kw_count,
        female_bias=female_bias,
        parent_leaf=np.array([lf.name in PARENT_LEANING for lf in LEAVES]),
    )
