"""One person under two source ids: a member who later signed up again in the app.

The second account has its own id (``A`` + 9 digits, as the app numbers them), the
same name, the same phone written another way, and fewer details. App and mini
program orders placed after the second sign-up carry the second id, so identity
resolution has something real to merge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .dirt import reformat_phone, set_column
from .people import Members
from .purchases import Timing
from .seasonality import SECONDS_PER_DAY, Timeline
from .textcols import code, format_seconds

IntArray = npt.NDArray[np.int64]
APP_CHANNELS = (0, 1)  # app, mini_program in ONLINE_CHANNELS


@dataclass(frozen=True)
class SecondAccounts:
    """The members (chunk positions) who have a second account, and its id and date."""

    rows: IntArray
    ids: pa.Array
    registered_at: IntArray

    @classmethod
    def open(cls, rng: np.random.Generator, members: Members, rows: IntArray,
             timeline: Timeline) -> SecondAccounts:
        ids = code("A", (members.index[rows] * 7919 + 100_000_007) % 1_000_000_000, 9)
        first = members.registered_at[rows]
        room = (timeline.end + 1) * SECONDS_PER_DAY - 3600 - first
        later = rng.integers(SECONDS_PER_DAY, 500 * SECONDS_PER_DAY, len(rows))
        return cls(rows, ids, first + np.minimum(later, np.maximum(room, 60)))

    def order_member_ids(
        self, members: Members, timing: Timing
    ) -> tuple[pa.Array, npt.NDArray[np.bool_]]:
        """Member id of every order, and which orders were placed under the second id."""
        member_id = members.member_id.take(pa.array(timing.member))
        holder = np.full(len(members), -1)
        holder[self.rows] = np.arange(len(self.rows))
        h = holder[timing.member]
        moved = (h >= 0) & np.isin(timing.channel, APP_CHANNELS)
        if len(self.rows):
            moved &= timing.seconds >= self.registered_at[np.maximum(h, 0)]
        if moved.any():
            member_id = pc.if_else(pa.array(moved), self.ids.take(pa.array(np.maximum(h, 0))),
                                   member_id)
        return member_id, moved

    def member_rows(
        self, rng: np.random.Generator, table: pa.Table, phone: IntArray
    ) -> pa.Table:
        """``members.csv`` rows of the second accounts, from the originals' rows."""
        rows = table.take(pa.array(self.rows))
        n = rows.num_rows
        for column in ("birthday", "email"):  # the app asked for less
            keep = pa.array(rng.random(n) < 0.5)
            rows = set_column(rows, column, pc.if_else(
                keep, rows.column(column).combine_chunks(), pa.nulls(n, pa.string())))
        rows = set_column(rows, "member_id", self.ids)
        rows = set_column(rows, "phone", reformat_phone(rng, phone[self.rows]))
        rows = set_column(rows, "registered_at", format_seconds(self.registered_at))
        rows = set_column(rows, "channel", pa.repeat(pa.scalar("APP"), n))
        return set_column(rows, "tier", pa.repeat(pa.scalar("普通会员"), n))
