"""Train/test splits of an interaction log, for judging recommenders on data they never saw.

A split turns the long log (``member_id, sku, at, kind, weight`` — what
:func:`memberlens.recommend.interactions.interaction_log` returns) into the training
:class:`~memberlens.recommend.base.Interactions` and, for the members that are
evaluated, the SKUs they went on to take (the *truth*), as a CSR aligned to the same
SKU columns. Three protocols:

- :func:`time_split` — the honest one for a shop: learn from everything before a
  cut-off, test on what members *bought* after it.
- :func:`random_split` — a share of each member's distinct SKUs held out at random
  (stratified per member), the protocol of most published MovieLens tables.
- :func:`chrono_split` — the latest share of each member's SKUs held out, for data
  whose members are spread over decades (MovieLens), where one cut-off leaves few
  members on both sides.
- :func:`leave_last_out` — each member's last purchase held out.

Test SKUs the training data cannot know (no column) are dropped and counted; by
default so are SKUs the member already had in training — recommenders do not
re-recommend those, so counting them would punish every model alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from .base import IntArray, Interactions, RecommendError

LOG_COLUMNS = ("member_id", "sku", "at", "kind", "weight")
PURCHASE: tuple[str, ...] = ("purchase",)


@dataclass(frozen=True)
class Split:
    """Training interactions, the members evaluated (rows of ``train``) and their truth.

    ``truth`` has one row per entry of ``rows`` (same order) and one column per SKU of
    ``train``; ``exclude_seen`` says whether recommenders must leave out SKUs the
    member had in training (the truth was built the same way).
    """

    protocol: str
    train: Interactions
    rows: IntArray
    truth: sp.csr_matrix
    exclude_seen: bool = True
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.truth.shape != (len(self.rows), self.train.n_items):
            raise ValueError(f"truth {self.truth.shape} does not match {len(self.rows)} rows "
                             f"× {self.train.n_items} SKUs")

    @property
    def n_members(self) -> int:
        """Members evaluated (each has at least one test SKU)."""
        return len(self.rows)

    @property
    def member_ids(self) -> npt.NDArray[np.object_]:
        return self.train.member_ids[self.rows]

    def sample(self, n: int | None, random_state: int = 0) -> Split:
        """The same split for at most ``n`` evaluated members, chosen with a seed."""
        if n is None or n >= self.n_members:
            return self
        pick = np.sort(np.random.default_rng(random_state).choice(
            self.n_members, size=n, replace=False))
        return Split(self.protocol, self.train, self.rows[pick], self.truth[pick],
                     self.exclude_seen, {**self.info, "sampled_members": n})


def check_log(log: pd.DataFrame) -> None:
    """Name the first missing column of an interaction log."""
    for col in LOG_COLUMNS:
        if col not in log.columns:
            raise RecommendError(f"交互日志缺少列 '{col}' / the interaction log needs a "
                                 f"'{col}' column (member_id, sku, at, kind, weight)")


def _kinds_mask(log: pd.DataFrame, kinds: Sequence[str] | None) -> npt.NDArray[np.bool_]:
    if kinds is None:
        return np.ones(len(log), dtype=bool)
    return log["kind"].isin(list(kinds)).to_numpy()


def _build(protocol: str, train_log: pd.DataFrame, test_log: pd.DataFrame, *,
           skus: Sequence[str] | None, exclude_seen: bool, info: dict[str, Any]) -> Split:
    """Training matrix from ``train_log``; truth from ``test_log`` for members in it."""
    if train_log.empty:
        raise RecommendError(f"{protocol} 划分后训练集为空，请调整截止日期或测试期 / the "
                             f"{protocol} split leaves no training data; move the cut-off")
    train = Interactions.from_frame(train_log, skus=skus)
    test = test_log[["member_id", "sku"]].astype(str).drop_duplicates()
    rows_all = train.member_rows(test["member_id"].tolist())
    known_member = rows_all >= 0
    sku_index = pd.Index(train.skus.astype(str))
    cols_all = sku_index.get_indexer(pd.Index(test["sku"]))
    known_sku = cols_all >= 0
    keep = known_member & known_sku
    r, c = rows_all[keep], cols_all[keep]
    n_seen = 0
    if exclude_seen and len(r):
        seen = np.asarray(train.matrix[r, c]).ravel() != 0
        n_seen = int(seen.sum())
        r, c = r[~seen], c[~seen]
    rows = np.unique(r).astype(np.int64)
    pos = np.searchsorted(rows, r)
    truth = sp.csr_matrix((np.ones(len(r), dtype=np.float32), (pos, c)),
                          shape=(len(rows), train.n_items), dtype=np.float32)
    truth.sum_duplicates()
    truth.data[:] = 1.0
    info = {**info, "test_pairs": len(test), "dropped_unknown_sku": int((known_member
            & ~known_sku).sum()), "dropped_cold_member": int((~known_member).sum()),
            "dropped_seen": n_seen, "truth_pairs": int(truth.nnz),
            "train_members": train.n_members, "skus": train.n_items,
            "train_pairs": int(train.matrix.nnz)}
    return Split(protocol, train, rows, truth, exclude_seen, info)


def time_split(
    log: pd.DataFrame, *, cutoff: pd.Timestamp | str | None = None, test_days: int = 30,
    test_kinds: Sequence[str] | None = PURCHASE, exclude_seen: bool = True,
    skus: Sequence[str] | None = None,
) -> Split:
    """Train on interactions before ``cutoff``; truth = ``test_kinds`` after it.

    Parameters
    ----------
    cutoff
        First instant of the test period; by default the last ``test_days`` whole days
        of the log.
    test_kinds
        Interaction kinds that count as a hit (purchases by default); ``None`` = any.
    skus
        The whole catalogue, so SKUs nobody touched before the cut-off are columns too.
    """
    check_log(log)
    at = pd.to_datetime(log["at"])
    if cutoff is None:
        if test_days <= 0:
            raise RecommendError(f"测试期天数须为正数 / test_days must be positive, got "
                                 f"{test_days}")
        cut = at.max().normalize() + pd.Timedelta(days=1) - pd.Timedelta(days=test_days)
    else:
        cut = pd.Timestamp(cutoff)
    before = (at < cut).to_numpy()
    test = log[~before & _kinds_mask(log, test_kinds)]
    info = {"cutoff": str(cut), "test_days": None if cutoff is not None else test_days,
            "test_kinds": list(test_kinds) if test_kinds is not None else None}
    return _build("time", log[before], test, skus=skus, exclude_seen=exclude_seen, info=info)


def random_split(
    log: pd.DataFrame, *, test_share: float = 0.25, random_state: int = 0,
    test_kinds: Sequence[str] | None = None, skus: Sequence[str] | None = None,
) -> Split:
    """Hold out ``test_share`` of each member's distinct SKUs at random.

    Stratified per member, like the 75/25 "python_stratified_split" of the published
    MovieLens tables: every member with at least two SKUs keeps at least one in training
    and gives round(share × n) to the test (members with one SKU only train). All log
    rows of a held-out (member, SKU) pair leave the training data; the truth keeps the
    pairs that include a ``test_kinds`` interaction (``None`` = any). Held-out SKUs are
    never in the member's training rows, so nothing needs excluding.
    """
    check_log(log)
    _check_share(test_share)
    frame = log.assign(member_id=log["member_id"].astype(str), sku=log["sku"].astype(str))
    pairs = frame[["member_id", "sku"]].drop_duplicates().reset_index(drop=True)
    rng = np.random.default_rng(random_state)
    pairs = pairs.iloc[rng.permutation(len(pairs))]
    is_test = _per_member_holdout(frame, pairs, test_share)
    test = frame[is_test & _kinds_mask(frame, test_kinds)]
    info = {"test_share": test_share, "random_state": random_state,
            "test_kinds": list(test_kinds) if test_kinds is not None else None}
    return _build("random", frame[~is_test], test, skus=skus, exclude_seen=True, info=info)


def _per_member_holdout(
    frame: pd.DataFrame, pairs: pd.DataFrame, test_share: float,
) -> npt.NDArray[np.bool_]:
    """Mark the first round(share × n) of each member's ordered pairs (at least one
    pair stays in training); returns, per log row, whether its pair is held out."""
    order = pairs.groupby("member_id", sort=False).cumcount().to_numpy()
    size = pairs.groupby("member_id", sort=False)["sku"].transform("size").to_numpy()
    n_test = np.minimum(np.floor(size * test_share + 0.5), size - 1)
    held = pairs[order < n_test]
    key = pd.MultiIndex.from_frame(frame[["member_id", "sku"]])
    return np.asarray(key.isin(pd.MultiIndex.from_frame(held[["member_id", "sku"]])))


def chrono_split(
    log: pd.DataFrame, *, test_share: float = 0.25, test_kinds: Sequence[str] | None = None,
    skus: Sequence[str] | None = None,
) -> Split:
    """Hold out the latest ``test_share`` of each member's distinct SKUs (by first touch).

    Per member, like the published "chrono split"; other members' later rows stay in
    training, so it is kinder than one global cut-off, which on MovieLens (1995–2016)
    leaves 23 of 671 raters on both sides.
    """
    check_log(log)
    _check_share(test_share)
    frame = log.assign(member_id=log["member_id"].astype(str), sku=log["sku"].astype(str),
                       at=pd.to_datetime(log["at"]))
    first = frame.groupby(["member_id", "sku"], sort=False)["at"].min().reset_index()
    pairs = first.sort_values(["member_id", "at", "sku"], ascending=[True, False, True])
    is_test = _per_member_holdout(frame, pairs, test_share)
    test = frame[is_test & _kinds_mask(frame, test_kinds)]
    info = {"test_share": test_share, "per_member": True,
            "test_kinds": list(test_kinds) if test_kinds is not None else None}
    return _build("chrono", frame[~is_test], test, skus=skus, exclude_seen=True, info=info)


def _check_share(test_share: float) -> None:
    if not 0.0 < test_share < 1.0:
        raise RecommendError(f"测试比例须在 0 与 1 之间 / test_share must be in (0, 1), got "
                             f"{test_share}")


def leave_last_out(
    log: pd.DataFrame, *, test_kinds: Sequence[str] | None = PURCHASE,
    exclude_seen: bool = True, skus: Sequence[str] | None = None,
) -> Split:
    """Each member's last ``test_kinds`` interaction is the truth; their later rows go.

    The member's rows from that instant on leave the training data; other members keep
    theirs (the usual leave-one-out protocol, cheap and optimistic about time).
    """
    check_log(log)
    frame = log.assign(member_id=log["member_id"].astype(str), at=pd.to_datetime(log["at"]))
    candidates = frame[_kinds_mask(frame, test_kinds)]
    if candidates.empty:
        raise RecommendError("没有可留出的交互 / no interaction of the test kinds to hold out")
    last = candidates.loc[candidates.groupby("member_id")["at"].idxmax()]
    held_at = frame["member_id"].map(last.set_index("member_id")["at"])
    later = (held_at.notna() & (frame["at"] >= held_at)).to_numpy()
    info = {"test_kinds": list(test_kinds) if test_kinds is not None else None}
    return _build("leave_last_out", frame[~later], last, skus=skus,
                  exclude_seen=exclude_seen, info=info)
