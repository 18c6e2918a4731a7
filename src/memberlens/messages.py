"""User-facing text in Chinese and English; identifiers stay English."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "loaded": ("已加载 {table} ← {file}", "Loaded {table} ← {file}"),
    "rows_in": ("读取行数", "rows read"),
    "new": ("新增", "new"),
    "updated": ("更新", "updated"),
    "unchanged": ("未变（已存在）", "unchanged (already loaded)"),
    "rejected": ("拒绝（进入隔离区）", "rejected (quarantined)"),
    "duplicates": ("重复（已去除）", "duplicates (dropped)"),
    "flagged": ("异常值（已保留并标记）", "outliers (kept, flagged)"),
    "cleared": ("无效字段（已清空）", "invalid fields (cleared)"),
    "seconds": ("耗时（秒）", "seconds"),
    "ignored": ("未使用的列", "columns not used"),
    "fuzzy": ("按相似表头映射", "mapped by similar header"),
    "reason": ("原因", "reason"),
    "count": ("数量", "count"),
    "profile_done": ("会员画像已更新：{members} 位会员，其中 {buyers} 位有购买，截至 {as_of}",
                     "Profiles updated: {members} members, {buyers} buyers, as of {as_of}"),
    "report_done": ("报告已生成：{path}", "Report written: {path}"),
    "member_not_found": ("找不到会员 {id}", "Member {id} not found"),
    "datagen_done": ("演示数据已生成：{dir}", "Demo data written: {dir}"),
    "demo_done": ("演示完成！", "Demo finished!"),
    "demo_report": ("报告文件", "Report file"),
    "demo_warehouse": ("数据仓库", "Warehouse"),
    "demo_next": ("接下来可以试试", "Try next"),
    "error": ("错误", "Error"),
    "basic": ("基本信息", "Basic information"),
    "rfm": ("RFM 价值", "RFM value"),
    "latest_orders": ("最近订单", "Latest orders"),
    "latest_events": ("最近行为", "Latest events"),
    "none_yet": ("暂无记录", "None yet"),
    "as_of": ("截至", "as of"),
    "tags_done": ("标签已计算：{members} 位会员 × {tags} 个标签，截至 {as_of}，耗时 {seconds} 秒",
                  "Tags computed: {members} members × {tags} tags as of {as_of} in {seconds} s"),
    "tags_history_only": ("（计算日早于当前画像，只写入了历史快照）",
                          "(earlier than the current profile: written to history only)"),
    "h_rows_in": ("读取", "read"),
    "h_new": ("新增", "new"),
    "h_rejected": ("拒绝", "rejected"),
    "h_duplicates": ("重复", "dupes"),
    "h_flagged": ("异常", "outliers"),
    "h_cleared": ("清空", "cleared"),
    "quarantine_hint": (
        "逐行明细（文件、行号、字段、原值、原因）：memberlens sql \"SELECT * FROM quarantine "
        "WHERE run_id = {run_id} ORDER BY source_row\"",
        "Row by row (file, row, field, value, reason): memberlens sql \"SELECT * FROM "
        "quarantine WHERE run_id = {run_id} ORDER BY source_row\""),
    "cleaning_summary": ("清洗与导入摘要", "Cleaning and load summary"),
    "table": ("表", "table"),
    "file": ("文件", "file"),
    "rows_returned": ("共 {n} 行", "{n} rows"),
}


def msg(key: str, lang: str = "zh", **values: object) -> str:
    zh, en = MESSAGES[key]
    return (zh if lang == "zh" else en).format(**values)
