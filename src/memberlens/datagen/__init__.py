"""Synthetic but realistic retail member data, for demos, tests and benchmarks.

``generate`` writes members, products, stores, online and in-store orders, order
lines, behaviour events and feedback that behave like a Chinese retailer's data
(seasonality around 春节, 618 and 双11; heterogeneous members who drop out), plus a
configurable share of realistic defects, all listed in ``manifest.json``.

Examples
--------
>>> from pathlib import Path
>>> import tempfile
>>> from memberlens.datagen import generate
>>> m = generate(Path(tempfile.mkdtemp()), members=300, seed=1)
>>> [f.path for f in m.files][:3]
['members.csv', 'products.csv', 'stores.csv']
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .generator import ALL_FILES, CHUNK_MEMBERS, Plan, Progress, run
from .manifest import DirtReport, FileEntry, Manifest


def generate(
    out_dir: Path,
    *,
    members: int = 20_000,
    seed: int = 0,
    dirt: float = 0.02,
    start: date = date(2023, 1, 1),
    end: date = date(2025, 12, 31),
    orders_per_member: float = 6.0,
    events_per_member: float = 8.0,
    include: frozenset[str] = ALL_FILES,
    progress: Progress | None = None,
    orders_csv: bool = False,
    split_pos: bool = True,
    events_format: str = "jsonl",
) -> Manifest:
    """Write a synthetic retail dataset to ``out_dir`` and return its manifest.

    Parameters
    ----------
    out_dir : folder to write to (created if missing; files in it are replaced).
    members : number of distinct people; member ids ``M00000001`` … follow registration.
    seed : the same seed gives byte-identical data files (the manifest's clock differs).
    dirt : share of rows that carry a defect (duplicates, second ids, missing values,
        mixed date formats, bad amounts …); 0 writes clean data.
    start, end : the data window (inclusive); members may have joined up to two years
        before ``start``.
    orders_per_member : expected orders per member inside the window (online and
        in-store together); individual members vary widely and many drop out.
    events_per_member : about this many behaviour events per member.
    include : canonical tables to write, a subset of ``ALL_FILES``.
    progress : called as ``progress(stage, done, total)``; the stage ``"members"``
        counts members done, chunk by chunk.
    orders_csv : also write the online orders as ``orders.csv`` (same rows and columns as
        ``orders.parquet``; the manifest marks it as an alternative).
    split_pos : write in-store orders to ``orders_pos.csv`` (Chinese headers); when
        False they go to ``orders.parquet``/``orders.csv`` with channel ``store``.
    events_format : ``"jsonl"`` writes ``events.jsonl`` (how a tracking export looks);
        ``"parquet"`` writes the same rows to ``events.parquet``, several times faster
        to write and to load at benchmark sizes (tens of millions of events).
    """
    plan = Plan(
        out_dir=Path(out_dir), members=members, seed=seed, dirt=dirt, start=start, end=end,
        orders_per_member=orders_per_member, events_per_member=events_per_member,
        include=frozenset(include), orders_csv=orders_csv, split_pos=split_pos,
        chunk_members=CHUNK_MEMBERS, events_format=events_format,
    )
    return run(plan, progress)


__all__ = ["ALL_FILES", "CHUNK_MEMBERS", "DirtReport", "FileEntry", "Manifest", "generate"]
