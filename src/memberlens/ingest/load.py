"""One file into one canonical table: atomic, incremental and idempotent.

Everything happens inside one transaction: staging, de-duplication, upsert, quarantine
and the run log. A failure rolls all of it back and records a failed run instead.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from ..engine.base import Engine
from ..errors import IngestError, MemberlensError
from ..schema import Kind, Table
from .mapping import MappingFile, resolve_mapping, table_for
from .readers import open_source
from .stage import staging_query
from .summary import LoadResult

OUTLIER_IQR = 3.0          # on the log scale: flags amounts ~20x above the typical range
OUTLIER_MIN_ROWS = 200     # fewer rows give no stable distribution to judge against


def ingest_file(engine: Engine, table_name: str, path: Path, *,
                mapping: MappingFile | None = None, timezone: str = "Asia/Shanghai"
                ) -> LoadResult:
    """Read, clean and load `path` into `table_name`; rejected rows go to quarantine."""
    table = table_for(table_name)
    started = time.perf_counter()
    run_id = int(engine.scalar("SELECT nextval('run_id_seq')"))
    source = open_source(engine, path, header=mapping.header if mapping else None,
                         delimiter=mapping.delimiter if mapping else None,
                         sheet=mapping.sheet if mapping else None)
    try:
        resolved = resolve_mapping(source.columns, table, mapping, file=str(path))
        result = LoadResult(run_id=run_id, table=table.name, file=str(path),
                            mapping=resolved.columns, fuzzy=resolved.fuzzy,
                            ignored_columns=resolved.ignored)
        stage = f"_stage_{run_id}"
        try:
            # staging only reads the source and writes a session-local table, so it runs
            # before the transaction; its rowids then count records from 0 in file order
            engine.execute(f'CREATE OR REPLACE TEMP TABLE "{stage}" AS '
                           + engine.to_sql(staging_query(source, table, resolved,
                                                         timezone=timezone)))
            _mark_rows(engine, stage, table)
            _flag_outliers(engine, stage, table)
            with engine.transaction():
                _upsert(engine, stage, table, run_id, result)
                _write_quarantine(engine, stage, table, run_id, str(path), source.row_offset)
                _count(engine, stage, result)
                result.seconds = round(time.perf_counter() - started, 3)
                _log_run(engine, result, "ok", None)
        except MemberlensError as e:
            _log_failure(engine, run_id, table, path, started, e)
            raise
        except Exception as e:  # any engine failure: the transaction rolled back
            _log_failure(engine, run_id, table, path, started, e)
            raise IngestError(f"加载失败，仓库未改变 load failed, warehouse unchanged: {e}",
                              file=str(path)) from e
        finally:
            engine.execute(f'DROP VIEW IF EXISTS "{stage}_good"')
            for suffix in ("_drop", "_flag", ""):
                engine.execute(f'DROP TABLE IF EXISTS "{stage}{suffix}"')
    finally:
        for tmp in source.cleanup:
            tmp.unlink(missing_ok=True)
    return result


def _key_list(table: Table) -> str:
    return ", ".join(f'"{k}"' for k in table.key)


def _mark_rows(engine: Engine, stage: str, table: Table) -> None:
    """Repeated keys: exact duplicates keep their first copy, changed versions the last.

    Identical rows share their key (a generated key is made from the row's fields), so
    only rows whose key repeats are compared; results go to a side table keyed by the
    stage's rowid, because DuckDB may move updated rows and rowid is our row number.
    """
    keys = _key_list(table)
    on = " AND ".join(f's."{k}" = m."{k}"' for k in table.key)
    content = "row(" + ", ".join(f's."{c}"' for c in table.column_names) + ")"
    engine.execute(f"""
        CREATE OR REPLACE TEMP TABLE "{stage}_drop" AS
        WITH multi AS (
            SELECT {keys} FROM "{stage}" WHERE NOT _rejected GROUP BY ALL HAVING count(*) > 1
        ), candidates AS (
            SELECT s.rowid AS rid, {", ".join(f's."{k}"' for k in table.key)},
                   {content} AS content
            FROM "{stage}" s JOIN multi m ON {on}
            WHERE NOT s._rejected
        ), versions AS (
            SELECT *, min(rid) OVER (PARTITION BY {keys}, content) AS first_same,
                   arg_max(content, rid) OVER (PARTITION BY {keys}) AS last_content
            FROM candidates
        ), survivors AS (
            SELECT *, min(rid) FILTER (content = last_content)
                      OVER (PARTITION BY {keys}) AS survivor
            FROM versions
        )
        SELECT rid,
               CASE WHEN rid <> first_same THEN 'duplicate_row' ELSE 'duplicate_key' END
                   AS reason,
               CASE WHEN rid <> first_same THEN first_same ELSE survivor END AS kept
        FROM survivors WHERE rid <> survivor""")
    dropped = engine.scalar(f'SELECT count(*) > 0 FROM "{stage}_drop"')
    not_dropped = (f' AND NOT EXISTS (SELECT 1 FROM "{stage}_drop" d WHERE d.rid = s.rowid)'
                   if dropped else "")
    engine.execute(f"""
        CREATE OR REPLACE TEMP VIEW "{stage}_good" AS
        SELECT rowid AS rid, * FROM "{stage}" s WHERE NOT _rejected{not_dropped}""")


def _flag_outliers(engine: Engine, stage: str, table: Table) -> None:
    """Amounts far above this file's own typical range are kept but reported.

    The range comes from a sample of the accepted rows (log scale, Q3 + 3 IQR); the
    threshold is then applied to every accepted row.
    """
    engine.execute(f'CREATE OR REPLACE TEMP TABLE "{stage}_flag" '
                   "(rid BIGINT, field VARCHAR, value VARCHAR)")
    for col in table.columns:
        if not (col.flag_outliers and col.kind == Kind.MONEY):
            continue
        name = f'"{col.name}"'
        n, q1, q3 = engine.fetchall(f"""
            SELECT count(*), quantile_cont(ln(v), 0.25), quantile_cont(ln(v), 0.75)
            FROM (SELECT {name} AS v FROM "{stage}" WHERE NOT _rejected AND {name} > 0
                  USING SAMPLE 200000 ROWS)""")[0]
        if n < OUTLIER_MIN_ROWS or q1 is None:
            continue
        limit = math.exp(float(q3) + OUTLIER_IQR * (float(q3) - float(q1)))
        engine.execute(f"""
            INSERT INTO "{stage}_flag"
            SELECT rid, '{col.name}', CAST({name} AS VARCHAR) FROM "{stage}_good"
            WHERE {name} > {limit:.2f}""")


def _upsert(engine: Engine, stage: str, table: Table, run_id: int, result: LoadResult
            ) -> None:
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    keys = _key_list(table)
    good = f'SELECT {cols} FROM "{stage}_good"'
    if not engine.scalar(f'SELECT count(*) > 0 FROM (SELECT 1 FROM "{table.name}" LIMIT 1)'):
        inserted = engine.fetchall(f'INSERT INTO "{table.name}" ({cols}, _run_id) '
                                   f"SELECT {cols}, {run_id} FROM ({good})")
        result.new = int(inserted[0][0])
        result.loaded = result.new
        return
    on = " AND ".join(f'g."{k}" = t."{k}"' for k in table.key)
    g_struct = ", ".join(f'g."{c}"' for c in table.column_names)
    t_struct = ", ".join(f't."{c}"' for c in table.column_names)
    engine.execute(f"""
        CREATE TEMP TABLE _cmp AS
        SELECT {", ".join(f'g."{k}"' for k in table.key)},
               t."{table.key[0]}" IS NULL AS is_new,
               t."{table.key[0]}" IS NOT NULL
                 AND row({g_struct}) IS DISTINCT FROM row({t_struct}) AS changed
        FROM ({good}) g LEFT JOIN "{table.name}" t ON {on}""")
    counts = engine.fetchall("SELECT count(*) FILTER (is_new), count(*) FILTER (changed), "
                             "count(*) FILTER (NOT is_new AND NOT changed) FROM _cmp")[0]
    result.new, changed, result.unchanged = (int(x) for x in counts)
    if table.upsert:
        result.updated = changed
        engine.execute(f'DELETE FROM "{table.name}" WHERE ({keys}) IN '
                       f"(SELECT ({keys}) FROM _cmp WHERE changed)")
        wanted = "is_new OR changed"
    else:
        result.unchanged += changed  # immutable facts: a re-sent key is kept as it was
        wanted = "is_new"
    engine.execute(f"""
        INSERT INTO "{table.name}" ({cols}, _run_id)
        SELECT {", ".join(f'g."{c}"' for c in table.column_names)}, {run_id}
        FROM ({good}) g JOIN _cmp c ON {on.replace('t."', 'c."')}
        WHERE {wanted}""")
    engine.execute("DROP TABLE _cmp")
    result.loaded = result.new + result.updated


def _write_quarantine(engine: Engine, stage: str, table: Table, run_id: int, file: str,
                      row_offset: int) -> None:
    """Every problem found, one line per field, with the row a user would look at."""
    engine.execute(f"""
        INSERT INTO quarantine
        SELECT {run_id}, '{table.name}', ?, rid + {row_offset}, i.field, i.value, i.reason,
               i.action, CASE WHEN i.action = 'rejected' THEN rec END
        FROM (SELECT rowid AS rid, unnest(_issues) AS i, _record AS rec
              FROM "{stage}" s WHERE _issues IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM "{stage}_drop" d WHERE d.rid = s.rowid))""",
                   [file])
    keys = " || '|' || ".join(f'CAST(s."{k}" AS VARCHAR)' for k in table.key)
    engine.execute(f"""
        INSERT INTO quarantine
        SELECT {run_id}, '{table.name}', ?, d.rid + {row_offset}, '{"|".join(table.key)}',
               {keys}, d.reason, 'dropped', to_json({{'kept_row': d.kept + {row_offset}}})
        FROM "{stage}_drop" d JOIN (SELECT rowid AS rid, * FROM "{stage}") s USING (rid)
        """, [file])
    engine.execute(f"""
        INSERT INTO quarantine
        SELECT {run_id}, '{table.name}', ?, rid + {row_offset}, field, value,
               'outlier_amount', 'flagged', NULL
        FROM "{stage}_flag" """, [file])


def _count(engine: Engine, stage: str, result: LoadResult) -> None:
    row = engine.fetchall(f"""
        SELECT count(*),
               count(*) FILTER (_rejected),
               (SELECT count(*) FROM "{stage}_drop")
        FROM "{stage}" """)[0]
    result.rows_in, result.rejected, result.duplicates = (int(x) for x in row)
    reasons = engine.fetchall(f"""
        SELECT reason, action, count(*) FROM quarantine WHERE run_id = {result.run_id}
        GROUP BY ALL ORDER BY 3 DESC""")
    result.reasons = {}
    for reason, action, n in reasons:
        result.reasons[reason] = result.reasons.get(reason, 0) + int(n)
        if action == "cleared":
            result.cleared += int(n)
        elif action == "flagged":
            result.flagged += int(n)


def _log_run(engine: Engine, result: LoadResult, status: str, error: str | None) -> None:
    details = json.dumps(result.model_dump(), ensure_ascii=False)
    engine.execute(
        """INSERT INTO run_log VALUES (?, 'ingest', ?, ?,
               current_localtimestamp() - to_microseconds(CAST(? * 1e6 AS BIGINT)),
               current_localtimestamp(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [result.run_id, result.table, result.file, result.seconds, status, result.rows_in,
         result.loaded, result.new, result.updated, result.unchanged, result.rejected,
         result.duplicates, result.flagged, result.cleared, details, error])


def _log_failure(engine: Engine, run_id: int, table: Table, path: Path, started: float,
                 error: BaseException) -> None:
    failed = LoadResult(run_id=run_id, table=table.name, file=str(path), status="failed",
                        seconds=round(time.perf_counter() - started, 3))
    _log_run(engine, failed, "failed", str(error)[:2000])
