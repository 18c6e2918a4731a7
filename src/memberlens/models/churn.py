"""Churn risk tiers and the retention action for each (DOMAIN.md, management by class).

Tiers cut the churn probability at thresholds fixed when the model was trained (by
default the top 20 % of holdout scores are high, the next 30 % medium), so a tier
means the same from one scoring run to the next and a shift in the tier sizes is drift.
"""

from __future__ import annotations

import numpy as np

TIERS = ("high", "medium", "low")
TIER_LABELS = {"high": ("高风险", "High risk"), "medium": ("中风险", "Medium risk"),
               "low": ("低风险", "Low risk")}
ACTIONS: dict[str, tuple[str, str]] = {
    "high": ("关怀短信与回访调研，发放定向挽回券；高价值会员由专属客服跟进（VIP服务）",
             "Care message and a survey call with a targeted win-back coupon; "
             "high-value members get a personal VIP service follow-up"),
    "medium": ("积分兑换提醒与促销活动邀请，提高购买频次",
               "Points-exchange reminders and promotion invitations to lift purchase "
               "frequency"),
    "low": ("新品与活动资讯，保持正常触达频率，避免过度打扰",
            "New-product and event news at the usual frequency; avoid over-contacting"),
}


def risk_tier(probability: np.ndarray, thresholds: tuple[float, float]) -> np.ndarray:
    """'high' at or above the first threshold, 'medium' at or above the second, else 'low'.

    >>> risk_tier(np.array([0.9, 0.5, 0.1]), (0.8, 0.4)).tolist()
    ['high', 'medium', 'low']
    """
    high, medium = thresholds
    return np.where(probability >= high, "high",
                    np.where(probability >= medium, "medium", "low")).astype(object)


def action(tier: str, lang: str = "zh") -> str:
    """The suggested retention action for a tier, in the interface language."""
    zh, en = ACTIONS[tier]
    return zh if lang == "zh" else en
