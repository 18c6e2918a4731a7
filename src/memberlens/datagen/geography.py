"""Cities where members live and stores stand, with their tier and coordinates.

City tiers follow the common commercial ranking (一线, 新一线, 二线, 三线,
四线及以下); the weights favour large cities the way a national retailer's
membership does, while lower tiers still hold a large share together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

TIER_NAMES = {1: "一线", 2: "新一线", 3: "二线", 4: "三线", 5: "四线及以下"}

# province, city, tier, latitude, longitude, relative weight
CITIES: tuple[tuple[str, str, int, float, float, float], ...] = (
    ("北京", "北京", 1, 39.904, 116.407, 9.0),
    ("上海", "上海", 1, 31.230, 121.474, 9.5),
    ("广东", "广州", 1, 23.129, 113.264, 7.0),
    ("广东", "深圳", 1, 22.543, 114.058, 7.0),
    ("四川", "成都", 2, 30.573, 104.066, 5.0),
    ("重庆", "重庆", 2, 29.563, 106.551, 4.5),
    ("浙江", "杭州", 2, 30.274, 120.155, 5.0),
    ("湖北", "武汉", 2, 30.593, 114.305, 4.0),
    ("江苏", "苏州", 2, 31.299, 120.585, 3.8),
    ("陕西", "西安", 2, 34.341, 108.940, 3.5),
    ("江苏", "南京", 2, 32.060, 118.797, 3.6),
    ("湖南", "长沙", 2, 28.228, 112.939, 3.2),
    ("天津", "天津", 2, 39.343, 117.362, 3.2),
    ("河南", "郑州", 2, 34.747, 113.625, 3.0),
    ("广东", "东莞", 2, 23.021, 113.752, 2.6),
    ("山东", "青岛", 2, 36.067, 120.383, 2.6),
    ("云南", "昆明", 2, 25.040, 102.712, 2.2),
    ("浙江", "宁波", 2, 29.868, 121.544, 2.4),
    ("安徽", "合肥", 2, 31.821, 117.227, 2.4),
    ("广东", "佛山", 3, 23.022, 113.122, 2.0),
    ("辽宁", "沈阳", 3, 41.806, 123.432, 1.9),
    ("江苏", "无锡", 3, 31.491, 120.312, 1.8),
    ("山东", "济南", 3, 36.651, 117.120, 1.8),
    ("福建", "厦门", 3, 24.480, 118.089, 1.7),
    ("福建", "福州", 3, 26.075, 119.306, 1.7),
    ("浙江", "温州", 3, 27.994, 120.699, 1.5),
    ("黑龙江", "哈尔滨", 3, 45.803, 126.535, 1.6),
    ("河北", "石家庄", 3, 38.042, 114.515, 1.5),
    ("辽宁", "大连", 3, 38.914, 121.615, 1.5),
    ("广西", "南宁", 3, 22.817, 108.366, 1.4),
    ("贵州", "贵阳", 3, 26.647, 106.630, 1.3),
    ("吉林", "长春", 3, 43.817, 125.324, 1.3),
    ("江西", "南昌", 3, 28.682, 115.858, 1.3),
    ("山西", "太原", 3, 37.871, 112.549, 1.2),
    ("广东", "珠海", 3, 22.271, 113.577, 1.1),
    ("甘肃", "兰州", 4, 36.061, 103.834, 0.9),
    ("海南", "海口", 4, 20.044, 110.199, 0.8),
    ("新疆", "乌鲁木齐", 4, 43.826, 87.617, 0.8),
    ("江苏", "扬州", 4, 32.394, 119.413, 0.8),
    ("广东", "汕头", 4, 23.354, 116.682, 0.8),
    ("河南", "洛阳", 4, 34.620, 112.454, 0.8),
    ("内蒙古", "呼和浩特", 4, 40.842, 111.749, 0.7),
    ("宁夏", "银川", 4, 38.487, 106.231, 0.6),
    ("青海", "西宁", 4, 36.617, 101.778, 0.5),
    ("河北", "唐山", 4, 39.631, 118.180, 0.8),
    ("山东", "烟台", 4, 37.464, 121.448, 0.8),
    ("江西", "赣州", 4, 25.831, 114.935, 0.7),
    ("广西", "桂林", 4, 25.274, 110.290, 0.6),
    ("安徽", "芜湖", 4, 31.353, 118.433, 0.6),
    ("四川", "绵阳", 4, 31.468, 104.679, 0.6),
    ("西藏", "拉萨", 5, 29.652, 91.172, 0.3),
    ("云南", "丽江", 5, 26.855, 100.228, 0.3),
    ("湖南", "张家界", 5, 29.117, 110.479, 0.3),
    ("安徽", "黄山", 5, 29.715, 118.338, 0.3),
    ("甘肃", "酒泉", 5, 39.732, 98.494, 0.3),
    ("贵州", "铜仁", 5, 27.731, 109.189, 0.3),
    ("河南", "周口", 5, 33.626, 114.697, 0.5),
    ("安徽", "六安", 5, 31.735, 116.524, 0.4),
    ("河北", "衡水", 5, 37.739, 115.671, 0.4),
    ("广西", "玉林", 5, 22.654, 110.181, 0.4),
)


@dataclass(frozen=True)
class Geography:
    """The city table as arrays, ready for vectorised lookups by city index."""

    province: pa.Array
    city: pa.Array
    tier: npt.NDArray[np.int8]
    latitude: npt.NDArray[np.float64]
    longitude: npt.NDArray[np.float64]
    weight: npt.NDArray[np.float64]  # sums to 1

    @classmethod
    def build(cls) -> Geography:
        w = np.array([c[5] for c in CITIES])
        return cls(
            province=pa.array([c[0] for c in CITIES]),
            city=pa.array([c[1] for c in CITIES]),
            tier=np.array([c[2] for c in CITIES], dtype=np.int8),
            latitude=np.array([c[3] for c in CITIES]),
            longitude=np.array([c[4] for c in CITIES]),
            weight=w / w.sum(),
        )

    def __len__(self) -> int:
        return len(CITIES)

    def sample(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
        """City indices drawn by weight."""
        cdf = np.cumsum(self.weight)
        return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(self) - 1)
