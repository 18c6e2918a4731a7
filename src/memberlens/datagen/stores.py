"""Physical stores: where in-store (POS) orders happen, with coordinates.

Stores go to cities by weight (largest remainder, so small chains sit in the big
cities); each city's first store opened before the simulated period so that
every member with a home store can always shop somewhere that is open.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .geography import Geography
from .seasonality import Timeline
from .textcols import code, dates, join, pick

STORE_TYPES = ("旗舰店", "标准店", "社区店", "奥莱店")
STORE_TYPE_SHARE = np.array([0.05, 0.55, 0.30, 0.10])
RETAILER = "悦享生活"
MALLS = ("万达广场", "万象城", "银泰城", "大悦城", "吾悦广场", "龙湖天街", "印象城", "来福士",
         "凯德广场", "宝龙广场", "步行街", "爱琴海购物公园")
ROADS = ("人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "长江路", "黄河路",
         "湖滨路", "科技路", "文化路", "胜利路", "青年路", "朝阳路", "滨江大道")

IntArray = npt.NDArray[np.int64]


def store_count(members: int) -> int:
    """About one store per 300 members, between 5 and 3000."""
    return int(min(3000, max(5, members // 300)))


@dataclass(frozen=True)
class Stores:
    """Stores sorted by city, with per-city lookups for home stores."""

    store_id: pa.Array
    city: IntArray
    opened: IntArray  # day number
    store_type: IntArray
    latitude: npt.NDArray[np.float64]
    longitude: npt.NDArray[np.float64]
    mall: IntArray
    road: IntArray
    number: IntArray
    city_offset: IntArray
    city_count: IntArray

    def __len__(self) -> int:
        return len(self.city)

    def home_store(self, rng: np.random.Generator, city: IntArray) -> IntArray:
        """A store in the member's city, or -1 where the city has none."""
        count = self.city_count[city]
        k = rng.integers(0, 1 << 30, len(city)) % np.maximum(count, 1)
        return np.where(count > 0, self.city_offset[city] + k, -1)

    def open_on(self, store: IntArray, day: IntArray) -> IntArray:
        """``store`` if it was open on ``day``, else its city's first (oldest) store."""
        first = self.city_offset[self.city[store]]
        return np.where(self.opened[store] <= day, store, first)

    def table(self, geography: Geography) -> pa.Table:
        """Rows of ``stores.csv``."""
        city_name = pick(geography.city, self.city)
        mall = pick(pa.array(MALLS), self.mall)
        type_name = pick(pa.array(STORE_TYPES), self.store_type)
        outlet = pa.array(np.where(self.store_type == 3, "奥莱", ""))
        name = join(RETAILER, outlet, "(", city_name, mall, "店)")
        number = pa.array(self.number).cast(pa.string())
        address = join(city_name, "市", pick(pa.array(ROADS), self.road), number, "号", mall)
        return pa.table({
            "store_id": self.store_id,
            "name": name,
            "province": pick(geography.province, self.city),
            "city": city_name,
            "address": address,
            "latitude": pa.array(np.round(self.latitude, 6)),
            "longitude": pa.array(np.round(self.longitude, 6)),
            "opened_at": dates(self.opened),
            "store_type": type_name,
        })


def build_stores(
    rng: np.random.Generator, n: int, geography: Geography, timeline: Timeline
) -> Stores:
    """Place ``n`` stores in the cities by weight and jitter them around the centre."""
    exact = n * geography.weight
    alloc = np.floor(exact).astype(np.int64)
    rest = n - alloc.sum()
    alloc[np.argsort(-(exact - alloc), kind="stable")[:rest]] += 1
    city = np.repeat(np.arange(len(geography)), alloc)
    city_count = alloc
    city_offset = (np.cumsum(alloc) - alloc).astype(np.int64)
    first = np.zeros(n, dtype=bool)
    first[city_offset[alloc > 0]] = True
    opened = np.where(
        first | (rng.random(n) < 0.55),
        timeline.origin - rng.integers(30, 8 * 365, n),
        timeline.origin + rng.integers(0, timeline.end - timeline.origin - 60, n),
    )
    # the city's first store must be its oldest
    for c in np.flatnonzero(alloc > 1):
        lo, hi = city_offset[c], city_offset[c] + alloc[c]
        opened[lo] = min(opened[lo], opened[lo + 1:hi].min() - 1)
    store_type = np.searchsorted(np.cumsum(STORE_TYPE_SHARE), rng.random(n) * 0.999999)
    store_type[first & (geography.tier[city] <= 2)] = 0  # flagships in big cities
    spread = np.where(geography.tier[city] <= 2, 0.08, 0.04)
    return Stores(
        store_id=code("ST", np.arange(1, n + 1), 5),
        city=city, opened=opened.astype(np.int64), store_type=store_type.astype(np.int64),
        latitude=geography.latitude[city] + rng.normal(0, 1, n) * spread,
        longitude=geography.longitude[city] + rng.normal(0, 1, n) * spread * 1.2,
        mall=rng.integers(0, len(MALLS), n), road=rng.integers(0, len(ROADS), n),
        number=rng.integers(1, 999, n), city_offset=city_offset, city_count=city_count,
    )
