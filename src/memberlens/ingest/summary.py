"""What a load did, in numbers: returned, printed and stored in the run log."""

from __future__ import annotations

from pydantic import BaseModel

REASON_LABELS: dict[str, tuple[str, str]] = {
    "missing_required": ("缺少必填值", "Required value missing"),
    "invalid_timestamp": ("时间无法解析", "Unparseable timestamp"),
    "invalid_date": ("日期无法解析", "Unparseable date"),
    "invalid_amount": ("金额无法解析", "Unparseable amount"),
    "negative_amount": ("金额为负", "Negative amount"),
    "absurd_amount": ("金额超出合理范围", "Absurd amount"),
    "invalid_phone": ("手机号无效", "Invalid phone number"),
    "invalid_email": ("邮箱无效", "Invalid email"),
    "invalid_value": ("取值无效", "Invalid value"),
    "out_of_range": ("超出取值范围", "Value out of range"),
    "future_timestamp": ("时间在未来", "Timestamp in the future"),
    "duplicate_row": ("完全重复的行", "Exact duplicate row"),
    "duplicate_key": ("主键重复（保留最后一条）", "Duplicate key (last one kept)"),
    "paid_exceeds_total": ("实付金额大于订单金额（已保留）",
                           "Paid more than the order total (kept)"),
    "refund_exceeds_paid": ("退款金额大于实付金额（已清空）",
                            "Refund larger than the payment (cleared)"),
    "outlier_amount": ("金额异常偏高（已保留）", "Unusually high amount (kept)"),
}


class LoadResult(BaseModel):
    """The cleaning summary of one file."""

    run_id: int
    table: str
    file: str
    status: str = "ok"
    rows_in: int = 0
    loaded: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    flagged: int = 0
    cleared: int = 0
    reasons: dict[str, int] = {}
    mapping: dict[str, str] = {}
    fuzzy: dict[str, str] = {}
    ignored_columns: list[str] = []
    seconds: float = 0.0


def reason_label(code: str, lang: str = "zh") -> str:
    zh, en = REASON_LABELS.get(code, (code, code))
    return zh if lang == "zh" else en
