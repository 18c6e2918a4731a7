"""Tables the warehouse keeps about itself: what ran, what was set aside, model scores.

`member_profile` and `tag_history` are not here: their columns are the tag catalog's,
so the tag runner creates them (tags/runner.py).
"""

from __future__ import annotations

SYSTEM_TABLES: dict[str, str] = {
    "run_log": """
        CREATE TABLE IF NOT EXISTS run_log (
            run_id BIGINT NOT NULL,
            step VARCHAR NOT NULL,          -- ingest, profile, report, ...
            target VARCHAR,                 -- table written
            source VARCHAR,                 -- file read
            started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            status VARCHAR NOT NULL,        -- ok | failed
            rows_in BIGINT,
            rows_loaded BIGINT,
            rows_new BIGINT,
            rows_updated BIGINT,
            rows_unchanged BIGINT,
            rows_rejected BIGINT,
            rows_duplicate BIGINT,
            rows_flagged BIGINT,
            fields_cleared BIGINT,
            details JSON,
            error VARCHAR
        )""",
    "quarantine": """
        CREATE TABLE IF NOT EXISTS quarantine (
            run_id BIGINT NOT NULL,
            table_name VARCHAR NOT NULL,
            source_file VARCHAR NOT NULL,
            source_row BIGINT NOT NULL,     -- row as a spreadsheet shows it (header = 1)
            field VARCHAR,
            value VARCHAR,
            reason VARCHAR NOT NULL,        -- code, e.g. invalid_timestamp
            action VARCHAR NOT NULL,        -- rejected | dropped | cleared | flagged
            record JSON                     -- the raw row, for rejected and dropped rows
        )""",
    # What trained models say about members, read by predictive tags (compute kind
    # `model`); written through memberlens.tags.model_scores. Long format, so a new model
    # or output needs no new column. `as_of` is the profile date whose features the
    # scores describe (point-in-time: a tag run as of D reads the newest as_of <= D);
    # `scored_at` is when they were written. (member_id, model, output, as_of) is unique:
    # write_scores replaces a model's rows for one as_of at once.
    "model_scores": """
        CREATE TABLE IF NOT EXISTS model_scores (
            member_id VARCHAR NOT NULL,
            model VARCHAR NOT NULL,         -- churn, clv, cluster, ...
            output VARCHAR NOT NULL,        -- probability, risk, id, name, ...
            value VARCHAR,                  -- cast to the reading tag's type
            model_version VARCHAR,
            as_of DATE NOT NULL,
            scored_at TIMESTAMP NOT NULL
        )""",
    # One row per recommender per evaluation run (memberlens recommend evaluate); the
    # report shows the newest run of each dataset. Metrics are means over the members
    # evaluated, at cut-off k (decision 0018).
    "recommend_evaluations": """
        CREATE TABLE IF NOT EXISTS recommend_evaluations (
            run_id BIGINT NOT NULL,
            evaluated_at TIMESTAMP NOT NULL,
            dataset VARCHAR NOT NULL,       -- warehouse | movielens
            split VARCHAR NOT NULL,         -- time | random | leave_last_out
            k INTEGER NOT NULL,
            recommender VARCHAR NOT NULL,   -- popularity, itemcf, als, bpr, content, ...
            "precision" DOUBLE,
            recall DOUBLE,
            ndcg DOUBLE,
            mrr DOUBLE,
            hit_rate DOUBLE,
            coverage DOUBLE,                -- share of the catalogue in any list
            fit_seconds DOUBLE,
            recommend_seconds DOUBLE,
            n_members BIGINT,               -- members evaluated
            details JSON                    -- the split: cut-off, shares, drops
        )""",
}
