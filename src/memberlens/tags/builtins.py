"""Tags SQL cannot compute well: Chinese word segmentation of searches and reviews."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from functools import cache
from importlib import resources

import pyarrow as pa

from ..engine.base import Engine
from .definition import BuiltinCompute

_TOKEN = re.compile(r"^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9+]*$")


@cache
def stop_words() -> frozenset[str]:
    text = resources.files("memberlens.tags").joinpath("stopwords_zh.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip())


def segment(text: str) -> list[str]:
    """Words of `text` worth keeping: two characters or more, no stop words or numbers."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    stops = stop_words()
    return [w for w in (t.strip().lower() for t in jieba.lcut(text))
            if len(w) >= 2 and w not in stops and _TOKEN.match(w)]


def interest_keywords(engine: Engine, key: str, compute: BuiltinCompute, as_of: date) -> str:
    """Top words per member; segments each distinct text once, counts in the engine.

    Search keywords repeat across members (a catalogue's vocabulary), so segmenting the
    distinct texts and joining back keeps Python's share of the work small.
    """
    window = int(compute.params.get("window_days", 365))
    n = int(compute.params.get("n", 5))
    start = (as_of - timedelta(days=window)).isoformat()
    texts = f"""
        SELECT member_id, keyword AS text FROM events
        WHERE event_type = 'search' AND keyword IS NOT NULL AND member_id IS NOT NULL
          AND occurred_at >= TIMESTAMP '{start}' AND occurred_at < TIMESTAMP '{as_of}'
        UNION ALL
        SELECT member_id, content FROM feedback
        WHERE content IS NOT NULL AND kind IN ('review', 'survey', 'ticket')
          AND created_at >= TIMESTAMP '{start}' AND created_at < TIMESTAMP '{as_of}'"""
    distinct = [r[0] for r in engine.fetchall(f"SELECT DISTINCT text FROM ({texts})")]
    pairs = [(t, w) for t in distinct for w in segment(t)]
    vocab = pa.table({"text": pa.array([p[0] for p in pairs], pa.string()),
                      "word": pa.array([p[1] for p in pairs], pa.string())})
    engine.register("_segmented", vocab)
    relation = f"builtin_{key}"
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE "{relation}" AS
        SELECT member_id, list(word ORDER BY n DESC, word)[1:{n}] AS value
        FROM (SELECT t.member_id, s.word, count(*) AS n
              FROM ({texts}) t JOIN _segmented s ON s.text = t.text
              GROUP BY ALL)
        GROUP BY member_id""")
    return relation


BUILTINS = {"interest_keywords": interest_keywords}
