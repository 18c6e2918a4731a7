"""Retail calendar: the daily demand multiplier, promotions and hour-of-day profiles.

Purchases are placed on an *operational clock* that runs faster on busy days
(春节 run-up, 618, 双11, 双12, weekends) and slower during the Spring Festival
holiday. A homogeneous process on that clock is the same as a seasonal
(inhomogeneous) process on the wall clock, so seasonality costs one
``searchsorted`` instead of rejection sampling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

SECONDS_PER_DAY = 86_400
EPOCH = date(1970, 1, 1)

# 除夕 is the day before these dates; the week from 除夕 is the 春节 holiday.
CHINESE_NEW_YEAR: dict[int, date] = {
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}

# Relative order volume by hour of day: a late-morning and a stronger evening peak.
ONLINE_HOURS = np.array(
    [1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.8, 1.6, 2.6, 3.8, 5.5, 5.8,
     5.0, 4.2, 4.0, 4.0, 4.2, 4.4, 4.6, 5.2, 6.6, 7.0, 5.8, 3.0]
)
# Stores open 09:00-22:00.
STORE_HOURS = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 2.0, 4.0, 5.5,
     5.5, 4.5, 4.0, 4.0, 4.5, 5.0, 5.5, 6.0, 6.0, 5.0, 2.5, 0]
)
# Coupon prefixes by promotion id (0 = no promotion).
PROMO_CODES = ("", "CNY", "618", "D11", "D12", "38")


def day_number(d: date) -> int:
    """Days since 1970-01-01, the unit used for every date inside the generator."""
    return (d - EPOCH).days


@dataclass(frozen=True)
class Timeline:
    """Daily demand multiplier over ``[origin, end]`` and the clock built from it.

    ``origin`` lies two years before ``start`` so members who registered before the
    window already have a history (and some have already dropped out).
    """

    origin: int  # day number of the first day simulated
    start: int  # first day of the data window
    end: int  # last day of the data window (inclusive)
    multiplier: npt.NDArray[np.float64]  # per day from origin, mean 1 inside the window
    promo: npt.NDArray[np.int8]  # promotion id per day (index into PROMO_CODES)
    intensity: npt.NDArray[np.float64]  # 0..1, how strong the promotion is that day
    clock: npt.NDArray[np.float64]  # operational time at the start of each day (+1 entry)

    @classmethod
    def build(cls, start: date, end: date) -> Timeline:
        origin = start - timedelta(days=730)
        o, s, e = day_number(origin), day_number(start), day_number(end)
        days = np.arange(o, e + 1)
        dates = days.astype("datetime64[D]")
        months = dates.astype("datetime64[M]").astype(int) % 12 + 1
        dom = (dates - dates.astype("datetime64[M]")).astype(int) + 1
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
        mult = np.ones(len(days))
        promo = np.zeros(len(days), dtype=np.int8)
        inten = np.zeros(len(days))
        mult[weekday >= 5] *= 1.15

        def mark(mask: npt.NDArray[np.bool_], factor: float, pid: int, strength: float) -> None:
            mult[mask] *= factor
            promo[mask] = pid
            inten[mask] = np.maximum(inten[mask], strength)

        for cny in CHINESE_NEW_YEAR.values():
            c = day_number(cny)
            if c - 30 > e or c + 10 < o:
                continue
            mark((days >= c - 22) & (days < c - 3), 1.35, 1, 0.6)  # 年货节 run-up
            mark((days >= c - 3) & (days < c - 1), 0.8, 1, 0.3)  # logistics stop
            mult[(days >= c - 1) & (days <= c + 5)] *= 0.45  # 除夕 to 初六: quiet
        mark((months == 3) & (dom == 8), 1.5, 5, 0.5)  # 三八女王节
        mark((months == 6) & (dom < 18), 1.55, 2, 0.6)  # 618 warm-up
        mark((months == 6) & (dom == 18), 4.5, 2, 1.0)
        mark((months == 11) & (dom < 11), 1.7, 3, 0.7)  # 双11 presale
        mark((months == 11) & (dom == 11), 9.0, 3, 1.0)
        mark((months == 11) & (dom > 11) & (dom <= 13), 1.3, 3, 0.4)  # returns of the tail
        mark((months == 12) & (dom == 12), 2.6, 4, 0.8)  # 双12
        mark((months == 12) & (dom >= 8) & (dom < 12), 1.2, 4, 0.4)
        window = slice(s - o, e - o + 1)
        mult /= mult[window].mean()
        clock = np.concatenate([[0.0], np.cumsum(mult)])
        return cls(o, s, e, mult, promo, inten, clock)

    @property
    def n_days(self) -> int:
        return self.end - self.origin + 1

    def op_time(self, day: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Operational time of a (fractional) day number."""
        rel = np.clip(day - self.origin, 0, self.n_days - 1e-9)
        i = rel.astype(np.int64)
        return self.clock[i] + (rel - i) * self.multiplier[i]

    def day_of(self, op: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Day number on which an operational time falls (inverse of :meth:`op_time`)."""
        i = np.searchsorted(self.clock, op, side="right") - 1
        return np.clip(i, 0, self.n_days - 1).astype(np.int64) + self.origin

    def index(self, day: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Position of a day number in the per-day arrays."""
        return np.clip(day - self.origin, 0, self.n_days - 1)


def sample_seconds(
    rng: np.random.Generator, profile: npt.NDArray[np.float64], n: int
) -> npt.NDArray[np.int64]:
    """Seconds after midnight drawn from an hour-of-day profile."""
    cdf = np.cumsum(profile) / profile.sum()
    hours = np.searchsorted(cdf, rng.random(n), side="right")
    return (np.minimum(hours, 23) * 3600 + rng.integers(0, 3600, n)).astype(np.int64)


def date_parts(
    day: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Year, month and day of month of day numbers, vectorised."""
    d = day.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, dom
