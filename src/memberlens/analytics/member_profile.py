"""The wide `member_profile` table: one row per member, rebuilt by each profile run."""

from __future__ import annotations

import time
from datetime import date

from ..engine.base import Engine
from .rfm import default_as_of, rfm_sql


def build_member_profile(engine: Engine, as_of: date | None = None, *, split: str = "mean"
                         ) -> dict[str, object]:
    """Recompute RFM for every member (members file or orders) and replace the table."""
    as_of = as_of or default_as_of(engine)
    started = time.perf_counter()
    rfm = engine.to_sql(rfm_sql(as_of, split=split))
    with engine.transaction():
        engine.execute(f"""
            CREATE OR REPLACE TABLE member_profile AS
            WITH ids AS (
                SELECT member_id FROM members
                UNION SELECT DISTINCT member_id FROM orders
                      WHERE ordered_at < DATE '{as_of.isoformat()}'
            ), rfm AS ({rfm})
            SELECT ids.member_id, DATE '{as_of.isoformat()}' AS as_of,
                   rfm.* EXCLUDE (member_id)
            FROM ids LEFT JOIN rfm USING (member_id)
            ORDER BY ids.member_id""")
        counts = engine.fetchall(
            "SELECT count(*), count(rfm_class) FROM member_profile")[0]
        seconds = round(time.perf_counter() - started, 3)
        engine.execute(
            """INSERT INTO run_log (run_id, step, target, started_at, finished_at, status,
                   rows_in, rows_loaded, details)
               VALUES (nextval('run_id_seq'), 'profile', 'member_profile',
                   current_localtimestamp() - to_microseconds(CAST(? * 1e6 AS BIGINT)),
                   current_localtimestamp(), 'ok', ?, ?, ?)""",
            [seconds, counts[0], counts[1], f'{{"as_of": "{as_of.isoformat()}"}}'])
    return {"as_of": as_of, "members": int(counts[0]), "buyers": int(counts[1]),
            "seconds": seconds}
