"""Members: who they are, where they live, when and how they joined.

Everything is drawn per chunk of members with vectorised numpy; names, phones and
e-mails are assembled as Arrow string columns. Member ids follow registration
order across the whole file (registration times are stratified by the global
member index), as a real loyalty system hands them out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from . import zh_names
from .geography import Geography
from .seasonality import ONLINE_HOURS, SECONDS_PER_DAY, STORE_HOURS, Timeline, sample_seconds
from .textcols import code, digits, format_seconds, join, number_text, pick, with_nulls

REG_CHANNELS = ("门店", "APP", "小程序", "天猫", "京东", "官网")
REG_CHANNEL_SHARE = np.array([0.36, 0.20, 0.24, 0.10, 0.06, 0.04])
STORE_CHANNEL = 0
PRE_WINDOW_SHARE = 0.3  # members who joined in the two years before the window
TIERS = ("普通会员", "银卡会员", "金卡会员", "钻石会员")
TIER_THRESHOLDS_CENTS = np.array([1_500_00, 5_000_00, 15_000_00])  # trailing-year spend

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass
class Members:
    """One chunk of members (clean values; dirt is applied when writing)."""

    index: IntArray  # global 0-based member index
    member_id: pa.Array
    name: pa.Array
    female: npt.NDArray[np.bool_]
    birthday: IntArray  # day number
    phone: IntArray  # 11-digit number
    email: pa.Array  # null when the member gave none
    city: IntArray  # index into Geography
    registered_at: IntArray  # epoch seconds, local wall clock
    channel: IntArray  # index into REG_CHANNELS
    consent: npt.NDArray[np.int8]  # (n, 3): sms, email, push

    def __len__(self) -> int:
        return len(self.index)

    @property
    def registered_day(self) -> IntArray:
        return self.registered_at // SECONDS_PER_DAY


def _vocab(pairs: tuple[tuple[str, str], ...]) -> tuple[list[str], list[str]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


_GIVEN_POOLS = (zh_names.MALE_CLASSIC, zh_names.MALE_MODERN,
                zh_names.FEMALE_CLASSIC, zh_names.FEMALE_MODERN)
_GIVEN_CHARS = pa.array([c for pool in _GIVEN_POOLS for c, _ in pool] + [""])
_GIVEN_PINYIN = pa.array([p for pool in _GIVEN_POOLS for _, p in pool] + [""])
_POOL_OFFSET = np.cumsum([0] + [len(p) for p in _GIVEN_POOLS])[:-1]
_POOL_SIZE = np.array([len(p) for p in _GIVEN_POOLS])
_SURNAME_CHARS = pa.array([s[0] for s in zh_names.SURNAMES])
_SURNAME_PINYIN = pa.array([s[1] for s in zh_names.SURNAMES])
_SURNAME_CDF = np.cumsum([s[2] for s in zh_names.SURNAMES]) / sum(
    s[2] for s in zh_names.SURNAMES)
_DOMAINS = pa.array([d for d, _ in zh_names.EMAIL_DOMAINS])
_DOMAIN_CDF = np.cumsum([w for _, w in zh_names.EMAIL_DOMAINS])
_PREFIXES = np.array(zh_names.MOBILE_PREFIXES, dtype=np.int64)


def _registration_seconds(
    rng: np.random.Generator, index: IntArray, total: int, timeline: Timeline,
    channel: IntArray,
) -> IntArray:
    """Registration instants, increasing with the global member index.

    A share joined before the window (uniformly over two years); the rest joined
    inside it on the operational clock, so more people join around 双11 and 618.
    """
    v = (index + rng.random(len(index))) / total
    pre = v < PRE_WINDOW_SHARE
    day = np.empty(len(index), dtype=np.int64)
    span = timeline.start - timeline.origin
    day[pre] = timeline.origin + (v[pre] / PRE_WINDOW_SHARE * span).astype(np.int64)
    op0 = timeline.clock[timeline.start - timeline.origin]
    op1 = timeline.clock[-1]
    q = (v[~pre] - PRE_WINDOW_SHARE) / (1 - PRE_WINDOW_SHARE)
    day[~pre] = timeline.day_of(op0 + q * (op1 - op0))
    tod = np.where(channel == STORE_CHANNEL,
                   sample_seconds(rng, STORE_HOURS, len(index)),
                   sample_seconds(rng, ONLINE_HOURS, len(index)))
    return np.sort(day * SECONDS_PER_DAY + tod)


def _phones(rng: np.random.Generator, index: IntArray) -> IntArray:
    """Unique 11-digit mobiles: a real prefix and a digit-reversed affine code of the index."""
    suffix = (index * 7_368_787 + 1_234_567) % 100_000_000
    rev = digits(suffix, 8)[:, ::-1].astype(np.int64) - 48
    scrambled = rev @ (10 ** np.arange(7, -1, -1, dtype=np.int64))
    prefix = _PREFIXES[rng.integers(0, len(_PREFIXES), len(index))]
    return np.asarray(prefix * 100_000_000 + scrambled, dtype=np.int64)


def phone_text(phone: IntArray) -> pa.Array:
    """Phone numbers as 11-character strings."""
    return number_text(phone)


def make_members(
    rng: np.random.Generator, lo: int, hi: int, total: int, timeline: Timeline,
    geography: Geography,
) -> Members:
    """Draw members ``lo..hi-1`` of ``total``."""
    index = np.arange(lo, hi, dtype=np.int64)
    n = len(index)
    channel = np.searchsorted(np.cumsum(REG_CHANNEL_SHARE), rng.random(n) * 0.999999)
    reg = _registration_seconds(rng, index, total, timeline, channel)
    # ages at the end of the window: mostly 25-45, some anywhere in 18-70
    age = np.where(rng.random(n) < 0.8, rng.normal(34.0, 8.5, n), rng.uniform(18, 70, n))
    reg_years_ago = (timeline.end - reg // SECONDS_PER_DAY) / 365.25
    age = np.clip(np.maximum(age, 18 + reg_years_ago), 18, 70)
    birthday = (timeline.end - age * 365.25).astype(np.int64) - rng.integers(0, 365, n)
    birth_year = birthday.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970

    female = rng.random(n) < 0.58
    modern = np.where(birth_year >= 1980, rng.random(n) < 0.85, rng.random(n) < 0.15)
    pool = female.astype(np.int64) * 2 + modern.astype(np.int64)
    first = _POOL_OFFSET[pool] + rng.integers(0, 1 << 30, n) % _POOL_SIZE[pool]
    second = _POOL_OFFSET[pool] + rng.integers(0, 1 << 30, n) % _POOL_SIZE[pool]
    second = np.where(rng.random(n) < 0.72, second, len(_GIVEN_CHARS) - 1)  # 1-char names
    surname = np.minimum(np.searchsorted(_SURNAME_CDF, rng.random(n)), len(_SURNAME_CDF) - 1)
    name = join(pick(_SURNAME_CHARS, surname), pick(_GIVEN_CHARS, first),
                pick(_GIVEN_CHARS, second))

    phone = _phones(rng, index)
    email = _emails(rng, index, surname, first, second, birth_year, phone)
    has_email = rng.random(n) < 0.38
    email = with_nulls(email, ~has_email)

    consent = np.zeros((n, 3), dtype=np.int8)
    consent[:, 0] = rng.random(n) < 0.72
    consent[:, 1] = has_email & (rng.random(n) < 0.45)
    app_like = (channel == 1) | (channel == 2)
    consent[:, 2] = rng.random(n) < np.where(app_like, 0.7, 0.45)
    return Members(
        index=index, member_id=code("M", index + 1, 8), name=name, female=female,
        birthday=birthday, phone=phone, email=email, city=geography.sample(rng, n),
        registered_at=reg, channel=channel.astype(np.int64), consent=consent,
    )


def _emails(
    rng: np.random.Generator, index: IntArray, surname: IntArray, first: IntArray,
    second: IntArray, birth_year: IntArray, phone: IntArray,
) -> pa.Array:
    """Pinyin e-mails (``jiahui.wang88@163.com``) or numeric QQ mail."""
    n = len(index)
    domain = np.minimum(np.searchsorted(_DOMAIN_CDF, rng.random(n) * _DOMAIN_CDF[-1]),
                        len(_DOMAIN_CDF) - 1)
    given = join(pick(_GIVEN_PINYIN, first), pick(_GIVEN_PINYIN, second))
    sur = pick(_SURNAME_PINYIN, surname)
    suffix = np.where(rng.random(n) < 0.35, birth_year, index % 9973)
    suffix_text = pa.array(suffix).cast(pa.string())
    dotted = rng.random(n) < 0.3
    sep = pc.if_else(pa.array(dotted), ".", "")
    local = join(given, sep, sur, suffix_text)
    qq_number = 10_000 + (index * 48_271 + phone % 1000) % 2_000_000_000
    qq = pa.array(qq_number).cast(pa.string())
    use_qq = (domain == 0) & (rng.random(n) < 0.6)
    local = pc.if_else(pa.array(use_qq), qq, local)
    return join(local, "@", pick(_DOMAINS, domain))


def assign_tiers(
    rng: np.random.Generator, trailing_year_cents: IntArray
) -> IntArray:
    """Tier from last year's spend; one in ten keeps a higher tier not yet downgraded."""
    tier = np.searchsorted(TIER_THRESHOLDS_CENTS, trailing_year_cents, side="right")
    sticky = rng.random(len(tier)) < 0.1
    return np.asarray(np.minimum(tier + sticky, 3), dtype=np.int64)


def members_table(m: Members, geography: Geography, tier: IntArray) -> pa.Table:
    """The clean ``members.csv`` rows (text dates, as a CRM export writes them)."""
    gender = pa.array(np.where(m.female, "女", "男"))
    return pa.table({
        "member_id": m.member_id,
        "name": m.name,
        "gender": gender,
        "birthday": format_seconds(m.birthday * SECONDS_PER_DAY, "%Y-%m-%d"),
        "phone": phone_text(m.phone),
        "email": m.email,
        "province": pick(geography.province, m.city),
        "city": pick(geography.city, m.city),
        "city_tier": pa.array(geography.tier[m.city]),
        "registered_at": format_seconds(m.registered_at),
        "channel": pick(pa.array(REG_CHANNELS), m.channel),
        "tier": pick(pa.array(TIERS), tier),
        "consent_sms": pa.array(m.consent[:, 0]),
        "consent_email": pa.array(m.consent[:, 1]),
        "consent_push": pa.array(m.consent[:, 2]),
    })
